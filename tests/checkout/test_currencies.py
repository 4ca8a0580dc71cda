"""Currencies and tax end to end: a Canadian business priced in CAD and USD, the real stripe-python against the
loopback Stripe fake, the Oscar order, the invoice and the revenue report."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.models import Site

from tests.checkout.conftest import Checkout, far
from tests.factories.booking import ServiceFactory
from tests.reports.conftest import pdf_text
from wagtail_booking.bookings.models import Booking
from wagtail_booking.bookings.tokens import manage_token as booking_token
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.reports import revenue
from wagtail_booking.reports.periods import Period
from wagtail_booking.reports.tax import tax_totals
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.snippets.prices import ServicePrice, TaxRate

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def canadian(site_root):
    """The default site is a Canadian business: it prices in CAD, tax added on top."""
    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={"business_name": "Maple Physio",
                                                                   "currency": "CAD"})
    return site


@pytest.fixture
def physio(provider, stripe_fake, canadian):
    """CA$120 (25% deposit: CA$30.00), also priced US$90 (deposit US$22.50)."""
    service = ServiceFactory(name="Physio", providers=[provider], duration_minutes=60, price=Decimal("120.00"),
                             deposit_kind="percent", deposit_value=Decimal("25"))
    ServicePrice.objects.create(service=service, currency="USD", price=Decimal("90.00"))
    return service


class CurrencyCheckout(Checkout):
    currency = None

    def hold(self, start, email="pat@example.com"):
        body = {"service": self.service.pk, "start": start.isoformat(), "name": "Pat Payer", "email": email,
                "timezone": "America/Toronto"}
        if self.currency:
            body["currency"] = self.currency
        response = self.client.post("/booking/api/holds", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        self.hold_body = response.json()
        return self.hold_body


def pay(stripe_client, service, start, currency=None, email="pat@example.com"):
    flow = CurrencyCheckout(Client(), stripe_client, service)
    flow.currency = currency
    flow.hold(start, email=email)
    flow.open_payment_page()
    page = flow.page.content.decode()
    flow.pay()
    flow.come_back()
    return Booking.objects.get(reference=flow.hold_body["id"]), page


def test_a_cad_booking_end_to_end(stripe_client, stripe_fake, physio, monday, admin_client):
    booking, page = pay(stripe_client, physio, far(monday))
    assert (booking.currency, booking.price, booking.deposit_due) == ("CAD", Decimal("120.00"), Decimal("30.00"))
    assert booking.status == "confirmed"
    assert "CA$30.00" in page
    # Stripe got Canadian dollars in cents; the Connect-free platform charge has no fee.
    payment = BookingPayment.objects.get(booking=booking)
    intent = stripe_client.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent["currency"], intent["amount"], intent["amount_received"]) == ("cad", 3000, 3000)
    assert (payment.currency, payment.amount_captured) == ("CAD", Decimal("30.00"))
    # The Oscar order, its line and the invoice are CAD.
    order = payment.order
    assert (order.currency, order.total_incl_tax) == ("CAD", Decimal("30.00"))
    assert order.lines.get().stockrecord.price_currency == "CAD"
    invoice = booking.invoices.get(kind="invoice")
    assert invoice.currency == "CAD"
    text = pdf_text(bytes(invoice.pdf))
    assert "CA$30.00" in text and "CA$120.00" in text and "CA$90.00" in text  # deposit, price, balance
    assert "US$" not in text

    # A second client books the same service in US dollars: the revenue report keeps the currencies apart.
    usd, _page = pay(stripe_client, physio, far(monday, 14), currency="USD", email="sam@example.com")
    assert (usd.currency, usd.price, usd.deposit_due) == ("USD", Decimal("90.00"), Decimal("22.50"))
    usd_intent = stripe_client.v1.payment_intents.retrieve(BookingPayment.objects.get(booking=usd).payment_intent_id)
    assert (usd_intent["currency"], usd_intent["amount"]) == ("usd", 2250)
    filters = revenue.Filters(_this_year())
    assert {row.currency: row.taken for row in revenue.totals(filters)} == {"CAD": Decimal("30.00"),
                                                                             "USD": Decimal("22.50")}
    assert {row.currency: row.gross for row in tax_totals(filters)} == {"CAD": Decimal("30.00"),
                                                                         "USD": Decimal("22.50")}
    html = admin_client.get(reverse("wagtail_booking_reports:revenue"), {"period": "this_year"}).content.decode()
    assert "CA$30.00" in html and "US$22.50" in html and "CA$52.50" not in html and "$52.50" not in html


def _this_year():
    from datetime import date

    return Period(date(2027, 1, 1), date(2027, 12, 31), "America/Toronto")


def test_a_currency_the_service_has_no_price_in_is_refused_naming_the_field(client, physio, monday):
    body = {"service": physio.pk, "start": far(monday).isoformat(), "name": "Pat", "email": "pat@example.com",
            "timezone": "America/Toronto"}
    for currency in ("EUR", "eur", "DOLLARS", "12"):
        response = client.post("/booking/api/holds", data=json.dumps({**body, "currency": currency}),
                               content_type="application/json")
        # A code the service has no price in: 409 (it may get one); not a three-letter code: 400 (schema).
        assert response.status_code == (409 if currency.lower() == "eur" else 400), response.content
        assert "currency" in response.content.decode()
    assert not Booking.objects.exists()
    services = client.get("/booking/api/services").json()
    prices = next(item for item in services if item["id"] == physio.pk)["prices"]
    assert prices == [{"currency": "CAD", "price": "120.00", "deposit_due": "30.00"},
                      {"currency": "USD", "price": "90.00", "deposit_due": "22.50"}]


@pytest.mark.parametrize(("inclusive", "net", "tax", "gross"), [
    (True, "44.25", "5.75", "50.00"),  # CA$50.00 includes 13 %: the client pays CA$50.00
    (False, "50.00", "6.50", "56.50"),  # CA$50.00 plus 13 %: the client pays CA$56.50
])
def test_tax_on_the_order_stripe_and_invoice_to_the_cent(stripe_client, provider, stripe_fake, canadian, monday,
                                                         inclusive, net, tax, gross):
    BusinessSettings.objects.filter(site=canadian).update(prices_include_tax=inclusive)
    hst = TaxRate.objects.create(name="HST", percent=Decimal("13"))
    service = ServiceFactory(name="Massage", providers=[provider], price=Decimal("50.00"), deposit_kind="full",
                             tax_rate=hst)
    booking, page = pay(stripe_client, service, far(monday))
    order = BookingPayment.objects.get(booking=booking).order
    assert (order.total_excl_tax, order.total_tax, order.total_incl_tax) == (Decimal(net), Decimal(tax),
                                                                              Decimal(gross))
    assert order.lines.get().tax_code == "HST 13%"
    intent = stripe_client.v1.payment_intents.retrieve(BookingPayment.objects.get(booking=booking).payment_intent_id)
    assert (intent["currency"], intent["amount_received"]) == ("cad", int(Decimal(gross) * 100))
    assert f"CA${gross}" in page
    text = pdf_text(bytes(booking.invoices.get(kind="invoice").pdf))
    for figure in (f"CA${net}", f"CA${tax}", f"CA${gross}", "HST 13%"):
        assert figure in text, figure
    [row] = tax_totals(revenue.Filters(_this_year()))
    assert (row.currency, row.net, row.tax, row.gross) == ("CAD", Decimal(net), Decimal(tax), Decimal(gross))


def test_tax_on_top_the_client_sees_what_they_pay_and_the_balance_is_on_the_same_basis(
        stripe_client, provider, stripe_fake, canadian, monday):
    """CA$100.00 plus HST 13 %, 20 % deposit: the client pays CA$22.60 now (the deposit with its tax) and owes
    CA$90.40 at the appointment; the two make the price with its tax, CA$113.00, on every page and in the bill."""
    from wagtail_booking.checkout.balances.services import balance_of

    hst = TaxRate.objects.create(name="HST", percent=Decimal("13"))
    service = ServiceFactory(name="Massage", providers=[provider], price=Decimal("100.00"), deposit_kind="percent",
                             deposit_value=Decimal("20"), tax_rate=hst)
    booking, page = pay(stripe_client, service, far(monday))
    charged = BookingPayment.objects.get(booking=booking).amount_captured
    assert charged == Decimal("22.60")
    assert "<dt>Deposit</dt><dd>CA$22.60</dd>" in page.replace("\n", "")
    assert "<dt>Balance due at the appointment</dt><dd>CA$90.40</dd>" in page.replace("\n", "")
    assert (booking.deposit_with_tax, booking.balance_due) == (Decimal("22.60"), Decimal("90.40"))
    bill = balance_of(booking)
    assert bill.due == Decimal("90.40") and charged + bill.due == Decimal("113.00")
    booked = Client().get(reverse("wagtail_booking:booked", args=[booking.reference, booking_token(booking)]))
    assert "CA$90.40" in booked.content.decode()
    invoice = pdf_text(bytes(booking.invoices.get(kind="invoice").pdf))
    assert "Balance due at the appointment CA$90.40" in " ".join(invoice.split())
    # the provider's email and the webhook payload speak of what the client pays too
    from django.core import mail

    from wagtail_booking.webhooks.events import booking_data

    told = " ".join(message.body for message in mail.outbox if booking.provider.email in message.to)
    assert "CA$113.00" in told and "CA$22.60" in told and "CA$100.00" not in told
    data = booking_data(booking)
    assert data["price"] == {"amount": "100.00", "currency": "CAD"}
    assert (data["price_with_tax"], data["deposit_with_tax"]) == ({"amount": "113.00", "currency": "CAD"},
                                                                  {"amount": "22.60", "currency": "CAD"})

"""Every money path of one business in one period, with the real stripe-python against the Stripe fake, and every
record of that money agreeing to the cent, per currency.

The business (the default site, USD, America/New_York) in March-April 2027:

* **deposits** of US$18.00 on a US$90 massage: ``kept`` and ``second`` are kept (both later pay their balance),
  ``refunded`` is cancelled 72 hours ahead, inside the 48-hour policy: US$18.00 back;
* a **3-pack** (US$240.00, US$80.00 a credit) bought through the checkout; credits pay bookings A and B; A is
  cancelled inside the policy (the credit comes back) and C uses it again; the last credit **expires** (the expiry
  task, the clock moved past the purchase's date);
* a **gift card** of US$50.00 bought through the checkout; it pays ``gift``'s deposit alone (US$18.00, no card);
  staff add US$5.00 with a reason; it then pays US$37.00 of ``kept``'s balance (US$72.00 + a 10% tip of US$7.20),
  Stripe the other US$42.20;
* ``second``'s balance paid by link with a 10% tip (US$79.20 on the card), then US$75.00 of it refunded: the refund
  gives back the balance first (US$72.00) and US$3.00 of the tip;
* a **no-show fee** of US$25.00 charged off-session to a card saved with a SetupIntent (a consultation with no
  deposit);
* a **CAD** booking (the massage's CA$120.00 price: a CA$24.00 deposit): a second currency, never added to USD.

The figures, per currency (``reports/summary.py`` says what each line counts):

* **card** (the revenue reports' Taken/Refunded): Stripe's money for appointments. USD taken 3 × 18 + 25 + 42.20 +
  79.20 = 200.40, refunded 18 + 75 = 93.00, net 107.40; CAD taken 24.00;
* **tips**: 7.20 + (7.20 − 3.00) = 11.40, all Maya's;
* **paid by gift cards**: 18 + 37 = 55.00; **credits used**: A, B, C less A's return = 2 × 80 = 160.00;
* **revenue** = 107.40 − 11.40 + 55.00 + 160.00 = 311.00 (and once the last credit expires, US$80.00 more);
* **sold in advance**: the gift card 50 + the 3-pack 240 = 290.00 (Stripe took it; a liability until spent);
* **Stripe**: captured 200.40 + 290 = 490.40, refunded 93.00, net 397.40 = card net + sold in advance;
* **gift card**: sold 50 − redeemed 55 + returned 0 + adjusted 5 = 0.00, its stored balance and the liability
  report's outstanding;
* **credits**: sold 3, used 2 (net), outstanding 1 (US$80.00 deferred) until it expires: then expired 1 (US$80.00),
  outstanding 0;
* **Oscar**: every order's total is the sum of its payment sources (Stripe and gift card);
* **documents**: an invoice per order (8 for appointments, the gift-card-only deposit's included, and a receipt for
  each purchase, together US$290.00) and a credit note per refund (US$18.00, US$75.00);
* the money summary's CSV export, the revenue report's CSV export and its PDF show the same figures.

Bugs this test found, fixed in the code: the revenue reports counted a gift card's part of an order as money taken
(but not a deposit the card paid alone); purchases counted as taken when no business filter was given; tips stayed
whole after their balance payment was refunded; a deposit paid by a gift card alone, and purchases, had no invoice;
a booking's balance ignored what gift cards paid of its deposit or balance (kept's balance showed US$37.00 still due
after it was paid, a deposit paid by a gift card alone asked for US$90.00 instead of US$72.00).
"""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.conftest import Checkout, far, paid_booking
from tests.checkout.test_currencies import CurrencyCheckout
from tests.checkout.test_fees import (  # noqa: F401 (fixtures)
    book_with_consent,
    consultation,
    no_show,
    policy,
    save_card,
    staff,
)
from tests.giftcards.helpers import apply_code, buy_card
from tests.packages.conftest import buy_package, purchase_of, three_pack  # noqa: F401
from tests.packages.test_packages import book_with_code
from tests.reports.conftest import pdf_text, save_png
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.businesses import default_site
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.balances import links
from wagtail_booking.checkout.balances import services as balance_services
from wagtail_booking.checkout.models import BookingPayment, CancellationPolicy, CancellationTier
from wagtail_booking.checkout.money import from_minor_units
from wagtail_booking.giftcards import ledger
from wagtail_booking.giftcards.models import GiftCard
from wagtail_booking.packages import credits
from wagtail_booking.packages.tasks import expire_credits_task
from wagtail_booking.reports import liability, revenue, summary
from wagtail_booking.reports.admin import NAMESPACE
from wagtail_booking.reports.deferred import deferred_revenue
from wagtail_booking.reports.invoices import ensure_pdf
from wagtail_booking.reports.models import Invoice
from wagtail_booking.reports.periods import Period
from wagtail_booking.reports.report_pdf import render_report
from wagtail_booking.snippets.prices import ServicePrice

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
D = Decimal

# The scenario's dates (PERIOD) follow from this clock, whatever WAGTAIL_BOOKING_TEST_NOW says.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.time_machine(datetime(2027, 3, 10, 15, tzinfo=UTC))]
PERIOD = Period(date(2027, 3, 1), date(2027, 5, 31), "America/New_York")


def deposit_by_gift_card(stripe_client, service, start, code):
    """The payment page with the gift card applied: it pays the whole deposit, so Oscar places the order, no card."""
    flow = Checkout(Client(), stripe_client, service)
    flow.hold(start, email="alex@example.com")
    flow.open_payment_page()
    apply_code(flow, code)
    response = flow.client.post("/shop/checkout/preview/", {"action": "place_order"})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"], response.content[:1000]
    return Booking.objects.get(reference=flow.hold_body["id"])


def pay_balance(stripe_client, booking, tip, code=None):
    """The balance link with a tip, the payment page (a gift card applied first when ``code``), the card, back."""
    client = Client()
    response = client.post(links.balance_path(booking), {"tip": tip, "other": ""})
    assert response.status_code == 302, response.content[:1000]
    flow = Checkout(client, stripe_client, booking.service)
    flow.page = client.get(response["Location"], follow=True)
    if code:
        apply_code(flow, code)
    payment = flow.page.context["payment"]
    stripe_client.v1.payment_intents.confirm(payment.payment_intent_id, params={
        "payment_method": "pm_card_visa", "return_url": "http://testserver/return"})
    client.get(reverse("checkout:stripe-return"), {"payment_intent": payment.payment_intent_id})
    return BookingPayment.objects.get(pk=payment.pk)


def cad_deposit(stripe_client, service, start):
    flow = CurrencyCheckout(Client(), stripe_client, service)
    flow.currency = "CAD"
    flow.hold(start, email="canada@example.com")
    flow.open_payment_page()
    flow.pay()
    flow.come_back()
    return Booking.objects.get(reference=flow.hold_body["id"])


@pytest.fixture
def scenario(stripe_client, stripe_fake, massage, consultation, three_pack, staff, monday, site_root,  # noqa: F811
             time_machine):
    rule = CancellationPolicy.objects.create(name="48 hours")
    CancellationTier.objects.create(policy=rule, hours_before=48, refund_percent=D("100"))
    massage.cancellation_policy, massage.cancellation_cutoff_hours = rule, 0
    massage.save()
    ServicePrice.objects.create(service=massage, currency="CAD", price=D("120.00"))
    day = {n: monday + timedelta(days=n) for n in range(5)}

    # Money received in advance: a 3-pack and a gift card.
    package_client, _landed, package_code = buy_package(stripe_client, three_pack)
    gift_code = buy_card(Client(), stripe_client, amount="50.00")
    # Deposits; one cancelled inside the policy.
    b = {name: paid_booking(stripe_client, massage, far(day[0], hour), f"{name}@example.com")
         for name, hour in (("kept", 10), ("second", 11), ("refunded", 12))}
    services.cancel(b["refunded"], by="client", now=b["refunded"].start - timedelta(hours=72))
    # Credits: A and B, A cancelled inside the policy (the credit comes back), C uses it again.
    a, b["credit_b"] = (book_with_code(package_client, massage, far(day[1], hour), package_code) for hour in (10, 11))
    services.cancel(a, by="client", now=a.start - timedelta(hours=72))
    b["credit_c"] = book_with_code(package_client, massage, far(day[1], 12), package_code)
    # The gift card pays a deposit alone, then staff add US$5.00 to it.
    b["gift"] = deposit_by_gift_card(stripe_client, massage, far(day[2], 10), gift_code)
    card = GiftCard.objects.get()
    ledger.adjust(card, D("5.00"), "Apology for a late start")
    # A card kept on file for a consultation (no deposit), a CAD deposit.
    b["no_show"] = save_card(Client(), stripe_fake, book_with_consent(Client(), consultation, far(day[3], 10)),
                             "4242424242424242")
    b["cad"] = cad_deposit(stripe_client, massage, far(day[4], 10))

    # After the appointments: balances with tips (one partly by the gift card), a refund, the no-show fee.
    time_machine.move_to(far(day[4], 12), tick=True)
    staff.force_login(get_user_model().objects.get(username="owner"))  # weeks later: the session has lapsed
    for name in ("kept", "second"):
        services.mark_outcome(b[name], Booking.Status.COMPLETED)
    b["kept_balance"] = pay_balance(stripe_client, b["kept"], "10", code=gift_code)
    b["second_balance"] = pay_balance(stripe_client, b["second"], "10")
    facade.refund(b["second_balance"], D("75.00"), "The client was charged for an add-on they did not have")
    b["no_show"] = no_show(b["no_show"])
    charged = staff.post(f"/admin/bookings/fee/{b['no_show'].pk}/no_show/", {"attempts": "0"}, follow=True)
    assert "No-show fee of US$25.00 charged." in charged.content.decode()
    b.update(card=card, purchase=purchase_of(), a=a)
    return b


def per_currency(items, key, amount):
    found = {}
    for item in items:
        found[item[key].upper()] = found.get(item[key].upper(), 0) + item[amount]
    return {currency: from_minor_units(total, currency) for currency, total in found.items()}


def test_every_money_path_reconciles_to_the_cent(scenario, stripe_fake, staff):  # noqa: F811 (staff: the owner)
    filters = revenue.Filters(PERIOD)
    rows = {row.currency: row for row in summary.summary(filters)}
    usd, cad = rows["USD"], rows["CAD"]
    assert (usd.card_taken, usd.card_refunded, usd.card_net) == (D("200.40"), D("93.00"), D("107.40"))
    assert (usd.tips, usd.gift_cards_spent, usd.credits_used, usd.revenue) == (D("11.40"), D("55.00"), D("160.00"),
                                                                              D("311.00"))
    assert (usd.advance_taken, usd.advance_refunded, usd.stripe_net) == (D("290.00"), D("0.00"), D("397.40"))
    assert (cad.card_taken, cad.card_net, cad.revenue, cad.stripe_net) == (D("24.00"),) * 4
    assert (cad.gift_cards_spent, cad.credits_used, cad.advance_net) == (D("0"),) * 3

    # Stripe's records: charges captured and refunds, per currency = Oscar's Stripe sources = card + sold in advance.
    captured = per_currency(stripe_fake.charges.values(), "currency", "amount_captured")
    refunded = per_currency(stripe_fake.refunds.values(), "currency", "amount")
    assert captured == {"USD": D("490.40"), "CAD": D("24.00")} and refunded == {"USD": D("93.00")}
    stripe_sources = Source.objects.filter(source_type__code="stripe")
    for currency, row in rows.items():
        mine = stripe_sources.filter(currency=currency)
        assert sum(s.amount_debited for s in mine) == captured[currency] == row.card_taken + row.advance_taken
        assert sum(s.amount_refunded for s in mine) == refunded.get(currency, 0) == (row.card_refunded
                                                                                    + row.advance_refunded)
        assert row.stripe_net == captured[currency] - refunded.get(currency, 0)
    payments = BookingPayment.objects.exclude(order=None)
    assert sum(p.amount_captured - p.amount_refunded for p in payments.filter(currency="USD")) == usd.stripe_net

    # Oscar: every order's total is what its payment sources (Stripe, gift card) took.
    for order in Order.objects.all():
        assert order.total_incl_tax == sum(s.amount_debited for s in order.sources.all()), order.number
    assert Order.objects.count() == 10  # 2 purchases; deposits: 3 by card, 1 by gift card, 1 CAD; 2 balances; 1 fee

    # Every order has its invoice: appointments (the one gift cards paid alone too) and the two purchases' receipts;
    # a credit note per refund.
    invoices = Invoice.objects.filter(kind="invoice")
    assert invoices.count() == 10 and invoices.filter(booking=None).count() == 2
    assert sum(i.amount for i in invoices.filter(booking=None)) == usd.advance_taken
    gift_receipt = pdf_text(ensure_pdf(invoices.get(order=scenario["card"].order)))
    assert f"Gift card ····{scenario['card'].last4} (stored value)" in gift_receipt
    assert "not a taxable sale" in gift_receipt
    assert "US$50.00" in gift_receipt and "Paid by card" in gift_receipt and "Appointment" not in gift_receipt
    package_receipt = pdf_text(ensure_pdf(invoices.get(order=scenario["purchase"].order)))
    assert "Three massages" in package_receipt and "US$240.00" in package_receipt
    save_png(ensure_pdf(invoices.get(order=scenario["card"].order)), "gift-card-receipt")
    assert sorted(Invoice.objects.filter(kind="credit_note").values_list("amount", flat=True)) == [D("18.00"),
                                                                                                  D("75.00")]
    by_gift_card = invoices.get(order__booking_payment=None)
    assert (by_gift_card.booking, by_gift_card.amount) == (scenario["gift"], D("18.00"))
    text = pdf_text(ensure_pdf(by_gift_card))
    assert f"Paid by gift card ····{scenario['card'].last4}" in text and "Paid by card" not in text

    # The gift card: its stored balance = sold - redeemed + returned +/- adjusted = the liability report.
    card = scenario["card"]
    card.refresh_from_db()
    kinds = {kind: sum(e.amount for e in card.entries.filter(kind=kind)) for kind in
             ("issued", "redeemed", "returned", "adjusted")}
    assert kinds == {"issued": D("50.00"), "redeemed": D("-55.00"), "returned": 0, "adjusted": D("5.00")}
    [owed] = liability.liability(filters)
    assert card.balance == sum(kinds.values()) == owed.outstanding == D("0.00")
    assert (owed.sold, owed.redeemed, owed.adjusted) == (D("50.00"), D("55.00"), D("5.00"))
    assert owed.redeemed - owed.returned == usd.gift_cards_spent  # all of it paid appointments

    # Credits: what is left on the purchase = the deferred revenue report, in credits and in money.
    purchase = scenario["purchase"]
    [deferred] = deferred_revenue(filters)
    assert credits.balance_of(purchase) == deferred.outstanding == 1
    assert (deferred.sold, deferred.used, deferred.expired) == (3, 2, 0)
    assert (deferred.sold_value, deferred.used_value, deferred.outstanding_value) == (D("240.00"), D("160.00"),
                                                                                        D("80.00"))
    assert deferred.used_value == usd.credits_used

    # What each booking still owes counts the gift cards' part: kept paid its balance (US$37.00 of it by the card);
    # the deposit the card paid alone is kept like a card deposit (US$72.00 left of US$90.00).
    assert balance_services.balance_of(scenario["kept"]).paid_in_full
    assert balance_services.balance_of(scenario["second"]).due == D("72.00")  # its refund gave the balance back
    assert balance_services.balance_of(scenario["gift"]).due == D("72.00")

    # Tips per provider = the tips report: US$7.20 and US$4.20 (US$3.00 of the second refunded).
    [maya] = revenue.tips_by_provider(filters)
    assert (maya.label, maya.taken, maya.payments) == ("Maya", D("11.40"), 2) and maya.taken == usd.tips
    [total] = [row for row in revenue.totals(filters) if row.currency == "USD"]
    assert (total.taken, total.refunded, total.tips) == (usd.card_taken, usd.card_refunded, usd.tips)

    # The exports and the PDF say the same.
    query = {"period": "custom", "dates_from": "2027-03-01", "dates_to": "2027-05-31", "export": "csv"}
    exported = {(line["Figure"], line["Currency"]): D(line["Amount"]) for line in csv.DictReader(io.StringIO(
        b"".join(staff.get(reverse(f"{NAMESPACE}:money_summary"), query).streaming_content).decode("utf-8-sig")))}
    assert exported == {(str(label), currency): getattr(row, name) for currency, row in rows.items()
                        for name, label in summary.LABELS.items()}
    over_time = list(csv.DictReader(io.StringIO(b"".join(staff.get(
        reverse(f"{NAMESPACE}:revenue"), query).streaming_content).decode("utf-8-sig"))))
    for currency, row in rows.items():
        mine = [r for r in over_time if r["Currency"] == currency]
        assert sum(D(r["Taken"]) for r in mine) == row.card_taken
        assert sum(D(r["Refunded"]) for r in mine) == row.card_refunded
    text = pdf_text(render_report(PERIOD, default_site()))
    for figure in ("US$200.40", "US$93.00", "US$107.40", "US$11.40", "US$55.00", "US$160.00", "US$311.00",
                   "US$290.00", "US$397.40", "CA$24.00"):
        assert figure in text, figure


def test_the_last_credit_expires_and_is_written_off(scenario, time_machine):
    purchase = scenario["purchase"]
    time_machine.move_to(purchase.expires_at + timedelta(minutes=1), tick=False)
    expire_credits_task.call_local()
    later = revenue.Filters(Period(date(2027, 3, 1), purchase.expires_at.date() + timedelta(days=1),
                                   "America/New_York"))
    [deferred] = deferred_revenue(later)
    assert credits.balance_of(purchase) == deferred.outstanding == 0
    assert (deferred.sold, deferred.used, deferred.expired) == (3, 2, 1)
    assert (deferred.expired_value, deferred.outstanding_value) == (D("80.00"), D("0.00"))
    assert deferred.sold_value == deferred.used_value + deferred.expired_value + deferred.outstanding_value
    # The money summary: the 3-pack's US$240.00, received in advance, is now all revenue (used or expired).
    usd = next(row for row in summary.summary(later) if row.currency == "USD")
    assert (usd.credits_used, usd.credits_expired, usd.revenue) == (D("160.00"), D("80.00"), D("391.00"))
    assert usd.credits_used + usd.credits_expired == deferred.sold_value

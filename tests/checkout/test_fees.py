"""Cards on file and fees: the real stripe-python against the loopback Stripe fake, from the booking form to the
invoice. A client agrees to keep a card on file; staff (or the site, automatically) charge the no-show fee."""

import json
import re
import urllib.request
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest
from django.core import mail
from django.test import Client
from oscar.core.loading import get_model

from tests.checkout.conftest import Checkout, far
from tests.factories.booking import ServiceFactory
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.card_models import FeeCharge, SavedCard
from wagtail_booking.checkout.models import BookingPayment, CancellationPolicy
from wagtail_booking.checkout.reconcile import reconcile
from wagtail_booking.reports.models import Invoice
from wagtail_booking.site_settings import BusinessSettings

Order = get_model("order", "Order")
Transaction = get_model("payment", "Transaction")

pytestmark = pytest.mark.django_db(transaction=True)
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def policy(db):
    """No-show: $25 fixed; late cancellation: 50% of the price."""
    return CancellationPolicy.objects.create(name="Strict", no_show_fee_kind="fixed", no_show_fee_value=Decimal("25"),
                                             late_cancellation_fee_kind="percent",
                                             late_cancellation_fee_value=Decimal("50"))


@pytest.fixture
def consultation(provider, stripe_fake, policy):
    """$60, nothing to pay when booking: a card on file is saved with a SetupIntent."""
    return ServiceFactory(name="Consultation", providers=[provider], duration_minutes=60, price=Decimal("60.00"),
                          cancellation_policy=policy)


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_superuser("owner", "owner@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def stripe_js(fake, path, data):
    """What Stripe.js sends from the client's browser: the publishable key and the intent's client secret."""
    body = urlencode({"key": fake.publishable_key, **data}).encode()
    with NO_PROXY.open(urllib.request.Request(f"{fake.url}{path}", data=body, method="POST"), timeout=10) as answer:
        return json.loads(answer.read())


def book_with_consent(client, service, start, email="sam@example.com", consent=True):
    """The booking form, as the client fills it in (the consent box ticked)."""
    data = {"slot": f"{start.isoformat()}|{service.providers.first().pk}", "timezone": "America/New_York",
            "name": "Sam Client", "email": email}
    if consent:
        data["card_consent"] = "on"
    return client.post(f"/booking/book/{service.pk}/", data)


def save_card(client, fake, response, number):
    """The card-saving step: Stripe.js confirms the SetupIntent (3-D Secure if the card asks), then returns."""
    assert response.status_code == 302 and "/booking/card/" in response["Location"], response
    return save_card_at(client, fake, response["Location"], number)


def save_card_at(client, fake, url, number):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    return_url = re.search(r'data-return-url="([^"]+)"', html).group(1)
    seti_id = secret.split("_secret_")[0]
    answer = stripe_js(fake, f"/v1/setup_intents/{seti_id}/confirm", {
        "client_secret": secret, "payment_method_data[type]": "card", "payment_method_data[card][number]": number,
        "return_url": return_url})
    location = (fake.complete_setup_3ds(seti_id) if answer["status"] == "requires_action" else
                f"{return_url}?setup_intent={seti_id}&redirect_status=succeeded")
    back = client.get(location.removeprefix("http://testserver"))
    assert back.status_code == 302 and "/booking/booked/" in back["Location"], back.content[:500]
    return Booking.objects.get(reference=re.search(r"/booked/([A-Z0-9]+)/", back["Location"]).group(1))


def no_show(booking):
    services.mark_outcome(booking, "no_show", now=booking.start + timedelta(minutes=20))
    booking.refresh_from_db()
    return booking


def charge_page(staff, booking, reason="no_show"):
    return staff.get(f"/admin/bookings/fee/{booking.pk}/{reason}/")


def test_the_consent_box_names_the_fees(client, consultation, monday):
    from wagtail_booking.blocks.forms import BookingForm, card_consent_for

    sentence = card_consent_for(consultation)
    assert "late-cancellation fee of 50.0% of the price (US$30.00)" in sentence
    assert "no-show fee of US$25.00" in sentence
    form = BookingForm(consultation, card_consent=sentence)
    assert form.fields["card_consent"].initial is None and not form.fields["card_consent"].required
    policy = consultation.cancellation_policy
    policy.no_show_fee_kind = policy.late_cancellation_fee_kind = "none"
    policy.save()
    assert card_consent_for(consultation) == ""


def test_a_fee_that_comes_to_nothing_is_not_named(consultation):
    """50 % of a free service's price is nothing: the box names the fixed no-show fee only; with no fee left that
    costs anything, there is no box."""
    from wagtail_booking.blocks.forms import card_consent_for

    consultation.price = Decimal("0")
    consultation.save()
    sentence = card_consent_for(consultation)
    assert "no-show fee of US$25.00" in sentence and "late-cancellation" not in sentence
    policy = consultation.cancellation_policy
    policy.no_show_fee_kind = "percent"
    policy.save()
    assert card_consent_for(consultation) == ""


def test_the_consent_box_speaks_the_business_currency(consultation):
    """A business priced in euros names its fees in euros, not in the shop's default currency."""
    from wagtail_booking.blocks.forms import card_consent_for
    from wagtail_booking.site_settings import BusinessSettings

    details = BusinessSettings.for_site(consultation.site)
    details.currency = "EUR"
    details.save()
    sentence = card_consent_for(consultation)
    assert "no-show fee of €25.00" in sentence and "(€30.00)" in sentence and "US$" not in sentence


def test_setup_intent_then_an_off_session_no_show_fee(client, staff, stripe_fake, consultation, monday):
    booking = save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                        "4000002500003155")
    card = SavedCard.objects.get(booking=booking)
    assert (card.state, card.brand, card.last4) == ("active", "visa", "3155")
    assert card.customer_id.startswith("cus_") and card.payment_method_id.startswith("pm_")
    assert "no-show fee of US$25.00" in card.consent_text
    assert stripe_fake.payment_methods[card.payment_method_id]["customer"] == card.customer_id
    booking = no_show(booking)

    page = charge_page(staff, booking).content.decode()
    assert "Charge US$25.00 to Visa •••• 3155" in page
    response = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"}, follow=True)
    assert "No-show fee of US$25.00 charged." in response.content.decode()

    payment = BookingPayment.objects.get(kind="fee")
    intent = stripe_fake.payment_intents[payment.payment_intent_id]
    assert (intent["status"], intent["amount_received"], intent["customer"]) == ("succeeded", 2500, card.customer_id)
    assert intent["payment_method"] == card.payment_method_id
    assert (payment.state, payment.amount_captured, payment.booking) == ("captured", Decimal("25.00"), booking)
    order = payment.order
    assert order.total_incl_tax == Decimal("25.00") and order.guest_email == "sam@example.com"
    line = order.lines.get()
    assert line.title == "No-show fee" and line.line_price_incl_tax == Decimal("25.00")
    source = order.sources.get()
    assert source.label == "Card (Stripe)" and source.amount_debited == Decimal("25.00")
    assert [t.txn_type for t in source.transactions.order_by("pk")] == ["Authorise", "Debit"]
    invoice = Invoice.objects.get(order=order, kind="invoice")
    assert invoice.amount == Decimal("25.00") and invoice.booking == booking
    platform = reconcile()[0]  # our records and Stripe's agree to the cent
    assert platform.agrees and platform.captured == platform.stripe_captured == Decimal("25.00")

    # A second click (or a replayed POST) of the same confirmation page charges nothing more.
    again = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"}, follow=True)
    assert "charged already" in again.content.decode()
    assert len(stripe_fake.charges) == 1 and BookingPayment.objects.filter(kind="fee").count() == 1
    assert Transaction.objects.filter(txn_type="Debit", source=source).count() == 1
    inspect = staff.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Visa •••• 3155" in inspect and "Fee charged to the card on file: US$25.00" in inspect


def test_double_post_racing_is_charged_once(client, staff, stripe_fake, consultation, monday):
    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4242424242424242"))
    first = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"})
    second = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"})
    assert first.status_code == second.status_code == 302
    assert [r[0] for r in stripe_fake.requests].count("POST") >= 1
    confirms = [r for r in stripe_fake.requests if r[1].endswith("/confirm") and r[1].startswith("/v1/payment_")]
    assert len(confirms) == 1 and len(stripe_fake.charges) == 1
    assert FeeCharge.objects.get().attempts == 1


def test_authentication_required_ends_paid_after_the_client_completes_it(client, staff, stripe_fake, consultation,
                                                                          monday):
    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4000002760003184"))
    mail.outbox.clear()
    response = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"}, follow=True)
    assert "asks them to confirm this payment" in response.content.decode()
    payment = BookingPayment.objects.get(kind="fee")
    assert payment.state == "pending" and payment.amount_captured == 0
    assert stripe_fake.payment_intents[payment.payment_intent_id]["status"] == "requires_payment_method"
    email = next(m for m in mail.outbox if "confirm a payment" in m.subject.lower())
    assert email.to == ["sam@example.com"] and "$25.00" in email.body and "Visa •••• 3184" in email.body
    link = next(word for word in email.body.split() if "/booking/fee/" in word)

    page = client.get(link.removeprefix("http://testserver"))
    html = page.content.decode()
    assert page.status_code == 200 and "$25.00" in html
    secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
    return_url = re.search(r'data-return-url="([^"]+)"', html).group(1)
    pm = re.search(r'data-payment-method="([^"]+)"', html).group(1)
    answer = stripe_js(stripe_fake, f"/v1/payment_intents/{payment.payment_intent_id}/confirm",
                       {"client_secret": secret, "payment_method": pm, "return_url": return_url})
    assert answer["status"] == "requires_action"
    location = stripe_fake.complete_3ds(payment.payment_intent_id)
    done = client.get(location.removeprefix("http://testserver"))
    assert done.status_code == 200 and "the payment is complete" in done.content.decode()

    payment.refresh_from_db()
    assert (payment.state, payment.amount_captured) == ("captured", Decimal("25.00"))
    source = payment.order.sources.get()
    assert source.amount_debited == Decimal("25.00")
    assert [(t.txn_type, t.status[:23]) for t in source.transactions.order_by("pk")] == [
        ("Authorise", "Authentication required"), ("Authorise", "succeeded"), ("Debit", "succeeded")]
    assert Invoice.objects.filter(order=payment.order, amount=Decimal("25.00")).exists()
    # The link again: paid, nothing more to do; a forged link is a 404.
    assert "the payment is complete" in client.get(link.removeprefix("http://testserver")).content.decode()
    assert client.get(f"/booking/fee/{payment.fee_charge.pk}/nottherighttoken/").status_code == 404


def test_declined_card_is_recorded_with_a_clear_problem_for_staff(client, staff, stripe_fake, consultation,
                                                                   monday):
    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4000000000000341"))
    response = staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"}, follow=True)
    assert "The card was declined: Your card was declined. Nothing was charged." in response.content.decode()
    payment = BookingPayment.objects.get(kind="fee")
    assert payment.state == "failed" and payment.amount_captured == 0
    source = payment.order.sources.get()
    assert source.amount_debited == 0
    assert [(t.txn_type, t.status) for t in source.transactions.all()] == [("Authorise", "Declined: Your card was "
                                                                             "declined.")]
    assert not Invoice.objects.filter(order=payment.order).exists()
    inspect = staff.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "The card was declined" in inspect
    # Trying again is a new try on the same PaymentIntent (recorded as such), not a second fee.
    staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "1"})
    assert source.transactions.count() == 2 and len(stripe_fake.payment_intents) == 1


def test_no_show_fee_charged_automatically_when_the_setting_says_so(client, stripe_fake, consultation, monday):
    settings_row = BusinessSettings.for_site(consultation.site)
    settings_row.charge_no_show_fee_automatically = True
    settings_row.save()
    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4242424242424242"))
    fee = FeeCharge.objects.get(booking=booking)
    assert fee.automatic and fee.payment.state == "captured" and fee.payment.amount_captured == Decimal("25.00")
    assert stripe_fake.payment_intents[fee.payment.payment_intent_id]["amount_received"] == 2500


def test_no_automatic_fee_without_the_setting(client, stripe_fake, consultation, monday):
    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4242424242424242"))
    assert not FeeCharge.objects.filter(booking=booking).exists()


def test_deposit_saves_the_card_and_the_fee_counts_the_kept_deposit(client, staff, stripe_client, stripe_fake,
                                                                     provider, policy, monday):
    massage = ServiceFactory(name="Massage", providers=[provider], duration_minutes=60, price=Decimal("90.00"),
                             deposit_kind="percent", deposit_value=Decimal("20"), cancellation_policy=policy)
    policy.no_show_fee_kind, policy.no_show_fee_value = "percent", Decimal("50")
    policy.save()
    response = book_with_consent(client, massage, far(monday))
    assert response.status_code == 302 and "/booking/pay/" in response["Location"]
    flow = Checkout(client, stripe_client, massage)
    flow.hold_body = {"checkout_url": response["Location"]}
    flow.open_payment_page()
    intent = stripe_fake.payment_intents[flow.payment.payment_intent_id]
    assert intent["setup_future_usage"] == "off_session" and intent["customer"].startswith("cus_")
    flow.pay(payment_method="pm_card_authenticationRequiredOnSetup")
    stripe_fake.complete_3ds(flow.payment.payment_intent_id)
    flow.come_back()
    booking = Booking.objects.get(pk=flow.payment.booking_id)
    card = SavedCard.objects.get(booking=booking)
    assert card.state == "active" and card.last4 == "3155"
    booking = no_show(booking)
    assert "Charge US$27.00" in charge_page(staff, booking).content.decode()  # 50% of $90, less the $18 deposit
    staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"})
    fee_payment = BookingPayment.objects.get(kind="fee")
    assert fee_payment.amount_captured == Decimal("27.00")
    assert stripe_fake.payment_intents[fee_payment.payment_intent_id]["amount_received"] == 2700


def test_no_card_no_charge(client, staff, stripe_fake, consultation, monday):
    response = book_with_consent(client, consultation, far(monday), consent=False)
    booking = Booking.objects.get(reference=re.search(r"/booked/([A-Z0-9]+)/", response["Location"]).group(1))
    booking = no_show(booking)
    answer = charge_page(staff, booking)
    assert answer.status_code == 302
    follow = staff.get(answer["Location"]).content.decode()
    assert "did not keep a card on file" in follow or "Card on file" not in follow
    assert staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "x"}).status_code == 302
    assert staff.get(f"/admin/bookings/fee/{booking.pk}/rainy_day/").status_code == 404
    assert not stripe_fake.payment_intents
    assert urlsplit(answer["Location"]).path == f"/admin/bookings/inspect/{booking.pk}/"


def test_the_webhook_finalises_a_fee_the_client_confirmed(client, staff, stripe_fake, consultation, monday):
    """The client closed the tab after their bank's check: Stripe's event records the fee as paid."""
    from tests.checkout.conftest import deliver

    booking = no_show(save_card(client, stripe_fake, book_with_consent(client, consultation, far(monday)),
                                "4000002760003184"))
    staff.post(f"/admin/bookings/fee/{booking.pk}/no_show/", {"attempts": "0"})
    payment = BookingPayment.objects.get(kind="fee")
    intent = stripe_fake.payment_intents[payment.payment_intent_id]
    stripe_js(stripe_fake, f"/v1/payment_intents/{intent['id']}/confirm", {
        "client_secret": intent["client_secret"], "payment_method": intent["payment_method"]})
    stripe_fake.complete_3ds(intent["id"])
    assert deliver(client, stripe_fake, "payment_intent.succeeded").status_code == 200
    payment.refresh_from_db()
    assert payment.state == "captured" and payment.order.sources.get().amount_debited == Decimal("25.00")
    assert deliver(client, stripe_fake, "payment_intent.succeeded").status_code == 200  # again: nothing more
    assert Transaction.objects.filter(txn_type="Debit").count() == 1


@pytest.mark.postgres_only("SQLite runs one write transaction at a time: one side always wins, so nothing races")
def test_two_staff_charging_at_the_same_moment_charge_once(client, stripe_fake, consultation, monday,
                                                           django_user_model):
    from tests.bookings.racing import race
    from wagtail_booking.checkout import fees

    bookings = [no_show(save_card(Client(), stripe_fake, book_with_consent(Client(), consultation,
                                                                            far(monday, 9 + n), f"c{n}@example.com"),
                                  "4242424242424242")) for n in range(4)]
    for booking in bookings:
        outcomes = race(*[lambda b=booking: fees.charge(fees.prepare(b, "no_show"), 0) for _ in range(3)])
        kinds = sorted(getattr(o, "kind", f"{type(o).__name__}: {o}") for o in outcomes)
        assert kinds.count("paid") == 1, kinds
        assert set(kinds) <= {"paid", "stale", "already_paid"}, kinds
        fee = FeeCharge.objects.get(booking=booking)
        assert fee.attempts == 1 and fee.payment.amount_captured == Decimal("25.00")
        assert stripe_fake.payment_intents[fee.payment.payment_intent_id]["amount_received"] == 2500
    assert len(stripe_fake.charges) == 4 and Transaction.objects.filter(txn_type="Debit").count() == 4


def test_the_framed_form_reaches_the_card_saving_step(client, stripe_fake, consultation, monday):
    """In the embedded (iframe) form, a booking with nothing to pay whose client ticked the box is confirmed in the
    frame, which then offers the card-saving step in a new tab; the card is saved there."""
    html = client.get(f"/booking/embed/{consultation.pk}/").content.decode()
    assert "keeps my card on file" in html
    token = re.search(r'name="embed_token" value="([^"]+)"', html).group(1)
    start = far(monday)
    response = client.post(f"/booking/embed/{consultation.pk}/book/", {
        "slot": f"{start.isoformat()}|{consultation.providers.first().pk}", "timezone": "America/New_York",
        "name": "Sam Client", "email": "sam@example.com", "card_consent": "on", "embed_token": token})
    framed = client.get(response["Location"])
    page = framed.content.decode()
    assert "You're booked" in page and "Add your card" in page
    card_link = re.search(r'<a class="wb-primary" href="(/booking/card/[^"]+)" target="_blank"', page).group(1)
    booking = save_card_at(client, stripe_fake, card_link, "4242424242424242")
    assert booking.saved_cards.get().state == SavedCard.State.ACTIVE
    assert "Add your card" not in client.get(response["Location"]).content.decode()  # the step is done


def offered(client, service) -> str:
    """The consent sentence the public API lists for ``service``."""
    return next(row["card_consent"] for row in client.get("/booking/api/services").json() if row["id"] == service.pk)


def api_hold(client, service, start, **extra):
    return client.post("/booking/api/holds", json.dumps({
        "service": service.pk, "start": start.isoformat(), "name": "Sam Client", "email": "sam@example.com",
        "timezone": "America/New_York", **extra}), content_type="application/json")


def test_api_clients_get_the_same_consent_sentence_and_save_the_card(client, stripe_fake, consultation, provider,
                                                                    monday):
    from wagtail_booking.blocks.forms import card_consent_for

    sentence = offered(client, consultation)
    assert sentence == card_consent_for(consultation) and re.search(r"a no-show fee of (US)?\$25\.00", sentence)
    untouched = api_hold(client, consultation, far(monday, 10)).json()
    assert untouched["card_setup_url"] is None and not SavedCard.objects.exists()  # unticked: nothing kept

    body = api_hold(client, consultation, far(monday, 12), card_consent=True).json()
    assert body["status"] == "confirmed" and "/booking/card/" in body["card_setup_url"]
    booking = save_card_at(client, stripe_fake, urlsplit(body["card_setup_url"]).path, "4242424242424242")
    card = booking.saved_cards.get()
    assert card.state == SavedCard.State.ACTIVE and card.consent_text == sentence

    no_fees = ServiceFactory(name="Chat", providers=[provider], price=Decimal("0"))
    assert offered(client, no_fees) == ""
    refused = api_hold(client, no_fees, far(monday, 14), card_consent=True)
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "card_consent"
    assert not Booking.objects.filter(service=no_fees).exists()

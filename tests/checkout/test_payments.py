"""Deposits through the Oscar checkout with the real stripe-python against the loopback Stripe fake."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from tests.checkout.conftest import deliver, far, make_voucher
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.checkout.models import BookingPayment
from wagtail_booking.checkout.money import from_minor_units, to_minor_units

Order = get_model("order", "Order")
Source = get_model("payment", "Source")

pytestmark = pytest.mark.django_db(transaction=True)


def booking_of(checkout):
    return Booking.objects.get(reference=checkout.hold_body["id"])


def test_paid_deposit_places_the_order_and_confirms(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    page = checkout.open_payment_page()
    html = page.content.decode()
    assert "Pay the deposit" in html and "$18.00" in html and "Balance due at the appointment" in html
    assert stripe_fake.url + "/v3/" in html  # Stripe.js takes the card; no card field posts to us
    assert 'name="card' not in html
    checkout.pay()
    response = checkout.come_back()
    assert response.status_code == 302 and "/booking/booked/" in response["Location"]
    booking = booking_of(checkout)
    assert booking.status == "confirmed"
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("18.00") and order.guest_email == "pat@example.com"
    line = order.lines.get()
    options = {attribute.option.code: attribute.value for attribute in line.attributes.all()}
    assert options["booking"] == booking.reference and options["balance"] == "72.00 USD"
    source = Source.objects.get(order=order)
    assert (source.amount_allocated, source.amount_debited) == (Decimal("18.00"), Decimal("18.00"))
    assert source.reference == checkout.payment.payment_intent_id
    assert [t.txn_type for t in source.transactions.order_by("id")] == ["Authorise", "Debit"]
    assert {e.event_type.name for e in order.payment_events.all()} == {"Authorised", "Paid"}
    confirmation = next(m for m in mail.outbox if "confirmed" in m.subject)
    assert order.number in confirmation.body and "US$18.00" in confirmation.body
    invoice_link = next(line.split()[-1] for line in confirmation.body.splitlines() if "Invoice (PDF)" in line)
    assert checkout.client.get(invoice_link.removeprefix("http://testserver"))["Content-Type"] == "application/pdf"
    assert confirmation.attachments[0][0].endswith(".ics")
    # Returning again (reload) or a late webhook changes nothing.
    checkout.come_back()
    assert deliver(checkout.client, stripe_fake, "payment_intent.succeeded").status_code == 200
    assert Order.objects.count() == 1 and Source.objects.get().amount_debited == Decimal("18.00")


def test_deposit_inside_the_authorisation_window_is_captured_at_confirmation(checkout, stripe_fake, monday):
    soon = ny(timezone.now().astimezone(ny(monday, 0).tzinfo).date() + timedelta(days=3), 10)
    if soon.weekday() >= 5:
        soon += timedelta(days=7 - soon.weekday())
    checkout.hold(soon)
    checkout.open_payment_page()
    assert checkout.payment.capture_manual
    intent = checkout.pay()
    assert intent["status"] == "requires_capture"
    checkout.come_back()
    payment = checkout.payment
    assert payment.state == "captured" and payment.amount_captured == Decimal("18.00")  # instant: captured
    assert stripe_fake.payment_intents[payment.payment_intent_id]["status"] == "succeeded"


def test_request_service_captures_on_approval_and_releases_on_decline(checkout, stripe_fake, monday, massage):
    massage.booking_mode = "request"
    massage.save()
    soon = monday  # two weeks ahead is outside the window; force manual capture with a wider window
    from django.test import override_settings

    with override_settings(WAGTAIL_BOOKING={"CARD_AUTHORIZATION_DAYS": 60,
                                            "PAYMENT_HANDOFF": "wagtail_booking.checkout.handoff."
                                                               "StripeCheckoutHandoff"}):
        checkout.hold(ny(soon, 10))
        checkout.open_payment_page()
        checkout.pay()
        checkout.come_back()
        booking = booking_of(checkout)
        assert booking.status == "requested" and checkout.payment.state == "authorised"
        services.approve(booking)
        assert checkout.payment.state == "captured"

        other = type(checkout)(checkout.client.__class__(), checkout.stripe, massage)
        other.hold(ny(soon, 14), email="second@example.com")
        other.open_payment_page()
        other.pay()
        other.come_back()
        declined = Booking.objects.get(reference=other.hold_body["id"])
        services.decline(declined)
        assert other.payment.state == "released"
        assert stripe_fake.payment_intents[other.payment.payment_intent_id]["status"] == "canceled"


def test_declined_card_keeps_the_hold_and_says_why(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    with pytest.raises(stripe.CardError):
        checkout.pay("pm_card_chargeDeclined")
    response = checkout.come_back()
    assert response["Location"].endswith("/checkout/payment-details/")
    page = checkout.client.get(response["Location"])
    assert "Your card was declined." in page.content.decode()
    assert booking_of(checkout).status == "held" and not Order.objects.exists()
    checkout.pay("pm_card_visa")  # the same PaymentIntent, another card
    checkout.come_back()
    assert booking_of(checkout).status == "confirmed" and Order.objects.count() == 1


def test_three_d_secure_redirect_then_return(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    intent = checkout.pay("pm_card_authenticationRequired")
    assert intent["status"] == "requires_action" and intent["next_action"]["type"] == "redirect_to_url"
    assert booking_of(checkout).status == "held"
    redirect = stripe_fake.complete_3ds(intent["id"])
    assert "redirect_status=succeeded" in redirect
    checkout.come_back()
    assert booking_of(checkout).status == "confirmed"


def test_browser_closed_after_payment_the_webhook_completes_it(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    # The client never comes back; only Stripe's webhook arrives, from a different "client".
    from django.test import Client

    response = deliver(Client(), stripe_fake, "payment_intent.succeeded")
    assert response.status_code == 200
    assert booking_of(checkout).status == "confirmed"
    assert Order.objects.get().total_incl_tax == Decimal("18.00")


def test_duplicate_and_out_of_order_webhooks(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    succeeded = next(e for e in stripe_fake.events if e["type"] == "payment_intent.succeeded")
    stale = dict(succeeded, id="evt_stale_snapshot", type="payment_intent.payment_failed")
    stale["data"] = {"object": dict(succeeded["data"]["object"], status="requires_payment_method")}
    # A stale "failed" snapshot first: the PaymentIntent is re-fetched, so it still completes.
    assert deliver(checkout.client, stripe_fake, event=stale).status_code == 200
    assert booking_of(checkout).status == "confirmed"
    for _ in range(3):
        assert deliver(checkout.client, stripe_fake, event=succeeded).status_code == 200
    assert Order.objects.count() == 1 and Source.objects.get().transactions.count() == 2


def test_bad_signature_and_ignored_events(client, stripe_fake, checkout, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    event = next(e for e in stripe_fake.events if e["type"] == "payment_intent.succeeded")
    import json

    payload = json.dumps(event).encode()
    response = client.post("/booking/stripe/webhook/", data=payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE="t=1,v1=deadbeef")
    assert response.status_code == 400
    assert client.post("/booking/stripe/webhook/", data=b"{}", content_type="application/json").status_code == 400
    assert booking_of(checkout).status == "held" and not Order.objects.exists()
    ignored = {"id": "evt_other", "object": "event", "type": "customer.created", "data": {"object": {}}}
    assert deliver(client, stripe_fake, event=ignored).status_code == 200


def test_hold_expired_and_slot_taken_during_payment_money_goes_back(checkout, stripe_fake, monday, massage):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    booking = booking_of(checkout)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    # Someone else books the same time with staff (no payment) after the hold expired.
    services.create_by_staff(massage, booking.provider, booking.start,
                             services.ClientDetails("Walk-in", "walkin@example.com", "UTC"))
    response = checkout.come_back()
    assert response.status_code == 302
    payment = checkout.payment
    assert payment.state == "refunded" and payment.amount_refunded == Decimal("18.00")
    assert not Order.objects.exists()
    assert Booking.objects.get(pk=booking.pk).status == "expired"
    message = checkout.client.get(response["Location"]).content.decode()
    assert "on its way back to your card" in message


def test_hold_expired_but_slot_still_free_is_confirmed(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    checkout.pay()
    Booking.objects.filter(reference=checkout.hold_body["id"]).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1))
    checkout.come_back()
    assert booking_of(checkout).status == "confirmed"


def test_stripe_down_shows_a_retry_message_and_keeps_the_hold(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    stripe_fake.fail_next(1, status=500, should_retry=False)
    response = checkout.client.get(checkout.hold_body["checkout_url"])
    page = checkout.client.post("/shop/checkout/", {"username": "pat@example.com", "options": "anonymous"},
                                follow=True)
    assert "not answering right now" in page.content.decode()
    assert response.status_code == 302 and booking_of(checkout).status == "held"
    assert not stripe_fake.payment_intents
    page = checkout.client.get("/shop/checkout/payment-details/")  # Stripe is back
    assert page.context["client_secret"] and len(stripe_fake.payment_intents) == 1


@pytest.mark.parametrize(("hours_before", "refund"), [(72, "18.00"), (30, "9.00"), (10, "0.00")])
def test_client_cancellation_refunds_by_policy_tier(checkout, stripe_fake, massage, hours_before, refund):
    from wagtail_booking.checkout.models import CancellationPolicy, CancellationTier

    policy = CancellationPolicy.objects.create(name="Tiered")
    CancellationTier.objects.create(policy=policy, hours_before=48, refund_percent=100)
    CancellationTier.objects.create(policy=policy, hours_before=24, refund_percent=50)
    massage.cancellation_policy = policy
    massage.cancellation_cutoff_hours = 0
    massage.save()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=20)
    start = start.astimezone(ny(start.date(), 0).tzinfo).replace(hour=10)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    checkout.book_and_pay(start)
    booking = booking_of(checkout)
    when = booking.start - timedelta(hours=hours_before)
    quote = __import__("wagtail_booking.checkout.facade", fromlist=["x"]).refund_quote(booking, now=when)
    assert quote == Decimal(refund)
    services.cancel(booking, by="client", now=when)
    payment = checkout.payment
    assert payment.amount_refunded == Decimal(refund)
    intent = stripe_fake.payment_intents[payment.payment_intent_id]
    refunded_at_stripe = sum(r["amount"] for r in stripe_fake.refunds.values() if r["payment_intent"] == intent["id"])
    assert from_minor_units(refunded_at_stripe, "USD") == Decimal(refund)
    source = Source.objects.get()
    assert source.amount_refunded == Decimal(refund)


def test_manage_page_shows_the_refund_before_confirming(checkout, stripe_fake, monday):
    from wagtail_booking.bookings.tokens import manage_token

    checkout.book_and_pay(far(monday))
    booking = booking_of(checkout)
    html = checkout.client.get(f"/booking/manage/{booking.reference}/{manage_token(booking)}/").content.decode()
    assert "Cancelling now refunds US$18.00 of your US$18.00 deposit to your Visa ending 4242." in html


def test_business_cancellation_refunds_in_full_and_staff_refund(checkout, stripe_fake, monday, admin_client):
    checkout.book_and_pay(far(monday))
    booking = booking_of(checkout)
    response = admin_client.post(f"/admin/bookings/refund/{booking.pk}/", {"amount": "20.00"}, follow=True)
    assert "At most US$18.00 can be refunded." in response.content.decode()
    # The form asks first (a GET), saying the amount; nothing moves until the POST.
    confirm = admin_client.get(f"/admin/bookings/refund/{booking.pk}/", {"amount": "5.00"}).content.decode()
    assert "Refund US$5.00 to the client&#x27;s card? This cannot be undone." in confirm
    assert checkout.payment.amount_refunded == Decimal("0")
    admin_client.post(f"/admin/bookings/refund/{booking.pk}/", {"amount": "5.00"})
    assert checkout.payment.amount_refunded == Decimal("5.00")
    cancel = admin_client.get(f"/admin/bookings/action/{booking.pk}/cancel/").content.decode()
    assert "The client gets US$13.00 back on their card" in cancel
    admin_client.post(f"/admin/bookings/action/{booking.pk}/cancel/")
    payment = checkout.payment
    assert payment.amount_refunded == Decimal("18.00") and payment.state == "refunded"
    assert Source.objects.get().amount_refunded == Decimal("18.00")


def test_no_show_keeps_the_deposit(checkout, stripe_fake, monday):
    from django.test import override_settings

    with override_settings(WAGTAIL_BOOKING={"CARD_AUTHORIZATION_DAYS": 60, "PAYMENT_HANDOFF":
                                            "wagtail_booking.checkout.handoff.StripeCheckoutHandoff"}):
        checkout.service.booking_mode = "request"
        checkout.service.save()
        checkout.hold(far(monday))
        checkout.open_payment_page()
        checkout.pay()
        checkout.come_back()
        booking = booking_of(checkout)
        Booking.objects.filter(pk=booking.pk).update(status="confirmed")  # approved earlier, capture pending
        booking.refresh_from_db()
        services.mark_outcome(booking, "no_show", now=booking.start + timedelta(minutes=15))
        assert checkout.payment.state == "captured" and checkout.payment.amount_captured == Decimal("18.00")


def test_voucher_discounts_the_deposit(checkout, stripe_fake, monday):
    """A 25-use promo code: 25% off the deposit; Oscar records the discount and the voucher's use."""
    voucher = make_voucher("SPRING25", 25, max_uses=25)
    checkout.hold(far(monday))
    checkout.open_payment_page(voucher="SPRING25")
    assert checkout.payment.amount == Decimal("13.50")
    checkout.pay()
    checkout.come_back()
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("13.50") and order.discounts.get().voucher_code == "SPRING25"
    assert stripe_fake.payment_intents[checkout.payment.payment_intent_id]["amount_received"] == 1350
    voucher.refresh_from_db()
    assert voucher.num_orders == 1


def test_money_helper_handles_zero_decimal_currencies():
    assert to_minor_units(Decimal("18.00"), "USD") == 1800
    assert to_minor_units(Decimal("500"), "JPY") == 500
    assert to_minor_units(Decimal("1.005"), "EUR") == 101
    assert to_minor_units(Decimal("1.2345"), "KWD") == 1235
    assert from_minor_units(1350, "usd") == Decimal("13.50") and from_minor_units(500, "jpy") == Decimal("500")
    with pytest.raises(TypeError):
        to_minor_units(18.0, "USD")


def test_housekeeping_keeps_holds_that_reached_a_payment(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()  # a PaymentIntent exists; the client walks away
    Booking.objects.filter(reference=checkout.hold_body["id"]).update(
        hold_expires_at=timezone.now() - timedelta(days=3))
    assert services.delete_expired_holds() == 0
    assert Booking.objects.filter(reference=checkout.hold_body["id"]).exists()


def test_quantity_of_an_appointment_is_always_one(checkout, stripe_fake, monday):
    checkout.hold(far(monday))
    checkout.open_payment_page()
    from oscar.core.loading import get_model

    line = get_model("basket", "Line").objects.get()
    line.quantity = 3
    line.save()
    response = checkout.client.get("/shop/checkout/payment-details/", follow=True)
    assert "booked once" in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 1


def test_basket_changed_during_payment_returns_the_money(checkout, stripe_fake, monday):
    from oscar.core.loading import get_model

    checkout.hold(far(monday))
    checkout.open_payment_page()
    get_model("basket", "Line").objects.update(quantity=2)  # another tab, after the card form was shown
    checkout.pay()
    response = checkout.come_back()
    assert response.status_code == 302
    payment = checkout.payment
    assert payment.state == "refunded" and payment.amount_refunded == Decimal("18.00")
    assert not Order.objects.exists() and booking_of(checkout).status == "held"


def test_refund_made_in_the_stripe_dashboard_is_recorded_from_the_webhook(checkout, stripe_fake, stripe_client,
                                                                           monday):
    checkout.book_and_pay(far(monday))
    payment = checkout.payment
    stripe_client.v1.refunds.create(params={"payment_intent": payment.payment_intent_id, "amount": 500})
    response = deliver(checkout.client, stripe_fake, "charge.refunded")
    assert response.status_code == 200
    assert checkout.payment.amount_refunded == Decimal("5.00")
    assert Source.objects.get().amount_refunded == Decimal("5.00")
    assert deliver(checkout.client, stripe_fake, "charge.refunded").status_code == 200  # redelivery: no change
    assert Source.objects.get().amount_refunded == Decimal("5.00")


def test_an_authorisation_about_to_lapse_is_captured_and_a_later_decline_refunds(checkout, stripe_fake, monday):
    from django.test import override_settings

    from wagtail_booking.checkout.models import BookingPayment
    from wagtail_booking.tasks import capture_ageing_authorisations_task

    with override_settings(WAGTAIL_BOOKING={"CARD_AUTHORIZATION_DAYS": 60, "PAYMENT_HANDOFF":
                                            "wagtail_booking.checkout.handoff.StripeCheckoutHandoff"}):
        checkout.service.booking_mode = "request"
        checkout.service.save()
        checkout.hold(far(monday))
        checkout.open_payment_page()
        checkout.pay()
        checkout.come_back()
    assert checkout.payment.state == "authorised"
    BookingPayment.objects.update(created_at=timezone.now() - timedelta(days=7))
    assert capture_ageing_authorisations_task.call_local() == 1
    assert checkout.payment.state == "captured"
    services.decline(booking_of(checkout))
    assert checkout.payment.amount_refunded == Decimal("18.00")


def test_choosing_another_time_in_the_same_basket_can_still_pay(checkout, stripe_fake, monday, massage):
    import json

    checkout.hold(far(monday, 10))
    checkout.open_payment_page()
    first = checkout.payment
    second_hold = checkout.client.post("/booking/api/holds", data=json.dumps({
        "service": massage.pk, "start": far(monday, 14).isoformat(), "name": "Pat Payer",
        "email": "pat@example.com", "timezone": "America/New_York"}), content_type="application/json").json()
    checkout.hold_body = second_hold
    checkout.open_payment_page()
    assert checkout.payment.pk != first.pk and checkout.page.context["client_secret"]
    checkout.pay()
    checkout.come_back()
    assert booking_of(checkout).status == "confirmed"
    # The first card form, paid later from a stale tab: that money goes back, nothing else changes.
    checkout.stripe.v1.payment_intents.confirm(first.payment_intent_id, params={"payment_method": "pm_card_visa"})
    from wagtail_booking.checkout import facade

    assert facade.finalise(first.payment_intent_id).kind == "lost"
    assert BookingPayment.objects.get(pk=first.pk).state == "refunded" and Order.objects.count() == 1


def test_a_retried_cancellation_settlement_refunds_once(checkout, stripe_fake, monday):
    from wagtail_booking.checkout.settlement import settle_cancellation

    checkout.book_and_pay(far(monday))
    booking = booking_of(checkout)
    services.cancel(booking, by="staff")
    settle_cancellation(booking.pk, "business")  # a retry of the task
    assert checkout.payment.amount_refunded == Decimal("18.00")
    assert len(stripe_fake.refunds) == 1


def test_webhook_without_a_configured_secret_is_refused(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    response = client.post("/booking/stripe/webhook/", data=b"{}", content_type="application/json",
                           HTTP_STRIPE_SIGNATURE="t=1,v1=00")
    assert response.status_code == 400


def test_a_voucher_covering_the_whole_deposit_confirms_without_a_card(checkout, stripe_fake, monday):
    make_voucher("FREEBIE", 100)
    checkout.hold(far(monday))
    checkout.client.get(checkout.hold_body["checkout_url"])
    checkout.client.post("/shop/basket/vouchers/add/", {"code": "FREEBIE"})
    page = checkout.client.post("/shop/checkout/", {"username": "pat@example.com", "options": "anonymous"},
                                follow=True)
    assert page.request["PATH_INFO"] == "/shop/checkout/preview/"  # Oscar skips the payment step
    response = checkout.client.post("/shop/checkout/preview/", {"action": "place_order"})
    assert response.status_code == 302 and "/booking/booked/" in response["Location"]
    assert booking_of(checkout).status == "confirmed" and Order.objects.get().total_incl_tax == Decimal("0.00")
    assert not stripe_fake.payment_intents


def test_a_mixed_basket_is_a_shop_checkout_and_a_business_cancellation_refunds_the_appointment_only(
        checkout, stripe_fake, monday):
    from django.urls import reverse
    from oscar.test.factories import create_product

    gift_card = create_product(title="Gift card", product_class="Gift card", price=Decimal("30.00"),
                               num_in_stock=10)
    gift_card.product_class.requires_shipping = False
    gift_card.product_class.save()
    checkout.hold(far(monday))
    checkout.client.post(reverse("basket:add", args=[gift_card.pk]), {"quantity": 1})
    # Not a booking-only basket: Oscar's basket, then Oscar's "Who are you?" step, as for any order.
    response = checkout.client.get(checkout.hold_body["checkout_url"])
    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")
    assert "Your time is held until" in checkout.client.get(response["Location"]).content.decode()
    assert checkout.client.get(reverse("checkout:index")).status_code == 200
    response = checkout.client.post(reverse("checkout:index"), {"username": "pat@example.com",
                                                                 "options": "anonymous"}, follow=True)
    assert response.request["PATH_INFO"] == reverse("checkout:payment-details"), response.redirect_chain
    assert "wagtail_booking/checkout/shop_payment_details.html" in [t.name for t in response.templates]
    checkout.page = response
    assert checkout.payment.amount == Decimal("48.00")
    checkout.pay()
    checkout.come_back()
    booking = booking_of(checkout)
    assert booking.status == "confirmed"
    assert sorted(line.title for line in Order.objects.get().lines.all()) == ["Gift card", "Massage"]

    services.cancel(booking, by="staff")
    payment = checkout.payment
    assert payment.amount_captured == Decimal("48.00") and payment.amount_refunded == Decimal("18.00")
    assert [refund["amount"] for refund in stripe_fake.refunds.values()] == [1800]
    assert Source.objects.get().amount_refunded == Decimal("18.00")


def test_a_voucher_entered_on_the_payment_page_lowers_the_deposit(checkout, stripe_fake, monday):
    from django.urls import reverse

    make_voucher("SPRING25", 25)
    checkout.hold(far(monday))
    page = checkout.open_payment_page()
    assert 'action="/shop/basket/vouchers/add/"' in page.content.decode()
    payment_url = "http://testserver" + reverse("checkout:payment-details")
    response = checkout.client.post(reverse("basket:vouchers-add"), {"code": "SPRING25"}, HTTP_REFERER=payment_url,
                                    follow=True)
    assert response.request["PATH_INFO"] == reverse("checkout:payment-details"), response.redirect_chain
    assert "Voucher &#x27;SPRING25&#x27; added to basket" in response.content.decode()
    checkout.page = response
    assert checkout.payment.amount == Decimal("13.50")


def test_an_appointment_added_through_the_shop_without_a_held_time_is_taken_out_before_any_payment(
        checkout, stripe_fake, monday, massage):
    """Oscar's add-to-basket view takes any product by id, the hidden deposit product too: without a held time
    behind it the line is removed and nothing is charged."""
    from django.urls import reverse
    from oscar.core.loading import get_model

    from wagtail_booking.checkout.catalogue import product_for

    checkout.client.post(reverse("basket:add", args=[product_for(massage).pk]), {"quantity": 1})
    Line = get_model("basket", "Line")
    assert Line.objects.count() == 1
    checkout.client.post(reverse("checkout:index"), {"username": "pat@example.com", "options": "anonymous"})
    response = checkout.client.get(reverse("checkout:payment-details"), follow=True)

    assert "choosing a time on the booking page" in response.content.decode()
    assert not Line.objects.exists() and not stripe_fake.payment_intents

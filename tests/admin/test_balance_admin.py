"""Staff ask for the balance on the booking's page: add-ons, the channels, the amount; the page then says what is
due or "Paid in full"."""

from datetime import timedelta

import pytest
from django.core import mail

from tests.checkout.conftest import far, massage, paid_booking, stripe_client, stripe_fake, stripe_server  # noqa: F401
from tests.checkout.test_balance import pay_balance
from wagtail_booking.checkout import facade
from wagtail_booking.checkout.balances import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_request_the_balance_then_paid_in_full(admin_client, admin_user, client, stripe_client, massage,  # noqa: F811
                                               monday, time_machine):
    booking = paid_booking(stripe_client, massage, far(monday), "pat@example.com")
    url = f"/admin/bookings/balance/{booking.pk}/"
    assert "Request the balance" not in admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    response = admin_client.get(url, follow=True)  # before the appointment: back to the page, with why
    assert "once the appointment has started" in response.content.decode()

    time_machine.move_to(booking.start + timedelta(minutes=10), tick=True)
    admin_client.force_login(admin_user)  # three weeks on: a new session
    booking.language = "es"
    booking.save(update_fields=["language"])
    html = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Balance due: <strong>US$72.00</strong>" in html and "Request the balance" in html
    bad = admin_client.post(url, {"add": "1", "addon-description": "Oil", "addon-amount": "-2"})
    assert bad.status_code == 400 and "greater than or equal to 0.01" in bad.content.decode()
    admin_client.post(url, {"add": "1", "addon-description": "Aromatherapy oil", "addon-amount": "8.00"})
    page = admin_client.get(url).content.decode()
    assert "Aromatherapy oil" in page and "Send the link for US$80.00" in page
    refused = admin_client.post(url, {"send": "1", "channels": ["sms"]})
    assert refused.status_code == 400 and "Text messages are switched off" in refused.content.decode()
    mail.outbox.clear()
    done = admin_client.post(url, {"send": "1", "channels": ["email"]}, follow=True).content.decode()
    assert "The balance link for US$80.00 is on its way to the client." in done
    assert "Balance link sent: US$80.00" in done  # the history
    (message,) = mail.outbox
    assert message.to == ["pat@example.com"] and "80,00" in message.subject and "/balance/" in message.body
    assert "Saldo pendiente" in message.body  # in the booking's language

    _, payment = pay_balance(client, stripe_client, booking, tip="20")
    assert facade.finalise(payment.payment_intent_id).kind == "paid"
    assert services.balance_of(booking).paid_in_full
    html = admin_client.get(f"/admin/bookings/inspect/{booking.pk}/").content.decode()
    assert "Paid in full" in html and "Tip received: US$16.00" in html and "Request the balance" not in html
    assert "US$96.00" in html  # the balance payment's line: 80 + a 20% tip
    assert html.count("Refund…") == 1  # the refund form is the deposit's; a balance is refunded in Stripe/Oscar

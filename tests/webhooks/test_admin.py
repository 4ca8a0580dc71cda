"""The webhooks admin: owners add endpoints (https only), see the secret and the log, rotate, replay; others cannot."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from tests.webhooks.conftest import book
from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)
WEBHOOK_PERMISSIONS = ["view_webhookendpoint", "add_webhookendpoint", "change_webhookendpoint"]


def _login(django_user_model, username, permissions):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    group, _ = Group.objects.get_or_create(name=f"{username} group")
    group.permissions.set(Permission.objects.filter(codename__in=["access_admin", *permissions]))
    user.groups.add(group)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def owner(django_user_model, business):
    return _login(django_user_model, "owner", WEBHOOK_PERMISSIONS)


@pytest.fixture
def editor(django_user_model, business):
    return _login(django_user_model, "editor", ["view_booking"])


CSRF_SECRET = "a" * 32


def csrf_post(client, url, data=None):
    """POST as a browser does from a page of the site: the CSRF cookie and the form's token agree."""
    client.cookies["csrftoken"] = CSRF_SECRET
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": CSRF_SECRET})


def test_owner_adds_an_endpoint_with_chosen_events_and_sees_its_secret(owner, business, receiver):
    page = owner.get("/admin/booking/webhooks/add/")
    assert page.status_code == 200 and "booking.no_show" in page.text
    response = csrf_post(owner, "/admin/booking/webhooks/add/", {
        "site": business.pk, "url": "https://crm.example.com/hooks", "description": "CRM",
        "events": ["booking.created", "payment.refunded"]})
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/webhooks/{endpoint.pk}/")
    assert endpoint.events == ["booking.created", "payment.refunded"] and endpoint.site == business
    detail = owner.get(f"/admin/booking/webhooks/{endpoint.pk}/")
    assert endpoint.secret in detail.text and "Calm Hands Massage" in detail.text
    assert "No events sent to this endpoint yet." in detail.text


def test_plain_http_is_refused_with_a_reason(owner, business, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "WEBHOOK_ALLOW_HTTP": False}
    response = csrf_post(owner, "/admin/booking/webhooks/add/", {"site": business.pk,
                                                                 "url": "http://crm.example.com/hooks"})
    assert response.status_code == 200 and "Use an https:// address" in response.text
    assert not WebhookEndpoint.objects.exists()


def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(owner, endpoint, receiver, service, monday):
    old = endpoint.secret
    response = csrf_post(owner, f"/admin/booking/webhooks/{endpoint.pk}/rotate/")
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assert endpoint.secret in owner.get(f"/admin/booking/webhooks/{endpoint.pk}/").text
    book(service, monday)
    from wagtail_booking.webhooks import verify_signature

    request = receiver.requests[0]
    assert verify_signature(request["body"], request["headers"]["Booking-Signature"], endpoint.secret)
    assert not verify_signature(request["body"], request["headers"]["Booking-Signature"], old)


def test_the_log_shows_events_answers_and_zoned_times_without_raw_values(owner, endpoint, receiver, service, monday):
    receiver.fail(1)
    booking = book(service, monday)
    page = owner.get(f"/admin/booking/webhooks/{endpoint.pk}/").text
    assert "booking.created" in page and booking.reference in page and "HTTP 500" in page
    assert "receiver broke" in page and "Waiting to be delivered" in page
    assert re.search(r"10 Mar 2027 1[01]:\d\d (EST|EDT|[A-Z]{3,4})", page)
    for raw in ("None", "True", "False"):
        assert f">{raw}<" not in page and f" {raw} " not in page
    index = owner.get("/admin/booking/webhooks/").text
    assert endpoint.url in index and "Calm Hands Massage" in index and "Our CRM" in index


def test_replay_needs_post_and_csrf(owner, endpoint, receiver, service, monday):
    book(service, monday)
    delivery = WebhookDelivery.objects.get(event_type="booking.created")
    url = f"/admin/booking/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/"
    assert owner.get(url).status_code == 405
    assert owner.post(url).status_code == 403  # no CSRF token
    assert csrf_post(owner, url).status_code == 302
    assert WebhookDelivery.objects.filter(replay_of=delivery, status="delivered").count() == 1


def test_staff_without_the_permission_are_refused(editor, endpoint, receiver, service, monday):
    book(service, monday)
    delivery = WebhookDelivery.objects.first()
    for url in ("/admin/booking/webhooks/", "/admin/booking/webhooks/add/", f"/admin/booking/webhooks/{endpoint.pk}/",
                f"/admin/booking/webhooks/{endpoint.pk}/edit/"):
        assert editor.get(url).status_code in (302, 403), url
    assert csrf_post(editor, f"/admin/booking/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/"
                     ).status_code in (302, 403)
    assert not WebhookDelivery.objects.filter(replay_of__isnull=False).exists()
    assert "Webhooks" not in editor.get("/admin/").text


def test_signing_secrets_follow_a_key_rotation(business, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-" + "x" * 46, []
    endpoint = WebhookEndpoint.objects.create(site=business, url="https://crm.example.com/hooks")
    secret, stored = endpoint.secret, endpoint.secret_encrypted
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-" + "y" * 46, ["old-" + "x" * 46]
    out = StringIO()
    call_command("booking_rotate_keys", stdout=out, stderr=StringIO())
    assert "Re-encrypted 1 stored secret" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    endpoint.refresh_from_db()
    assert endpoint.secret_encrypted != stored and endpoint.secret == secret

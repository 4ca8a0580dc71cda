"""The embeddable booking block: framable on its own URLs only, booking inside the frame without the CSRF cookie
(a signed form token instead), payment breaking out to a new tab, and the admin's embed code."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from wagtail.models import GroupSitePermission, Site

from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking
from wagtail_booking.snippets.models import Service

pytestmark = pytest.mark.django_db
STRIPE = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_PUBLISHABLE_KEY": "pk_test_x", "STRIPE_WEBHOOK_SECRET": "w"}


def form_data(html, slot):
    token = re.search(r'name="embed_token" value="([^"]+)"', html).group(1)
    return {"slot": slot, "timezone": "Europe/London", "name": "Ann Client", "email": "ann@example.com",
            "phone": "", "intake_what_brings_you_here": "Sore back", "intake_preferred_contact": "Email",
            "next": "/", "embed_token": token}


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_only_the_embed_pages_may_be_framed(client, page, service):
    embed = client.get(f"/booking/embed/{service.pk}/")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert embed["Content-Security-Policy"] == "frame-ancestors *"
    assert client.get("/")["X-Frame-Options"] == "DENY"
    assert client.get("/booking/my-bookings/")["X-Frame-Options"] == "DENY"


def test_frame_ancestors_follow_the_setting(client, page, service, settings):
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, "EMBED_FRAME_ANCESTORS": ["https://www.example.com"]}
    response = client.get(f"/booking/embed/{service.pk}/")
    assert response["Content-Security-Policy"] == "frame-ancestors https://www.example.com"


def test_booking_inside_the_frame_without_the_csrf_cookie(csrf_client, page, service, monday):
    html = csrf_client.get(f"/booking/embed/{service.pk}/", {"booking_tz": "Europe/London"}).content.decode()
    assert "csrfmiddlewaretoken" not in html and f'action="/booking/embed/{service.pk}/book/"' in html
    csrf_client.cookies.clear()  # a third-party frame may keep no cookie at all
    response = csrf_client.post(f"/booking/embed/{service.pk}/book/", form_data(html, f"{ny(monday, 10).isoformat()}|"))
    assert response.status_code == 302 and response["Location"].startswith("/booking/embed/booked/")
    booking = Booking.objects.get()
    assert booking.status == "confirmed"
    confirmation = csrf_client.get(response["Location"])
    assert confirmation.status_code == 200 and "X-Frame-Options" not in confirmation
    assert booking.reference in confirmation.content.decode() and "Add to calendar" in confirmation.content.decode()


def test_the_normal_form_still_needs_its_csrf_token(csrf_client, page, service, monday):
    html = csrf_client.get(f"/booking/embed/{service.pk}/").content.decode()
    data = form_data(html, f"{ny(monday, 10).isoformat()}|")
    assert csrf_client.post(f"/booking/book/{service.pk}/", data).status_code == 403
    assert not Booking.objects.exists()


def test_a_forged_or_foreign_token_books_nothing(client, page, service, monday):
    other = ServiceFactory(name="Other", providers=[service.providers.first()])
    html = client.get(f"/booking/embed/{other.pk}/").content.decode()
    data = form_data(html, f"{ny(monday, 10).isoformat()}|")
    assert client.post(f"/booking/embed/{service.pk}/book/", data).status_code == 403
    data["embed_token"] = "forged"
    response = client.post(f"/booking/embed/{service.pk}/book/", data)
    assert response.status_code == 403 and "This form has expired" in response.content.decode()
    assert not Booking.objects.exists()


def test_form_errors_stay_in_the_frame(client, page, service, monday):
    html = client.get(f"/booking/embed/{service.pk}/").content.decode()
    data = {**form_data(html, f"{ny(monday, 10).isoformat()}|"), "email": "nope"}
    response = client.post(f"/booking/embed/{service.pk}/book/", data)
    text = response.content.decode()
    assert response.status_code == 400 and "Enter a valid email address." in text
    assert "X-Frame-Options" not in response and 'name="embed_token"' in text and "embed-frame.js" in text


def test_a_deposit_continues_to_payment_in_a_new_tab(client, page, service, monday, settings):
    for name, value in STRIPE.items():
        setattr(settings, name, value)
    Service.objects.filter(pk=service.pk).update(price=Decimal("80"), deposit_kind="fixed",
                                                 deposit_value=Decimal("20"))
    html = client.get(f"/booking/embed/{service.pk}/").content.decode()
    response = client.post(f"/booking/embed/{service.pk}/book/", form_data(html, f"{ny(monday, 10).isoformat()}|"),
                           follow=True)
    text = response.content.decode()
    booking = Booking.objects.get()
    assert booking.status == "held" and "Continue to payment" in text
    assert re.search(rf'href="/booking/pay/{booking.reference}/[^"]+" target="_blank"', text)


def test_provider_must_offer_the_service(client, page, service):
    stranger = ProviderFactory(name="Stranger")
    assert client.get(f"/booking/embed/{service.pk}/", {"provider": stranger.pk}).status_code == 404
    chosen = service.providers.first()
    html = client.get(f"/booking/embed/{service.pk}/", {"provider": chosen.pk}).content.decode()
    assert f'name="provider" value="{chosen.pk}"' in html


def _staff(django_user_model, site, codenames):
    user = django_user_model.objects.create_user("owner", "owner@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="Owners")
    group.permissions.set(Permission.objects.filter(codename__in=["access_admin", *codenames]))
    GroupSitePermission.objects.create(group=group, site=site, permission=Permission.objects.get(
        content_type__app_label="wagtail_booking", codename="access_business"))
    user.groups.add(group)
    return user


def test_admin_embed_code_for_the_users_businesses_only(client, page, service, site_root, django_user_model):
    other_site = Site.objects.create(hostname="b.test", port=80, root_page=page, site_name="B")
    theirs = ServiceFactory(name="Theirs", site=other_site)
    client.force_login(_staff(django_user_model, Site.objects.get(is_default_site=True), ["change_service"]))
    response = client.get(f"/admin/booking/embed/{service.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"&lt;iframe src=&quot;http://testserver/booking/embed/{service.pk}/&quot;" in html
    assert "wagtail_booking/embed.js" in html
    assert client.get(f"/admin/booking/embed/{theirs.pk}/").status_code == 404
    assert "/admin/booking/embed/" in client.get("/admin/snippets/wagtail_booking/service/").content.decode()


def test_admin_embed_code_needs_a_service_permission(client, page, service, django_user_model):
    client.force_login(_staff(django_user_model, Site.objects.get(is_default_site=True), []))
    assert client.get(f"/admin/booking/embed/{service.pk}/").status_code in (302, 403)

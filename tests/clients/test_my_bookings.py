""""My bookings" by email: a single-use, expiring link that never reveals whether an address has bookings."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Site

from tests.factories.booking import BookingFactory, ServiceFactory
from tests.helpers import ny
from wagtail_booking.bookings.tokens import issue_token, manage_token
from wagtail_booking.clients.models import ClientAccessLink, ConfirmedClientEmail

pytestmark = pytest.mark.django_db(transaction=True)
SENT = "If we have bookings for"


def booked(service, start, email="ann@example.com", **extra):
    booking = BookingFactory.build(service=service, provider=service.providers.first(), start=start,
                                   client_email=email, client_timezone="Europe/London", **extra)
    issue_token(booking)
    booking.save()
    return booking


def link_from_mail():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return re.search(r"http://testserver(/booking/my-bookings/open/\S+/)", mail.outbox[0].body).group(1)


@pytest.fixture
def bookings(service, monday, site_root):
    upcoming = booked(service, ny(monday, 10))
    past = booked(service, timezone.now() - timedelta(days=3))
    return upcoming, past


def test_link_shows_upcoming_and_past_bookings_with_manage_links_once(client, bookings):
    upcoming, past = bookings
    answer = client.post("/booking/my-bookings/", {"email": "Ann@Example.com "})
    assert answer.status_code == 200 and SENT in answer.content.decode()
    assert mail.outbox[0].to == ["ann@example.com"] and "30 minutes" in mail.outbox[0].body
    url = link_from_mail()
    stored = ClientAccessLink.objects.get()
    assert url.split("/")[-2] not in (stored.token_hash, stored.nonce)  # only its hash is stored

    assert client.get(url).status_code == 200  # a mail scanner's GET does not use it up
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/booking/my-bookings/list/"
    assert html.index("Upcoming") < html.index(upcoming.reference) < html.index("Past") < html.index(past.reference)
    assert f"/booking/manage/{upcoming.reference}/{manage_token(upcoming)}/" in html
    assert "(Europe/London)" in html

    assert client.post(url).status_code == 410  # single use
    assert client.get(url).status_code == 410


def test_answer_is_the_same_for_an_address_without_bookings_and_nothing_is_sent(client, bookings):
    def page(email):
        html = client.post("/booking/my-bookings/", {"email": email}).content.decode().replace(email, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # masked afresh each time

    assert page("ann@example.com") == page("nobody@example.com")
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


def test_bad_address_is_a_form_error(client, site_root):
    response = client.post("/booking/my-bookings/", {"email": "not an email"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()


def test_link_expires_after_thirty_minutes(client, bookings, time_machine):
    client.post("/booking/my-bookings/", {"email": "ann@example.com"})
    url = link_from_mail()
    time_machine.shift(timedelta(minutes=31))
    assert client.post(url).status_code == 410
    assert client.get("/booking/my-bookings/list/").status_code == 302


def test_asking_again_at_once_sends_no_second_email(client, bookings):
    client.post("/booking/my-bookings/", {"email": "ann@example.com"})
    client.post("/booking/my-bookings/", {"email": "ann@example.com"})
    assert len(mail.outbox) == 1


@override_settings(WAGTAIL_BOOKING={"RATE_LIMITS": {"email_link": 2}})
def test_requests_are_rate_limited_per_address(client, site_root):
    codes = [client.post("/booking/my-bookings/", {"email": f"x{n}@example.com"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_link_is_scoped_to_its_business(client, bookings, service, site_root, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    other_home = site_root.add_child(title="Other", slug="other")
    other = Site.objects.create(hostname="other.example", port=80, root_page=other_home, site_name="Other")
    booked(ServiceFactory(site=other, providers=[service.providers.first()]), timezone.now() + timedelta(days=9))
    client.post("/booking/my-bookings/", {"email": "ann@example.com"})
    url = link_from_mail()
    assert client.post(url, HTTP_HOST="other.example").status_code == 410
    html = client.post(url, follow=True).content.decode()
    assert html.count("Change or cancel") == 1  # the other business's booking is not listed here


def test_without_an_opened_link_the_list_sends_you_to_ask_for_one(client, site_root):
    assert client.get("/booking/my-bookings/list/")["Location"] == "/booking/my-bookings/"


def test_account_shows_bookings_once_its_address_is_confirmed(client, bookings, django_user_model):
    upcoming, _past = bookings
    user = django_user_model.objects.create_user(username="ann", email="ann@example.com", password="pw")
    client.force_login(user)
    page = client.get("/booking/account/bookings/").content.decode()
    assert upcoming.reference not in page and "confirmed that this address is yours" in page
    client.post("/booking/account/bookings/")
    client.post(link_from_mail())
    assert ConfirmedClientEmail.objects.filter(user=user, email="ann@example.com").exists()
    page = client.get("/booking/account/bookings/").content.decode()
    assert upcoming.reference in page and f"/booking/manage/{upcoming.reference}/" in page


def test_account_page_needs_a_login(client, site_root):
    assert client.get("/booking/account/bookings/").status_code == 302


def test_old_links_are_purged(client, bookings, time_machine):
    from wagtail_booking.clients.tasks import purge_access_links_task

    client.post("/booking/my-bookings/", {"email": "ann@example.com"})
    time_machine.shift(timedelta(hours=2))
    purge_access_links_task.call_local()
    assert ClientAccessLink.objects.count() == 1  # expired, but kept a day
    time_machine.shift(timedelta(days=1))
    purge_access_links_task.call_local()
    assert not ClientAccessLink.objects.exists()

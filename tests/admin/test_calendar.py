"""The admin calendar: its JSON feed, its page without JavaScript, moving a booking, and "Add booking"'s free
times. The browser side is in tests/browser/test_admin_calendar_e2e.py."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.booking import BookingFactory, ProviderFactory
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.snippets.models import BusyBlock, TimeOff

pytestmark = pytest.mark.django_db

FEED = "/admin/booking/calendar/feed/"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def paris_business(site_root):
    """The business runs its day in Paris (the server's zone is New York): the calendar must use Paris."""
    from wagtail.models import Site

    details = BusinessSettings.for_site(Site.objects.get(is_default_site=True))
    details.time_zone = "Europe/Paris"
    details.save()
    return details


def week_params(monday, **extra):
    return {"start": f"{monday.isoformat()}T00:00:00", "end": f"{(monday + timedelta(days=7)).isoformat()}T00:00:00",
            **extra}


def paris_wall(moment):
    return moment.astimezone(PARIS).replace(tzinfo=None).isoformat(timespec="minutes")


@pytest.fixture
def week(service, provider, monday):
    """A week of Maya's: a confirmed booking, a request, a live hold, an expired hold, a cancelled booking, busy
    time synced from Google, busy time entered by hand, and time off."""
    now = timezone.now()
    rows = {
        "confirmed": BookingFactory(service=service, provider=provider, start=ny(monday, 10), client_name="Zoe Quill"),
        "requested": BookingFactory(service=service, provider=provider, start=ny(monday, 11), status="requested",
                                    client_name="Ray Request"),
        "held": BookingFactory(service=service, provider=provider, start=ny(monday, 12), status="held",
                               hold_expires_at=now + timedelta(minutes=10), client_name="Hal Hold"),
        "expired": BookingFactory(service=service, provider=provider, start=ny(monday, 13), status="held",
                                  hold_expires_at=now - timedelta(minutes=1), client_name="Old Hold"),
        "cancelled": BookingFactory(service=service, provider=provider, start=ny(monday, 14), status="cancelled",
                                    client_name="Cass Cancelled"),
    }
    rows["google"] = BusyBlock.objects.create(provider=provider, title="Dentist", starts_at=ny(monday, 15),
                                              ends_at=ny(monday, 16), source="google", external_id="evt1")
    rows["manual"] = BusyBlock.objects.create(provider=provider, title="", starts_at=ny(monday + timedelta(days=1), 9),
                                              ends_at=ny(monday + timedelta(days=1), 10))
    rows["time_off"] = TimeOff.objects.create(provider=provider, starts_at=ny(monday + timedelta(days=2), 9),
                                              ends_at=ny(monday + timedelta(days=2), 17), reason="Training")
    return rows


def by_id(events):
    return {event["id"]: event for event in events}


def test_feed_shows_bookings_by_status_holds_busy_time_and_time_off_in_the_business_zone(
        admin_client, paris_business, week, monday):
    response = admin_client.get(FEED, week_params(monday))
    assert response.status_code == 200
    events = by_id(response.json())
    confirmed = events[f"booking-{week['confirmed'].pk}"]
    # 10:00 in New York is shown on Paris's wall clock, the business's zone.
    assert confirmed["start"] == paris_wall(week["confirmed"].start)
    assert confirmed["start"] != ny(monday, 10).replace(tzinfo=None).isoformat(timespec="minutes")
    assert confirmed["extendedProps"]["label"] == "Confirmed" and "wb-cal-confirmed" in confirmed["classNames"]
    assert confirmed["title"] == "Confirmed · Zoe Quill · Consultation"
    assert confirmed["url"] == f"/admin/bookings/inspect/{week['confirmed'].pk}/" and confirmed["editable"]
    assert events[f"booking-{week['requested'].pk}"]["extendedProps"]["label"] == "Awaiting approval"
    hold = events[f"booking-{week['held'].pk}"]
    assert hold["extendedProps"]["label"] == "Held (client finishing)" and not hold["editable"]
    assert f"booking-{week['expired'].pk}" not in events and f"booking-{week['cancelled'].pk}" not in events
    google = events[f"busy-{week['google'].pk}"]
    assert google["title"] == "Busy (Google) · Dentist" and google["url"] is None and not google["editable"]
    assert events[f"busy-{week['manual'].pk}"]["title"] == "Busy · Busy time"
    time_off = events[f"time-off-{week['time_off'].pk}"]
    assert time_off["title"] == "Time off · Training" and time_off["extendedProps"]["provider"] == "Maya"


def test_feed_shows_the_providers_asked_for(admin_client, service, provider, monday):
    other = ProviderFactory(name="Noor")
    service.providers.add(other)
    BookingFactory(service=service, provider=provider, start=ny(monday, 10), client_name="Maya's client")
    BookingFactory(service=service, provider=other, start=ny(monday, 10), client_name="Noor's client")
    titles = lambda **params: {e["extendedProps"]["what"] for e in admin_client.get(  # noqa: E731
        FEED, week_params(monday, **params)).json()}
    assert titles() == {"Maya's client · Consultation", "Noor's client · Consultation"}
    assert titles(providers=str(other.pk)) == {"Noor's client · Consultation"}
    assert titles(provider=[provider.pk, other.pk]) == {"Maya's client · Consultation",
                                                       "Noor's client · Consultation"}


@pytest.mark.parametrize("params, says", [
    ({}, "is not a date and time"),
    ({"start": "2027-03-15T00:00:00", "end": "yesterday"}, "“yesterday” is not a date and time"),
    ({"start": "2027-03-15T00:00:00", "end": "2027-03-14T00:00:00"}, "must end after it starts"),
    ({"start": "2027-01-01T00:00:00", "end": "2027-06-01T00:00:00"}, "at most 42 days"),
    ({"start": "2027-03-15T00:00:00", "end": "2027-03-16T00:00:00", "providers": "1,x"}, "by their numbers"),
])
def test_feed_says_what_is_wrong_with_its_parameters(admin_client, params, says):
    response = admin_client.get(FEED, params)
    assert response.status_code == 400 and says in response.json()["error"]


def _feed_queries(client, monday, providers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(FEED, week_params(monday, providers=",".join(str(p.pk) for p in providers)))
    assert response.status_code == 200
    return len(queries), len(response.json())


def test_feed_runs_a_fixed_number_of_queries_for_one_provider_or_many(admin_client, service, provider, monday):
    BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    _feed_queries(admin_client, monday, [provider])  # the first request of a session also reads and saves it
    one, one_events = _feed_queries(admin_client, monday, [provider])
    many = [provider] + [ProviderFactory() for _ in range(12)]
    for index, someone in enumerate(many[1:]):
        for day in range(5):
            BookingFactory(service=service, provider=someone, start=ny(monday + timedelta(days=day), 9 + index % 8))
        BusyBlock.objects.create(provider=someone, starts_at=ny(monday, 17), ends_at=ny(monday, 18))
        TimeOff.objects.create(provider=someone, starts_at=ny(monday, 18), ends_at=ny(monday, 19))
    count, events = _feed_queries(admin_client, monday, many)
    assert events == one_events + 12 * 7 and count == one
    assert count <= 10


def test_page_runs_a_fixed_number_of_queries(admin_client, service, provider, monday):
    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get("/admin/booking/calendar/", {"date": monday.isoformat()})
        assert response.status_code == 200
        return len(queries)

    BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    page_queries()
    one = page_queries()
    for _ in range(8):
        someone = ProviderFactory()
        BookingFactory(service=service, provider=someone, start=ny(monday, 11))
        TimeOff.objects.create(provider=someone, starts_at=ny(monday, 18), ends_at=ny(monday, 19))
    assert page_queries() == one


def test_feed_and_page_need_the_view_permission(client, django_user_model, monday):
    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw")
    group = Group.objects.create(name="Calendar-less editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    for url in (FEED, "/admin/booking/calendar/"):
        response = client.get(url, week_params(monday))
        assert response.status_code in (302, 403) and b"Zoe" not in response.content


def test_another_business_is_never_shown(client, django_user_model, week, monday, provider):
    """B's owner asking for A's provider gets B's own (empty) week; naming A's site is a 404."""
    from wagtail.models import GroupSitePermission, Page, Site

    home = Page.get_first_root_node().add_child(instance=Page(title="Northside", slug="northside"))
    b_site = Site.objects.create(hostname="b.test", port=80, root_page=home, site_name="Northside")
    ProviderFactory(site=b_site, name="Bea")
    owner = django_user_model.objects.create_user("owner-b", "b@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="B staff")
    group.permissions.set(Permission.objects.filter(codename__in=["access_admin", "view_booking",
                                                                  "manage_bookings", "add_booking"]))
    GroupSitePermission.objects.create(group=group, site=b_site, permission=Permission.objects.get(
        content_type__app_label="wagtail_booking", codename="access_business"))
    owner.groups.add(group)
    client.force_login(owner)
    response = client.get(FEED, week_params(monday, providers=str(provider.pk)))
    assert response.status_code == 200 and response.json() == []
    a_site = Site.objects.get(is_default_site=True).pk
    assert client.get(FEED, week_params(monday, site=a_site)).status_code == 404
    html = client.get("/admin/booking/calendar/", {"date": monday.isoformat(), "provider": provider.pk}).content
    assert b"Bea" in html and b"Zoe Quill" not in html and b"Maya" not in html
    target = ny(monday + timedelta(days=1), 14).replace(tzinfo=None).isoformat()
    assert client.post(move_url(week["confirmed"]), {"start": target}).status_code == 404
    assert client.get("/admin/booking/calendar/free-times/", {"service": week["confirmed"].service_id,
                                                               "day": monday.isoformat()}).json()["times"] == []


def test_page_lists_the_week_without_javascript(admin_client, paris_business, week, monday):
    response = admin_client.get("/admin/booking/calendar/", {"date": (monday + timedelta(days=2)).isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>\s*Calendar - ", html)  # the browser tab names the page
    assert "times in Europe/Paris" in html
    assert "Zoe Quill · Consultation · Maya" in html and "Busy (Google)" in html and "Training" in html
    assert f'href="/admin/booking/calendar/move/{week["confirmed"].pk}/"' in html
    assert f"{week['confirmed'].start.astimezone(PARIS):%H:%M}–" in html
    assert "Old Hold" not in html and "Cass Cancelled" not in html
    assert 'rel="next"' in html and f"date={(monday + timedelta(days=7)).isoformat()}" in html
    day = admin_client.get("/admin/booking/calendar/", {"view": "day", "date": (monday + timedelta(days=1))
                                                       .isoformat()}).content.decode()
    assert "Zoe Quill" not in day and "Busy time" in day


# Moving --------------------------------------------------------------------------------------------------------


def utc(moment):
    """How the forms write a start in their values: ISO in UTC (the slot engine's own)."""
    return moment.astimezone(ZoneInfo("UTC")).isoformat()


def move_url(booking):
    return f"/admin/booking/calendar/move/{booking.pk}/"


def test_drag_moves_with_the_clients_rules_and_tells_the_client(admin_client, week, monday,
                                                                django_capture_on_commit_callbacks):
    booking = week["confirmed"]
    target = ny(monday + timedelta(days=1), 14)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(move_url(booking), {"start": target.replace(tzinfo=None).isoformat()},
                                     HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert "moved to" in response.json()["message"]
    assert Booking.objects.get(pk=booking.pk).start == target
    assert [m.subject.split(":")[0] for m in mail.outbox if m.to == [booking.client_email]] == [
        "Your booking was moved"]


@pytest.mark.parametrize("where, why", [
    (lambda monday: ny(monday, 15), "no longer available"),  # over the Google busy block
    (lambda monday: ny(monday + timedelta(days=2), 10), "no longer available"),  # during time off
    (lambda monday: ny(monday, 20), "no longer available"),  # outside working hours
])
def test_a_refused_drag_says_why_and_moves_nothing(admin_client, week, monday, where, why):
    booking = week["confirmed"]
    target = where(monday).replace(tzinfo=None).isoformat()
    response = admin_client.post(move_url(booking), {"start": target}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and why in response.json()["error"]
    assert Booking.objects.get(pk=booking.pk).start == ny(monday, 10)


def test_move_needs_the_manage_permission_and_a_live_booking(client, admin_client, django_user_model, week, monday):
    user = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    group = Group.objects.create(name="Viewers")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          Permission.objects.get(codename="view_booking"))
    user.groups.add(group)
    client.force_login(user)
    target = ny(monday + timedelta(days=1), 14).replace(tzinfo=None).isoformat()
    response = client.post(move_url(week["confirmed"]), {"start": target}, HTTP_ACCEPT="application/json")
    assert response.status_code in (302, 403)
    assert not client.get(FEED, week_params(monday)).json()[0]["editable"]
    response = admin_client.post(move_url(week["held"]), {"start": target}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and "cannot be rescheduled" in response.json()["error"]
    response = admin_client.post(move_url(week["confirmed"]), {"start": "soon"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "“soon” is not a date and time" in response.json()["error"]


def test_move_form_offers_free_times_and_moves(admin_client, week, monday, django_capture_on_commit_callbacks):
    booking = week["confirmed"]
    day = monday + timedelta(days=1)
    html = admin_client.get(move_url(booking), {"day": day.isoformat()}).content.decode()
    assert "Free times on" in html and "(America/New_York)" in html
    assert f'value="{utc(ny(day, 14))}"' in html
    assert f'value="{utc(ny(day, 9))}"' not in html  # the hand-entered busy block
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(move_url(booking), {"start": utc(ny(day, 14)), "day": day.isoformat()},
                                     follow=True)
    assert "moved to" in response.content.decode() and "The client has been told" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).start == ny(day, 14)
    assert any(m.subject.startswith("Your booking was moved") for m in mail.outbox)
    # A taken time is refused with the reason, on the form's page.
    response = admin_client.post(move_url(booking), {"start": ny(monday, 11).isoformat()}, follow=True)
    assert "Not moved:" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).start == ny(day, 14)


def test_move_page_of_a_cancelled_booking_says_it_cannot_move(admin_client, week):
    html = admin_client.get(move_url(week["cancelled"])).content.decode()
    assert "only confirmed bookings and requests awaiting approval can be moved" in html


# Add booking with free times ------------------------------------------------------------------------------------


def client_data(**extra):
    return {"client_name": "Walk In", "client_email": "walkin@example.com", "client_phone": "",
            "client_timezone": "America/New_York", "staff_notes": "", **extra}


def test_add_booking_from_a_clicked_free_time_ticks_it(admin_client, week, service, provider, monday):
    start = ny(monday + timedelta(days=1), 14)
    response = admin_client.get("/admin/bookings/new/", {"service": service.pk, "provider": provider.pk,
                                                         "start": start.replace(tzinfo=None).isoformat()})
    html = response.content.decode()
    assert "Free times on" in html
    assert f'value="{utc(start)}|{provider.pk}" id="id_free_time_' in html
    checked = html.split(f'value="{utc(start)}|{provider.pk}"')[1].split(">")[0]
    assert "checked" in checked
    assert f'value="{utc(ny(monday + timedelta(days=1), 9))}|' not in html  # busy by hand


def test_add_booking_with_a_free_time(admin_client, week, service, provider, monday):
    day = monday + timedelta(days=1)
    response = admin_client.post("/admin/bookings/new/", client_data(
        service=service.pk, provider="", day=day.isoformat(), free_time=f"{ny(day, 14).isoformat()}|{provider.pk}",
        start=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Booking.objects.get(client_name="Walk In")
    assert booking.start == ny(day, 14) and booking.provider == provider and booking.status == "confirmed"


def test_show_free_times_without_javascript_creates_nothing(admin_client, week, service, provider, monday):
    day = monday + timedelta(days=1)
    response = admin_client.post("/admin/bookings/new/", client_data(
        service=service.pk, provider=provider.pk, day=day.isoformat(), show_free_times="1"))
    html = response.content.decode()
    assert response.status_code == 200 and not Booking.objects.filter(client_name="Walk In").exists()
    assert f'value="{utc(ny(day, 14))}|{provider.pk}"' in html and "error-message" not in html
    assert 'value="Walk In"' in html  # what was typed is kept


def test_add_booking_needs_a_free_time_or_another_time(admin_client, service, provider, monday):
    response = admin_client.post("/admin/bookings/new/", client_data(service=service.pk, provider=provider.pk,
                                                                     day=monday.isoformat()))
    assert response.status_code == 200 and "Choose one of the free times, or give another time below." in \
        response.content.decode()


def test_free_times_json(admin_client, week, service, provider, monday):
    other = ProviderFactory(name="Noor")
    service.providers.add(other)
    day = monday + timedelta(days=1)
    data = admin_client.get("/admin/booking/calendar/free-times/",
                            {"service": service.pk, "day": day.isoformat()}).json()
    labels = [time["label"] for time in data["times"]]
    assert "09:00 · Noor" in labels and "09:30 · Maya" not in labels and "10:00 · Maya" in labels
    assert data["legend"].startswith("Free times on") and "(America/New_York)" in data["legend"]
    data = admin_client.get("/admin/booking/calendar/free-times/", {"service": service.pk, "provider": provider.pk,
                                                                    "day": (monday + timedelta(days=5)).isoformat()})
    assert data.json()["times"] == [] and "none" in data.json()["legend"]
    assert admin_client.get("/admin/booking/calendar/free-times/", {"day": "x"}).json()["times"] == []


def test_free_times_are_the_public_engines(admin_client, service, provider, monday):
    day = monday + timedelta(days=1)
    services.create_hold(service, ny(day, 10), services.ClientDetails("Ann", "ann@example.com", "UTC"))
    data = admin_client.get("/admin/booking/calendar/free-times/",
                            {"service": service.pk, "provider": provider.pk, "day": day.isoformat()}).json()
    from wagtail_booking.bookings.availability import available_slots, local_day_bounds

    expected = [slot.start.isoformat() for slot in available_slots(service, *local_day_bounds(day, day,
                                                                                             "America/New_York"))]
    assert [time["value"].partition("|")[0] for time in data["times"]] == expected
    assert utc(ny(day, 10)) not in expected and utc(ny(day, 10, 30)) in expected

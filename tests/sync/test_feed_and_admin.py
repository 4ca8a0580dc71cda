"""The per-provider iCal feed, and the admin page's permission checks."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from icalendar import Calendar

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.sync.feed import feed_path
from wagtail_booking.sync.models import CalendarConnection, CalendarFeed


def test_feed_at_secret_url_lists_live_bookings(admin_client, client, provider, service, monday):
    live = BookingFactory(service=service, provider=provider, start=ny(monday, 10))
    BookingFactory(service=service, provider=provider, start=ny(monday, 12), status="cancelled")
    admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/feed/")
    url = feed_path(CalendarFeed.objects.get(provider=provider))

    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"{live.reference}@wagtail-booking"]
    assert events[0].decoded("dtstart") == ny(monday, 10)

    assert client.get(url.replace(".ics", "0.ics")).status_code == 404
    assert client.get(f"/booking/ical/{provider.pk}/{'0' * 64}.ics").status_code == 404

    admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/feed/")  # a new address...
    assert client.get(url).status_code == 404  # ...and the old one stops working


def test_admin_page_lists_providers_and_checks_permissions(admin_client, client, provider, google):
    page = admin_client.get("/admin/booking/calendar-sync/")
    assert page.status_code == 200
    assert "Manage calendars" in page.content.decode() and provider.name in page.content.decode()
    calendars = admin_client.get(f"/admin/booking/calendar-sync/{provider.pk}/").content.decode()
    assert "Connect Google Calendar" in calendars and "Connect Test calendar" in calendars

    viewer = get_user_model().objects.create_user("viewer", "v@example.com", "pw")
    viewer.user_permissions.add(Permission.objects.get(codename="access_admin"),
                                Permission.objects.get(codename="view_provider"))
    client.force_login(viewer)
    assert client.get("/admin/booking/calendar-sync/").status_code == 200
    assert "Connect Google Calendar" not in client.get(f"/admin/booking/calendar-sync/{provider.pk}/").content.decode()
    for action in ("connect/google/", "connect/dummy/", "feed/", "connections/1/sync/", "connections/1/disconnect/",
                   ""):
        # Wagtail turns PermissionDenied into a redirect to the dashboard with "Sorry, you do not have permission"
        response = client.post(f"/admin/booking/calendar-sync/{provider.pk}/{action}")
        assert response.status_code == 302 and response["Location"] == "/admin/", action
    assert not CalendarConnection.objects.exists() and not CalendarFeed.objects.exists()


def test_admin_page_shows_a_connection(connected, admin_client, provider):
    page = admin_client.get("/admin/booking/calendar-sync/").content.decode()
    assert "Connected" in page and "maya@example.com" in page and "Main" in page
    page = admin_client.get(f"/admin/booking/calendar-sync/{provider.pk}/").content.decode()
    assert "Connected" in page and "maya@example.com" in page and "Sync now" in page and "Main" in page
    assert "(America/New_York)" in page  # the last sync carries its zone
    assert admin_client.post(f"/admin/booking/calendar-sync/{provider.pk}/connections/{connected.pk}/sync/"
                             ).status_code == 302

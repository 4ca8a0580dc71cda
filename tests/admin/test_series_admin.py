"""Staff and series in the admin: "Book a series" (check the dates, then book), the booking page's series list
and "Cancel this and all later in the series" with its confirmation."""

from datetime import date, timedelta

import pytest

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings import series, services
from wagtail_booking.bookings.models import Booking, BookingSeries

pytestmark = pytest.mark.django_db
THU = date(2027, 3, 11)


def form(service, provider, **extra):
    return {"service": service.pk, "provider": provider.pk, "start": "2027-03-11T07:00", "every_weeks": "1",
            "count": "3", "until": "", "client_name": "Ann Client", "client_email": "ann@example.com",
            "client_phone": "", "client_timezone": "Europe/London", "on_conflict": "skip", **extra}


def test_staff_check_the_dates_then_book_a_series_outside_hours_skipping_a_busy_date(admin_client, service,
                                                                                    provider):
    BookingFactory(service=service, provider=provider, start=ny(THU + timedelta(weeks=1), 7))
    checked = admin_client.post("/admin/booking/series/new/", {**form(service, provider), "check": ""})
    assert checked.status_code == 200
    html = checked.content.decode()
    # The business runs on New York time here: 07:00 is before opening, which staff may book; the 18th is taken.
    assert "Thu 11 Mar 2027, 07:00" in html and "Thu 18 Mar 2027, 07:00" in html
    assert "Already booked at that time" in html and "free that day: 09:00" in html
    assert not BookingSeries.objects.exists()
    booked = admin_client.post("/admin/booking/series/new/", {**form(service, provider), "book": ""})
    assert booked.status_code == 302
    rows = list(Booking.objects.filter(client_email="ann@example.com").order_by("start"))
    assert [row.start for row in rows] == [ny(THU, 7), ny(THU + timedelta(weeks=2), 7)]
    assert {row.status for row in rows} == {"confirmed"} and BookingSeries.objects.get().created_by == "staff"


def test_all_or_nothing_refusal_is_a_form_error_not_a_500(admin_client, service, provider):
    BookingFactory(service=service, provider=provider, start=ny(THU + timedelta(weeks=1), 7))
    response = admin_client.post("/admin/booking/series/new/", {**form(service, provider),
                                                                "on_conflict": "all_or_nothing", "book": ""})
    assert response.status_code == 200
    assert "These dates cannot be booked" in response.content.decode()
    assert not BookingSeries.objects.exists()


def test_a_bad_count_names_the_field(admin_client, service, provider):
    response = admin_client.post("/admin/booking/series/new/", {**form(service, provider, count="30"),
                                                                "check": ""})
    assert "A series of Consultation has 2 to 12 appointments." in response.content.decode()


def test_booking_page_lists_the_series_and_cancels_this_and_later_after_a_confirmation(admin_client, service,
                                                                                     provider):
    service.allow_series = True
    service.save()
    client = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")
    booked = series.book(service, provider, series.SeriesRequest(
        series.rule_for(service, provider, ny(THU, 10), count=3)), client)
    first, second, third = booked.bookings.order_by("start")
    page = admin_client.get(f"/admin/bookings/inspect/{second.pk}/").content.decode()
    assert "Series of 3 appointments" in page and "Cancel this and all later in the series" in page
    assert "Book a series like this" in page
    question = admin_client.get(f"/admin/bookings/action/{second.pk}/cancel_following/").content.decode()
    assert "2 appointments are cancelled, each as if cancelled on its own." in question
    assert Booking.objects.get(pk=second.pk).status == "confirmed"
    admin_client.post(f"/admin/bookings/action/{second.pk}/cancel_following/")
    assert [Booking.objects.get(pk=row.pk).status for row in (first, second, third)] == [
        "confirmed", "cancelled", "cancelled"]
    # The first now has no live appointment after it: no such action on its page.
    assert "Cancel this and all later" not in admin_client.get(f"/admin/bookings/inspect/{first.pk}/").content.decode()


def test_staff_move_this_and_all_later_keeping_the_time_across_dst(admin_client, service, provider):
    client = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")
    booked = series.book(service, provider, series.SeriesRequest(
        series.rule_for(service, provider, ny(THU, 10), count=3)), client, by="staff")
    first, second, third = booked.bookings.order_by("start")
    page = admin_client.get(f"/admin/bookings/inspect/{first.pk}/").content.decode()
    assert f"/admin/booking/series/move/{first.pk}/" in page
    form = admin_client.get(f"/admin/booking/series/move/{first.pk}/").content.decode()
    assert 'value="2027-03-11T10:00"' in form  # on the business's (New York) clock
    # Thursday 10:00 (EST) -> Friday 16:00, also for the later ones (EDT): same wall-clock time.
    response = admin_client.post(f"/admin/booking/series/move/{first.pk}/", {"start": "2027-03-12T16:00"})
    assert response.status_code == 302
    assert [Booking.objects.get(pk=row.pk).start for row in (first, second, third)] == [
        ny(date(2027, 3, 12), 16), ny(date(2027, 3, 19), 16), ny(date(2027, 3, 26), 16)]


def test_staff_move_onto_busy_time_moves_nothing_and_says_which_date(admin_client, service, provider):
    client = services.ClientDetails(name="Ann Client", email="ann@example.com", timezone="Europe/London")
    booked = series.book(service, provider, series.SeriesRequest(
        series.rule_for(service, provider, ny(THU, 10), count=3)), client, by="staff")
    first, *_rest = booked.bookings.order_by("start")
    BookingFactory(service=service, provider=provider, start=ny(date(2027, 3, 26), 16))
    response = admin_client.post(f"/admin/booking/series/move/{first.pk}/", {"start": "2027-03-12T16:00"})
    assert response.status_code == 200
    assert "Fri 26 Mar 2027" in response.content.decode() and "nothing was moved" in response.content.decode()
    assert Booking.objects.get(pk=first.pk).start == ny(THU, 10)


def test_staff_book_a_series_of_a_room_service_seeing_each_dates_room(admin_client, service, provider):
    from tests.factories.resources import ResourceFactory, pool_of
    from wagtail_booking.snippets.models import TimeOff

    room_a, room_b = ResourceFactory(name="Room A"), ResourceFactory(name="Room B")
    service.resource_pool = pool_of(room_a, room_b)  # private to staff: show_resource_to_client is off
    service.save()
    TimeOff.objects.create(provider=room_a, starts_at=ny(THU + timedelta(weeks=1), 7),
                           ends_at=ny(THU + timedelta(weeks=1), 8))
    for room in (room_a, room_b):
        TimeOff.objects.create(provider=room, starts_at=ny(THU + timedelta(weeks=2), 7),
                               ends_at=ny(THU + timedelta(weeks=2), 8))
    checked = admin_client.post("/admin/booking/series/new/", {**form(service, provider), "check": ""})
    html = checked.content.decode()
    assert "Thu 11 Mar 2027, 07:00 (America/New_York) · Room A" in html
    assert "Thu 18 Mar 2027, 07:00 (America/New_York) · Room B" in html
    assert "Thu 25 Mar 2027, 07:00 (America/New_York) · <strong>No room or equipment free at that time</strong>" in html
    booked = admin_client.post("/admin/booking/series/new/", {**form(service, provider), "book": ""})
    assert booked.status_code == 302
    rows = list(Booking.objects.filter(client_email="ann@example.com").order_by("start"))
    assert [(row.start, row.resource_id) for row in rows] == [(ny(THU, 7), room_a.pk),
                                                              (ny(THU + timedelta(weeks=1), 7), room_b.pk)]
    page = admin_client.get(f"/admin/bookings/inspect/{rows[0].pk}/").content.decode()
    assert "Series of 2 appointments" in page and "Thu 18 Mar 2027, 07:00 (America/New_York)</a> · Room B" in page

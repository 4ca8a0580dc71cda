"""The booking block's "Repeat" without JavaScript: review every date, pick an alternative or skip, then book;
and the manage page's "this and all later" actions."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from wagtail_booking.bookings.models import Booking, BookingSeries
from wagtail_booking.bookings.tokens import manage_token
from wagtail_booking.snippets.models import DateOverride

pytestmark = pytest.mark.django_db
THU = date(2027, 3, 11)


@pytest.fixture
def series_page(page, service, provider):
    service.allow_series = True
    service.save()
    BookingFactory(service=service, provider=provider, start=ny(THU + timedelta(weeks=1), 10))
    DateOverride.objects.create(provider=provider, date=THU + timedelta(weeks=2), closed=True)
    return page


def form_data(**extra):
    data = {"slot": f"{ny(THU, 10).isoformat()}|", "timezone": "Europe/London", "name": "Ann Client",
            "email": "ann@example.com", "phone": "", "intake_what_brings_you_here": "Sore back",
            "intake_preferred_contact": "Email", "next": "/", "repeat_every": "1", "repeat_count": "4"}
    data.update(extra)
    return data


def hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def test_the_picker_offers_repeat_only_where_the_service_allows_series(client, page, service):
    assert 'name="repeat_every"' not in client.get("/").content.decode()
    service.allow_series = True
    service.save()
    html = client.get("/").content.decode()
    assert 'name="repeat_every"' in html and "Does not repeat" in html and "Every 2 weeks" in html


def test_review_lists_every_date_in_the_clients_zone_and_books_nothing_yet(client, series_page):
    response = client.post(f"/booking/book/{series_page.specific.body[0].value['service'].pk}/", form_data())
    assert response.status_code == 200
    html = response.content.decode()
    # 10:00 in New York: 15:00 in London, 14:00 in the two weeks New York is on summer time and London is not.
    dates = re.findall(r"<span>(\w+day \d+ \w+ 2027, \d\d:\d\d)</span> <span class=\"wb-zone\">\(Europe/London\)",
                       html)
    assert dates == ["Thursday 11 March 2027, 15:00", "Thursday 18 March 2027, 14:00",
                     "Thursday 25 March 2027, 14:00", "Thursday 1 April 2027, 15:00"]
    assert "Already booked at that time" in html and "Closed that day" in html
    assert "No other time is free that day." in html
    assert "Book nothing unless every date is booked" in html
    assert not Booking.objects.filter(client_email="ann@example.com").exists()


def test_choosing_an_alternative_and_skipping_books_the_series(client, series_page, service):
    review = client.post(f"/booking/book/{service.pk}/", form_data()).content.decode()
    carried = hidden_fields(review)
    [field] = {name for name in re.findall(r'name="(replace_[^"]+)"', review) if "2027-03-18" in name}
    # The same day's free times, nearest first (09:30, 10:30, ...) and "Skip this date"; the client picks 10:30.
    offered = re.findall(rf'name="{re.escape(field)}" value="([^"]*)"', review)
    assert [datetime.fromisoformat(value) for value in offered[:2]] == [
        ny(THU + timedelta(weeks=1), 9, 30), ny(THU + timedelta(weeks=1), 10, 30)] and offered[-1] == ""
    response = client.post(f"/booking/book/{service.pk}/series/", {**carried, field: offered[1],
                                                                   "on_conflict": "skip"})
    assert response.status_code == 302
    rows = list(Booking.objects.filter(client_email="ann@example.com").order_by("start"))
    assert [row.start.astimezone(ny(THU, 0).tzinfo).strftime("%d %b %H:%M") for row in rows] == [
        "11 Mar 10:00", "18 Mar 10:30", "01 Apr 10:00"]
    assert {row.series_id for row in rows} == {BookingSeries.objects.get().pk}
    confirmation = client.get(response["Location"]).content.decode()
    assert "Your series: 3 appointments" in confirmation


def test_all_or_nothing_with_a_conflict_shows_the_review_again_and_books_nothing(client, series_page, service):
    carried = hidden_fields(client.post(f"/booking/book/{service.pk}/", form_data()).content.decode())
    response = client.post(f"/booking/book/{service.pk}/series/", {**carried, "on_conflict": "all_or_nothing"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "These dates cannot be booked" in html and "Review your" in html
    assert not Booking.objects.filter(client_email="ann@example.com").exists()


def test_a_bad_repeat_is_a_form_error_naming_it(client, series_page, service):
    response = client.post(f"/booking/book/{service.pk}/", form_data(repeat_count="40"))
    assert response.status_code == 400
    assert "A series of Consultation has 2 to 12 appointments." in response.content.decode()


def test_manage_page_cancels_this_and_all_later_after_a_question(client, series_page, service, provider):
    carried = hidden_fields(client.post(f"/booking/book/{service.pk}/", form_data(
        slot=f"{ny(THU + timedelta(weeks=3), 10).isoformat()}|")).content.decode())
    assert client.post(f"/booking/book/{service.pk}/series/", {**carried, "on_conflict": "skip"}).status_code == 302
    first, second, *rest = Booking.objects.filter(client_email="ann@example.com").order_by("start")
    url = f"/booking/manage/{second.reference}/{manage_token(second)}/"
    page = client.get(url).content.decode()
    assert "Cancel this and all later appointments of the series" in page and "Your series: 4 appointments" in page
    question = client.post(url, {"action": "cancel", "following": "yes"}).content.decode()
    assert "Cancel this appointment and the 2 later ones of the series?" in question
    assert Booking.objects.get(pk=second.pk).status == "confirmed"
    done = client.post(url, {"action": "cancel", "following": "yes", "confirm": "yes"})
    assert done.status_code == 200
    statuses = list(Booking.objects.filter(client_email="ann@example.com").order_by("start")
                    .values_list("status", flat=True))
    assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]


def test_manage_page_moves_this_and_all_later_to_the_same_new_weekday_and_time(client, series_page, service):
    carried = hidden_fields(client.post(f"/booking/book/{service.pk}/", form_data(
        slot=f"{ny(THU + timedelta(weeks=3), 10).isoformat()}|", repeat_count="3")).content.decode())
    assert client.post(f"/booking/book/{service.pk}/series/", {**carried, "on_conflict": "skip"}).status_code == 302
    first, second, third = Booking.objects.filter(client_email="ann@example.com").order_by("start")
    url = f"/booking/manage/{second.reference}/{manage_token(second)}/"
    new_slot = f"{ny(date(2027, 4, 9), 14).isoformat()}|"  # Thursday 10:00 -> Friday 14:00, from 8 April on
    question = client.post(url, {"action": "reschedule", "slot": new_slot, "following": "yes"}).content.decode()
    assert "The 1 later appointment of the series moves the same way" in question
    assert "Yes, move these appointments" in question
    done = client.post(url, {"action": "reschedule", "slot": new_slot, "following": "yes", "confirm": "yes"})
    assert "have been moved" in done.content.decode()
    starts = [row.start for row in Booking.objects.filter(client_email="ann@example.com").order_by("start")]
    assert starts == [first.start, ny(date(2027, 4, 9), 14), ny(date(2027, 4, 16), 14)]


def test_a_room_service_offers_repeat_and_names_the_room_only_where_the_service_says(client, series_page, service):
    from tests.factories.booking import ProviderFactory, ServiceFactory
    from tests.factories.resources import ResourceFactory, pool_of

    room = ResourceFactory(name="Cedar room")
    service.resource_pool = pool_of(room)
    service.save()
    facial = ServiceFactory(name="Facial", providers=[ProviderFactory()])
    BookingFactory(service=facial, provider=facial.providers.get(), start=ny(THU + timedelta(weeks=3), 10),
                   resource=room)  # 1 April: Maya is free, the one room is not
    assert 'name="repeat_every"' in client.get("/").content.decode()
    review = client.post(f"/booking/book/{service.pk}/", form_data(repeat_count="5")).content.decode()
    assert "No room or equipment free at that time" in review and "Cedar room" not in review
    service.show_resource_to_client = True
    service.save()
    review = client.post(f"/booking/book/{service.pk}/", form_data(repeat_count="5")).content.decode()
    assert review.count("Where: Cedar room") == 2  # 11 March and 8 April, the dates that can be booked
    response = client.post(f"/booking/book/{service.pk}/series/", {**hidden_fields(review), "on_conflict": "skip"})
    assert response.status_code == 302
    rows = Booking.objects.filter(client_email="ann@example.com").order_by("start")
    assert [(row.start, row.resource_id) for row in rows] == [(ny(THU, 10), room.pk),
                                                              (ny(THU + timedelta(weeks=4), 10), room.pk)]
    assert client.get(response["Location"]).content.decode().count("Where: Cedar room") == 2

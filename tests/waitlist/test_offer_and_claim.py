"""A freed place goes to the first in line who wants it: offered by email, claimed through an ordinary hold."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories.booking import BookingFactory
from tests.helpers import ny
from tests.waitlist.support import claim_path, client, fill, offer_emails, small_service, wait
from wagtail_booking.bookings import services
from wagtail_booking.bookings.models import Booking
from wagtail_booking.waitlist import claims, lines, offers
from wagtail_booking.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db
Status = WaitlistEntry.Status


def refreshed(entry):
    entry.refresh_from_db()
    return entry


def test_cancellation_offers_the_place_and_the_claim_books_it(monday, django_capture_on_commit_callbacks):
    service, provider = small_service()
    first, second = fill(service, monday)
    with django_capture_on_commit_callbacks(execute=True):
        ana = wait(service, monday, "Ana")
    joined = [message for message in mail.outbox if message.to == ["ana@example.com"]]
    assert len(joined) == 1 and "on the waitlist" in joined[0].subject and "/waitlist/leave/" in joined[0].body
    assert not offer_emails("ana@example.com")  # the day is full: nothing to offer yet

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    ana = refreshed(ana)
    assert ana.status == Status.OFFERED and ana.offered_start == ny(monday, 9, 30)
    assert ana.offer_expires_at == ana.offered_at + timedelta(minutes=120)
    [email] = offer_emails("ana@example.com")
    assert f"{monday:%a %-d %b %Y}, 09:30 (America/New_York)" in email.body
    path = claim_path(email)
    assert ana.claim_token_hash and path.split("/")[-2] not in ana.claim_token_hash  # only the hash is stored

    page = client_get(path)
    assert page.status_code == 200
    assert f"{monday:%A %-d %B %Y}, 09:30 (America/New_York)" in page.content.decode()
    response = client_post(path)
    assert response.status_code == 302 and "/booked/" in response["Location"]
    ana = refreshed(ana)
    assert ana.status == Status.CLAIMED
    assert ana.booking.status == Booking.Status.CONFIRMED and ana.booking.start == ny(monday, 9, 30)
    assert ana.booking.client_email == "ana@example.com" and ana.booking.provider == provider


def client_get(path):
    from django.test import Client

    return Client().get(path)


def client_post(path):
    from django.test import Client

    return Client().post(path)


def test_a_lapsed_offer_passes_to_the_next_in_line(monday, time_machine, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana, ben = wait(service, monday, "Ana"), wait(service, monday, "Ben")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    assert refreshed(ana).status == Status.OFFERED and refreshed(ben).status == Status.WAITING
    path = claim_path(offer_emails("ana@example.com")[0])

    time_machine.move_to(refreshed(ana).offer_expires_at + timedelta(seconds=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert offers.sweep() == 1
    assert refreshed(ana).status == Status.EXPIRED
    assert refreshed(ben).status == Status.OFFERED and refreshed(ben).offered_start == ny(monday, 9, 30)
    assert len(offer_emails("ben@example.com")) == 1
    late = client_post(path)
    assert late.status_code == 410 and "This offer has ended" in late.content.decode()


def test_reordering_changes_who_is_offered(monday, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    first, _second = fill(service, monday)
    ana, ben = wait(service, monday, "Ana"), wait(service, monday, "Ben")
    assert lines.move(ben, up=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first, by="staff")
    assert refreshed(ben).status == Status.OFFERED and refreshed(ana).status == Status.WAITING
    assert offer_emails("ben@example.com") and not offer_emails("ana@example.com")


def test_a_time_want_is_offered_only_that_time(monday, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    first, second = fill(service, monday)
    ana = wait(service, monday, "Ana", start=ny(monday, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first, by="staff")  # 09:00 frees: not what Ana waits for
    assert refreshed(ana).status == Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    assert refreshed(ana).status == Status.OFFERED and refreshed(ana).offered_start == ny(monday, 9, 30)


def test_an_expired_hold_is_found_by_the_sweep(monday, time_machine, django_capture_on_commit_callbacks):
    service, provider = small_service()
    now = timezone.now()
    for minutes, start in ((10, ny(monday, 9)), (50, ny(monday, 9, 30))):  # two clients paying their deposits
        BookingFactory(service=service, provider=provider, start=start, status=Booking.Status.HELD,
                       hold_expires_at=now + timedelta(minutes=minutes))
    ana = wait(service, monday, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        assert offers.sweep() == 0
    time_machine.move_to(now + timedelta(minutes=11), tick=False)  # the first hold lapsed, still "held"
    with django_capture_on_commit_callbacks(execute=True):
        assert offers.sweep() == 1
    assert refreshed(ana).offered_start == ny(monday, 9)


def test_a_place_taken_directly_before_the_claim_keeps_the_client_in_line(monday,
                                                                          django_capture_on_commit_callbacks):
    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    path = claim_path(offer_emails("ana@example.com")[0])
    services.create_hold(service, ny(monday, 9, 30), client("Quick"))
    response = client_post(path)
    body = response.content.decode()
    assert response.status_code == 409 and "This place was taken" in body and "You keep your place" in body
    assert refreshed(ana).status == Status.WAITING and refreshed(ana).position == ana.position
    again = client_get(path)  # the link later still says what happened, not that the offer lapsed
    assert again.status_code == 409 and "This place was taken" in again.content.decode()
    assert Booking.objects.filter(start=ny(monday, 9, 30), status="confirmed").count() == 1


def test_bad_used_and_expired_links_say_so(monday, time_machine, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    path = claim_path(offer_emails("ana@example.com")[0])
    for bad in ("/booking/waitlist/claim/nonsense/", "/booking/waitlist/claim/" + "x" * 43 + "/"):
        for answer in (client_get(bad), client_post(bad)):
            assert answer.status_code == 404 and "This link no longer works" in answer.content.decode()
    assert client_post(path).status_code == 302
    for answer in (client_get(path), client_post(path)):
        assert answer.status_code == 410 and "This place is already yours" in answer.content.decode()
    assert Booking.objects.filter(client_email="ana@example.com").count() == 1
    time_machine.move_to(refreshed(ana).offer_expires_at + timedelta(minutes=1), tick=False)
    assert client_get(path).status_code == 410  # used stays used, also after the offer's end


def test_an_offer_is_sent_once_even_when_its_task_runs_again(monday, django_capture_on_commit_callbacks):
    from wagtail_booking.notifications import waitlist as messages

    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    ana = refreshed(ana)
    assert messages.send_offer(ana.pk, ana.offered_at.isoformat()) is False
    assert len(offer_emails("ana@example.com")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert offers.offer_free_places(service) == []  # a place under a live offer is not offered again


def test_leave_link_takes_the_client_off_the_line(monday, django_capture_on_commit_callbacks):
    service, _provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    path = f"/booking/waitlist/leave/{ana.pk}/{lines.leave_token(ana)}/"
    assert "Leave the waitlist" in client_get(path).content.decode()
    assert client_get(f"/booking/waitlist/leave/{ana.pk}/forged/").status_code == 404
    assert client_post(path).status_code == 200
    assert refreshed(ana).status == Status.LEFT
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    assert not offer_emails("ana@example.com")


def test_claim_refuses_a_token_of_nothing():
    with pytest.raises(claims.ClaimRefused) as refused:
        claims.claim("y" * 43)
    assert refused.value.reason == "unknown"


def test_a_claim_the_booking_rules_refuse_says_why(monday, django_capture_on_commit_callbacks):
    service, provider = small_service()
    _first, second = fill(service, monday)
    ana = wait(service, monday, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(second, by="staff")
    provider.active = False  # Maya stopped working here after the offer went out
    provider.save()
    response = client_post(claim_path(offer_emails("ana@example.com")[0]))
    assert response.status_code == 409 and "This place cannot be booked online" in response.content.decode()
    assert refreshed(ana).status == Status.OFFERED and not Booking.objects.filter(client_email="ana@example.com")


def test_a_sweep_over_a_long_line_costs_the_same_queries(monday):
    service, _provider = small_service()
    fill(service, monday)
    for index in range(5):
        wait(service, monday, f"Early{index}")

    def queries_for_sweep():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert offers.offer_free_places(service) == []  # the day is full: nobody is offered anything
        return len(captured)

    few = queries_for_sweep()
    for index in range(60):
        wait(service, monday, f"Late{index}")
    assert queries_for_sweep() == few  # one lock query and one availability search, however long the line

"""Rooms and equipment, and pools of them, edited as an owner does in the admin: a room with its week grid of hours,
a pool of the business's rooms, each listing and form showing the user's businesses only."""

from datetime import time

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupSitePermission

from tests.businesses.conftest import business_a, business_b  # noqa: F401 - the two businesses
from tests.factories.booking import ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory, pool_of
from tests.helpers import ny
from tests.snippets.test_provider_editing import errors, page_form, set_day
from wagtail_booking.bookings.availability import available_slots
from wagtail_booking.snippets.models import Provider, WeeklyHours
from wagtail_booking.snippets.resources import Resource, ResourcePool

pytestmark = pytest.mark.django_db

ROOMS = "/admin/snippets/wagtail_booking/resource/"
POOLS = "/admin/snippets/wagtail_booking/resourcepool/"
SERVICE_URL = "/admin/snippets/wagtail_booking/service/edit/{}/"


def test_an_owner_adds_a_room_with_its_hours_and_the_slots_follow_them(admin_client, monday):
    data = page_form(admin_client, ROOMS + "add/")
    assert "services" not in data and "notify_events" not in data and "meeting_url" not in data
    data["name"], data["timezone"] = ["Treatment room 1"], ["America/New_York"]
    set_day(data, 0, monday.weekday(), ("12:00", "14:00"))
    response = admin_client.post(ROOMS + "add/", data)
    assert response.status_code == 302, errors(response)
    room = Resource.objects.get(name="Treatment room 1")
    assert room.kind == Provider.Kind.RESOURCE
    assert list(WeeklyHours.objects.filter(provider=room).values_list("weekday", "opens", "closes")) == [
        (monday.weekday(), time(12), time(14))]
    service = ServiceFactory(duration_minutes=60, slot_interval_minutes=60, providers=[ProviderFactory()],
                             resource_pool=pool_of(room))
    starts = [slot.start for slot in available_slots(service, ny(monday, 0), ny(monday, 23))]
    assert starts == [ny(monday, 12), ny(monday, 13)]  # the provider works 9-17; the room is open 12-14


def test_bad_room_hours_are_named(admin_client):
    data = page_form(admin_client, ROOMS + "add/")
    data["name"], data["timezone"] = ["Chair"], ["America/New_York"]
    set_day(data, 0, 1, ("17:00", "09:00"))
    response = admin_client.post(ROOMS + "add/", data)
    assert response.status_code == 200
    assert errors(response) == ["Tuesday, shift 1: it ends (09:00) before it starts (17:00)."]
    assert not Resource.objects.exists()


def test_an_owner_makes_a_pool_of_the_business_rooms(admin_client):
    room_a, room_b = ResourceFactory(name="Room A"), ResourceFactory(name="Room B")
    ProviderFactory(name="Maya")
    html = admin_client.get(POOLS + "add/").content.decode()
    assert "Room A" in html and "Room B" in html and "Maya" not in html  # rooms only, not staff
    data = page_form(admin_client, POOLS + "add/")
    data["name"], data["resources"] = ["Treatment rooms"], [str(room_a.pk), str(room_b.pk)]
    response = admin_client.post(POOLS + "add/", data)
    assert response.status_code == 302, response.context["form"].errors
    pool = ResourcePool.objects.get(name="Treatment rooms")
    assert set(pool.resources.all()) == {room_a, room_b}
    listing = admin_client.get(POOLS).content.decode()
    assert "Room A, Room B" in listing


def test_staff_and_rooms_have_their_own_listings(admin_client):
    ProviderFactory(name="Maya Staff")
    ResourceFactory(name="Room Blue")
    providers = admin_client.get("/admin/snippets/wagtail_booking/provider/").content.decode()
    rooms = admin_client.get(ROOMS).content.decode()
    assert "Maya Staff" in providers and "Room Blue" not in providers
    assert "Room Blue" in rooms and "Maya Staff" not in rooms


def test_a_room_opens_only_as_a_room_and_a_person_only_as_staff(admin_client):
    maya, blue = ProviderFactory(name="Maya Staff"), ResourceFactory(name="Room Blue")
    staff_url = "/admin/snippets/wagtail_booking/provider/{}/{}/"
    assert admin_client.get(staff_url.format("edit", blue.pk)).status_code == 404
    assert admin_client.get(staff_url.format("delete", blue.pk)).status_code == 404
    assert admin_client.get(staff_url.format("edit", maya.pk)).status_code == 200
    assert admin_client.get(f"{ROOMS}edit/{maya.pk}/").status_code == 404
    assert admin_client.get(f"{ROOMS}edit/{blue.pk}/").status_code == 200
    sync = admin_client.get("/admin/booking/calendar-sync/").content.decode()
    assert "Maya Staff" in sync and "Room Blue" not in sync
    assert admin_client.get(f"/admin/booking/calendar-sync/{blue.pk}/").status_code == 404


@pytest.fixture
def owner_of_a(django_user_model, business_a):  # noqa: F811
    user = django_user_model.objects.create_user("alpha", "alpha@example.com", "pw", is_staff=True)
    group = Group.objects.create(name="Alpha owners")
    group.permissions.set(Permission.objects.filter(
        codename__in=["access_admin", *[f"{action}_{model}" for action in ("add", "change", "view")
                                        for model in ("resource", "resourcepool", "service")]]))
    GroupSitePermission.objects.create(group=group, site=business_a.site, permission=Permission.objects.get(
        content_type__app_label="wagtail_booking", codename="access_business"))
    user.groups.add(group)
    return user


def test_rooms_and_pools_are_scoped_to_the_user_businesses(client, owner_of_a, business_a, business_b):  # noqa: F811
    mine = ResourceFactory(name="Alpha room", site=business_a.site)
    theirs = ResourceFactory(name="Bravo room", site=business_b.site)
    their_pool = pool_of(theirs, name="Bravo rooms")
    their_pool.site = business_b.site
    their_pool.save()
    my_pool = pool_of(mine, name="Alpha rooms")
    client.force_login(owner_of_a)
    listing = client.get(ROOMS).content.decode()
    assert "Alpha room" in listing and "Bravo room" not in listing
    assert client.get(f"{ROOMS}edit/{theirs.pk}/").status_code == 404
    assert client.get(f"{POOLS}edit/{their_pool.pk}/").status_code == 404
    assert "Bravo rooms" not in client.get(POOLS).content.decode()
    # A pool offers the business's rooms only, and refuses another business's room posted by hand.
    data = page_form(client, POOLS + "add/")
    assert "Bravo room" not in client.get(POOLS + "add/").content.decode()
    data["name"], data["resources"] = ["Sneaky"], [str(mine.pk), str(theirs.pk)]
    response = client.post(POOLS + "add/", data)
    assert response.status_code == 200 and "resources" in response.context["form"].errors
    # The service form offers the business's pools only; another business's pool is refused.
    service = business_a.service
    html = client.get(SERVICE_URL.format(service.pk)).content.decode()
    assert "Alpha rooms" in html and "Bravo rooms" not in html
    data = page_form(client, SERVICE_URL.format(service.pk))
    data["resource_pool"] = [str(their_pool.pk)]
    response = client.post(SERVICE_URL.format(service.pk), data)
    assert response.status_code == 200 and "resource_pool" in response.context["form"].errors
    data["resource_pool"] = [str(my_pool.pk)]
    response = client.post(SERVICE_URL.format(service.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    assert service.resource_pool == my_pool


def test_a_class_can_need_a_room_from_a_pool(admin_client, monday):
    studios = pool_of(ResourceFactory(name="Studio A"), name="Studios")
    service = ServiceFactory(name="Yoga", duration_minutes=60, slot_interval_minutes=60, providers=[ProviderFactory()])
    data = page_form(admin_client, SERVICE_URL.format(service.pk))
    data["capacity"], data["max_seats_per_booking"], data["resource_pool"] = ["8"], ["2"], [str(studios.pk)]
    response = admin_client.post(SERVICE_URL.format(service.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    assert service.is_class and service.resource_pool == studios
    [first, *_rest] = available_slots(service, ny(monday, 0), ny(monday, 23))
    assert (first.start, first.seats_left, first.resource_id) == (ny(monday, 9), 8, studios.resources.get().pk)

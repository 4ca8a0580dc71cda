"""Editing a provider and a service as an owner does in the admin: the week grid of hours (with dates), the time
zone chosen from a list, a service's providers as checkboxes of its own business. Forms are posted as a browser
would post them: every input of the page as drawn, then the owner's changes."""

from datetime import date, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from wagtail.models import Page, Site

from tests.factories.booking import ProviderFactory, ServiceFactory
from wagtail_booking.bookings.availability import available_slots, local_day_bounds
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.snippets.models import Provider, WeeklyHours

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
PROVIDER_URL = "/admin/snippets/wagtail_booking/provider/edit/{}/"
SERVICE_URL = "/admin/snippets/wagtail_booking/service/edit/{}/"


class _Inputs(HTMLParser):
    """What a browser would post from the page's edit form: text inputs, checked boxes, selected options."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea, self._in_form = [], None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and "data-edit-form" in attrs:
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((attrs["name"], attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            self.data[-1] = (self._textarea, self.data[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def page_form(client, url) -> dict:
    parser = _Inputs()
    parser.feed(client.get(url).content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    assert data, "the page has an edit form"
    return data


def set_day(data, hours_set, weekday, *shifts):
    """Replace one day's shifts in the posted grid with ``shifts`` as ("09:00", "12:00") pairs."""
    prefix = f"hours-{hours_set}-d{weekday}-"
    for name in [name for name in data if name.startswith(prefix)]:
        del data[name]
    for number, (opens, closes) in enumerate(shifts, start=1):
        data[f"{prefix}{number}-opens"], data[f"{prefix}{number}-closes"] = [opens], [closes]


def shifts(provider):
    return sorted((row.weekday, row.opens, row.closes, row.effective_from, row.effective_to)
                  for row in WeeklyHours.objects.filter(provider=provider))


def errors(response):
    return [str(error) for error in response.context["form"].non_field_errors()]


@pytest.fixture
def maya(provider):
    return provider  # Mon-Fri 09:00-17:00, New York


def test_the_grid_shows_each_day_with_its_shifts(admin_client, maya):
    html = admin_client.get(PROVIDER_URL.format(maya.pk)).content.decode()
    for day in ("Monday", "Friday", "Saturday", "Sunday"):
        assert f'<th scope="row">{day}</th>' in html
    assert 'name="hours-0-d0-1-opens" value="09:00"' in html and 'name="hours-0-d0-1-closes" value="17:00"' in html
    assert 'name="hours-0-d0-2-opens" value=""' in html  # one empty shift a day to fill in without JavaScript
    assert 'name="hours-0-d5-1-opens" value=""' in html  # Saturday: closed, an empty shift to add
    assert "Hours 1" not in html and "weekly_hours-TOTAL_FORMS" not in html  # no more one panel per row


def test_a_valid_grid_replaces_the_hours(admin_client, maya):
    data = page_form(admin_client, PROVIDER_URL.format(maya.pk))
    set_day(data, 0, 0, ("09:00", "12:00"), ("13:00", "17:30"))  # Monday split
    set_day(data, 0, 2)  # Wednesday closed
    set_day(data, 0, 5, ("10:00", "14:00"))  # Saturday added
    data["hours-0-d4-1-remove"] = ["1"]  # Friday's shift removed with its checkbox
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert response.status_code == 302, errors(response)
    assert shifts(maya) == [(0, time(9), time(12), None, None), (0, time(13), time(17, 30), None, None),
                            (1, time(9), time(17), None, None), (3, time(9), time(17), None, None),
                            (5, time(10), time(14), None, None)]


def test_overlapping_shifts_and_a_shift_ending_before_it_starts_are_named(admin_client, maya):
    before = shifts(maya)
    data = page_form(admin_client, PROVIDER_URL.format(maya.pk))
    set_day(data, 0, 1, ("09:00", "13:00"), ("12:00", "17:00"))
    set_day(data, 0, 3, ("17:00", "09:00"))
    set_day(data, 0, 4, ("09:00", ""))
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert response.status_code == 200
    assert errors(response) == [
        "Tuesday: shift 1 (09:00–13:00) and shift 2 (12:00–17:00) overlap.",
        "Thursday, shift 1: it ends (09:00) before it starts (17:00).",
        "Friday, shift 1: give both a start and an end.",
    ]
    html = response.content.decode()
    assert "Tuesday: shift 1 (09:00–13:00) and shift 2 (12:00–17:00) overlap." in html  # beside the day too
    assert 'name="hours-0-d3-1-opens" value="17:00"' in html  # what was typed is kept
    assert shifts(maya) == before


def test_hours_from_a_date_are_stored_and_honoured_by_the_slots(admin_client, maya, service):
    # The test clock (tests/conftest.py) is 10 March 2027: the change of hours on 1 April is ahead.
    data = page_form(admin_client, PROVIDER_URL.format(maya.pk))
    data["hours-0-until"] = ["2027-03-31"]  # today's hours end with March
    new = 1  # the blank set "hours that apply between two dates"
    data[f"hours-{new}-from"] = ["2027-04-01"]
    set_day(data, new, 0, ("13:00", "15:00"))  # from April, Mondays 13:00-15:00 only
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert response.status_code == 302, errors(response)
    assert (0, time(13), time(15), date(2027, 4, 1), None) in shifts(maya)
    assert (0, time(9), time(17), None, date(2027, 3, 31)) in shifts(maya)

    def starts(day):
        start, end = local_day_bounds(day, day, "America/New_York")
        return [slot.start.astimezone(NY).time() for slot in available_slots(service, start, end)]

    assert starts(date(2027, 3, 29))[:2] == [time(9), time(9, 30)]  # a March Monday: the old hours
    assert starts(date(2027, 4, 5)) == [time(13), time(13, 30), time(14), time(14, 30)]  # April: the new ones
    assert starts(date(2027, 4, 6)) == []  # April Tuesday: the new set has no Tuesday
    # The page shows both sets, each under its dates.
    html = admin_client.get(PROVIDER_URL.format(maya.pk)).content.decode()
    assert "The hours until 31 Mar 2027" in html and "The hours from 1 Apr 2027" in html


def test_sets_whose_dates_overlap_are_refused(admin_client, maya):
    data = page_form(admin_client, PROVIDER_URL.format(maya.pk))
    data["hours-1-from"] = ["2027-04-01"]
    set_day(data, 1, 0, ("13:00", "15:00"))
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert response.status_code == 200
    assert errors(response) == ["The dates of the hours from 1 Apr 2027 overlap those of the hours without dates: "
                                "give each set of hours its own dates (end one the day before the next begins)."]
    data["hours-1-until"], data["hours-1-from"] = ["2027-03-01"], ["2027-04-01"]
    data["hours-0-until"] = ["2027-03-31"]
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert "the last day comes before the first" in " ".join(errors(response))


def test_a_post_without_the_grid_leaves_the_hours_alone(admin_client, maya):
    before = shifts(maya)
    data = {name: values for name, values in page_form(admin_client, PROVIDER_URL.format(maya.pk)).items()
            if not name.startswith("hours-")}
    data["name"] = ["Maya R."]
    assert admin_client.post(PROVIDER_URL.format(maya.pk), data).status_code == 302
    assert Provider.objects.get(pk=maya.pk).name == "Maya R." and shifts(maya) == before


def test_time_zone_is_chosen_from_the_canonical_zones(admin_client, maya):
    maya.timezone = "US/Eastern"  # an alias stored before the chooser
    maya.save()
    html = admin_client.get(PROVIDER_URL.format(maya.pk)).content.decode()
    assert '<option value="America/New_York" selected>(UTC−05:00) New York, America</option>' in html
    assert 'value="US/Eastern"' not in html and '<optgroup label="Every zone, by its offset now">' in html
    assert "data-wb-zone-search" in html  # the search box the script shows
    data = page_form(admin_client, PROVIDER_URL.format(maya.pk))
    assert admin_client.post(PROVIDER_URL.format(maya.pk), data).status_code == 302
    assert Provider.objects.get(pk=maya.pk).timezone == "America/New_York"
    data["timezone"] = ["Mars/Olympus_Mons"]
    response = admin_client.post(PROVIDER_URL.format(maya.pk), data)
    assert response.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone" in str(response.context["form"].errors["timezone"])


def test_business_time_zone_is_chosen_from_the_list(admin_client):
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/wagtail_booking/businesssettings/{site.pk}/"
    html = admin_client.get(url).content.decode()
    assert '<select name="time_zone"' in html and "(UTC+05:30) Kolkata, Asia" in html
    data = page_form(admin_client, url)
    data["time_zone"] = ["Asia/Calcutta"]
    assert admin_client.post(url, data).status_code == 302
    assert BusinessSettings.for_site(site).time_zone == "Asia/Kolkata"
    data["time_zone"] = ["Nowhere/Special"]
    assert admin_client.post(url, data).status_code == 200
    assert BusinessSettings.for_site(site).time_zone == "Asia/Kolkata"


def test_service_providers_are_checkboxes_of_its_own_business(admin_client, django_user_model):
    home = Page.objects.get(depth=2)
    other = Site.objects.create(hostname="other.test", root_page=home, site_name="Other business")
    mine = ProviderFactory(name="Maya")
    idle = ProviderFactory(name="Noor")
    stranger = ProviderFactory(name="Stranger", site=other)
    service = ServiceFactory(name="Massage", providers=[mine])
    html = admin_client.get(SERVICE_URL.format(service.pk)).content.decode()
    assert f'<input type="checkbox" name="providers" value="{mine.pk}"' in html
    assert f'<input type="checkbox" name="providers" value="{idle.pk}"' in html
    assert "Stranger" not in html and '<select name="providers"' not in html
    data = page_form(admin_client, SERVICE_URL.format(service.pk))
    data["providers"] = [str(mine.pk), str(idle.pk)]
    assert admin_client.post(SERVICE_URL.format(service.pk), data).status_code == 302
    assert set(service.providers.all()) == {mine, idle}
    data["providers"] = [str(stranger.pk)]
    response = admin_client.post(SERVICE_URL.format(service.pk), data)
    assert response.status_code == 200 and "providers" in response.context["form"].errors
    assert set(service.providers.all()) == {mine, idle}
    # A provider's page offers its business's services only, as checkboxes too.
    html = admin_client.get(PROVIDER_URL.format(stranger.pk)).content.decode()
    assert "Massage" not in html


"""The picker's server side: canonical zones, grouped times, the next free day, provider choice, the script's data."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.blocks.struct_block import StructBlockValidationError

from tests.factories.booking import ProviderFactory
from tests.helpers import ny
from wagtail_booking.blocks import BookingBlock
from wagtail_booking.bookings import services
from wagtail_booking.timezones import canonical_zone, canonical_zones, zone_choices, zone_label

pytestmark = pytest.mark.django_db


def show(client, service, **params):
    response = client.get("/", {"booking_service": service.pk, **params})
    assert response.status_code == 200
    return response.content.decode()


def script_data(html, service):
    found = re.search(rf'<script id="wb-picker-{service.pk}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def client_choice_page(page, service):
    page.body = json.dumps([{"type": "booking", "value": {
        "service": service.pk, "provider": None, "provider_choice": "client", "heading": "Book"}}])
    page.save_revision().publish()


# --- zones -------------------------------------------------------------------------------------------------------


def test_zone_list_is_canonical_names_only():
    zones = set(canonical_zones())
    assert {"America/New_York", "Europe/London", "Asia/Kolkata", "Europe/Kyiv", "UTC"} <= zones
    assert not zones & {"US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GB", "EST5EDT", "Etc/GMT+5"}
    assert 350 < len(zones) < 450


def test_aliases_map_to_their_canonical_zone():
    assert canonical_zone("US/Eastern") == "America/New_York"
    assert canonical_zone("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical_zone("Not/AZone") is None and canonical_zone(None) is None


def test_labels_carry_the_current_offset_and_city():
    winter, summer = datetime(2027, 1, 10, tzinfo=UTC), datetime(2027, 7, 10, tzinfo=UTC)
    assert zone_label("America/New_York", winter) == "(UTC\u221205:00) New York, America"
    assert zone_label("America/New_York", summer) == "(UTC\u221204:00) New York, America"
    assert zone_label("America/Argentina/Buenos_Aires", winter) == "(UTC\u221203:00) Buenos Aires, Argentina"
    assert zone_label("Asia/Kolkata", winter) == "(UTC+05:30) Kolkata, Asia"


def test_the_shown_zone_then_common_zones_then_the_rest_by_offset():
    common, others = zone_choices(datetime(2027, 3, 10, tzinfo=UTC), "Asia/Kathmandu")
    assert common[0] == ("Asia/Kathmandu", "(UTC+05:45) Kathmandu, Asia")
    assert "Europe/London" in [name for name, _label in common]
    assert not {name for name, _ in common} & {name for name, _ in others}
    offsets = [label[4:10] for _name, label in others]
    assert offsets[0].startswith("\u2212") and offsets[-1].startswith("+")


def test_page_offers_labelled_canonical_zones_and_maps_an_alias(client, page, service):
    html = show(client, service, booking_tz="US/Eastern")
    assert '<option value="America/New_York" selected>(UTC\u221205:00) New York, America</option>' in html
    assert 'value="US/Eastern"' not in html and 'value="Asia/Calcutta"' not in html
    assert 'name="timezone" value="America/New_York"' in html


# --- days and times ----------------------------------------------------------------------------------------------


def test_times_are_grouped_by_part_of_the_day(client, page, service, monday):
    html = show(client, service, booking_tz="America/New_York", booking_date=monday.isoformat())
    groups = re.findall(r'<h3 class="wb-period-title" id="wb-(\w+)-\d+">(\w+)</h3>(.*?)</div>\s*</div>', html, re.S)
    assert [(key, title) for key, title, _ in groups] == [("morning", "Morning"), ("afternoon", "Afternoon")]
    morning, afternoon = (re.findall(r"<span>(\d\d:\d\d)</span>", body) for _key, _title, body in groups)
    assert morning[0] == "09:00" and morning[-1] < "12:00" and afternoon[0] == "12:00"


def test_a_full_day_names_the_next_free_day(client, page, service, monday):
    saturday = monday - timedelta(days=2)
    html = show(client, service, booking_tz="America/New_York", booking_date=saturday.isoformat())
    assert f"No free times on {saturday:%a %-d %b}." in html
    link = re.search(rf'<a href="([^"]+)">Next available: {monday:%a %-d %b}</a>', html)
    assert link and f"booking_date={monday.isoformat()}" in link.group(1) and link.group(1).startswith("/?")
    assert (f'<option value="{saturday.isoformat()}" selected>{saturday:%A %-d %B %Y} (no free times)</option>'
            in html)
    assert 'name="slot"' not in html


def test_a_day_outside_the_window_opens_the_first_free_day(client, page, service):
    html = show(client, service, booking_tz="America/New_York", booking_date="2030-01-01")
    assert "Next available:" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)  # the script's words aside
    assert re.search(r'<option value="2027-03-10" selected>', html)


def test_script_data_holds_every_free_time_of_the_window(client, page, service, monday):
    html = show(client, service, booking_tz="Europe/London")
    data = script_data(html, service)
    assert (data["zone"], data["first"], data["chosen"], data["provider"]) == (
        "Europe/London", "2027-03-10", "2027-03-10", "")
    starts = [datetime.fromisoformat(start) for start, _provider in data["slots"][""]]
    assert ny(monday, 9) in starts and starts == sorted(starts)
    radios = re.findall(r'name="slot" value="([^"|]+)\|', html)
    assert radios and all(datetime.fromisoformat(value) in starts for value in radios)


# --- provider choice ---------------------------------------------------------------------------------------------


def test_client_chooses_a_provider(client, page, service, provider, monday):
    other = ProviderFactory(name="Sam")
    service.providers.add(other)
    services.create_hold(service, ny(monday, 9), services.ClientDetails(
        name="Earlier", email="e@example.com", timezone="UTC"), provider)
    client_choice_page(page, service)

    html = show(client, service, booking_tz="America/New_York", booking_date=monday.isoformat())
    assert re.search(r'<option value="">Any available</option>\s*<option value="\d+">Maya</option>'
                     r'<option value="\d+">Sam</option>', html)
    assert "<span>09:00</span>" in html  # Sam is free then
    html = show(client, service, booking_tz="America/New_York", booking_date=monday.isoformat(),
                booking_provider=provider.pk)
    assert "<span>09:00</span>" not in html and "<span>09:30</span>" in html
    assert f'name="provider" value="{provider.pk}" data-wb-provider-input' in html
    data = script_data(html, service)
    assert data["provider"] == str(provider.pk) and set(data["slots"]) == {"", str(provider.pk), str(other.pk)}
    # A provider who does not offer the service is not a choice: every free time is shown.
    stranger = ProviderFactory(name="Stranger")
    html = show(client, service, booking_tz="America/New_York", booking_date=monday.isoformat(),
                booking_provider=stranger.pk)
    assert "<span>09:00</span>" in html and "Stranger" not in html


def test_booking_with_the_chosen_provider(client, page, service, provider, monday):
    other = ProviderFactory(name="Sam")
    service.providers.add(other)
    client_choice_page(page, service)
    response = client.post(f"/booking/book/{service.pk}/", {
        "slot": f"{ny(monday, 10).isoformat()}|{other.pk}", "provider": other.pk, "timezone": "Europe/London",
        "name": "Ann", "email": "ann@example.com", "intake_what_brings_you_here": "Back",
        "intake_preferred_contact": "Email", "next": "/"})
    assert response.status_code == 302
    assert service.bookings.get().provider == other


def test_the_page_costs_the_same_queries_whatever_the_number_of_providers(client, page, service):
    client_choice_page(page, service)
    client.get("/")  # warm caches (site, page tree)

    def count():
        with CaptureQueriesContext(connection) as queries:
            show(client, service, booking_tz="Europe/London")
        return len(queries)

    one = count()
    for name in ("Sam", "Lee", "Kim"):
        service.providers.add(ProviderFactory(name=name))
    assert count() == one


def test_a_fixed_provider_block_needs_a_provider(service):
    block = BookingBlock()
    value = block.to_python({"service": service.pk, "provider": None, "provider_choice": "fixed"})
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(value)
    assert "provider" in raised.value.block_errors


def test_blocks_saved_before_the_setting_keep_their_meaning(service, provider):
    block = BookingBlock()
    assert block.to_python({"service": service.pk, "provider": provider.pk}).provider_ids() == [provider.pk]
    assert block.to_python({"service": service.pk, "provider": None}).provider_ids() is None
    assert block.to_python({"service": service.pk, "provider": provider.pk,
                            "provider_choice": "client"}).provider_ids() is None

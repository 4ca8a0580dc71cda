"""Business A's visitors and A's API key never reach business B's data, through any public URL (issue 9).

Every URL of the package outside the admin (the JSON API, the booking pages, documents, webhooks, feeds) is found
by walking the URL resolver, so a new endpoint is covered without editing this file; a URL argument this file
cannot fill fails ``test_every_public_url_is_covered``. Each URL is requested with B's rows in it (GET, and POST
with a JSON body naming B's rows) in two ways: anonymously on A's host, and with A's API key on B's host (the key's
business must win over the host). Each answer must be a 4xx or show none of B's markers, and B's bookings must be
unchanged afterwards.
"""

import json
import re

import pytest
from django.urls import get_resolver, reverse

from tests.isolation.test_admin_isolation import _walk, leaks

pytestmark = pytest.mark.django_db

# A provider's calendar feed is a secret URL the provider pastes into their calendar app: the token is the whole
# authorisation and it works on any host, as calendar apps keep the URL they were given.
HOST_INDEPENDENT = {"booking/ical/<int:provider_id>/<str:token>.ics"}


def public_urls():
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("booking/") and pattern.name:
            found[route] = (name, pattern)
    return sorted((route, name, pattern) for route, (name, pattern) in found.items())


URLS = public_urls()


def _token(business, route):
    from wagtail_booking.bookings.tokens import manage_token
    from wagtail_booking.reports.links import invoice_token
    from wagtail_booking.sync.feed import feed_token, reset_feed

    if route.startswith("booking/documents/"):
        return invoice_token(business.invoice)
    if route.startswith("booking/ical/"):
        return feed_token(reset_feed(business.provider))
    if route.startswith("booking/waitlist/leave/"):
        from wagtail_booking.waitlist.lines import leave_token

        return leave_token(business.waitlist_entry)
    return manage_token(business.paid[0])


KWARGS = {
    "service_id": lambda business, route: business.service.pk,
    "provider_id": lambda business, route: business.provider.pk,
    # A booking made through the public API (it has a manage link; the factory-made ones have none).
    "reference": lambda business, route: business.paid[0].reference,
    "token": _token,
    "package_id": lambda business, route: business.package.pk,
    # An order the business's client placed (the page after paying for a package shows its credits).
    "number": lambda business, route: business.paid[0].payments.first().order.number,
    # Taking a gift card off one's own basket: another business's card id finds no hold of this basket.
    "card_id": lambda business, route: business.gift_card.pk,
    # A fee's authentication link: the world has no fee, so B's booking stands in (its pk and manage token).
    "fee_id": lambda business, route: business.paid[0].pk,
    # Calendar push endpoints are per kind, not per business: the dummy kind's reads a JSON body.
    "kind": lambda business, route: "dummy",
    "entry_id": lambda business, route: business.waitlist_entry.pk,
}


def url_for(business, route, name, pattern):
    """The route with ``business``'s rows in it (reverse() cannot tell apart the API's routes that share a name)."""
    kwargs = {key: KWARGS[key](business, route) for key in pattern.pattern.converters}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), route)


def body_naming(business, monday):
    from tests.helpers import ny
    from wagtail_booking.bookings.tokens import manage_token

    return {"service": business.service.pk, "provider": business.provider.pk, "start": ny(monday, 15).isoformat(),
            "name": "Eve", "email": "eve@example.com", "timezone": "America/New_York",
            "token": manage_token(business.paid[0]), "reference": business.paid[0].reference}


def snapshot(business):
    return [(b.pk, b.status, b.start) for b in type(business.booking).objects.filter(site=business.site)
            .order_by("pk")]


def test_every_public_url_is_covered(world):
    routes = {route for route, *_ in URLS}
    for known in ["booking/api/services", "booking/api/holds", "booking/api/integrations/bookings",
                  "booking/manage/<str:reference>/<str:token>/", "booking/documents/<str:token>/"]:
        assert known in routes, f"{known} not found by the URL walk"
    for route, _name, pattern in URLS:
        unknown = set(pattern.pattern.converters) - set(KWARGS)
        assert not unknown, f"{route}: add how to fill {unknown} to KWARGS in this file"


@pytest.mark.parametrize("route", [route for route, *_ in URLS])
def test_neither_a_visitor_nor_a_key_of_a_reaches_b(client, world, route, settings, monday):
    settings.ALLOWED_HOSTS = ["testserver", "a.test", "b.test"]
    name, pattern = next((name, pattern) for r, name, pattern in URLS if r == route)
    a, b = world["A"], world["B"]
    url = url_for(b, route, name, pattern)
    markers = b.markers()
    before = snapshot(b)
    ways = [("anonymous on A's host", {"HTTP_HOST": a.site.hostname})]
    if route.startswith("booking/api/"):
        ways.append(("A's key on B's host", {"HTTP_HOST": b.site.hostname,
                                             "HTTP_AUTHORIZATION": f"Bearer {a.api_secret}"}))
    for way, headers in ways:
        if route in HOST_INDEPENDENT and way == "anonymous on A's host":
            continue
        for method in ("get", "post"):
            data = json.dumps(body_naming(b, monday)) if method == "post" else {}
            extra = {"content_type": "application/json"} if method == "post" else {}
            response = getattr(client, method)(url, data, **extra, **headers)
            assert response.status_code != 500, (way, method, url, response.status_code)
            assert not leaks(response, markers), (way, method, url, leaks(response, markers))
    assert snapshot(b) == before, "B's bookings changed"


def test_control_a_key_and_a_host_see_a(client, world, settings):
    """The same ways in, pointed at A, do reach A's data (so the test above is not passing on errors)."""
    settings.ALLOWED_HOSTS = ["testserver", "a.test", "b.test"]
    a, b = world["A"], world["B"]
    listed = client.get(reverse("wagtail_booking:api:list_bookings"), HTTP_HOST=b.site.hostname,
                        HTTP_AUTHORIZATION=f"Bearer {a.api_secret}")
    assert listed.status_code == 200 and a.booking.reference in listed.content.decode()
    services = client.get(reverse("wagtail_booking:api:list_services"), HTTP_HOST=a.site.hostname)
    assert "Alpha Massage" in services.content.decode()
    route = "booking/manage/<str:reference>/<str:token>/"
    name, pattern = next((name, pattern) for r, name, pattern in URLS if r == route)
    page = client.get(url_for(a, route, name, pattern), HTTP_HOST=a.site.hostname)
    assert page.status_code == 200 and a.paid[0].reference in page.content.decode()
    route = "booking/documents/<str:token>/"
    name, pattern = next((name, pattern) for r, name, pattern in URLS if r == route)
    assert client.get(url_for(a, route, name, pattern), HTTP_HOST=a.site.hostname).status_code == 200

"""Business A's owner never sees business B's data, whatever admin URL they type (issue 9).

Every URL pattern of the package's admin is found by walking the URL resolver (views living in wagtail_booking,
and every URL of the viewsets registered for our models), so a view added later is covered without editing this
file; a pattern whose URL arguments this file cannot fill fails ``test_every_admin_url_is_covered``, saying what to
add to ``KWARGS``. Each pattern is requested as A's owner with B's objects in the URL (GET and POST, list pages
also with B's ids in the filters and with CSV/XLSX exports), and must answer 403/404/405, a redirect, or a page
with none of B's markers (HTML, CSV, XLSX cells, PDF text). The control: the same URLs with A's objects answer and
show A's data.
"""

from io import BytesIO

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

# Where the walk looks. To cover more of the package (API endpoints, blocks), add their prefix here, a filler for
# any new URL argument to KWARGS, and, for a pk, its model to model_of's ``explicit``.
PREFIXES = ("admin/",)


def _view_module(callback):
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}".strip(":"), pattern


def package_admin_urls():
    """(route, qualified name, pattern) of every admin URL of the package, sorted by name."""
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(PREFIXES) or not pattern.name:
            continue
        ours = _view_module(pattern.callback).startswith("wagtail_booking") or "wagtail_booking" in name
        if ours:
            found[name] = (route, pattern)
    return sorted((name, route, pattern) for name, (route, pattern) in found.items())


URLS = package_admin_urls()


def model_of(pattern, name):
    """The model whose row a pattern's ``pk`` names."""
    from wagtail_booking.api.models import ApiKey
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.giftcards.models import GiftCard
    from wagtail_booking.reports.models import Invoice, RevenueReport
    from wagtail_booking.sync.models import CalendarConnection
    from wagtail_booking.waitlist.models import WaitlistEntry

    explicit = {"wagtail_booking_reports:pdf_download": RevenueReport,
                "wagtail_booking_reports:invoice_download": Invoice,
                "wagtail_booking_api_key_revoke": ApiKey, "wagtail_booking_calendar_move": Booking,
                "wagtail_booking_giftcard": GiftCard, "wagtail_booking_calendar_sync_now": CalendarConnection,
                "wagtail_booking_calendar_disconnect": CalendarConnection,
                "wagtail_booking_waitlist_act": WaitlistEntry, "wagtail_booking_series_move": Booking}
    if name in explicit:
        return explicit[name]
    initkwargs = getattr(pattern.callback, "view_initkwargs", {}) or {}
    model = initkwargs.get("model") or getattr(getattr(pattern.callback, "view_class", None), "model", None)
    if model is None and "wagtail_booking_bookings" in name:
        return Booking
    return model


# How to fill each URL argument with a business's row. A new argument name makes test_every_admin_url_is_covered
# fail until it is added here.
KWARGS = {
    "pk": lambda business, pattern, name: model_of(pattern, name) and business.objects()[model_of(pattern, name)].pk,
    "provider_id": lambda business, pattern, name: business.provider.pk,
    "action": lambda business, pattern, name: "approve",
    "reason": lambda business, pattern, name: "no_show",  # a fee charged to the booking's card on file
    "endpoint_id": lambda business, pattern, name: business.webhook.pk,
    "delivery_id": lambda business, pattern, name: business.delivery.pk,
    "service_id": lambda business, pattern, name: business.service.pk,
    "kind": lambda business, pattern, name: "dummy",  # a calendar kind every test settings file lists
    "purchase_id": lambda business, pattern, name: business.purchase.pk,
    # A request email's signed approve/decline link naming the business's booking.
    "token": lambda business, pattern, name: _review_token(business),
}


def _review_token(business):
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.notifications.staff import review_token

    return review_token(business.objects()[Booking], "decline")


def fill(business, pattern, name):
    return {key: KWARGS[key](business, pattern, name) for key in pattern.pattern.converters}


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return pdf_text(content)
    if "spreadsheet" in kind:
        sheet = load_workbook(BytesIO(content)).active
        return "\n".join(" ".join(str(cell) for cell in row if cell is not None)
                         for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8", "replace")


def leaks(response, markers):
    if response.status_code in (403, 404, 405) or 300 <= response.status_code < 400:
        return []
    text = body_text(response)
    return [marker for marker in markers if marker in text]


def requests_for(business, other, pattern, name):
    """(method, url, data) to try: the URL with ``business``'s rows, list URLs also filtered by them."""
    url = reverse(name, kwargs=fill(business, pattern, name))
    yield "get", url, {}
    yield "post", url, {"site": business.site.pk}
    if not pattern.pattern.converters:
        model = model_of(pattern, name)
        tampered = {"site": business.site.pk, "service": business.service.pk, "provider": business.provider.pk,
                    "period": "this_year"}
        if model is not None and model in business.objects():
            tampered["id"] = business.objects()[model].pk
        yield "get", url, tampered
        for export in ("csv", "xlsx"):
            yield "get", url, {**tampered, "export": export}


def b_markers(world):
    return world["B"].markers() + ["INV-000002", "CN-000001"]


def test_every_admin_url_is_covered(world):
    """Every pattern found can be filled (else: add its argument to KWARGS), and the walk finds the known ones."""
    names = {name for name, *_ in URLS}
    for known in ["wagtail_booking_bookings:index", "wagtail_booking_bookings:inspect",
                  "wagtail_booking_bookings:action", "wagtail_booking_reports:revenue",
                  "wagtail_booking_reports:pdf_download", "wagtail_booking_reports:invoice_download",
                  "wagtail_booking_sms", "wagtail_booking_calendar_sync", "wagtail_booking_calendar_provider",
                  "wagtailsnippets_wagtail_booking_service:edit", "wagtailsnippets_wagtail_booking_busyblock:delete",
                  "wagtailsnippetchoosers_wagtail_booking_provider:chosen"]:
        assert known in names, f"{known} not found by the URL walk"
    for name, _route, pattern in URLS:
        unknown = set(pattern.pattern.converters) - set(KWARGS)
        assert not unknown, f"{name}: add how to fill {unknown} to KWARGS in this file"
        if "pk" in pattern.pattern.converters:
            assert model_of(pattern, name) in world["A"].objects(), f"{name}: say which model its pk names"


@pytest.mark.parametrize("name", [name for name, *_ in URLS])
def test_a_owner_never_sees_b(client, world, name, settings):
    route, pattern = next((route, pattern) for n, route, pattern in URLS if n == name)
    settings.ALLOWED_HOSTS = ["testserver", "a.test", "b.test"]
    client.force_login(world["A"].owner)
    markers = b_markers(world)
    for method, url, data in requests_for(world["B"], world["A"], pattern, name):
        response = getattr(client, method)(url, data)
        # Typing B's host in front of the admin URL must not make B's business the one the page is about.
        on_b = client.get(url, data, HTTP_HOST=world["B"].site.hostname) if method == "get" else None
        assert on_b is None or not leaks(on_b, markers), ("get on B's host", url, data, leaks(on_b, markers))
        assert response.status_code < 500, (method, url, data, response.status_code)
        if pattern.pattern.converters and method == "get" and "pk" in pattern.pattern.converters \
                or {"provider_id", "endpoint_id", "token"} & set(pattern.pattern.converters):
            assert response.status_code in (404, 405), (method, url, response.status_code)
        assert not leaks(response, markers), (method, url, data, leaks(response, markers))


@pytest.mark.parametrize("name", [name for name, *_ in URLS])
def test_control_a_owner_sees_a(client, world, name):
    """The same URLs with A's own rows answer (not 404) and, where they show a page, show A's data."""
    route, pattern = next((route, pattern) for n, route, pattern in URLS if n == name)
    client.force_login(world["A"].owner)
    url = reverse(name, kwargs=fill(world["A"], pattern, name))
    response = client.get(url)
    if name in REFUSED_TO_EVERYONE:
        assert response.status_code == 404, url
        return
    assert response.status_code != 404, url
    if response.status_code == 200 and name in SHOWS_ROWS:
        assert any(marker in body_text(response) for marker in world["A"].markers()), url


SHOWS_ROWS = {name for name, *_ in URLS if name.endswith((":index", ":list", ":edit", ":inspect", ":delete",
                                                           ":choose"))} | {
    "wagtail_booking_sms", "wagtail_booking_calendar_sync", "wagtail_booking_calendar_provider",
    "wagtail_booking_reports:clients", "wagtail_booking_waitlist",
    "wagtail_booking_reports:revenue_by_service", "wagtail_booking_reports:pdf_download",
    "wagtail_booking_reports:invoice_download"}

# Our choosers create nothing (rows are made on their own pages, with their business): a 404 for everyone.
REFUSED_TO_EVERYONE = {name for name, *_ in URLS if name.startswith("wagtailsnippetchoosers_") and
                       name.endswith(":create")}

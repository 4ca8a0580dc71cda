"""Where the client came from: the page with the booking block, so an expired hold can offer "pick a new time".

The block's form posts to the booking view, which redirects to the payment hand-off (``views.pay``); the browser
keeps the block page as the Referer through that redirect. Only an address on this site is remembered.
"""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "wagtail_booking_booking_page"


def remember_booking_page(request):
    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return
    try:
        match = resolve(urlsplit(referer).path)
    except Resolver404:
        match = None
    if match is not None and match.namespace in ("wagtail_booking", "checkout", "basket"):
        return  # our own form or checkout pages (a re-shown form), not the page that holds the block
    request.session[SESSION_KEY] = referer


def booking_page(request) -> str:
    """The page to pick a new time on: the block page the client came from, else the site's home page."""
    return request.session.get(SESSION_KEY) or "/"

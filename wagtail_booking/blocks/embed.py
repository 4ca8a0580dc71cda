"""The booking block on a bare page that other websites frame (``<iframe>``), and the framed steps after it.

Only these views may be framed: each response is exempt from ``X-Frame-Options`` and carries a
``Content-Security-Policy: frame-ancestors`` from ``WAGTAIL_BOOKING["EMBED_FRAME_ANCESTORS"]``.

CSRF: inside a frame on another site our cookies are third-party cookies, which browsers increasingly drop (and
Django's CSRF cookie is ``SameSite=Lax``, never sent there), so the framed form cannot rely on the CSRF cookie.
Its POST carries instead a signed, expiring token naming the service (``embed_token``), checked by
``embed_book``, which is exempt from the cookie check. The form books anonymously and changes nothing of a signed-in
user, which is what a CSRF attack would abuse; the token still proves the post comes from a form we served lately.
Payment is not taken in the frame: the checkout keeps the basket in a cookie, and card pages in third-party frames
are fragile, so a hold that needs a deposit offers "Continue to payment" in a new tab.
"""

from functools import wraps

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..bookings.models import Booking
from ..businesses import site_for_request
from ..checkout.cards import pending_card
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from ..snippets.models import Provider, Service
from ..throttling import rate_limited
from . import BookingBlock, views

EMBED_BASE = "wagtail_booking/embed/base.html"
TOKEN_SALT = "wagtail_booking.embed-form"
TOKEN_MAX_AGE = 6 * 60 * 60  # a form left open for an afternoon still books


def frame_ancestors() -> str:
    sources = booking_settings.EMBED_FRAME_ANCESTORS
    return "frame-ancestors " + (" ".join(sources) if sources else "'none'")


def framable(view):
    """Let other sites frame ``view``'s pages (those listed in EMBED_FRAME_ANCESTORS)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = frame_ancestors()
        return response

    return wrapper


def form_token(service) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(service.pk))


def token_is_valid(token, service) -> bool:
    try:
        value = signing.TimestampSigner(salt=TOKEN_SALT).unsign(token or "", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return False
    return value == str(service.pk)


def _embed_context(service):
    return {"template": "wagtail_booking/embed/book.html", "base_template": EMBED_BASE,
            "book_url": reverse("wagtail_booking:embed-book", args=[service.pk]),
            "embed_token": form_token(service)}


def _service(request, service_id):
    return get_object_or_404(Service, pk=service_id, active=True, site=site_for_request(request))


@framable
@require_GET
def embed(request, service_id):
    """The block for ``service_id`` alone on a page; ``?provider=<id>`` fixes the provider as the block can."""
    service = _service(request, service_id)
    provider = None
    if request.GET.get("provider", "").isdigit():
        provider = Provider.objects.filter(pk=request.GET["provider"], site_id=service.site_id,
                                           services=service).first()
        if provider is None:
            raise Http404("This provider does not offer the service.")
    block = BookingBlock()
    value = block.to_python({"service": service.pk, "provider": provider.pk if provider else None,
                             "heading": request.GET.get("heading", "")[:100], "intro": ""})
    html = block.render(value, context={"request": request, **_embed_context(service)})
    return render(request, "wagtail_booking/embed/block.html", {"block_html": html, "service": service})


@framable
@csrf_exempt  # the signed embed_token stands in for the cookie (module docstring)
@require_POST
@rate_limited("write")
def embed_book(request, service_id):
    service = _service(request, service_id)
    if not token_is_valid(request.POST.get("embed_token"), service):
        return render(request, "wagtail_booking/embed/expired.html",
                      {"service": service, "embed_url": reverse("wagtail_booking:embed", args=[service.pk])},
                      status=403)
    return views.book_service(request, service, embed=_embed_context(service))


@framable
@require_GET
def embed_booked(request, reference, token):
    booking = views.booking_for_token(request, reference, token)
    if booking.status == Booking.Status.HELD:
        return render(request, "wagtail_booking/embed/pay.html", {
            **views.booking_context(booking, token), "base_template": EMBED_BASE,
            "pay_url": get_payment_handoff().checkout_url(booking, request)})
    # No deposit to save the card with, and the client agreed to keep one on file: the card-saving step, in a new
    # tab like the payment (Stripe.js and 3-D Secure need the top window), offered on the framed confirmation.
    card_url = get_payment_handoff().card_setup_url(booking, request) if pending_card(booking) else None
    return views.booked(request, reference, token, base_template=EMBED_BASE, card_setup_url=card_url)

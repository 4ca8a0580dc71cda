"""The client's waitlist pages: join (from the booking block), leave (the emailed link), claim an offer."""

from zoneinfo import ZoneInfo

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ..bookings.intake import InvalidInput
from ..bookings.models import Booking
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..checkout.handoff import get_payment_handoff
from ..conf import booking_settings
from ..snippets.models import Service
from ..throttling import rate_limited
from . import claims, lines
from .forms import JoinForm
from .models import WaitlistEntry

# The page a refusal answers with, and its status: a link that names nothing, one used up, one lapsed, a place lost.
REFUSALS = {"unknown": 404, "used": 410, "expired": 410, "taken": 409, "refused": 409}


def _render(request, template, context, status=200):
    context = {"booking_base_template": booking_settings.BASE_TEMPLATE, **context}
    return render(request, f"wagtail_booking/waitlist/{template}", context, status=status)


@require_POST
@rate_limited("write")
def join(request, service_id):
    service = get_object_or_404(Service, pk=service_id, active=True, site=site_for_request(request))
    form = JoinForm(service, data=request.POST)
    back = _back(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            waiter = lines.clean_waiter(data["name"], data["email"], data["timezone"], data["phone"],
                                        data["sms_consent"], data["language"])
            entry = lines.join(form.want(), waiter)
        except InvalidInput as error:
            for field, message in error.errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            return _render(request, "joined.html", {"entry": entry, "back": back, **_wanted(entry)})
    return _render(request, "join.html", {"service": service, "form": form, "back": back}, status=400)


@require_http_methods(["GET", "POST"])
def leave(request, entry_id, token):
    entry = lines.entry_for_leave_token(entry_id, token)
    if entry is None or entry.site_id != site_for_request(request).pk:  # a link works on its business's site
        return _render(request, "gone.html", {"reason": "unknown"}, status=404)
    if request.method == "POST":
        entry = lines.leave(entry)
        return _render(request, "left.html", {"entry": entry})
    return _render(request, "leave.html", {"entry": entry, **_wanted(entry)})


@require_http_methods(["GET", "POST"])
@rate_limited("write")
def claim(request, token):
    try:
        entry = claims.entry_for_token(token)
        if entry.site_id != site_for_request(request).pk:  # a link works on its business's site only
            raise claims.ClaimRefused("unknown")
        if request.method == "GET":
            claims.check_open(entry)
            return _render(request, "claim.html", {"entry": entry, "token": token, **_offer(entry)})
        booking = claims.claim(token)
    except claims.ClaimRefused as refused:
        return _refused(request, refused)
    if booking.status == Booking.Status.HELD:  # a deposit is due: the ordinary payment step
        return HttpResponseRedirect(get_payment_handoff().checkout_url(booking, request))
    return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[booking.reference, manage_token(booking)]))


def _refused(request, refused):
    entry = refused.entry
    context = {"reason": refused.reason, "entry": entry, "message": refused.message}
    if entry is not None:
        zone = ZoneInfo(entry.client_timezone)
        context.update(_offer(entry))
        context["alternatives"] = [slot.start.astimezone(zone) for slot in refused.alternatives]
        context["still_waiting"] = entry.status == WaitlistEntry.Status.WAITING
        context["leave_url"] = reverse("wagtail_booking:waitlist-leave", args=[entry.pk, lines.leave_token(entry)])
        if entry.booking_id:
            context["booked_url"] = reverse("wagtail_booking:booked", args=[entry.booking.reference,
                                                                            manage_token(entry.booking)])
    return _render(request, "gone.html", context, status=REFUSALS[refused.reason])


def _offer(entry):
    zone = ZoneInfo(entry.client_timezone)
    return {"zone_name": entry.client_timezone,
            "place": entry.offered_start.astimezone(zone) if entry.offered_start else None,
            "until": entry.offer_expires_at.astimezone(zone) if entry.offer_expires_at else None,
            "provider": entry.offered_provider, "now": timezone.now()}


def _wanted(entry):
    zone = ZoneInfo(entry.client_timezone)
    moment = entry.start or (entry.session.start if entry.session_id else None)
    return {"zone_name": entry.client_timezone, "wanted_time": moment.astimezone(zone) if moment else None}


def _back(request):
    candidate = request.POST.get("next", "")
    return candidate if candidate.startswith("/") and not candidate.startswith(("//", "/\\")) else "/"

"""Emails and texts to the business's own people about its bookings.

Who is told (docs/howto/staff-notifications.md):

* the booking's **provider**, about the events ticked on their page (Booking setup > Providers > Notifications), at
  the provider's email address, in the provider's time zone; by text as well when they agreed to texts, gave a
  phone number and the business has texts switched on;
* the business's **owners**: the addresses in Settings > Booking business details > "Staff notifications: send
  to", about the events ticked there, in the business's time zone.

Staff messages are written in the site's default language. A request's email carries signed approve and decline
links; they open the admin's confirmation page (after signing in), they never act by themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .. import formats
from ..conf import booking_settings
from ..phone import to_e164
from ..site_settings import business_name, business_zone, events_of, owner_addresses, site_base_url, site_settings
from .models import SmsMessage, SmsOptOut

REVIEW_SALT = "wagtail_booking.staff-review"
REVIEW_MAX_AGE = 60 * 60 * 24 * 30  # a request left a month is stale; the booking's page still has the buttons
REVIEW_ACTIONS = ("approve", "decline")


def site_language(site) -> str:
    """The language staff messages of ``site`` are written in: its root page's locale, else ``LANGUAGE_CODE``."""
    try:
        return site.root_page.locale.language_code
    except AttributeError:
        return settings.LANGUAGE_CODE


def email_recipients(booking, event) -> list[tuple[str, str]]:
    """``(address, zone)`` of everyone to email about ``event`` of ``booking``; each address once, the provider's
    zone winning for an address that is both the provider's and an owner's."""
    provider = booking.provider
    found: dict[str, tuple[str, str]] = {}
    if provider.email and event in events_of(provider.notify_events):
        found[provider.email.lower()] = (provider.email, provider.timezone)
    config = site_settings(booking.site)
    if config is not None and event in events_of(config.staff_notify_events):
        zone = business_zone(booking.site)
        for address in owner_addresses(config.staff_notify_emails):
            found.setdefault(address.lower(), (address, zone))
    return list(found.values())


def sms_number(booking, event) -> str:
    """The provider's number when they want ``event`` by text and may get it; else ""."""
    provider = booking.provider
    if not (provider.notify_by_sms and provider.phone and event in events_of(provider.notify_events)):
        return ""
    config = site_settings(booking.site)
    if not (config and config.sms_enabled):
        return ""
    try:
        number = to_e164(provider.phone)
    except ValueError:
        return ""
    return "" if SmsOptOut.is_opted_out(number) else number


def queue_sms(booking, event, detail="") -> SmsMessage | None:
    """Record the provider's text about ``event`` (the caller queues ``send_sms_task`` for it), or None."""
    number = sms_number(booking, event)
    if not number:
        return None
    with translation.override(site_language(booking.site)):
        body = sms_body(booking, event, booking.provider.timezone)
    return SmsMessage.objects.create(booking=booking, site_id=booking.site_id, kind=f"staff_{event}", to=number,
                                     body=body)


def sms_body(booking, event, zone) -> str:
    when = formats.when(booking.start, zone)
    words = {
        "booked": _("New booking"), "requested": _("Request awaiting approval"), "cancelled": _("Cancelled"),
        "rescheduled": _("Moved"), "payment_failed": _("Payment problem"),
    }[event]
    return _("%(event)s: %(service)s, %(client)s, %(when)s. Ref %(ref)s") % {
        "event": words, "service": booking.service.name, "client": booking.client_name, "when": when,
        "ref": booking.reference}


# Signed links --------------------------------------------------------------------------------------------------


def review_token(booking, action) -> str:
    return signing.dumps({"b": booking.pk, "a": action}, salt=REVIEW_SALT, compress=True)


def read_review_token(token) -> tuple[int, str]:
    """``(booking id, action)`` of a link from a request's email; raises ``signing.BadSignature`` (or its
    ``SignatureExpired``) for a link that was altered or is older than a month."""
    data = signing.loads(token, salt=REVIEW_SALT, max_age=REVIEW_MAX_AGE)
    if not isinstance(data, dict) or data.get("a") not in REVIEW_ACTIONS or not isinstance(data.get("b"), int):
        raise signing.BadSignature("Not a review link.")
    return data["b"], data["a"]


def admin_base_url(site) -> str:
    return (getattr(settings, "WAGTAILADMIN_BASE_URL", "") or site_base_url(site)).rstrip("/")


# The email -----------------------------------------------------------------------------------------------------


def subject(booking, event, when) -> str:
    values = {"service": booking.service.name, "client": booking.client_name, "when": when,
              "ref": booking.reference}
    return {
        "booked": _("New booking: %(service)s, %(client)s, %(when)s"),
        "requested": _("Request awaiting approval: %(service)s, %(client)s, %(when)s"),
        "cancelled": _("Cancelled: %(service)s, %(client)s, %(when)s"),
        "rescheduled": _("Moved: %(service)s, %(client)s, now %(when)s"),
        "payment_failed": _("Payment problem: booking %(ref)s, %(client)s"),
    }[event] % values


def answer_text(value) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, "", []):
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def preferences_url(booking, to) -> str:
    """Where ``to`` chooses what they are sent: the provider's page, or the business's settings for owners."""
    if to.lower() == (booking.provider.email or "").lower():
        return reverse("wagtailsnippets_wagtail_booking_provider:edit", args=[booking.provider_id])
    return reverse("wagtailsettings:edit", args=["wagtail_booking", "businesssettings", booking.site_id])


def email_context(booking, event, zone, detail="", to="") -> dict:
    base = admin_base_url(booking.site)
    context = {
        "booking": booking, "event": event, "zone": zone, "business_name": business_name(booking.site),
        "when": formats.when(booking.start, zone), "ends": formats.when(booking.end, zone, formats.TIME,
                                                                        named=False),
        # What the client pays, tax included when the business adds it on top (as on the client's own pages).
        "price": formats.money(booking.price_with_tax, booking.currency) if booking.price else "",
        "deposit": formats.money(booking.deposit_with_tax, booking.currency) if booking.deposit_due else "",
        "answers": [(answer.get("label", ""), answer_text(answer.get("value")))
                    for answer in booking.intake_answers or [] if isinstance(answer, dict)],
        "booking_url": base + reverse("wagtail_booking_bookings:inspect", args=[booking.pk]),
        "preferences_url": base + preferences_url(booking, to),
    }
    if event == "booked":
        context["series"] = series_dates(booking, zone)
    if event == "rescheduled" and detail:
        context["previous_when"] = formats.when(datetime.fromisoformat(detail), zone)
    if event == "payment_failed":
        context["problem"] = detail
    if event == "requested":
        context["review_links"] = [
            (_("Approve"), base + reverse("wagtail_booking_staff_review", args=[review_token(booking, "approve")])),
            (_("Decline"), base + reverse("wagtail_booking_staff_review", args=[review_token(booking, "decline")])),
        ]
    return context


def series_dates(booking, zone) -> list[str]:
    """Every date of the series ``booking`` opens (its first appointment), for the one "new booking" message staff
    get about it; [] for any other booking."""
    if booking.series_id is None:
        return []
    starts = list(booking.series.bookings.order_by("start").values_list("pk", "start"))
    if not starts or starts[0][0] != booking.pk:
        return []
    return [formats.when(start, zone) for _pk, start in starts]


def send_email(booking, event, to, zone, detail="") -> None:
    """One staff email about ``event`` of ``booking`` to ``to``, times in ``zone``."""
    with translation.override(site_language(booking.site)):
        context = email_context(booking, event, zone, detail, to)
        message = EmailMultiAlternatives(
            subject=subject(booking, event, context["when"]),
            body=render_to_string("wagtail_booking/email/staff.txt", context),
            from_email=booking_settings.from_email, to=[to], reply_to=[booking.client_email])
        message.attach_alternative(render_to_string("wagtail_booking/email/staff.html", context), "text/html")
    message.send()

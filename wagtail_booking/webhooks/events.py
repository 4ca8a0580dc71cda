"""The events a business can subscribe to, and the payload each sends (a snapshot taken when it happened).

Payloads name the booking by its reference and carry what a receiving system needs to mirror it. They never carry
card data, manage links or their tokens, or staff notes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from ..site_settings import BusinessSettings

API_VERSION = "2027-03-01"

EVENT_TYPES = {
    "booking.created": _("Booking made (requested or confirmed)"),
    "booking.confirmed": _("Booking confirmed"),
    "booking.cancelled": _("Booking cancelled or declined"),
    "booking.rescheduled": _("Booking moved to another time"),
    "booking.completed": _("Appointment completed"),
    "booking.no_show": _("Client did not come"),
    "payment.succeeded": _("Payment taken"),
    "payment.refunded": _("Payment refunded"),
}


def site_of(booking) -> Site:
    """The business the booking belongs to."""
    return booking.site


def event(event_type: str, booking, payment=None, now: datetime | None = None, **extra) -> dict:
    """The full event body: ``{"id", "type", "created", "api_version", "data": {...}}``."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event {event_type!r}")
    data = {"booking": booking_data(booking), **extra}
    if payment is not None:
        data["payment"] = payment_data(payment)
    return {"id": str(uuid.uuid4()), "type": event_type, "api_version": API_VERSION,
            "created": iso(now or timezone.now(), "UTC"), "data": data}


def booking_data(booking) -> dict:
    site = site_of(booking)
    zone = booking.provider.timezone
    return {
        "reference": booking.reference,
        "status": booking.status,
        "service": {"name": booking.service.name, "duration_minutes": booking.service.duration_minutes},
        "provider": {"name": booking.provider.name, "timezone": zone},
        "start": iso(booking.start, zone),
        "end": iso(booking.end, zone),
        "client": {"name": booking.client_name, "email": booking.client_email, "phone": booking.client_phone,
                   "timezone": booking.client_timezone},
        "business": {"name": BusinessSettings.for_site(site).display_name(), "site": site.root_url},
        "price": money(booking.price, booking.currency),
        "deposit": money(booking.deposit_due, booking.currency),
        # What the client pays: the same as above unless the business adds tax on top of its prices.
        "price_with_tax": money(booking.price_with_tax, booking.currency),
        "deposit_with_tax": money(booking.deposit_with_tax, booking.currency),
        "created": iso(booking.created_at, "UTC") if booking.created_at else None,
    }


def payment_data(payment) -> dict:
    return {
        "order_number": payment.order_number,
        "status": payment.state,
        "amount": money(payment.amount, payment.currency),
        "captured": money(payment.amount_captured, payment.currency),
        "refunded": money(payment.amount_refunded, payment.currency),
        "stripe_payment_intent": payment.payment_intent_id,
    }


def money(amount: Decimal, currency: str) -> dict:
    """Amounts are strings (never floats) with their currency: ``{"amount": "20.00", "currency": "USD"}``."""
    return {"amount": str(amount), "currency": (currency or "").upper()}


def iso(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).isoformat()

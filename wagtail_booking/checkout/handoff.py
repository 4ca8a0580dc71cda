"""The seam between holds and payment.

When a service asks for a payment, :func:`wagtail_booking.bookings.services.create_hold` leaves the booking
*held* and the API / booking block send the client to ``handoff.checkout_url(booking, request)``. The payment
integration calls :func:`wagtail_booking.bookings.services.complete_hold` once the money is taken; if that raises
``SlotUnavailable`` it must return the money.

Choose the implementation with ``WAGTAIL_BOOKING["PAYMENT_HANDOFF"]`` (a dotted path).
"""

from django.utils.module_loading import import_string

from ..conf import booking_settings


class PaymentHandoff:
    """Base class for payment integrations."""

    def is_available(self, site=None) -> bool:
        """Called before a hold for a paid service is created, and by the booking block before it offers times.

        ``site`` is the business (the Wagtail ``Site`` of the service) whose client would pay; None asks about the
        install as a whole. False refuses such holds with a clear message (the API's 409, the block's sentence),
        before any hold exists. Subclasses written without the ``site`` argument are still called without it.
        """
        return True

    def checkout_url(self, booking, request) -> str:
        """Called right after a paid hold is created; returns the URL where the client pays for it."""
        raise NotImplementedError

    def card_setup_url(self, booking, request) -> str | None:
        """Called after a booking without a deposit whose client agreed to keep a card on file; returns the URL
        where they add it, or None when this integration cannot keep cards (no box is offered then)."""
        return None


class NoPaymentHandoff(PaymentHandoff):
    """No payment integration: services that ask for a payment cannot be booked online."""

    def is_available(self, site=None) -> bool:
        return False


def get_payment_handoff() -> PaymentHandoff:
    return import_string(booking_settings.PAYMENT_HANDOFF)()


class StripeCheckoutHandoff(PaymentHandoff):
    """Paid holds go through the Oscar checkout, with Stripe taking the card (see checkout/oscar_checkout)."""

    def is_available(self, site=None) -> bool:
        """Stripe is configured, and the business has a Stripe account ready for charges or may use the
        platform's (``STRIPE_CONNECT_FALLBACK_TO_PLATFORM``)."""
        from django.conf import settings

        from .connect import can_take_payments

        configured = all(getattr(settings, name, "") for name in STRIPE_SETTINGS)
        return configured and (site is None or can_take_payments(site.pk))

    def checkout_url(self, booking, request) -> str:
        from django.urls import reverse

        from ..bookings.tokens import manage_token

        return reverse("wagtail_booking:pay", args=[booking.reference, manage_token(booking)])


    def card_setup_url(self, booking, request) -> str | None:
        from django.urls import reverse

        from ..bookings.tokens import manage_token

        return reverse("wagtail_booking:save-card", args=[booking.reference, manage_token(booking)])


STRIPE_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")

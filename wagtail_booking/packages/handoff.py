"""The payment hand-off that offers credits first: ``WAGTAIL_BOOKING["PAYMENT_HANDOFF"] =
"wagtail_booking.packages.handoff.CreditsOrStripeHandoff"``."""

from django.urls import reverse

from ..bookings.links import my_bookings_email
from ..bookings.tokens import manage_token
from ..checkout.handoff import StripeCheckoutHandoff
from . import credits


class CreditsOrStripeHandoff(StripeCheckoutHandoff):
    """Stripe's checkout, except that a client who may hold credits for the service is asked first whether to
    book with one (they prove the credits are theirs there: signed in as the buyer, in a "my bookings" session
    opened from the buyer's email, or with the emailed code)."""

    def checkout_url(self, booking, request) -> str:
        """Called right after a paid hold is created: the credits page when credits for the service exist for
        the client's email or signed-in account, else the Stripe payment page."""
        usable = credits.usable(booking.site_id, booking.service)
        user = getattr(request, "user", None)
        maybe = usable.filter(client_email__iexact=booking.client_email)
        if user is not None and user.is_authenticated:
            maybe = maybe | usable.filter(user=user)
        if request is not None and (email := my_bookings_email(request, booking.site_id)):
            maybe = maybe | usable.filter(client_email__iexact=email)
        if any(credits.balance_of(purchase) > 0 for purchase in maybe.distinct()):
            return reverse("wagtail_booking:use-credit", args=[booking.reference, manage_token(booking)])
        return super().checkout_url(booking, request)

"""What a failed Stripe call means for the person in front of the page, in one exception for every payment path."""

import logging

from . import gateway

logger = logging.getLogger(__name__)


class PaymentProblem(Exception):
    """Stripe could not be reached or refused, or a fee cannot be charged; ``message`` says why, in words for the
    client or for staff.

    ``transient`` is True when trying again later can help (network, Stripe's 5xx, rate limits).
    """

    def __init__(self, message, transient=True):
        super().__init__(message)
        self.message, self.transient = message, transient


def stripe_call(function, *args, **kwargs):
    stripe_error, card_error, _ = gateway.errors()
    try:
        return function(*args, **kwargs)
    except card_error as error:
        raise PaymentProblem(error.user_message or "Your card was declined.") from error
    except stripe_error as error:
        logger.warning("Stripe call %s failed: %s", function.__name__, error)
        if gateway.is_transient(error):
            raise PaymentProblem("The payment service is not answering right now; please try again in a minute. "
                                 "Your time stays held until the hold expires.") from error
        raise PaymentProblem("The payment service refused this request; nothing was charged. Please contact us "
                             f"and quote {getattr(error, 'request_id', '') or 'this message'}.",
                             transient=False) from error

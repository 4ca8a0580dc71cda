"""Stripe SDK calls only (the facade maps their results onto our models). stripe is imported here alone."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _stripe():
    try:
        import stripe
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImproperlyConfigured("Install wagtail-booking[stripe] to take payments with Stripe.") from error
    return stripe


def client():
    """A StripeClient for STRIPE_SECRET_KEY; STRIPE_API_BASE points it elsewhere (the loopback fake)."""
    stripe = _stripe()
    key = getattr(settings, "STRIPE_SECRET_KEY", "")
    if not key:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set.")
    options = {"max_network_retries": getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2)}
    base = getattr(settings, "STRIPE_API_BASE", "")
    if base:
        options["base_addresses"] = {"api": base}
    return stripe.StripeClient(key, **options)


def create_intent(amount_minor, currency, capture_manual, metadata, idempotency_key, email=""):
    params = {"amount": amount_minor, "currency": currency.lower(),
              "capture_method": "manual" if capture_manual else "automatic",
              "automatic_payment_methods": {"enabled": True}, "metadata": metadata}
    if email:
        params["receipt_email"] = email
    return client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})


def update_amount(intent_id, amount_minor, idempotency_key):
    return client().v1.payment_intents.update(intent_id, params={"amount": amount_minor},
                                              options={"idempotency_key": idempotency_key})


def retrieve(intent_id):
    return client().v1.payment_intents.retrieve(intent_id)


def capture(intent_id, amount_minor, idempotency_key):
    params = {"amount_to_capture": amount_minor} if amount_minor is not None else {}
    return client().v1.payment_intents.capture(intent_id, params=params, options={"idempotency_key": idempotency_key})


def cancel(intent_id, idempotency_key):
    return client().v1.payment_intents.cancel(intent_id, options={"idempotency_key": idempotency_key})


def refund(intent_id, amount_minor, idempotency_key):
    return client().v1.refunds.create(params={"payment_intent": intent_id, "amount": amount_minor},
                                      options={"idempotency_key": idempotency_key})


def list_refunds(intent_id):
    return client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100}).data


def construct_event(payload: bytes, signature: str):
    """Verify the signature on the raw body; raises ValueError or stripe.SignatureVerificationError."""
    stripe = _stripe()
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


def is_transient(error) -> bool:
    """Network trouble, Stripe's own errors and rate limits pass; a refused request does not."""
    stripe = _stripe()
    return isinstance(error, (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError))


def errors():
    """The SDK's exception classes, for callers that must not import stripe themselves."""
    stripe = _stripe()
    return stripe.StripeError, stripe.CardError, stripe.SignatureVerificationError

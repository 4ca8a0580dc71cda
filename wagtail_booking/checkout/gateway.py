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


def _options(account="", idempotency_key=None):
    """Request options: ``stripe_account`` makes the SDK send the Stripe-Account header (a Connect account)."""
    options = {}
    if account:
        options["stripe_account"] = account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def create_intent(amount_minor, currency, capture_manual, metadata, idempotency_key, email="", account="",
                  fee_minor=None, customer="", save_card=False):
    """On ``account`` (a direct charge, the platform keeping ``fee_minor``), or on the platform when empty.

    ``save_card``: the client agreed to keep the card on file; Stripe attaches it to ``customer`` for later
    off-session charges (``setup_future_usage``).
    """
    params = {"amount": amount_minor, "currency": currency.lower(),
              "capture_method": "manual" if capture_manual else "automatic",
              "automatic_payment_methods": {"enabled": True}, "metadata": metadata}
    if email:
        params["receipt_email"] = email
    if customer:
        params["customer"] = customer
        if save_card:
            params["setup_future_usage"] = "off_session"
    if account and fee_minor:
        params["application_fee_amount"] = fee_minor
    return client().v1.payment_intents.create(params=params, options=_options(account, idempotency_key))


def update_amount(intent_id, amount_minor, idempotency_key, account="", fee_minor=None):
    params = {"amount": amount_minor}
    if account and fee_minor is not None:
        params["application_fee_amount"] = fee_minor
    return client().v1.payment_intents.update(intent_id, params=params, options=_options(account, idempotency_key))


def retrieve(intent_id, account=""):
    return client().v1.payment_intents.retrieve(intent_id, options=_options(account))


def capture(intent_id, amount_minor, idempotency_key, account="", fee_minor=None):
    params = {"amount_to_capture": amount_minor} if amount_minor is not None else {}
    if account and fee_minor is not None:
        params["application_fee_amount"] = fee_minor
    return client().v1.payment_intents.capture(intent_id, params=params, options=_options(account, idempotency_key))


def cancel(intent_id, idempotency_key, account=""):
    return client().v1.payment_intents.cancel(intent_id, options=_options(account, idempotency_key))


def refund(intent_id, amount_minor, idempotency_key, account=""):
    """On a connected account the platform's fee goes back too, in proportion to the amount refunded."""
    params = {"payment_intent": intent_id, "amount": amount_minor}
    if account:
        params["refund_application_fee"] = True
    return client().v1.refunds.create(params=params, options=_options(account, idempotency_key))


def list_refunds(intent_id, account=""):
    return client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100},
                                    options=_options(account)).data


def retrieve_charge(charge_id, account=""):
    return client().v1.charges.retrieve(charge_id, options=_options(account))


def application_fee(fee_id):
    """The platform's fee on a connected account's charge (it lives on the platform)."""
    return client().v1.application_fees.retrieve(fee_id)


# Cards on file: a Customer, a SetupIntent, then PaymentIntents charged without the client ----------------------


def create_customer(email, name, metadata, idempotency_key, account=""):
    params = {"email": email, "name": name, "metadata": metadata}
    return client().v1.customers.create(params=params, options=_options(account, idempotency_key))


def create_setup_intent(customer, metadata, idempotency_key, account=""):
    params = {"customer": customer, "usage": "off_session", "payment_method_types": ["card"], "metadata": metadata}
    return client().v1.setup_intents.create(params=params, options=_options(account, idempotency_key))


def retrieve_setup_intent(setup_intent_id, account=""):
    return client().v1.setup_intents.retrieve(setup_intent_id, options=_options(account))


def retrieve_payment_method(payment_method_id, account=""):
    return client().v1.payment_methods.retrieve(payment_method_id, options=_options(account))


def create_off_session_intent(amount_minor, currency, customer, payment_method, metadata, idempotency_key,
                              account="", fee_minor=None):
    """A PaymentIntent for a saved card, not yet confirmed (so we know its id before any money moves); on a
    connected ``account`` the platform keeps ``fee_minor``."""
    params = {"amount": amount_minor, "currency": currency.lower(), "customer": customer,
              "payment_method": payment_method, "payment_method_types": ["card"], "metadata": metadata}
    if account and fee_minor:
        params["application_fee_amount"] = fee_minor
    return client().v1.payment_intents.create(params=params, options=_options(account, idempotency_key))


def confirm_off_session(intent_id, payment_method, idempotency_key, account=""):
    """Charge the saved card without the client; a bank that wants them raises CardError authentication_required."""
    params = {"payment_method": payment_method, "off_session": True}
    return client().v1.payment_intents.confirm(intent_id, params=params, options=_options(account, idempotency_key))


# Connect: the businesses' own accounts ----------------------------------------------------------------------------


def create_account(kind, email, business_name, metadata, idempotency_key):
    params = {"type": kind, "metadata": metadata, "business_profile": {"name": business_name}}
    if email:
        params["email"] = email
    return client().v1.accounts.create(params=params, options=_options(idempotency_key=idempotency_key))


def retrieve_account(account_id):
    return client().v1.accounts.retrieve(account_id)


def onboarding_link(account_id, refresh_url, return_url):
    """A one-time address of Stripe's hosted onboarding; it expires within minutes."""
    return client().v1.account_links.create(params={"account": account_id, "refresh_url": refresh_url,
                                                    "return_url": return_url, "type": "account_onboarding"})


def construct_event(payload: bytes, signature: str, secret=None):
    """Verify the signature on the raw body; raises ValueError or stripe.SignatureVerificationError.

    ``secret``: the signing secret of the endpoint (default STRIPE_WEBHOOK_SECRET, the platform's).
    """
    stripe = _stripe()
    return stripe.Webhook.construct_event(payload, signature, secret or settings.STRIPE_WEBHOOK_SECRET)


def is_transient(error) -> bool:
    """Network trouble, Stripe's own errors and rate limits pass; a refused request does not."""
    stripe = _stripe()
    return isinstance(error, (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError))


def errors():
    """The SDK's exception classes, for callers that must not import stripe themselves."""
    stripe = _stripe()
    return stripe.StripeError, stripe.CardError, stripe.SignatureVerificationError

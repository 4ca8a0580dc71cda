"""System checks: each message says what is wrong and how to fix it."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from .conf import DEFAULTS, booking_settings
from .sync.checks import check_calendar_backends, check_google_settings
from .timezones import is_known_zone


@register()
def check_settings(app_configs, **kwargs):
    errors = []
    if not getattr(settings, "USE_TZ", False):
        errors.append(Error("wagtail-booking stores times in UTC and needs USE_TZ = True.",
                            hint="Set USE_TZ = True in your settings.", id="wagtail_booking.E001"))
    if not hasattr(settings, "HUEY"):
        errors.append(Error(
            "HUEY is not configured; booking emails and hold clean-up run as Huey tasks.",
            hint='Add HUEY = {"huey_class": "huey.SqliteHuey", "filename": BASE_DIR / "huey.sqlite3"} for one '
                 'machine, or {"huey_class": "huey.RedisHuey", "url": REDIS_URL} for several.',
            id="wagtail_booking.E002"))
    unknown = set(getattr(settings, "WAGTAIL_BOOKING", {})) - set(DEFAULTS)
    if unknown:
        errors.append(Error(f"Unknown WAGTAIL_BOOKING keys: {', '.join(sorted(unknown))}.",
                            hint=f"Valid keys are {', '.join(sorted(DEFAULTS))}.", id="wagtail_booking.E003"))
    if not is_known_zone(booking_settings.default_timezone):
        errors.append(Error(f"{booking_settings.default_timezone!r} is not an IANA time zone.",
                            hint='Set WAGTAIL_BOOKING["DEFAULT_TIMEZONE"] to a zone such as "Europe/London".',
                            id="wagtail_booking.E004"))
    try:
        import_string(booking_settings.PAYMENT_HANDOFF)
    except ImportError as error:
        errors.append(Error(f"WAGTAIL_BOOKING['PAYMENT_HANDOFF'] cannot be imported: {error}.",
                            hint="Give the dotted path of a PaymentHandoff subclass.", id="wagtail_booking.E005"))
    errors.extend(_check_sqlite())
    errors.extend(_check_stripe())
    errors.extend(_check_line_pricing())
    errors.extend(check_google_settings())
    errors.extend(check_calendar_backends())
    return errors


def _checkout_takes_stripe() -> bool:
    """Does the installed checkout app's PaymentDetailsView use our Stripe mixin (ours, or a project's fork)?"""
    try:
        from oscar.core.loading import get_class

        from .checkout.mixins import StripePaymentDetailsMixin

        return issubclass(get_class("checkout.views", "PaymentDetailsView"), StripePaymentDetailsMixin)
    except Exception:  # noqa: BLE001 - a check must not crash; say what we can
        return False


def _check_stripe():
    # Stripe's hand-off, or one built on it (packages.handoff.CreditsOrStripeHandoff)
    if not booking_settings.PAYMENT_HANDOFF.endswith(("StripeCheckoutHandoff", "CreditsOrStripeHandoff")):
        return []
    from .checkout.handoff import STRIPE_SETTINGS

    missing = [name for name in STRIPE_SETTINGS if not getattr(settings, name, "")]
    problems = []
    if missing:
        problems.append(Warning(
            f"Stripe is the payment hand-off but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set; "
            "services that ask for a deposit cannot be booked.",
            hint="Set them from your Stripe dashboard (Developers > API keys, and the webhook endpoint's signing "
                 "secret for /booking/stripe/webhook/). See docs/howto/stripe.md.",
            id="wagtail_booking.W002"))
    if not _checkout_takes_stripe():
        problems.append(Warning(
            "Stripe is the payment hand-off but Oscar's own checkout app is installed.",
            hint='Replace "oscar.apps.checkout.apps.CheckoutConfig" with '
                 '"wagtail_booking.checkout.oscar_checkout.apps.CheckoutConfig", or mix '
                 "StripePaymentDetailsMixin into your forked PaymentDetailsView.", id="wagtail_booking.W003"))
    return problems


def _check_line_pricing():
    """Gift cards, tips, balances and fees are priced by their basket lines: the basket strategy must know them."""
    try:
        from oscar.core.loading import get_class

        from .checkout.pricing import LinePricing

        if isinstance(get_class("partner.strategy", "Selector")().strategy(), LinePricing):
            return []
    except Exception:  # noqa: BLE001 - a check must not crash; say what we can
        pass
    return [Warning(
        "Oscar's basket strategy does not price wagtail-booking's custom-priced lines (gift cards, tips, balances, "
        "fees), so they would cost nothing.",
        hint='Replace "oscar.apps.partner.apps.PartnerConfig" with '
             '"wagtail_booking.checkout.oscar_partner.apps.PartnerConfig", or mix '
             "wagtail_booking.checkout.pricing.LinePricing into the strategies of your forked partner app.",
        id="wagtail_booking.W004")]


def _check_sqlite():
    database = settings.DATABASES.get("default", {})
    if "sqlite" not in database.get("ENGINE", ""):
        return []
    if database.get("OPTIONS", {}).get("transaction_mode") == "IMMEDIATE":
        return []
    return [Warning(
        "SQLite without IMMEDIATE transactions cannot serialise concurrent bookings.",
        hint='Add "OPTIONS": {"transaction_mode": "IMMEDIATE"} to the database settings, or use PostgreSQL, '
             "which also enforces the no-overlap constraint.",
        id="wagtail_booking.W001")]

"""Stripe Connect: which Stripe account a deposit is charged on, the platform's fee, and a business's onboarding.

A business (a Wagtail Site) connects its own Stripe account through Stripe's hosted onboarding; its deposits are
then direct charges on that account, less the platform's application fee. A business without an account that can
take payments falls back to the platform's account when ``STRIPE_CONNECT_FALLBACK_TO_PLATFORM`` allows it.
"""

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from wagtail.models import Site

from ..conf import booking_settings
from . import gateway
from .models import StripeAccount
from .money import to_minor_units

logger = logging.getLogger(__name__)


class NoPaymentAccount(Exception):
    """The business cannot take card payments: no ready Stripe account and no fallback to the platform."""

    message = ("This business cannot take card payments online yet, so nothing was charged. Please contact them "
               "to book this appointment.")


class ConnectProblem(Exception):
    """Stripe refused or could not be reached about a connected account; ``message`` is for the owner."""

    transient = True  # trying again later can help

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChargeTarget:
    """Where a deposit goes: a connected account (``account``) with the platform's fee, or the platform ("")."""

    account: str = ""
    fee_percent: Decimal = Decimal("0")
    fee_fixed: Decimal = Decimal("0")

    def fee_minor(self, amount: Decimal, currency: str) -> int:
        """The application fee in minor units: percent of ``amount`` plus the fixed part, never above ``amount``."""
        if not self.account:
            return 0
        percent = (amount * self.fee_percent / 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        fee = to_minor_units(percent, currency) + to_minor_units(self.fee_fixed, currency)
        return max(0, min(fee, to_minor_units(amount, currency)))


def charge_target(booking) -> ChargeTarget:
    """Where ``booking``'s deposit is charged; raises :class:`NoPaymentAccount` when it cannot be taken at all."""
    return charge_target_for_site(booking.site_id)


def charge_target_for_site(site_id) -> ChargeTarget:
    """Where a payment to the business ``site_id`` is charged (a booking's deposit, a purchase)."""
    account = _ready_account(site_id)
    if account is not None:
        return ChargeTarget(account.account_id, *fees_of(account))
    if booking_settings.STRIPE_CONNECT_FALLBACK_TO_PLATFORM:
        return ChargeTarget()
    raise NoPaymentAccount(NoPaymentAccount.message)


def can_take_payments(site_id) -> bool:
    """Whether deposits of the business can be charged now: on its own ready account, or on the platform's."""
    return booking_settings.STRIPE_CONNECT_FALLBACK_TO_PLATFORM or _ready_account(site_id) is not None


def _ready_account(site_id) -> StripeAccount | None:
    return StripeAccount.objects.filter(site_id=site_id, charges_enabled=True).first()


def fee_minor_for(payment, amount: Decimal) -> int | None:
    """The platform's fee on ``amount`` of a payment on a connected account (None on the platform's own), in
    minor units: what a new amount (a voucher, a partial capture) carries when the payment is updated."""
    if not payment.stripe_account:
        return None
    account = StripeAccount.objects.filter(account_id=payment.stripe_account).first()
    fees = fees_of(account) if account else (Decimal("0"), Decimal("0"))
    return ChargeTarget(payment.stripe_account, *fees).fee_minor(amount, payment.currency)


def fees_of(account: StripeAccount) -> tuple[Decimal, Decimal]:
    """(percent, fixed): the operator's figures for this business, or the settings' defaults."""
    percent = account.fee_percent
    fixed = account.fee_fixed
    return (Decimal(str(booking_settings.STRIPE_CONNECT_FEE_PERCENT)) if percent is None else percent,
            Decimal(str(booking_settings.STRIPE_CONNECT_FEE_FIXED)) if fixed is None else fixed)


# Onboarding -------------------------------------------------------------------------------------------------------


def _call(function, *args):
    stripe_error = gateway.errors()[0]
    try:
        return function(*args)
    except stripe_error as error:
        logger.warning("Stripe Connect call %s failed: %s", function.__name__, error)
        raise ConnectProblem("Stripe did not answer as expected, so nothing changed. Please try again in a minute; "
                             f"if it keeps failing, quote {getattr(error, 'request_id', '') or 'this message'} "
                             "to the site's operator.") from error


def connect_account(site, kind, email, business_name) -> StripeAccount:
    """The site's Stripe account, created on Stripe first if the site has none yet (once, even if asked twice)."""
    with transaction.atomic():
        Site.objects.select_for_update().get(pk=site.pk)  # two owners clicking at once make one account
        existing = StripeAccount.objects.filter(site=site).first()
        if existing is not None:
            return existing
        created = _call(gateway.create_account, kind, email, business_name, {"site": str(site.pk)},
                        f"wb-account-{site.pk}-{kind}")
        account = StripeAccount(site=site, account_id=created["id"], kind=kind)
        _copy_status(account, created)
        account.save()
        return account


def onboarding_url(account: StripeAccount, refresh_url, return_url) -> str:
    """Where to send the owner to give Stripe the business's details (a fresh, short-lived link each time)."""
    return _call(gateway.onboarding_link, account.account_id, refresh_url, return_url)["url"]


def refresh(account_id) -> StripeAccount | None:
    """Re-read the account from Stripe (never from an event's payload) and store its status; None if not ours."""
    if not StripeAccount.objects.filter(account_id=account_id).exists():
        return None
    fetched = _call(gateway.retrieve_account, account_id)
    with transaction.atomic():
        account = StripeAccount.objects.select_for_update().get(account_id=account_id)
        _copy_status(account, fetched)
        account.save()
    return account


def _copy_status(account, fetched):
    account.charges_enabled = bool(fetched["charges_enabled"])
    account.details_submitted = bool(fetched["details_submitted"])
    account.payouts_enabled = bool(fetched["payouts_enabled"])
    requirements = fetched["requirements"] if "requirements" in fetched else None
    reason = requirements["disabled_reason"] if requirements and "disabled_reason" in requirements else None
    account.disabled_reason = (reason or "")[:255]


def status_text(account: StripeAccount | None) -> str:
    """The account's state in words, for the owner."""
    if account is None:
        if booking_settings.STRIPE_CONNECT_FALLBACK_TO_PLATFORM:
            return "Not connected: deposits are taken on the platform's Stripe account."
        return "Not connected: clients cannot pay deposits online until you connect a Stripe account."
    if account.charges_enabled:
        return ("Ready to take payments." if account.payouts_enabled
                else "Ready to take payments; Stripe holds payouts until it has your bank details.")
    if account.details_submitted:
        return "Stripe is checking the details you gave; payments start when it has finished."
    return "Stripe needs more details before this business can take payments."

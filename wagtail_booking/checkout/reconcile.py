"""Our payment records against Stripe, account by account (the platform's own and each connected one).

For every payment that reached Stripe (anything but pending), the PaymentIntent and its charge are re-read on the
account they live on, and the application fee on the platform. Per account and currency, what we recorded as
captured, refunded and kept as the platform's fee must equal what Stripe holds.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from . import gateway
from .models import BookingPayment
from .money import from_minor_units

ZERO = Decimal("0")


@dataclass
class AccountFigures:
    """One account's money in one currency: ours beside Stripe's. ``account`` "" is the platform's own."""

    account: str
    currency: str
    payments: int = 0
    captured: Decimal = ZERO
    refunded: Decimal = ZERO
    fees: Decimal = ZERO
    stripe_captured: Decimal = ZERO
    stripe_refunded: Decimal = ZERO
    stripe_fees: Decimal = ZERO
    stripe_fees_refunded: Decimal = ZERO
    differing: list = field(default_factory=list)  # payment intent ids whose figures differ

    @property
    def agrees(self) -> bool:
        return not self.differing and (self.captured, self.refunded, self.fees) == (
            self.stripe_captured, self.stripe_refunded, self.stripe_fees)


def reconcile(payments=None) -> list[AccountFigures]:
    """Figures per (account, currency), platform first. Stripe errors propagate (a partial answer would mislead)."""
    payments = payments if payments is not None else BookingPayment.objects.exclude(
        state=BookingPayment.State.PENDING).order_by("stripe_account", "currency", "pk")
    figures: dict[tuple[str, str], AccountFigures] = {}
    for payment in payments:
        row = figures.setdefault((payment.stripe_account, payment.currency),
                                 AccountFigures(payment.stripe_account, payment.currency))
        theirs = _stripe_figures(payment)
        ours = (payment.amount_captured, payment.amount_refunded,
                payment.application_fee if payment.amount_captured > 0 else ZERO)
        row.payments += 1
        row.captured += ours[0]
        row.refunded += ours[1]
        row.fees += ours[2]
        row.stripe_captured += theirs[0]
        row.stripe_refunded += theirs[1]
        row.stripe_fees += theirs[2]
        row.stripe_fees_refunded += theirs[3]
        if ours != theirs[:3]:
            row.differing.append(payment.payment_intent_id)
    return [figures[key] for key in sorted(figures)]


def _stripe_figures(payment) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(captured, refunded, platform fee, fee refunded) as Stripe has them for this payment."""
    intent = gateway.retrieve(payment.payment_intent_id, payment.stripe_account)
    charge_id = intent["latest_charge"]
    if not charge_id:
        return ZERO, ZERO, ZERO, ZERO
    charge = gateway.retrieve_charge(charge_id, payment.stripe_account)
    money = lambda minor: from_minor_units(minor or 0, payment.currency)  # noqa: E731
    captured = money(charge["amount_captured"]) if charge["captured"] else ZERO
    fee_id = charge["application_fee"] if "application_fee" in charge else None
    fee = gateway.application_fee(fee_id) if fee_id else None
    return (captured, money(charge["amount_refunded"]), money(fee["amount"]) if fee else ZERO,
            money(fee["amount_refunded"]) if fee else ZERO)

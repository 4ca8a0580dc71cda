"""A booking's balance read from the database, and the changes staff make to it (add-ons), under row locks."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from oscar.core.loading import get_model

from ...bookings.models import Booking
from ..models import BookingPayment
from . import due, lines
from .models import AddOn, Tip

Source = get_model("payment", "Source")
ZERO = Decimal("0")
HELD = (BookingPayment.State.AUTHORISED, BookingPayment.State.CAPTURED, BookingPayment.State.REFUNDED)


def paid_by_other_tenders(booking, option: str) -> Decimal:
    """What gift cards (or other tenders) paid on the booking's orders whose lines name it with ``option``
    ("booking": its deposit; ``lines.OPTION``: its balance), less refunds recorded on those sources. A deposit or
    balance that gift cards paid, alone or beside Stripe, has no (or a smaller) ``BookingPayment``: its Oscar
    sources say the rest."""
    sources = (Source.objects.filter(order__lines__attributes__option__code=option,
                                     order__lines__attributes__value=booking.reference)
               .exclude(source_type__code="stripe").distinct())
    return sum((source.amount_debited - source.amount_refunded for source in sources), ZERO)


def deposit_kept(booking) -> Decimal:
    """What the deposit keeps: an authorisation counts in full (it is captured at confirmation), a capture less
    its refunds, and what gift cards paid of it."""
    kept = paid_by_other_tenders(booking, "booking")
    for payment in BookingPayment.objects.filter(booking=booking, kind=BookingPayment.Kind.DEPOSIT, state__in=HELD):
        kept += payment.amount if payment.state == BookingPayment.State.AUTHORISED else payment.refundable
    return kept


def balance_paid(booking) -> Decimal:
    """What balance payments paid towards the balance: captured less refunded, less the tip each carried, and what
    gift cards paid of it."""
    tips = dict(Tip.objects.filter(booking=booking).values_list("payment_id", "amount"))
    payments = BookingPayment.objects.filter(booking=booking, kind=BookingPayment.Kind.BALANCE, state__in=HELD)
    by_card = sum((max(ZERO, p.refundable - tips.get(p.pk, ZERO)) for p in payments), ZERO)
    return by_card + paid_by_other_tenders(booking, lines.OPTION)


def balance_of(booking) -> due.Balance:
    """The booking's balance as the database has it now (lock the booking first when deciding on it)."""
    # The price as the client pays it (with tax added on top), the basis of the deposit it kept (docs: tax).
    return due.balance(booking.price_with_tax, AddOn.objects.filter(booking=booking).values_list("amount", flat=True),
                       deposit_captured=deposit_kept(booking), balance_payments=[balance_paid(booking)])


def can_request(booking, now=None) -> bool:
    """Staff ask for the balance once the appointment has started (or is marked completed), never for a
    cancelled, declined or unpaid hold."""
    if booking.status == Booking.Status.COMPLETED:
        return True
    return booking.status == Booking.Status.CONFIRMED and booking.start <= (now or timezone.now())


def add_add_on(booking, description: str, amount: Decimal, user=None) -> AddOn:
    """Add to the bill; the booking's row is locked so a payment being decided at the same moment sees it or not."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        return AddOn.objects.create(site_id=booking.site_id, booking=booking, description=description.strip(),
                                    amount=Decimal(amount).quantize(due.CENT), currency=booking.currency,
                                    added_by=user if getattr(user, "pk", None) else None)


def tips_for(booking):
    return Tip.objects.filter(booking=booking)


def refusal(booking, charged_balance: Decimal) -> str:
    """Why a payment of ``charged_balance`` towards ``booking``'s balance must not be kept, or "" when it may.

    Decided under the booking's row lock (the caller's transaction): a balance paid meanwhile in another tab, or
    an add-on added after the basket was filled, makes the basket's balance differ from what is due now.
    """
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    now_due = balance_of(booking).due
    if now_due <= 0:
        return gettext("This balance was already paid. We have not kept your money: it is on its way back to "
                       "your card.")
    if now_due != charged_balance:
        return gettext("The balance changed while you were paying. We have not kept your money: it is on its way "
                       "back to your card. Please open the link again.")
    return ""

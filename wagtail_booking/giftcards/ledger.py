"""The only code that changes a gift card's balance. Every function locks the card row (select_for_update),
re-reads it, then decides; a balance never goes below zero (and a database constraint says so too).

Cards are always locked in primary-key order, so two payments touching the same two cards cannot deadlock.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import booking_settings
from ..formats import money
from . import codes, rules
from .models import GiftCard, GiftCardEntry, GiftCardHold


class CardRefused(Exception):
    """A code or a change a person must be told about; ``message`` is for them (translated)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Redemption:
    card: GiftCard
    amount: Decimal


def issue(site_id, currency, value: Decimal, **details) -> tuple[GiftCard, str]:
    """A new card worth ``value``; returns it with its code (the only time the code exists in the clear)."""
    days = booking_settings.GIFT_CARD_VALID_DAYS
    details.setdefault("expires_at", timezone.now() + timedelta(days=days) if days else None)
    with transaction.atomic():
        code = codes.generate()
        card = GiftCard.objects.create(site_id=site_id, code_digest=codes.digest(code), last4=codes.last4(code),
                                       currency=currency, initial_value=value, balance=value,
                                       **details)
        GiftCardEntry.objects.create(card=card, kind=GiftCardEntry.Kind.ISSUED, amount=value, balance_after=value,
                                     order_number=card.order.number if card.order_id else "")
    return card, code


def find(typed: str, site_id, currency: str, now=None) -> GiftCard:
    """The card a person typed, if it can pay here in ``currency``; else CardRefused saying why."""
    code = codes.normalise(typed)
    card = GiftCard.objects.filter(code_digest=codes.digest(code)).first() if code else None
    if card is None or card.site_id != site_id:
        # Another business's card is reported like a mistyped one: a code says nothing about other businesses.
        raise CardRefused(_("We do not know this gift card code. Please check it and try again."))
    if card.is_expired(now):
        raise CardRefused(_("This gift card expired on %(date)s.") % {"date": card.expires_at.date().isoformat()})
    if card.currency != currency:
        raise CardRefused(_("This gift card is in %(card)s and this payment is in %(payment)s, so it cannot pay it.")
                          % {"card": card.currency, "payment": currency})
    return card


def _lock(card_id) -> GiftCard:
    return GiftCard.objects.select_for_update().get(pk=card_id)


def _held_by_others(card, basket_id, now) -> Decimal:
    live = card.holds.filter(expires_at__gt=now).exclude(basket_id=basket_id)
    return live.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def apply(card, basket_id: int, due: Decimal, now=None) -> GiftCardHold:
    """Hold as much of ``due`` as the card can pay for this basket (replacing its earlier hold)."""
    now = now or timezone.now()
    with transaction.atomic():
        card = _lock(card.pk)
        amount = rules.applicable(card.balance, _held_by_others(card, basket_id, now), due)
        if amount <= 0:
            raise CardRefused(_("This gift card has no balance left to spend.") if card.balance <= 0 else
                              _("This gift card's balance is being used for another payment right now."))
        hold, _created = GiftCardHold.objects.update_or_create(
            card=card, basket_id=basket_id,
            defaults={"amount": amount,
                      "expires_at": now + timedelta(minutes=booking_settings.GIFT_CARD_HOLD_MINUTES)})
    return hold


def holds_for(basket_id: int):
    return list(GiftCardHold.objects.filter(basket_id=basket_id).select_related("card").order_by("card_id"))


def held_for(basket_id: int) -> Decimal:
    return GiftCardHold.objects.filter(basket_id=basket_id).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def release(basket_id: int, card_id=None) -> int:
    """Give back what this basket held (on one card, or on all of them); returns how many holds went."""
    holds = GiftCardHold.objects.filter(basket_id=basket_id)
    if card_id is not None:
        holds = holds.filter(card_id=card_id)
    return holds.delete()[0]


def redeem_basket(basket_id: int, order_number: str, due: Decimal, now=None) -> list[Redemption]:
    """Turn this basket's holds into redemptions, at most ``due`` in all, exactly once (the holds go).

    Run inside the transaction that places the order. A hold that expired is still honoured when the card can
    pay it without breaking another basket's live hold; otherwise CardRefused, and the caller rolls back.
    """
    now = now or timezone.now()
    done, left = [], due
    with transaction.atomic():  # all the basket's cards or none
        for hold in holds_for(basket_id):
            card = _lock(hold.card_id)
            hold = GiftCardHold.objects.filter(pk=hold.pk).first()
            if hold is None:  # redeemed or released meanwhile
                continue
            amount = min(hold.amount, left)
            if card.is_expired(now) or amount > rules.available(card.balance,
                                                                _held_by_others(card, basket_id, now)):
                raise CardRefused(_("Gift card %(card)s can no longer pay %(amount)s.")
                                  % {"card": card.masked_code, "amount": money(amount, card.currency)})
            hold.delete()
            if amount > 0:
                _change(card, -amount, GiftCardEntry.Kind.REDEEMED, order_number=order_number)
                done.append(Redemption(card, amount))
                left -= amount
    return done


def return_to_card(card, amount: Decimal, order_number: str, reason: str) -> Decimal:
    """Put back up to ``amount`` of what the card paid for ``order_number``; returns what went back."""
    with transaction.atomic():
        card = _lock(card.pk)
        entries = card.entries.filter(order_number=order_number)
        paid = -(entries.filter(kind=GiftCardEntry.Kind.REDEEMED).aggregate(t=Sum("amount"))["t"] or 0)
        returned = entries.filter(kind=GiftCardEntry.Kind.RETURNED).aggregate(t=Sum("amount"))["t"] or 0
        back, _rest = rules.split_refund(amount, Decimal(paid), Decimal(returned))
        if back > 0:
            _change(card, back, GiftCardEntry.Kind.RETURNED, order_number=order_number, reason=reason)
    return back


def adjust(card, delta: Decimal, reason: str, user=None) -> GiftCard:
    """Staff add to or take from a balance, with a reason; never below zero."""
    if not (reason or "").strip():
        raise CardRefused(_("Say why the balance changes."))
    with transaction.atomic():
        card = _lock(card.pk)
        if card.balance + delta < 0:
            raise CardRefused(_("The balance is %(balance)s; it cannot go below zero.")
                              % {"balance": money(card.balance, card.currency)})
        _change(card, delta, GiftCardEntry.Kind.ADJUSTED, reason=reason.strip(), user=user)
    return card


def _change(card, delta, kind, **entry):
    """Move a locked card's balance and write its ledger line."""
    card.balance += delta
    card.save(update_fields=["balance"])
    GiftCardEntry.objects.create(card=card, kind=kind, amount=delta, balance_after=card.balance, **entry)


def sweep_expired_holds(now=None) -> int:
    """Delete holds whose basket was abandoned (the periodic task)."""
    return GiftCardHold.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]


def new_code(card) -> str:
    """A fresh code for ``card`` (its balance is untouched); the old code stops working."""
    with transaction.atomic():
        card = _lock(card.pk)
        code = codes.generate()
        card.code_digest, card.last4 = codes.digest(code), codes.last4(code)
        card.save(update_fields=["code_digest", "last4"])
    return code

"""The cancellation policy and refunds in words a client reads: the Django side of ``scheduling.policy_terms``.

Pages and emails show the same sentences: the booking block in general terms ("up to 48 hours before"), the payment
page, the confirmation, the manage page and the emails with dates in the client's zone.
"""

from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..formats import money
from ..scheduling import policy_terms
from ..site_settings import site_settings
from .quotes import money_back, policy_for, refund_delayed

WHEN = "D j M, H:i"  # Tue 9 Mar, 14:00
WHEN_OTHER_YEAR = "D j M Y, H:i"  # Thu 17 Dec 2026, 05:30
REFUND_TIME = gettext_lazy("5–10 business days")
BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
          "diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay"}


def when(moment, zone_name: str) -> str:
    """``Tue 9 Mar, 14:00`` in ``zone_name``, with the year when it is not this year's."""
    local = moment.astimezone(ZoneInfo(zone_name))
    this_year = timezone.now().astimezone(local.tzinfo).year == local.year
    return date_format(local, WHEN if this_year else WHEN_OTHER_YEAR)


def card_words(payment) -> str:
    """"your Visa ending 4242", or "the card you paid with" when Stripe did not say which."""
    if payment is None or not payment.card_last4:
        return _("the card you paid with")
    brand = BRANDS.get(payment.card_brand, payment.card_brand.title() or _("card"))
    return _("your %(brand)s ending %(last4)s") % {"brand": brand, "last4": payment.card_last4}


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _hours(hours: int) -> str:
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def policy_lines(service, zone_name=None, start=None, currency="", paid=True, credit=False) -> list[str]:
    """Sentences saying what cancelling gives back and until when changes can be made online.

    With ``start`` (a booking's), the deadlines are dates in ``zone_name``; without, they are "N hours before".
    ``paid`` False leaves out the refund sentences (nothing to refund), keeping the online cut-off. ``credit``: the
    booking was paid with a package credit, so the sentence says when the credit comes back (no money, no fee).
    """
    terms = policy_terms(policy_for(service), service.cancellation_cutoff_hours, start)
    if start is not None:  # deadlines already passed are history: say what holds from now on
        now = timezone.now()
        terms = replace(terms, steps=tuple(step for step in terms.steps if step.until >= now))
    if credit:
        lines = [_credit_sentence(terms, zone_name)]
    else:
        lines = [_refund_sentence(terms, zone_name)] if paid else []
    if paid and not credit and terms.fee > 0:
        lines.append(_("A fee of %(fee)s is kept on every cancellation.") % {"fee": money(terms.fee, currency)})
    if terms.changes_close is None:
        lines.append(_("Online changes close %(hours)s before the start.") % {"hours": _hours(terms.cutoff_hours)})
    elif terms.changes_close < timezone.now():
        lines.append(_("Online changes closed %(hours)s before, at %(when)s (%(zone)s).") % {
            "hours": _hours(terms.cutoff_hours), "when": when(terms.changes_close, zone_name), "zone": zone_name})
    else:
        lines.append(_("Online changes close %(hours)s before, at %(when)s (%(zone)s).") % {
            "hours": _hours(terms.cutoff_hours), "when": when(terms.changes_close, zone_name), "zone": zone_name})
    return lines


def _credit_sentence(terms, zone_name) -> str:
    """A credit comes back only while cancelling would refund a paid booking in full (the rule of
    ``packages.credits.credit_comes_back``); later, cancelling uses it up. The fee does not apply to a credit."""
    if terms.final_percent >= 100:
        return _("If you cancel, your package credit is returned.")
    full = [step for step in terms.steps if step.percent >= 100]
    if not full:
        return _("Cancelling uses up your package credit; it is not returned.")
    return _("If you cancel %(deadline)s, your package credit is returned; after that, cancelling uses it up.") % {
        "deadline": _deadline(full[-1], zone_name, named=True)}


def _deadline(step, zone_name, named=False) -> str:
    if step.until is None:
        return _("up to %(hours)s before") % {"hours": _hours(step.hours_before)}
    deadline = _("until %(when)s") % {"when": when(step.until, zone_name)}
    return f"{deadline} ({zone_name})" if named else deadline


def _refund_sentence(terms, zone_name) -> str:
    if not terms.steps:
        if terms.final_percent == 100:
            return _("Free cancellation.")
        if terms.final_percent == 0:
            return _("Cancelling refunds nothing.")
        return _("%(percent)s%% refund if you cancel.") % {"percent": _percent(terms.final_percent)}
    parts = []
    for index, step in enumerate(terms.steps):
        deadline = _deadline(step, zone_name, named=index == 0)
        if step.percent == 100:
            parts.append(_("free cancellation %(deadline)s") % {"deadline": deadline})
        else:
            parts.append(_("%(percent)s%% refund %(deadline)s") % {"percent": _percent(step.percent),
                                                                     "deadline": deadline})
    if terms.final_percent == 0:
        parts.append(_("no refund after that"))
    else:
        parts.append(_("%(percent)s%% refund after that") % {"percent": _percent(terms.final_percent)})
    sentence = "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]


def cancelled_refund_text(booking) -> str:
    """The refund of a cancelled booking: amount, card and when to expect it (also the email's sentence)."""
    outcome = money_back(booking)
    if outcome is None:
        return ""
    payment, amount = outcome
    if amount <= 0:
        return _("Under our cancellation policy, your %(paid)s deposit is not refunded.") % {
            "paid": money(payment.amount, payment.currency)}
    if refund_delayed(payment):
        return _delayed_refund_text(booking, money(amount, payment.currency), card_words(payment))
    return _("We are refunding %(amount)s to %(card)s. Expect it within %(days)s.") % {
        "amount": money(amount, payment.currency), "card": card_words(payment), "days": REFUND_TIME}


def _delayed_refund_text(booking, amount, card) -> str:
    config = site_settings(booking.site)
    contacts = [value for value in (config.contact_phone, config.contact_email) if value] if config else []
    text = _("Your refund of %(amount)s to %(card)s is delayed: we could not send it yet and will send it as soon "
             "as we can.") % {"amount": amount, "card": card}
    if contacts:
        return text + " " + _("If it has not reached you within %(days)s, please contact us: %(contacts)s.") % {
            "days": REFUND_TIME, "contacts": _(" or ").join(contacts)}
    return text + " " + _("If it has not reached you within %(days)s, please reply to this email.") % {
        "days": REFUND_TIME}

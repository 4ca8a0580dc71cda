"""Staff: the gift cards of their businesses (code shown as its last four only), each card's ledger, and balance
adjustments with a reason (each one a ledger line naming the staff member)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..businesses import visible_to
from ..giftcards import ledger
from ..giftcards.models import GiftCard

VIEW, CHANGE = "wagtail_booking.view_giftcard", "wagtail_booking.change_giftcard"


class AdjustForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Change (negative takes from the balance)"), max_digits=10,
                                decimal_places=2)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("Enter an amount other than zero."))
        return amount


def _cards(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    return visible_to(GiftCard.objects.select_related("site"), request.user, "site")


def index(request):
    return TemplateResponse(request, "wagtail_booking/admin/giftcards.html", {
        "cards": _cards(request)[:500], "page_title": _("Gift cards"), "header_title": _("Gift cards")})


def detail(request, pk):
    card = _cards(request).filter(pk=pk).first()
    if card is None:
        raise Http404("No such gift card in the businesses you work in.")
    form = AdjustForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                ledger.adjust(card, form.cleaned_data["amount"], form.cleaned_data["reason"], user=request.user)
            except ledger.CardRefused as refused:
                form.add_error("amount", refused.message)
            else:
                messages.success(request, _("Balance adjusted."))
                return redirect(reverse("wagtail_booking_giftcard", args=[card.pk]))
    card.refresh_from_db()
    return TemplateResponse(request, "wagtail_booking/admin/giftcard_detail.html", {
        "card": card, "entries": card.entries.select_related("user"), "form": form,
        "held": sum((hold.amount for hold in card.holds.all()), Decimal("0")),
        "page_title": _("Gift card %(card)s") % {"card": card.masked_code},
        "header_title": _("Gift card %(card)s") % {"card": card.masked_code}},
        status=400 if form.is_bound and not form.is_valid() else 200)


urlpatterns = [path("booking/gift-cards/", index, name="wagtail_booking_giftcards"),
               path("booking/gift-cards/<int:pk>/", detail, name="wagtail_booking_giftcard")]

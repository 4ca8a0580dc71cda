"""Clients' package credits in the admin: balances per client, and grant or revoke with a reason.

Rows of the user's businesses only (``businesses.visible_to``); a purchase of another business is a 404. Each grant
and revocation is a ledger entry and a Wagtail log entry on the purchase (who, how many, why).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..businesses import visible_to
from ..formats import when
from ..packages import credits
from ..packages.models import CreditPurchase
from ..site_settings import business_zone

VIEW_PERMISSION = "wagtail_booking.view_creditpurchase"
CHANGE_PERMISSION = "wagtail_booking.change_creditpurchase"
LOG_ACTIONS = {"wagtail_booking.credits_granted": "Credits granted",
               "wagtail_booking.credits_revoked": "Credits revoked"}


class ChangeForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[("grant", _("Grant")), ("revoke", _("Revoke"))])
    sessions = forms.IntegerField(label=_("Credits"), min_value=1, max_value=1000)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput,
                             help_text=_("Required; kept in the ledger and the history."))


def _purchases(request):
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return visible_to(CreditPurchase.objects.select_related("package", "site"), request.user)


def balances(request):
    """Every purchase of the user's businesses with its balance, newest first; ``?q=`` finds a client's email."""
    purchases = _purchases(request).annotate(left=Sum("entries__change")).order_by("-created_at")
    query = request.GET.get("q", "").strip()
    if query:
        purchases = purchases.filter(client_email__icontains=query)
    rows = [{"purchase": p, "left": p.left or 0, "expires": when(p.expires_at, business_zone(p.site)),
             "url": reverse("wagtail_booking_credit", args=[p.pk])} for p in purchases[:500]]
    return TemplateResponse(request, "wagtail_booking/admin/credits.html",
                            {"rows": rows, "query": query, "header_title": _("Package credits")})


def purchase_detail(request, purchase_id):
    """One purchase: its ledger, and the grant / revoke form (a reason is required)."""
    purchase = get_object_or_404(_purchases(request), pk=purchase_id)
    form = ChangeForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        if form.is_valid() and _apply(request, purchase, form):
            return redirect("wagtail_booking_credit", purchase.pk)
    entries = purchase.entries.select_related("booking", "by").order_by("-created_at", "-pk")
    return TemplateResponse(request, "wagtail_booking/admin/credit_detail.html", {
        "purchase": purchase, "entries": entries, "left": credits.balance_of(purchase), "form": form,
        "expires": when(purchase.expires_at, business_zone(purchase.site)), "zone": business_zone(purchase.site),
        "can_change": request.user.has_perm(CHANGE_PERMISSION), "header_title": str(purchase)})


def _apply(request, purchase, form):
    action, sessions, reason = (form.cleaned_data[key] for key in ("action", "sessions", "reason"))
    try:
        change = credits.grant if action == "grant" else credits.revoke
        change(purchase, sessions, reason, by=request.user)
    except (credits.NoCredit, ValueError) as refused:
        form.add_error("sessions", getattr(refused, "message", str(refused)))
        return False
    log(purchase, f"wagtail_booking.credits_{action}ed" if action == "grant" else "wagtail_booking.credits_revoked",
        user=request.user, data={"sessions": sessions, "reason": reason}, title=str(purchase))
    messages.success(request, f"{sessions} credit(s) {'granted' if action == 'grant' else 'revoked'}.")
    return True


def urlpatterns():
    return [path("booking/credits/", balances, name="wagtail_booking_credits"),
            path("booking/credits/<int:purchase_id>/", purchase_detail, name="wagtail_booking_credit")]


def register_log_actions(actions):
    for name, label in LOG_ACTIONS.items():
        actions.register_action(name, label, label)

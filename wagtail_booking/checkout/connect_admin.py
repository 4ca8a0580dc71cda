"""The "Payments (Stripe)" page of the Wagtail admin: a business connects its own Stripe account (Connect).

The owner picks Standard or Express, is sent to Stripe's hosted onboarding and comes back to the return view,
which re-reads the account from Stripe. The operator (a superuser) sets the platform's fee per business.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem
from wagtail.models import Site

from ..businesses import has_several_businesses, working_site
from ..businesses import sites_for_user as visible_sites
from ..conf import booking_settings
from ..site_settings import BusinessSettings
from . import connect
from .models import StripeAccount

PERMISSION = "wagtail_booking.manage_payments_account"


def managed_site(request) -> Site:
    """The site whose Stripe account ``request.user`` manages here; PermissionDenied when they may not.

    Superusers and users with ``manage_payments_account`` manage the businesses they work in (superusers: every
    site), chosen with ``?site=<id>``; without a choice, the request's site if they work there, else their first.
    Another business's id is a 404.
    """
    user = request.user
    if not (user.is_superuser or user.has_perm(PERMISSION)):
        raise PermissionDenied
    chosen = request.POST.get("site") or request.GET.get("site")
    if chosen:
        site = visible_sites(user).filter(pk=chosen).first() if str(chosen).isdigit() else None
    else:
        site = working_site(request)
    if site is None:
        raise Http404("No such business.")
    return site


class FeeForm(forms.ModelForm):
    class Meta:
        model = StripeAccount
        fields = ["fee_percent", "fee_fixed"]


def _back(site, request):
    url = reverse("wagtail_booking_payments")
    return redirect(f"{url}?site={site.pk}")


def _urls(request, site):
    query = f"?site={site.pk}"
    return (request.build_absolute_uri(reverse("wagtail_booking_payments_refresh") + query),
            request.build_absolute_uri(reverse("wagtail_booking_payments_return") + query))


def index(request):
    site = managed_site(request)
    account = StripeAccount.objects.filter(site=site).first()
    percent, fixed = connect.fees_of(account) if account else connect.fees_of(StripeAccount())
    return TemplateResponse(request, "wagtail_booking/admin/stripe_account.html", {
        "page_title": _("Payments (Stripe)"), "header_icon": "form", "site": site, "account": account,
        "status": connect.status_text(account), "kinds": StripeAccount.Kind.choices,
        "fee_percent": percent, "fee_fixed": fixed, "fee_form": FeeForm(instance=account) if account else None,
        "fallback": booking_settings.STRIPE_CONNECT_FALLBACK_TO_PLATFORM,
        "sites": visible_sites(request.user).order_by("hostname") if has_several_businesses(request.user) else [],
    })


@require_POST
def start(request):
    """Create the site's account (first time) and send the owner to Stripe's hosted onboarding."""
    site = managed_site(request)
    kind = request.POST.get("kind", "")
    if kind not in StripeAccount.Kind.values:
        messages.error(request, _("Choose Standard or Express before connecting."))
        return _back(site, request)
    name = BusinessSettings.for_site(site).display_name()
    try:
        account = connect.connect_account(site, kind, request.user.email, name)
        return redirect(connect.onboarding_url(account, *_urls(request, site)))
    except connect.ConnectProblem as problem:
        messages.error(request, problem.message)
        return _back(site, request)


def onboarding_return(request):
    """Stripe sends the owner back here, finished or not: re-read the account and say where it stands."""
    site = managed_site(request)
    account = StripeAccount.objects.filter(site=site).first()
    if account is None:
        messages.error(request, _("This site has no Stripe account yet; click Connect."))
        return _back(site, request)
    try:
        account = connect.refresh(account.account_id)
    except connect.ConnectProblem as problem:
        messages.error(request, problem.message)
        return _back(site, request)
    (messages.success if account.charges_enabled else messages.warning)(request, connect.status_text(account))
    return _back(site, request)


def onboarding_refresh(request):
    """Stripe sends the owner here when the onboarding link was used or expired: make a new one."""
    site = managed_site(request)
    account = StripeAccount.objects.filter(site=site).first()
    if account is None:
        return _back(site, request)
    try:
        return redirect(connect.onboarding_url(account, *_urls(request, site)))
    except connect.ConnectProblem as problem:
        messages.error(request, problem.message)
        return _back(site, request)


@require_POST
def fees(request):
    """The platform's fee for this business: the operator's decision, so superusers only."""
    site = managed_site(request)
    if not request.user.is_superuser:
        raise PermissionDenied
    account = StripeAccount.objects.filter(site=site).first()
    if account is None:
        messages.error(request, _("Connect a Stripe account before setting its fee."))
        return _back(site, request)
    form = FeeForm(request.POST, instance=account)
    if form.is_valid():
        form.save()
        messages.success(request, _("Platform fee saved."))
    else:
        errors = "; ".join(f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items())
        messages.error(request, _("The fee was not saved: %(errors)s") % {"errors": errors})
    return _back(site, request)


def urlpatterns():
    return [
        path("booking/payments/", index, name="wagtail_booking_payments"),
        path("booking/payments/connect/", start, name="wagtail_booking_payments_connect"),
        path("booking/payments/return/", onboarding_return, name="wagtail_booking_payments_return"),
        path("booking/payments/refresh/", onboarding_refresh, name="wagtail_booking_payments_refresh"),
        path("booking/payments/fees/", fees, name="wagtail_booking_payments_fees"),
    ]


class PaymentsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or request.user.has_perm(PERMISSION)


def menu_item():
    return PaymentsMenuItem(gettext_lazy("Payments (Stripe)"), reverse("wagtail_booking_payments"), icon_name="form",
                            order=208)


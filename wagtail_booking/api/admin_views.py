"""API keys in the Wagtail admin (Settings > API keys): list, create (the key is shown once), revoke.

Staff see and change only the keys of the businesses they work in (``businesses.user_site_ids``); creating needs
the "add API key" permission and revoking "delete API key".
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem

from ..businesses import sites_for_user, user_site_ids
from . import keys
from .models import ApiKey

ADD, DELETE, VIEW = "wagtail_booking.add_apikey", "wagtail_booking.delete_apikey", "wagtail_booking.view_apikey"
PERMISSIONS = ("add_apikey", "delete_apikey", "view_apikey")


def _may_see(user) -> bool:
    return any(user.has_perm(permission) for permission in (ADD, DELETE, VIEW))


def _keys_for(user):
    return ApiKey.objects.filter(site_id__in=user_site_ids(user)).select_related("site", "created_by")


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Who uses it, e.g. “Phone assistant”."))
    site = forms.ModelChoiceField(label=_("Business"), queryset=None, empty_label=None)
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ, ApiKey.Scope.BOOK],
        help_text=_("A phone assistant needs “Read bookings” and “Make bookings”."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_for_user(user).order_by("site_name", "hostname")


def index(request):
    if not _may_see(request.user):
        raise PermissionDenied
    context = {"keys": _keys_for(request.user), "header_title": _("API keys"), "header_icon": "key",
               "may_add": request.user.has_perm(ADD), "may_revoke": request.user.has_perm(DELETE)}
    return TemplateResponse(request, "wagtail_booking/admin/api_keys.html", context)


@require_http_methods(["GET", "POST"])
def create(request):
    if not request.user.has_perm(ADD):
        raise PermissionDenied
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        api_key, full_key = keys.create_key(form.cleaned_data["site"], form.cleaned_data["name"],
                                            form.cleaned_data["scopes"], created_by=request.user)
        # Rendered, never redirected to: the key exists only in this response, which no cache may keep.
        response = TemplateResponse(request, "wagtail_booking/admin/api_key_created.html",
                                    {"api_key": api_key, "full_key": full_key, "header_title": _("API key created"),
                                     "header_icon": "key"})
        response["Cache-Control"] = "no-store"
        return response
    return TemplateResponse(request, "wagtail_booking/admin/api_key_form.html",
                            {"form": form, "header_title": _("New API key"), "header_icon": "key"})


@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    if not request.user.has_perm(DELETE):
        raise PermissionDenied
    api_key = _keys_for(request.user).filter(pk=pk).first()
    if api_key is None:
        raise Http404("No API key of your businesses has this id.")
    if request.method == "POST":
        keys.revoke(api_key)
        messages.success(request, _("The key “%(name)s” is revoked; requests with it are refused from now on.")
                         % {"name": api_key.name})
        return redirect("wagtail_booking_api_keys")
    return TemplateResponse(request, "wagtail_booking/admin/api_key_revoke.html",
                            {"api_key": api_key, "header_title": _("Revoke API key"), "header_icon": "key"})


def urlpatterns():
    return [path("booking/api-keys/", index, name="wagtail_booking_api_keys"),
            path("booking/api-keys/new/", create, name="wagtail_booking_api_key_create"),
            path("booking/api-keys/<int:pk>/revoke/", revoke, name="wagtail_booking_api_key_revoke")]


class ApiKeysMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_see(request.user)


def menu_item():
    return ApiKeysMenuItem(_("API keys"), reverse("wagtail_booking_api_keys"), name="api-keys", icon_name="key",
                           order=820)

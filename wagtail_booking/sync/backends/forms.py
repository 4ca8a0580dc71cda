"""The forms that connect the calendar kinds without OAuth (``connect_form_class``). Staff-facing: the provider's
owner fills them in the admin. The backend's ``check_login`` then tries what they hold."""

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _


class CalDAVConnectForm(forms.Form):
    url = forms.URLField(label=_("Server URL"), max_length=500, assume_scheme="https",
                         help_text=_("For example https://caldav.icloud.com, https://caldav.fastmail.com/dav/ or "
                                     "https://cloud.example.com/remote.php/dav"))
    username = forms.CharField(label=_("User name"), max_length=200,
                               help_text=_("Usually the account's email address."))
    password = forms.CharField(label=_("App password"), max_length=500, strip=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("An app-specific password made in the account's security settings, "
                                           "not the account's main password."))


class ICalSubscriptionForm(forms.Form):
    url = forms.CharField(label=_("Calendar address (.ics)"), max_length=2000,
                          help_text=_("The secret or public iCal address of the calendar, starting with https:// "
                                      "or webcal://."))

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        parts = urlsplit(url)
        if parts.scheme.lower() == "webcal":  # webcal:// is https:// that calendar apps open
            url = "https" + url[len(parts.scheme):]
            parts = urlsplit(url)
        if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
            raise forms.ValidationError(_("Enter an address starting with https:// or webcal://."))
        return url

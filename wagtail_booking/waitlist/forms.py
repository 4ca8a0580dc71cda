"""The "Join the waitlist" form of the booking block: the want (hidden, from the page) and the client's details."""

from datetime import date, datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..bookings.intake import InvalidInput, check_start
from ..bookings.models import ClassSession
from ..formats import language_code
from ..phone import PhoneNumberField
from ..snippets.models import Provider
from ..timezones import is_known_zone
from .lines import Want


class JoinForm(forms.Form):
    provider = forms.IntegerField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.HiddenInput, required=False)
    start = forms.CharField(widget=forms.HiddenInput, required=False)
    session = forms.IntegerField(widget=forms.HiddenInput, required=False)
    timezone = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneNumberField(label=_("Phone (optional)"), required=False)
    sms_consent = forms.BooleanField(label=_("Text me when a place frees. Reply STOP to opt out."), required=False)
    language = forms.ChoiceField(label=_("Language of our messages"), choices=())

    def __init__(self, service, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_waitlist_{service.pk}_%s")
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES]
        try:
            self.fields["language"].initial = language_code()  # the page's: es-mx reads as es
        except LookupError:
            self.fields["language"].initial = settings.LANGUAGE_CODE

    def clean_timezone(self):
        zone = self.cleaned_data["timezone"]
        if not is_known_zone(zone):
            raise forms.ValidationError(_("Choose a known time zone (for example Europe/Paris)."))
        return zone

    def clean_start(self):
        raw = self.cleaned_data.get("start")
        if not raw:
            return None
        try:
            return check_start(datetime.fromisoformat(raw))
        except (ValueError, InvalidInput) as error:
            raise forms.ValidationError(_("The time to wait for is not valid.")) from error

    @property
    def wanted_time(self) -> datetime | None:
        """The time the form waits for, as the page shows it (bound or not)."""
        try:
            return datetime.fromisoformat(self["start"].value() or "")
        except (TypeError, ValueError):
            return None

    @property
    def wanted_day(self) -> date | None:
        try:
            return date.fromisoformat(str(self["day"].value() or ""))
        except ValueError:
            return None

    def want(self) -> Want:
        """The want the form names (after ``is_valid``); a provider or class of another service names nothing."""
        data = self.cleaned_data
        provider = (Provider.objects.filter(pk=data["provider"], site_id=self.service.site_id).first()
                    if data.get("provider") else None)
        session = (ClassSession.objects.filter(pk=data["session"], service=self.service).first()
                   if data.get("session") else None)
        return Want(service=self.service, provider=provider, day=data.get("day"), start=data.get("start"),
                    session=session)

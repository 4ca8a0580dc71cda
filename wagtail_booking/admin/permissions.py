"""Settings > Groups: the businesses (sites) a group's members work in.

Wagtail's own site-settings panel only offers "change" on ``BusinessSettings``; this panel gives the separate
``access_business`` permission per site, which is what ``businesses.sites_for_user`` reads.
"""

from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.forms import SitePermissionForm
from wagtail.models import GroupSitePermission

from ..businesses import BUSINESS_PERMISSION
from ..site_settings import BusinessSettings


class BusinessAccessForm(SitePermissionForm):
    settings_model = BusinessSettings
    icon = "site"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "wagtail_booking_business_access")
        self.access_permission = Permission.objects.get(content_type__app_label="wagtail_booking",
                                                        codename=BUSINESS_PERMISSION)
        super().__init__(*args, **kwargs)
        self.permission = self.access_permission  # what save() gives and takes away
        self.fields["sites"].label = _("Businesses")
        self.fields["sites"].help_text = _(
            "Members see and manage the bookings, clients, reports, calendar sync and text messages of these "
            "businesses only. Superusers see every business.")

    def get_existing_permissions(self):
        return GroupSitePermission.objects.filter(group=self.instance, permission=self.access_permission)

    def as_admin_panel(self):
        return render_to_string(self.template_name, {
            "heading": _("Businesses this group works in"), "form": self,
            "panel_id": "wagtail-booking-business-access"})

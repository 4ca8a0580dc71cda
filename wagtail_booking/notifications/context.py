"""Where links in emails point and whose name they carry, outside any request."""

from django.conf import settings
from wagtail.models import Site

from ..site_settings import BusinessSettings


def _default_site():
    return Site.objects.filter(is_default_site=True).first()


def site_base_url() -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    if base:
        return base
    site = _default_site()
    return site.root_url if site else "http://localhost"


def site_settings():
    site = _default_site()
    return BusinessSettings.for_site(site) if site else None


def business_name() -> str:
    site = _default_site()
    return BusinessSettings.for_site(site).display_name() if site else "our business"

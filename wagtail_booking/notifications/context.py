"""Where links in emails point and whose name they carry, outside any request (kept for imports from 0.1)."""

from ..site_settings import business_name, site_base_url, site_settings

__all__ = ["business_name", "site_base_url", "site_settings"]

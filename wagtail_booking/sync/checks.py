"""System checks for calendar connections (registered through ``wagtail_booking.checks``)."""

from django.conf import settings
from django.core.checks import Warning

from .backends import load_problems
from .push import push_base_url


def check_calendar_backends() -> list:
    return [Warning(f"The {kind!r} calendar backend is listed in CALENDAR_BACKENDS but {problem}; providers "
                    "cannot connect calendars of that kind.",
                    hint="Install the extra it needs (pip install \"wagtail-booking[microsoft]\", \"[caldav]\", "
                         "\"[google]\") or remove the kind from WAGTAIL_BOOKING['CALENDAR_BACKENDS'].",
                    id="wagtail_booking.W014")
            for kind, problem in load_problems().items()]


def check_google_settings() -> list:
    client_id = getattr(settings, "GOOGLE_OAUTH_CLIENT_ID", "")
    secret = getattr(settings, "GOOGLE_OAUTH_CLIENT_SECRET", "")
    problems = []
    if bool(client_id) != bool(secret):
        missing = "GOOGLE_OAUTH_CLIENT_SECRET" if client_id else "GOOGLE_OAUTH_CLIENT_ID"
        problems.append(Warning(
            f"{missing} is not set, so providers cannot connect Google Calendar.",
            hint="Copy both the client ID and the client secret of your OAuth client (type 'Web application') "
                 "from Google Cloud console > APIs & Services > Credentials. See docs/howto/google-calendar.md.",
            id="wagtail_booking.W010"))
    if client_id and secret:
        try:
            import google_auth_oauthlib  # noqa: F401
            import googleapiclient  # noqa: F401
        except ImportError:
            problems.append(Warning(
                "GOOGLE_OAUTH_CLIENT_ID is set but the Google SDKs are not installed.",
                hint='Install the extra: pip install "wagtail-booking[google]".', id="wagtail_booking.W011"))
    push_base = push_base_url()
    if push_base and not push_base.startswith("https://") and not getattr(settings, "GOOGLE_API_BASE", ""):
        problems.append(Warning(
            f"The calendar push address is {push_base!r}; calendar services only deliver push notifications to "
            "public HTTPS addresses, so calendars will only be polled (every 15 minutes).",
            hint="Set WAGTAIL_BOOKING['CALENDAR_PUSH_BASE_URL'] (or GOOGLE_PUSH_BASE_URL) to the public https:// "
                 "address of the site, e.g. https://www.example.com, or leave it empty to rely on polling.",
            id="wagtail_booking.W012"))
    return problems

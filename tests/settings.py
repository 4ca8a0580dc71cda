"""Test settings: the sandbox's, with Huey immediate, on the database the environment names.

PostgreSQL by default ($DATABASE_URL, else the local server); SQLite, the sandbox's embedded default, when
TEST_DB=sqlite or DATABASE_URL=sqlite:///... (scripts/test.sh runs the suite once on each; docs/testing.md).
"""

import os

import dj_database_url

os.environ.setdefault("SANDBOX_VAR_DIR", "/tmp/wagtail-booking-test-var")

from sandbox.settings import *  # noqa: E402, F403

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
TEST_DB = os.environ.get("TEST_DB") or ("sqlite" if DATABASE_URL.startswith("sqlite") else "postgres")
TEST_DATABASE_NAME = os.environ.get("TEST_DATABASE_NAME", "test_wagtail_booking")
if TEST_DB == "sqlite":
    # The sandbox's SQLite options (sandbox/sandbox/settings.py): IMMEDIATE transactions serialise writers, which
    # is what keeps two bookings apart there. The test database is a file, not Django's in-memory default, so
    # that the threads of the race tests and the live server share it and wait on its lock like real processes.
    # It lives in $SANDBOX_VAR_DIR (a path in DATABASE_URL=sqlite:///... is not used: tests never touch it).
    test_file = str(VAR_DIR / f"{TEST_DATABASE_NAME}.sqlite3")  # noqa: F405
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": test_file, "TEST": {"NAME": test_file},
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}}
elif TEST_DB == "postgres":
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}
    if "postgresql" not in DATABASES["default"]["ENGINE"]:
        raise RuntimeError(f"TEST_DB=postgres needs DATABASE_URL=postgres://..., not {DATABASE_URL.split(':')[0]}")
else:
    raise RuntimeError(f"TEST_DB={TEST_DB!r}: use TEST_DB=postgres or TEST_DB=sqlite (see docs/testing.md)")

DEBUG = False
HUEY = {"huey_class": "huey.MemoryHuey", "name": "wagtail-booking-tests", "immediate": True}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WAGTAILADMIN_BASE_URL = "http://testserver"
# Every calendar kind, so tests can connect each (the dummy one lives in its own credentials).
CALENDAR_BACKENDS = {
    "google": {"BACKEND": "wagtail_booking.sync.backends.google.GoogleBackend"},
    "microsoft": {"BACKEND": "wagtail_booking.sync.backends.microsoft.MicrosoftBackend"},
    "caldav": {"BACKEND": "wagtail_booking.sync.backends.caldav.CalDAVBackend"},
    "ical": {"BACKEND": "wagtail_booking.sync.backends.ical.ICalSubscriptionBackend"},
    "dummy": {"BACKEND": "wagtail_booking.sync.backends.dummy.DummyBackend"},
}
WAGTAIL_BOOKING = {"PHONE_REGION": "US", "RATE_LIMITS": {"read": 10_000, "write": 10_000},
                   "PAYMENT_HANDOFF": "wagtail_booking.packages.handoff.CreditsOrStripeHandoff",
                   "CALENDAR_BACKENDS": CALENDAR_BACKENDS}
# No Stripe unless a test starts the loopback fake (tests/checkout/conftest.py sets these).
STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = ""
STRIPE_MAX_NETWORK_RETRIES = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

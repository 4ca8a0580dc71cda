"""Test settings: the sandbox's, on PostgreSQL (DATABASE_URL; see scripts/test.sh), with Huey immediate."""

import os

import dj_database_url

os.environ.setdefault("SANDBOX_VAR_DIR", "/tmp/wagtail-booking-test-var")

from sandbox.settings import *  # noqa: E402, F403

DATABASES = {"default": dj_database_url.parse(
    os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_wagtail_booking")}
if "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise RuntimeError("The test suite runs on PostgreSQL: set DATABASE_URL=postgres://... (see scripts/test.sh)")

DEBUG = False
HUEY = {"huey_class": "huey.MemoryHuey", "name": "wagtail-booking-tests", "immediate": True}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAIL_BOOKING = {"PHONE_REGION": "US", "RATE_LIMITS": {"read": 10_000, "write": 10_000},
                   "PAYMENT_HANDOFF": "wagtail_booking.checkout.handoff.StripeCheckoutHandoff"}
# No Stripe unless a test starts the loopback fake (tests/checkout/conftest.py sets these).
STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = ""
STRIPE_MAX_NETWORK_RETRIES = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

"""Sandbox site: Wagtail + Oscar + wagtail-booking, with embedded defaults (SQLite, SQLite-backed Huey, console
email, a loopback Stripe fake) unless the environment names real services (DATABASE_URL, REDIS_URL,
STRIPE_SECRET_KEY / STRIPE_PUBLISHABLE_KEY / STRIPE_WEBHOOK_SECRET)."""

import os
from pathlib import Path

import dj_database_url
from oscar.defaults import *  # noqa: F403 - Oscar's documented way to get its defaults

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SANDBOX_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "sandbox-only-not-secret")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

OSCAR_APPS = [
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    # Oscar's checkout with a Stripe payment step for booking deposits.
    "wagtail_booking.checkout.oscar_checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "wagtail_booking.checkout.oscar_partner.apps.PartnerConfig",  # Oscar's, with line-priced products
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
]

INSTALLED_APPS = [
    "home",
    "wagtail_booking",
    "huey.contrib.djhuey",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    *OSCAR_APPS,
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the URL's prefix (/es/..., /fr/...; urls.py), unprefixed pages in LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "sandbox.urls"
WSGI_APPLICATION = "sandbox.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail_booking.admin.context_processors.shop_search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}", conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Serialise writers so two bookings can never pass the availability check at once.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "wagtail-booking", "url": REDIS_URL, "immediate": False}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "wagtail-booking", "filename": str(VAR_DIR / "huey.sqlite3"),
            "immediate": False}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "sandbox_cache"}}

AUTHENTICATION_BACKENDS = ["oscar.apps.customer.auth_backends.EmailBackend",
                           "django.contrib.auth.backends.ModelBackend"]
LANGUAGE_CODE = "en-gb"
# The languages the client pages, emails and texts are offered in (docs/howto/translations.md).
LANGUAGES = [("en-gb", "English"), ("es", "Español"), ("fr", "Français")]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = "bookings@sandbox.example"

WAGTAIL_SITE_NAME = "Harbour Wellness (sandbox)"
WAGTAILADMIN_BASE_URL = os.environ.get("SANDBOX_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
TASKS = {"default": {"BACKEND": "wagtail_booking.tasks_backend.HueyOnCommitBackend"}}

OSCAR_SHOP_NAME = "Harbour Wellness"
OSCAR_DEFAULT_CURRENCY = "USD"
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_THUMBNAILER = "oscar.core.thumbnails.SorlThumbnail"
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}

# Every calendar kind; "dummy" needs no account (its calendars live in the connection's own credentials).
CALENDAR_BACKENDS = {
    "google": {"BACKEND": "wagtail_booking.sync.backends.google.GoogleBackend"},
    "microsoft": {"BACKEND": "wagtail_booking.sync.backends.microsoft.MicrosoftBackend"},
    "caldav": {"BACKEND": "wagtail_booking.sync.backends.caldav.CalDAVBackend"},
    # Loopback and http:// feeds are accepted here only (a developer's own test feed); never in production.
    "ical": {"BACKEND": "wagtail_booking.sync.backends.ical.ICalSubscriptionBackend",
             "OPTIONS": {"ALLOW_LOCAL_ADDRESSES": True}},
    "dummy": {"BACKEND": "wagtail_booking.sync.backends.dummy.DummyBackend"},
}

WAGTAIL_BOOKING = {
    "PHONE_REGION": os.environ.get("PHONE_REGION", "US"),
    "CALENDAR_BACKENDS": CALENDAR_BACKENDS,
    "PAYMENT_HANDOFF": "wagtail_booking.packages.handoff.CreditsOrStripeHandoff",
    "BASE_TEMPLATE": "base.html",  # the booking checkout looks like the rest of the sandbox site
}

# Stripe: real keys from the environment, else the loopback fake that scripts/sandbox.sh starts
# (sandbox/fakes/stripe_server.py), so the checkout works offline end to end.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_CONNECT_WEBHOOK_SECRET = os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET", "")
if not STRIPE_SECRET_KEY:
    STRIPE_FAKE_URL = os.environ.get("STRIPE_FAKE_URL", "http://127.0.0.1:12111")
    STRIPE_SECRET_KEY = "sk_test_sandbox_fake"
    STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    STRIPE_WEBHOOK_SECRET = "whsec_sandbox_fake"
    STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_sandbox_connect_fake"
    STRIPE_API_BASE = STRIPE_FAKE_URL
    STRIPE_JS_URL = f"{STRIPE_FAKE_URL}/v3/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"wagtail_booking": {"handlers": ["console"], "level": "INFO"}},
}

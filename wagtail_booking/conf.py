"""Package settings, read lazily from ``settings.WAGTAIL_BOOKING`` so ``override_settings`` works.

Usage: ``from wagtail_booking.conf import booking_settings; booking_settings.HOLD_MINUTES``.
"""

from datetime import timedelta

from django.conf import settings

DEFAULTS = {
    # How long a hold keeps a slot while the client finishes (payment, details).
    "HOLD_MINUTES": 15,
    # Expired holds stop blocking at once; the periodic clean-up deletes them this many hours later, so a payment
    # that completes late still finds its hold (and refunds if the slot was lost).
    "EXPIRED_HOLD_RETENTION_HOURS": 24,
    # Longest date range the public slots endpoint answers, in days.
    "MAX_RANGE_DAYS": 62,
    # Zone used to show times when the client's zone is unknown.
    "DEFAULT_TIMEZONE": None,  # None: settings.TIME_ZONE
    # Requests allowed per client address per minute, per endpoint group (keys you leave out keep their default;
    # None switches a group's limit off). "email_link": asking for a "my bookings" link.
    "RATE_LIMITS": {"read": 120, "write": 20, "email_link": 5},
    # How many reverse proxies in front of the site append to X-Forwarded-For. 0: use REMOTE_ADDR only, so a
    # client cannot choose its own address by sending the header.
    "PROXY_COUNT": 0,
    # Cache alias that stores rate-limit counters (shared between processes in production).
    "RATE_LIMIT_CACHE": "default",
    # Dotted path of the class that takes over holds that need a payment (see checkout/handoff.py).
    "PAYMENT_HANDOFF": "wagtail_booking.checkout.handoff.NoPaymentHandoff",
    # Deposits for appointments starting within this many days are authorised and captured later (card
    # authorisations lapse after about 7 days); later appointments are charged at once and refunded by policy.
    "CARD_AUTHORIZATION_DAYS": 6,
    # A balance payment link (sent by staff after the visit) works for this many days; later it says it expired.
    "BALANCE_LINK_DAYS": 30,
    # A client's series of a service with a deposit: each later appointment's deposit is due this many hours before
    # it (unpaid, the appointment is released); its payment link is emailed this many days before it.
    "SERIES_DEPOSIT_DUE_HOURS": 48,
    "SERIES_DEPOSIT_LINK_DAYS": 7,
    # The largest tip a client may add to a balance, in the booking's currency, unless the balance itself is
    # larger (a 100% tip is always allowed). A string or Decimal.
    "TIP_MAXIMUM": "500",
    # Stripe Connect: a business (a Wagtail Site) with no connected Stripe account that can take payments has its
    # deposits charged on the platform's own account (True), or cannot take deposits online at all (False).
    "STRIPE_CONNECT_FALLBACK_TO_PLATFORM": True,
    # The platform's fee on each deposit charged on a business's connected account, unless the operator set one
    # for that business: a percentage of the amount plus a fixed amount in the payment's currency (strings or
    # Decimals, e.g. "2.5" and "0.30").
    "STRIPE_CONNECT_FEE_PERCENT": "0",
    "STRIPE_CONNECT_FEE_FIXED": "0",
    # The template the client's booking checkout pages (payment for a basket of appointments only) extend, so they
    # look like the site that hosts the booking block: it must fill a "content" block and may fill "title".
    "BASE_TEMPLATE": "wagtail_booking/base.html",
    # Days ahead the booking block looks for days with free slots.
    "BLOCK_DAYS_AHEAD": 31,
    # Region (ISO 3166 code such as "US") for phone numbers written without a country code.
    "PHONE_REGION": None,
    # Where text messages go: "...sms.twilio.TwilioBackend" (real), "...sms.console.ConsoleBackend", or
    # "...sms.locmem.LocmemBackend" (tests). SMS also has to be switched on in the site's settings.
    "SMS_BACKEND": {"BACKEND": "wagtail_booking.notifications.sms.console.ConsoleBackend"},
    # Address used in emails when the site has none.
    "FROM_EMAIL": None,  # None: settings.DEFAULT_FROM_EMAIL
    # Email last month's revenue report PDF to the owners (users with "view revenue reports") on the 1st.
    "MONTHLY_REVENUE_EMAIL": False,
    # Days a client's invoice download link keeps working.
    "INVOICE_LINK_DAYS": 90,
    # Invoice and credit note numbers are these prefixes and a gap-free six-digit counter.
    "INVOICE_PREFIX": "INV-",
    "CREDIT_NOTE_PREFIX": "CN-",
    # Side effects (emails, texts, refunds, calendar write-backs) still undelivered this many seconds after they
    # were handed to Huey are handed over again by the outbox sweep (every minute), e.g. after a broker outage.
    "OUTBOX_SWEEP_AFTER_SECONDS": 120,
    # Secret from which the key that encrypts stored Google credentials is derived (HKDF); None: SECRET_KEY.
    "ENCRYPTION_KEY": None,
    # Earlier values of that secret: stored credentials still decrypt with them until
    # `manage.py booking_rotate_keys` re-encrypts them (SECRET_KEY_FALLBACKS count too while ENCRYPTION_KEY is None).
    "ENCRYPTION_KEY_FALLBACKS": [],
    # Seconds to wait before each retry of a webhook delivery that failed (about three days in all); when the last
    # one fails too and nothing reached the endpoint meanwhile, the endpoint is disabled and its owner emailed.
    "WEBHOOK_RETRY_SCHEDULE": [60, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000, 36000],
    # Seconds a webhook receiver has to answer one delivery.
    "WEBHOOK_TIMEOUT_SECONDS": 10,
    # Delivered and given-up webhook deliveries are deleted this many days after they were created (pending ones
    # and the newest of each endpoint are kept).
    "WEBHOOK_KEEP_DAYS": 30,
    # Accept http:// webhook addresses (for development against a local receiver); production needs https://.
    "WEBHOOK_ALLOW_HTTP": False,
    # Send webhooks to private, loopback and link-local addresses too (a receiver on your own machine or network);
    # off, an endpoint must be, and resolve to, public internet addresses only (SSRF protection).
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": False,
    # Which pages may frame the embeddable booking block (/booking/embed/...): a CSP frame-ancestors source list
    # such as ["https://www.example.com"]; ["*"] (the default) lets any site embed it, [] none.
    "EMBED_FRAME_ANCESTORS": ["*"],
    # Gift cards: the smallest and largest amount a buyer may choose (strings or Decimals, in the business's
    # currency); how long an applied card's amount stays reserved for a basket; days a card is valid (None: no
    # expiry, the default, since many places forbid gift cards that expire).
    "GIFT_CARD_MIN_AMOUNT": "10",
    "GIFT_CARD_MAX_AMOUNT": "500",
    "GIFT_CARD_HOLD_MINUTES": 30,
    "GIFT_CARD_VALID_DAYS": None,
    # Calendar kinds a provider can connect: kind -> {"BACKEND": dotted path, "OPTIONS": {...}}. Google only by
    # default; add "microsoft", "caldav", "ical" (and "dummy" for development) as in docs/reference/settings.md. A
    # listed backend whose module or SDK is not installed is a system-check warning and is not offered.
    "CALENDAR_BACKENDS": {"google": {"BACKEND": "wagtail_booking.sync.backends.google.GoogleBackend"}},
    # Busy time is imported from a day ago up to this many days ahead (bookings further out cannot be made anyway).
    "CALENDAR_IMPORT_DAYS": 365,
    # The site's public https:// address, to which calendar services push change notifications; None: the older
    # GOOGLE_PUSH_BASE_URL Django setting. Empty: no push subscriptions, the 15-minute poll alone.
    "CALENDAR_PUSH_BASE_URL": None,
}


class BookingSettings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown wagtail-booking setting {name!r}")
        return getattr(settings, "WAGTAIL_BOOKING", {}).get(name, DEFAULTS[name])

    @property
    def rate_limits(self) -> dict:
        return {**DEFAULTS["RATE_LIMITS"], **(self.RATE_LIMITS or {})}

    @property
    def hold_duration(self) -> timedelta:
        return timedelta(minutes=self.HOLD_MINUTES)

    @property
    def series_deposit_due(self) -> timedelta:
        return timedelta(hours=self.SERIES_DEPOSIT_DUE_HOURS)

    @property
    def series_deposit_link(self) -> timedelta:
        return timedelta(days=self.SERIES_DEPOSIT_LINK_DAYS)

    @property
    def default_timezone(self) -> str:
        return self.DEFAULT_TIMEZONE or settings.TIME_ZONE

    @property
    def from_email(self) -> str:
        return self.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


booking_settings = BookingSettings()

"""Django discovers models here; they live in the subpackages."""

from .api.models import ApiKey
from .bookings.models import Booking, BookingSeries, ClassSession
from .checkout.balances.models import AddOn, Tip
from .checkout.card_models import FeeCharge, SavedCard
from .checkout.models import (
    BookingPayment,
    CancellationPolicy,
    CancellationTier,
    ProcessedStripeEvent,
    StripeAccount,
)
from .clients.models import ClientAccessLink, ConfirmedClientEmail
from .giftcards.models import GiftCard, GiftCardEntry, GiftCardHold
from .notifications.models import AgendaSent, ReminderSent, SmsMessage, SmsOptOut
from .outbox.models import OutboxMessage
from .packages.models import CreditEntry, CreditPurchase, Package
from .reports.models import DocumentCounter, Invoice, RevenueReport
from .site_settings import BusinessSettings
from .snippets.models import (
    BusyBlock,
    DateOverride,
    IntakeForm,
    IntakeFormField,
    Provider,
    Service,
    TimeOff,
    WeeklyHours,
)
from .snippets.prices import ServicePrice, TaxRate
from .snippets.resources import ResourcePool
from .sync.models import BookingEvent, CalendarConnection, CalendarFeed, ConnectedCalendar
from .waitlist.models import WaitlistEntry
from .webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Booking", "BookingPayment", "BusinessSettings", "BusyBlock", "CancellationPolicy", "CancellationTier",
    "DateOverride", "DocumentCounter", "IntakeForm", "IntakeFormField", "Invoice", "ProcessedStripeEvent",
    "Provider", "ReminderSent", "RevenueReport", "Service", "SmsMessage", "SmsOptOut", "TimeOff", "WeeklyHours",
]
__all__ += ["OutboxMessage"]
__all__ += ["BookingEvent", "CalendarConnection", "CalendarFeed", "ConnectedCalendar"]
__all__ += ["StripeAccount"]
__all__ += ["WebhookDelivery", "WebhookEndpoint"]
__all__ += ["ApiKey"]
__all__ += ["ClientAccessLink", "ConfirmedClientEmail"]
__all__ += ["AgendaSent"]
__all__ += ["CreditEntry", "CreditPurchase", "Package"]
__all__ += ["GiftCard", "GiftCardEntry", "GiftCardHold"]
__all__ += ["FeeCharge", "SavedCard"]
__all__ += ["AddOn", "Tip"]
__all__ += ["ServicePrice", "TaxRate"]
__all__ += ["BookingSeries", "ClassSession", "ResourcePool", "WaitlistEntry"]

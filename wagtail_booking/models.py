"""Django discovers models here; they live in the subpackages."""

from .bookings.models import Booking
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

__all__ = ["Booking", "BusinessSettings", "BusyBlock", "DateOverride", "IntakeForm", "IntakeFormField",
           "Provider", "Service", "TimeOff", "WeeklyHours"]

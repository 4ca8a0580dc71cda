"""Factories for services, providers and bookings."""

from datetime import time, timedelta

import factory

from wagtail_booking.bookings.models import Booking
from wagtail_booking.snippets.models import IntakeForm, IntakeFormField, Provider, Service, WeeklyHours


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Provider {n}")
    email = factory.Sequence(lambda n: f"provider{n}@example.com")
    timezone = "America/New_York"

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        """Mon-Fri 09:00-17:00 unless given ``weekdays=[(weekday, opens, closes), ...]``."""
        hours = extracted if extracted is not None else [(day, time(9), time(17)) for day in range(5)]
        for weekday, opens, closes in hours:
            WeeklyHours.objects.create(provider=self, weekday=weekday, opens=opens, closes=closes)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 30
    slot_interval_minutes = 30
    minimum_notice_minutes = 0
    booking_horizon_days = 365
    cancellation_cutoff_hours = 24

    @factory.post_generation
    def providers(self, create, extracted, **kwargs):
        if extracted:
            self.providers.set(extracted)


class IntakeFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeForm
        skip_postgeneration_save = True

    name = "Questions"

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        for order, (label, kind, required, choices) in enumerate(extracted or []):
            IntakeFormField.objects.create(form=self, sort_order=order, label=label, field_type=kind,
                                           required=required, choices=choices)


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking written straight to the table (the no-overlap constraint still applies)."""

    class Meta:
        model = Booking

    service = factory.SubFactory(ServiceFactory)
    provider = factory.SubFactory(ProviderFactory)
    site_id = factory.LazyAttribute(lambda o: o.service.site_id)
    status = Booking.Status.CONFIRMED
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=o.service.duration_minutes))
    blocked_start = factory.LazyAttribute(lambda o: o.start - timedelta(minutes=o.service.buffer_before_minutes))
    blocked_end = factory.LazyAttribute(lambda o: o.end + timedelta(minutes=o.service.buffer_after_minutes))
    client_name = "Client"
    client_email = factory.Sequence(lambda n: f"client{n}@example.com")
    client_timezone = "America/New_York"

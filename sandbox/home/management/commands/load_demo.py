"""Demo data for the sandbox: a business, services, staff with schedules, pages with booking blocks, an admin.

A second business (another Wagtail site, answering on ``localhost`` where the first answers on ``127.0.0.1``) shows
the platform set-up: its own services and staff, and an owner who sees only that business in the admin.
"""

import json
import os
from datetime import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import GroupSitePermission, Page, Site

from home.models import ContentPage
from wagtail_booking.models import (
    BusinessSettings,
    CancellationPolicy,
    CancellationTier,
    IntakeForm,
    IntakeFormField,
    Provider,
    ResourcePool,
    Service,
    WeeklyHours,
)
from wagtail_booking.packages.models import Package

ADMIN_USERNAME = "admin"
OWNER_USERNAME = "northside"
SECOND_HOST = "localhost"
# What an owner does in the admin: bookings, the setup snippets, reports, text messages.
OWNER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    *[("wagtail_booking", f"{action}_{model}") for model in ("service", "provider", "intakeform",
                                                              "cancellationpolicy", "busyblock", "package",
                                                              "resource", "resourcepool")
      for action in ("add", "change", "delete", "view")],
    *[("wagtail_booking", codename) for codename in ("view_booking", "add_booking", "change_booking",
                                                     "manage_bookings", "view_revenue_reports", "view_smsmessage",
                                                     "manage_payments_account", "view_apikey", "add_apikey",
                                                     "delete_apikey", "view_creditpurchase", "change_creditpurchase",
                                                     "view_giftcard", "change_giftcard", "view_webhookendpoint",
                                                     "add_webhookendpoint", "change_webhookendpoint",
                                                     "delete_webhookendpoint", "view_waitlistentry",
                                                     "change_waitlistentry")],
]


class Command(BaseCommand):
    help = "Load the sandbox's demo business (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        password = os.environ.get("SANDBOX_ADMIN_PASSWORD", "booking-sandbox")
        self._admin(password)
        form = self._intake_form()
        providers = self._providers()
        services = self._services(form, providers)
        self._pages(services)
        site = Site.objects.get(is_default_site=True)
        policy = self._cancellation_policy()
        self._package(services[1])
        BusinessSettings.objects.update_or_create(site=site, defaults={
            "default_cancellation_policy": policy,
            "business_name": "Harbour Wellness", "contact_email": "hello@harbour.example",
            "contact_phone": "+1 212 555 0100", "address": "1 Harbour Street\nNew York, NY 10004",
            "time_zone": "America/New_York", "staff_notify_emails": "owner@harbour.example"})
        second = self._second_business(password)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready. Admin: {site.root_url}/admin/  user {ADMIN_USERNAME!r}  password {password!r}\n"
            f"Second business (Northside Physio): {second.root_url}/  its owner signs in at "
            f"{second.root_url}/admin/ as {OWNER_USERNAME!r} with the same password and sees only Northside."))

    def _admin(self, password):
        user, _ = get_user_model().objects.get_or_create(
            username=ADMIN_USERNAME, defaults={"email": "admin@harbour.example", "is_staff": True,
                                               "is_superuser": True})
        user.set_password(password)
        user.save()

    def _cancellation_policy(self):
        policy, created = CancellationPolicy.objects.get_or_create(name="Standard (48 h full, 24 h half)")
        if created:
            # Fees a client agrees to when they keep their card on file (the booking form asks).
            policy.late_cancellation_fee_kind, policy.late_cancellation_fee_value = "percent", Decimal("50")
            policy.no_show_fee_kind, policy.no_show_fee_value = "fixed", Decimal("25.00")
            policy.save()
            CancellationTier.objects.create(policy=policy, sort_order=0, hours_before=48, refund_percent=100)
            CancellationTier.objects.create(policy=policy, sort_order=1, hours_before=24, refund_percent=50)
        return policy

    def _package(self, massage):
        """A three-pack of massages, listed by the massage's booking block (credits, issue 12)."""
        package, created = Package.objects.get_or_create(name="Three massages", defaults={
            "description": "Three 60-minute massages for the price of two and a half, to book one at a time.",
            "sessions": 3, "price": Decimal("225.00"), "currency": "USD", "validity_months": 6})
        if created:
            package.services.set([massage])

    def _intake_form(self):
        form, created = IntakeForm.objects.get_or_create(name="New client questions",
                                                         defaults={"intro": "Help us prepare for your visit."})
        if created:
            questions = [
                ("What would you like to discuss?", "multiline", True, ""),
                ("How did you hear about us?", "dropdown", False, "Search engine\nFriend\nSocial media\nOther"),
                ("I agree to the privacy policy", "checkbox", True, ""),
            ]
            for order, (label, kind, required, choices) in enumerate(questions):
                IntakeFormField.objects.create(form=form, sort_order=order, label=label, field_type=kind,
                                               required=required, choices=choices)
        return form

    def _providers(self):
        specs = [("Dr. Maya Chen", "maya@harbour.example", "America/New_York", "staff"),
                 ("Sam Okafor", "sam@harbour.example", "America/New_York", "staff"),
                 ("Treatment room 1", "", "America/New_York", "resource"),
                 ("Treatment room 2", "", "America/New_York", "resource")]
        providers = []
        for name, email, zone, kind in specs:
            provider, created = Provider.objects.get_or_create(name=name, defaults={
                "email": email, "timezone": zone, "kind": kind})
            if created:
                for weekday in range(5):  # Mon-Fri, split shift with a lunch break
                    WeeklyHours.objects.create(provider=provider, weekday=weekday, opens=time(9), closes=time(12))
                    WeeklyHours.objects.create(provider=provider, weekday=weekday, opens=time(13), closes=time(17))
                WeeklyHours.objects.create(provider=provider, weekday=5, opens=time(10), closes=time(14))
            providers.append(provider)
        return providers

    def _services(self, form, providers):
        maya, sam, *rooms = providers
        pool, created = ResourcePool.objects.get_or_create(name="Treatment rooms")
        if created:
            pool.resources.set(rooms)
            pool.save()  # a ParentalManyToManyField is written when its cluster is saved
        specs = [
            ("Free consultation", dict(description="A 30-minute first conversation, no charge.",
                                       duration_minutes=30, slot_interval_minutes=30, intake_form=form,
                                       minimum_notice_minutes=60), [maya, sam]),
            ("Massage therapy", dict(description="60 minutes of therapeutic massage.", duration_minutes=60,
                                     slot_interval_minutes=30, buffer_after_minutes=15, price=Decimal("90.00"),
                                     deposit_kind="percent", deposit_value=Decimal("20"),
                                     resource_pool=pool, show_resource_to_client=True), [sam, maya]),
            ("Initial assessment", dict(description="45-minute assessment; we confirm each request.",
                                        duration_minutes=45, slot_interval_minutes=15, booking_mode="request",
                                        buffer_before_minutes=10), [maya]),
            ("Yoga class", dict(description="A 60-minute group class for up to 12, mats provided.",
                                duration_minutes=60, slot_interval_minutes=60, price=Decimal("20.00"),
                                capacity=12, max_seats_per_booking=4, min_attendance=3,
                                min_attendance_cutoff_hours=6), [sam]),
            ("Weekly coaching", dict(description="The same 45 minutes every week or two, booked as a series.",
                                     duration_minutes=45, slot_interval_minutes=15, allow_series=True), [maya]),
        ]
        services = []
        for name, fields, offered_by in specs:
            service, created = Service.objects.get_or_create(name=name, defaults=fields)
            if created:
                service.providers.set(offered_by)
            services.append(service)
        return services

    def _pages(self, services):
        site = Site.objects.get(is_default_site=True)
        if isinstance(site.root_page.specific, ContentPage):
            return
        consultation = services[0]
        root = Page.get_first_root_node()
        home = root.add_child(instance=ContentPage(title="Harbour Wellness", slug="harbour", body=json.dumps([
            {"type": "paragraph", "value": "<p>Therapy, massage and assessments by the harbour. "
                                           '<a href="/booking/gift-cards/buy/">Give a gift card</a>.</p>'},
            {"type": "booking", "value": {"service": consultation.pk, "provider": None, "provider_choice": "client",
                                         "heading": "Book a free consultation",
                                         "intro": "<p>Pick a time that suits you.</p>"}},
        ])))
        old_root = site.root_page
        site.root_page = home
        site.port = int(os.environ.get("SANDBOX_PORT", "8000"))
        site.hostname = os.environ.get("SANDBOX_HOST", "127.0.0.1")
        site.site_name = "Harbour Wellness"
        site.save()
        old_root.delete()
        home.add_child(instance=ContentPage(title="Services", slug="services", body=json.dumps([
            {"type": "booking", "value": {"service": service.pk, "provider": None, "heading": service.name,
                                          "intro": f"<p>{service.description}</p>"}} for service in services
        ])))

    # The second business --------------------------------------------------------------------------------------

    def _second_business(self, password):
        site = Site.objects.filter(hostname=SECOND_HOST).first()
        if site is None:
            home = Page.get_first_root_node().add_child(instance=ContentPage(title="Northside Physio",
                                                                             slug="northside"))
            site = Site.objects.create(hostname=SECOND_HOST, port=int(os.environ.get("SANDBOX_PORT", "8000")),
                                       root_page=home, site_name="Northside Physio")
            self._second_catalogue(site, home)
        BusinessSettings.objects.update_or_create(site=site, defaults={
            "business_name": "Northside Physio", "contact_email": "desk@northside.example",
            "contact_phone": "+44 161 496 0000", "address": "22 Mill Lane\nManchester M4 1AA",
            "reminder_lead_hours": "48", "time_zone": "Europe/London"})
        self._owner(site, password)
        return site

    def _second_catalogue(self, site, home):
        physio = Provider.objects.create(site=site, name="Priya Shah", email="priya@northside.example",
                                         timezone="Europe/London")
        for weekday in (0, 1, 3):  # Mon, Tue, Thu
            WeeklyHours.objects.create(provider=physio, weekday=weekday, opens=time(8), closes=time(16))
        policy = CancellationPolicy.objects.create(site=site, name="Northside: 24 h full refund")
        CancellationTier.objects.create(policy=policy, sort_order=0, hours_before=24, refund_percent=100)
        session = Service.objects.create(
            site=site, name="Physiotherapy session", description="45 minutes with a chartered physiotherapist.",
            duration_minutes=45, slot_interval_minutes=15, price=Decimal("60.00"), deposit_kind="fixed",
            deposit_value=Decimal("15.00"), cancellation_policy=policy, minimum_notice_minutes=120)
        session.providers.set([physio])
        home.body = json.dumps([
            {"type": "paragraph", "value": "<p>Physiotherapy in Manchester. A second business on this install.</p>"},
            {"type": "booking", "value": {"service": session.pk, "provider": None, "heading": session.name,
                                         "intro": f"<p>{session.description}</p>"}},
        ])
        home.save_revision().publish()

    def _owner(self, site, password):
        group, _ = Group.objects.get_or_create(name="Northside Physio staff")
        for app_label, codename in OWNER_PERMISSIONS:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        # Works in this business, and edits its business details (a site permission, not a global one).
        for codename in ("access_business", "change_businesssettings"):
            permission = Permission.objects.get(content_type__app_label="wagtail_booking", codename=codename)
            GroupSitePermission.objects.get_or_create(group=group, site=site, permission=permission)
        user, _ = get_user_model().objects.get_or_create(
            username=OWNER_USERNAME, defaults={"email": "owner@northside.example", "is_staff": True})
        user.set_password(password)
        user.save()
        user.groups.add(group)

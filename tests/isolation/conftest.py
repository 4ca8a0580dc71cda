"""Two businesses on two sites (a.test, b.test), each with the whole set of rows staff can reach in the admin.

The world is built once per module, through the real flows where money is involved (the public API on the
business's own host, Oscar's checkout, the Stripe fake, the outbox issuing invoices and credit notes), and wiped at
the end of the module; each test runs in a transaction on top of it that is rolled back.

Every row of business B carries "Bravo" in its name (A's carry "Alpha"); B also has markers no page of A may show:
its booking references, Oscar order numbers, client emails, and document numbers that A never reaches (A has one
invoice; B has two and a credit note, so INV-000002 and CN-000001 exist only in B).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client, override_settings
from wagtail.models import GroupSitePermission, Page, Site

from tests.checkout.conftest import WEBHOOK_SECRET, Checkout, far, stripe_server  # noqa: F401
from tests.conftest import TEST_NOW
from tests.factories.booking import BookingFactory, ProviderFactory, ServiceFactory
from tests.factories.resources import ResourceFactory
from tests.helpers import ensure_wagtail_baseline, next_monday, ny

OWNER_PERMISSIONS = [
    "access_admin", "view_booking", "add_booking", "change_booking", "manage_bookings", "view_revenue_reports",
    "view_smsmessage", "change_businesssettings", "manage_payments_account", "view_creditpurchase",
    "change_creditpurchase", "view_giftcard", "change_giftcard", "view_waitlistentry", "change_waitlistentry",
    *[f"{action}_{model}" for action in ("add", "change", "delete", "view") for model in ("apikey",
                                                                                         "webhookendpoint")],
    *[f"{action}_{model}" for action in ("add", "change", "delete", "view")
      for model in ("service", "provider", "busyblock", "intakeform", "cancellationpolicy", "package", "taxrate",
                    "resource", "resourcepool")],
]


@dataclass
class Business:
    name: str
    site: Site
    provider: object = None
    service: object = None
    intake_form: object = None
    policy: object = None
    busy_block: object = None
    booking: object = None  # confirmed, made by hand
    request: object = None  # awaiting approval
    paid: list = field(default_factory=list)
    invoice: object = None
    report: object = None
    sms: object = None
    connection: object = None
    owner: object = None
    api_key: object = None
    api_secret: str = ""  # the full key, as the integrator holds it
    webhook: object = None
    delivery: object = None
    stripe_account: object = None
    package: object = None
    purchase: object = None  # the package bought by the business's client
    gift_card: object = None
    room: object = None
    pool: object = None
    waitlist_entry: object = None

    def objects(self):
        """The row of each model the admin URLs name, by model."""
        from wagtail_booking.api.models import ApiKey
        from wagtail_booking.bookings.models import Booking
        from wagtail_booking.checkout.models import CancellationPolicy
        from wagtail_booking.giftcards.models import GiftCard
        from wagtail_booking.packages.models import Package
        from wagtail_booking.reports.models import Invoice, RevenueReport
        from wagtail_booking.snippets.models import BusyBlock, IntakeForm, Provider, Service
        from wagtail_booking.snippets.prices import TaxRate
        from wagtail_booking.snippets.resources import Resource, ResourcePool
        from wagtail_booking.sync.models import CalendarConnection
        from wagtail_booking.waitlist.models import WaitlistEntry
        from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

        return {Resource: self.room, ResourcePool: self.pool,CalendarConnection: self.connection,
                TaxRate: self.tax_rate, Service: self.service, Provider: self.provider, IntakeForm: self.intake_form,
                CancellationPolicy: self.policy, BusyBlock: self.busy_block, Booking: self.request,
                Invoice: self.invoice, RevenueReport: self.report, ApiKey: self.api_key,
                WebhookEndpoint: self.webhook, WebhookDelivery: self.delivery, Package: self.package,
                GiftCard: self.gift_card, WaitlistEntry: self.waitlist_entry}

    def markers(self):
        """Strings only this business's data contains."""
        values = {self.name, *(b.reference for b in self.all_bookings()), *(b.client_email for b in
                                                                                  self.all_bookings())}
        values |= {payment.order.number for b in self.paid for payment in b.payments.all() if payment.order}
        values |= {self.api_key.prefix, self.webhook.url, self.stripe_account.account_id,
                   self.gift_card.recipient_email, self.waitlist_entry.client_email}
        return sorted(values)

    def all_bookings(self):
        return [self.booking, self.request, *self.paid]


def _owner(django_user_model, username, site):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    group = Group.objects.create(name=f"{username} group")
    group.permissions.set(Permission.objects.filter(codename__in=OWNER_PERMISSIONS))
    if site is not None:
        GroupSitePermission.objects.create(group=group, site=site, permission=Permission.objects.get(
            content_type__app_label="wagtail_booking", codename="access_business"))
    user.groups.add(group)
    return user


def _business(name, hostname, home, stripe_server, monday, paid_count, refund):  # noqa: F811
    import stripe

    from wagtail_booking.api.keys import create_key
    from wagtail_booking.bookings.models import Booking
    from wagtail_booking.checkout import facade
    from wagtail_booking.checkout.models import CancellationPolicy, StripeAccount
    from wagtail_booking.notifications.models import SmsMessage, SmsOptOut
    from wagtail_booking.reports import jobs
    from wagtail_booking.reports.models import RevenueReport
    from wagtail_booking.site_settings import BusinessSettings
    from wagtail_booking.snippets.models import BusyBlock, IntakeForm
    from wagtail_booking.snippets.prices import TaxRate
    from wagtail_booking.snippets.resources import ResourcePool
    from wagtail_booking.sync.models import CalendarConnection
    from wagtail_booking.webhooks.models import WebhookDelivery, WebhookEndpoint

    site = Site.objects.create(hostname=hostname, root_page=home, site_name=f"{name} Site")
    BusinessSettings.objects.create(site=site, business_name=f"{name} Business")
    world = Business(name, site)
    world.provider = ProviderFactory(name=f"{name} Provider", email=f"provider@{hostname}", site=site)
    world.intake_form = IntakeForm.objects.create(name=f"{name} Intake", site=site)
    world.policy = CancellationPolicy.objects.create(name=f"{name} Policy", site=site)
    world.tax_rate = TaxRate.objects.create(name=f"{name} Tax", percent=Decimal("13"), site=site)
    world.room = ResourceFactory(name=f"{name} Room", site=site)
    world.pool = ResourcePool.objects.create(name=f"{name} Rooms", site=site)
    world.pool.resources.set([world.room])
    world.pool.save()
    world.service = ServiceFactory(name=f"{name} Massage", providers=[world.provider], site=site,
                                   duration_minutes=60, price=Decimal("90.00"), deposit_kind="percent",
                                   deposit_value=Decimal("20"), cancellation_policy=world.policy)
    from wagtail_booking.packages.models import Package

    world.package = Package.objects.create(name=f"{name} Package", site=site, sessions=3, price=Decimal("240.00"))
    world.package.services.add(world.service)
    from django.utils import timezone

    from wagtail_booking.packages.models import CreditPurchase

    world.purchase = CreditPurchase.objects.create(
        site=site, package=world.package, client_email=f"client@{hostname}", sessions=3,
        value_per_session=Decimal("80.00"), currency="USD", expires_at=timezone.now() + timedelta(days=180))
    world.purchase.entries.create(kind="granted", change=3, reason="Isolation test")
    start = ny(monday, 9)
    world.busy_block = BusyBlock.objects.create(provider=world.provider, title=f"{name} Busy Block",
                                                starts_at=start - timedelta(days=1),
                                                ends_at=start - timedelta(days=1) + timedelta(hours=1))
    world.booking = BookingFactory(service=world.service, provider=world.provider, start=start,
                                   client_name=f"{name} Client", client_email=f"client@{hostname}",
                                   client_phone="+12125550100" if name == "Alpha" else "+12125550199")
    world.request = BookingFactory(service=world.service, provider=world.provider, start=ny(monday, 11),
                                   status=Booking.Status.REQUESTED, client_name=f"{name} Requester",
                                   client_email=f"requester@{hostname}")
    stripe_client = stripe.StripeClient("sk_test_fake", base_addresses={"api": stripe_server.url},
                                        max_network_retries=0)
    for index in range(paid_count):
        flow = Checkout(Client(HTTP_HOST=hostname), stripe_client, world.service)
        flow.hold(far(monday, 12 + index), email=f"payer{index}@{hostname}")
        flow.open_payment_page()
        flow.pay()
        flow.come_back()
        world.paid.append(Booking.objects.get(reference=flow.hold_body["id"]))
    if refund:
        facade.refund(facade.paid_payment(world.paid[0]), Decimal("5.00"), "Refund by staff")
    world.invoice = world.paid[-1].invoices.get(kind="invoice")
    paid_on = world.paid[0].payments.get().created_at.date()
    world.report = RevenueReport.objects.create(site=site, first_day=paid_on.replace(day=1), last_day=paid_on)
    jobs.build_report(world.report.pk)
    world.report.refresh_from_db()
    world.sms = SmsMessage.objects.create(booking=world.booking, kind="reminder", to=world.booking.client_phone,
                                          body=f"{name} reminder text", status="failed",
                                          error_message=f"{name} carrier failure")
    SmsOptOut.objects.create(phone=world.booking.client_phone, reason=f"{name} stop")
    world.api_key, world.api_secret = create_key(site, f"{name} Key", ["read", "book", "manage"])
    world.webhook = WebhookEndpoint.objects.create(site=site, url=f"https://hooks.{hostname}/{name.lower()}",
                                                   description=f"{name} Hook")
    world.delivery = WebhookDelivery.objects.create(
        endpoint=world.webhook, event_type="booking.confirmed", booking=world.booking, status="failed",
        payload={"type": "booking.confirmed", "data": {"booking": {"reference": world.booking.reference}}},
        response_status=500, response_body=f"{name} receiver said no")
    world.stripe_account = StripeAccount.objects.create(site=site, account_id=f"acct_{name.lower()}000000",
                                                        charges_enabled=True, details_submitted=True)
    world.connection = CalendarConnection.objects.create(provider=world.provider, kind="google",
                                                         account=f"{name}@gmail.example",
                                                         status=CalendarConnection.Status.RECONNECT,
                                                         message=f"{name} calendar note")
    from wagtail_booking.giftcards import ledger

    world.gift_card, _code = ledger.issue(site.pk, "USD", Decimal("40.00"), to_name=f"{name} Friend",
                                          recipient_email=f"gift@{hostname}")
    from wagtail_booking.waitlist.models import WaitlistEntry

    world.waitlist_entry = WaitlistEntry.objects.create(
        site=site, service=world.service, scope="day", day=world.booking.start.date(), position=1,
        client_name=f"{name} Waiter", client_email=f"waiting@{hostname}", client_timezone="America/New_York")
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, stripe_server):  # noqa: F811
    """Business A ("Alpha", a.test) and business B ("Bravo", b.test), their owners, a superuser, and a staff user
    who works in no business."""
    with django_db_blocker.unblock(), time_machine.travel(TEST_NOW, tick=True), override_settings(
            STRIPE_SECRET_KEY="sk_test_fake", STRIPE_PUBLISHABLE_KEY=stripe_server.publishable_key,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=stripe_server.url,
            STRIPE_JS_URL=f"{stripe_server.url}/v3/", ALLOWED_HOSTS=["testserver", "a.test", "b.test"]):
        from django.contrib.auth import get_user_model

        django_user_model = get_user_model()
        stripe_server.reset()
        ensure_wagtail_baseline()
        home = Page.objects.get(depth=2)
        monday = next_monday()
        alpha = _business("Alpha", "a.test", home, stripe_server, monday, paid_count=1, refund=False)
        bravo = _business("Bravo", "b.test", home, stripe_server, monday, paid_count=2, refund=True)
        alpha.owner = _owner(django_user_model, "alpha-owner", alpha.site)
        bravo.owner = _owner(django_user_model, "bravo-owner", bravo.site)
        superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
        nobody = _owner(django_user_model, "nobody", None)
        yield {"A": alpha, "B": bravo, "superuser": superuser, "nobody": nobody}
        call_command("flush", interactive=False, verbosity=0)

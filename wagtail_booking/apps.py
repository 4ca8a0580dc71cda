from django.apps import AppConfig


class WagtailBookingConfig(AppConfig):
    name = "wagtail_booking"
    label = "wagtail_booking"
    verbose_name = "Bookings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers system checks
        from .checkout import receivers as payment_receivers
        from .checkout.balances import lines as balance_lines
        from .checkout.balances.views import thanks_url as balance_thanks_url
        from .giftcards import setup as giftcards
        from .notifications import receivers
        from .packages import fulfil as package_fulfilment
        from .packages import receivers as package_receivers
        from .packages.tasks import send_purchase_email_task
        from .reports import receivers as report_receivers
        from .sync import receivers as sync_receivers
        from .waitlist import receivers as waitlist_receivers
        from .webhooks import receivers as webhook_receivers

        receivers.connect()
        payment_receivers.connect()
        report_receivers.connect()
        sync_receivers.connect()
        webhook_receivers.connect()
        package_receivers.connect()
        package_fulfilment.register(send_purchase_email_task)
        giftcards.connect()
        waitlist_receivers.connect()
        balance_lines.register(balance_thanks_url)

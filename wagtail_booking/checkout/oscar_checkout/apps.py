from django.urls import path
from oscar.apps.checkout import apps


class CheckoutConfig(apps.CheckoutConfig):
    name = "wagtail_booking.checkout.oscar_checkout"
    label = "checkout"

    def ready(self):
        super().ready()
        from ..mixins import StripeReturnView

        self.stripe_return_view = StripeReturnView

    def get_urls(self):
        urls = super().get_urls()
        urls.append(path("stripe/return/", self.stripe_return_view.as_view(), name="stripe-return"))
        return self.post_process_urls(urls)

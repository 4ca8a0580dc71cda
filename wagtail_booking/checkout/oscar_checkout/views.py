"""Oscar's get_class finds these first; every other checkout view falls back to Oscar's own."""

from oscar.apps.checkout import views

from ..mixins import BookingCheckoutIndexMixin, StripePaymentDetailsMixin


class IndexView(BookingCheckoutIndexMixin, views.IndexView):
    pass


class PaymentDetailsView(StripePaymentDetailsMixin, views.PaymentDetailsView):
    pass

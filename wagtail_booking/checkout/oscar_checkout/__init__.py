"""A ready Oscar checkout app (label ``checkout``) whose payment step takes the deposit with Stripe.

Use it in INSTALLED_APPS instead of ``oscar.apps.checkout.apps.CheckoutConfig``, or, if your project already
forked the checkout app, mix :class:`wagtail_booking.checkout.mixins.StripePaymentDetailsMixin` into your
``PaymentDetailsView`` and :class:`wagtail_booking.checkout.mixins.BookingCheckoutIndexMixin` into your ``IndexView``
(a basket of appointments only then goes straight to the payment page), and add
:class:`wagtail_booking.checkout.mixins.StripeReturnView` to its URLs.
"""

"""Oscar checkout pieces: the Stripe payment step and the page Stripe returns the client to."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from oscar.apps.payment.exceptions import UnableToTakePayment
from oscar.core.loading import get_class, get_classes

from .. import signals
from ..bookings import services
from ..bookings.models import Booking
from ..bookings.tokens import manage_token
from ..businesses import site_for_request
from ..conf import booking_settings
from . import facade, fulfilment, journey, tenders
from .balances import lines as balance_lines
from .balances import links as balance_links
from .balances import services as balance_services
from .catalogue import PRODUCT_CLASS_SLUG, booking_references, is_booking_only
from .models import BookingPayment

FailedPreCondition, PassedSkipCondition = get_classes("checkout.exceptions",
                                                      ["FailedPreCondition", "PassedSkipCondition"])
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


class BookingPreconditionsMixin:
    def check_booking_holds_are_live(self, request):
        """Refuse to take money for a hold that has expired or was cancelled, or for an appointment twice."""
        seats = dict(Booking.objects.filter(reference__in=booking_references(request.basket))
                     .values_list("reference", "seats"))
        for line in request.basket.all_lines():
            if line.product.product_class.slug != PRODUCT_CLASS_SLUG:
                continue
            booked = next((seats[attribute.value] for attribute in line.attributes.all()
                           if attribute.option and attribute.option.code == "booking" and attribute.value in seats), 1)
            if line.quantity != booked:  # one unit per seat the booking holds (1 for an appointment)
                line.quantity = booked
                line.save(update_fields=["quantity"])
                message = (_("An appointment is booked once: its quantity is back to 1.") if booked == 1 else
                           _("A class booking keeps the seats chosen when booking: its quantity is back to "
                             "%(seats)s.") % {"seats": booked})
                raise FailedPreCondition(url=reverse("basket:summary"), message=message)
        self._refuse_appointments_without_a_hold(request)
        booking_only = is_booking_only(request.basket)
        for booking in Booking.objects.filter(reference__in=booking_references(request.basket)):
            if booking.status == Booking.Status.HELD and booking.is_live:
                continue
            if booking_only:
                # The hand-off link explains it on the site's own page (and offers a new time), not a shop basket.
                raise FailedPreCondition(url=reverse("wagtail_booking:pay",
                                                     args=[booking.reference, manage_token(booking)]))
            if booking.status == Booking.Status.HELD:
                raise FailedPreCondition(
                    url=reverse("basket:summary"),
                    message=_("The hold on %(service)s expired before payment, so nothing was charged. "
                              "Please choose a time again.") % {"service": booking.service.name})
            raise FailedPreCondition(url=reverse("basket:summary"),
                                     message=_("Booking %(reference)s is no longer waiting for payment.")
                                     % {"reference": booking.reference})


    def _refuse_appointments_without_a_hold(self, request):
        """Oscar's add-to-basket view takes any product by id: an appointment line must carry a booking of ours
        (the booking form puts it there), else it is taken out before any money is asked for."""
        for line in request.basket.all_lines():
            if line.product.product_class.slug != PRODUCT_CLASS_SLUG:
                continue
            references = [attribute.value for attribute in line.attributes.all()
                          if attribute.option and attribute.option.code == "booking"]
            if not (references and Booking.objects.filter(reference__in=references).exists()):
                line.delete()
                raise FailedPreCondition(
                    url=reverse("basket:summary"),
                    message=_("An appointment is booked by choosing a time on the booking page; the line without "
                              "one was taken out of your basket."))


class BookingCheckoutIndexMixin:
    """Mix into Oscar's checkout ``IndexView``: a basket of appointments only skips the "Who are you?" step.

    The client gave their name and email when they picked the time (the hold has them, and ``views.pay`` put the
    email in the checkout session), so Oscar goes on to its next steps, which skip themselves for a basket that
    needs no shipping, and lands on the payment page.
    """

    def get_skip_conditions(self, request):
        return [*super().get_skip_conditions(request), "skip_if_booking_details_are_known"]

    def skip_if_booking_details_are_known(self, request):
        known = request.user.is_authenticated or self.checkout_session.get_guest_email()
        if known and (is_booking_only(request.basket) or fulfilment.is_purchase_only(request.basket)):
            raise PassedSkipCondition(url=reverse("checkout:shipping-method"))


class StripePaymentDetailsMixin(BookingPreconditionsMixin):
    """Mix into Oscar's PaymentDetailsView: the payment page shows Stripe's Payment Element for the basket total.

    For a basket of appointments only the page is a booking step on the site's own layout
    (``WAGTAIL_BOOKING["BASE_TEMPLATE"]``); a basket with shop products keeps Oscar's checkout layout.
    """

    template_name = "wagtail_booking/checkout/payment_details.html"
    template_name_purchase = "wagtail_booking/checkout/purchase_details.html"
    template_name_shop = "wagtail_booking/checkout/shop_payment_details.html"

    def get_pre_conditions(self, request):
        return [*super().get_pre_conditions(request), "check_booking_holds_are_live", "check_balance_is_due"]

    def check_balance_is_due(self, request):
        """A basket paying a booking's balance pays exactly what is due now, and only while something is."""
        booking = balance_lines.booking_of(request.basket)
        if booking is None:
            return
        charged = balance_lines.amounts(request.basket)[balance_lines.BALANCE_CLASS]
        if balance_services.balance_of(booking).due != charged:
            request.basket.flush()
            raise FailedPreCondition(url=balance_links.balance_path(booking),
                                     message=_("The balance changed since you opened the page; here is what is due "
                                               "now."))

    def get_template_names(self):
        if self.preview:
            return super().get_template_names()
        if fulfilment.is_purchase_only(self.request.basket):
            return [self.template_name_purchase]
        return [self.template_name if is_booking_only(self.request.basket) else self.template_name_shop]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.preview:
            return context
        context.update(self.booking_page_context())
        basket, total = self.request.basket, context.get("order_total")
        bookings = list(Booking.objects.filter(reference__in=booking_references(basket)).select_related(
            "service", "provider"))
        context["bookings"] = bookings
        balance_of = None if bookings else balance_lines.booking_of(basket)
        context["balance_booking"] = balance_of
        purchase = not bookings and fulfilment.is_purchase_only(basket)
        context["purchase_lines"] = list(basket.all_lines()) if purchase else []
        if total is None or not (bookings or purchase):
            return context
        amount = total.incl_tax if total.is_tax_known else total.excl_tax
        email = self.checkout_session.get_guest_email() or getattr(self.request.user, "email", "")
        order_number = self.checkout_session.get_order_number() or self.generate_order_number(basket)
        self.checkout_session.set_order_number(order_number)
        if self.tender_context(context, basket, amount, total.currency):
            return context  # gift cards (or other tenders) pay everything: no card asked
        amount -= context["tendered"]
        try:
            payment, intent = facade.prepare_payment(
                basket, bookings[0] if bookings else balance_of, email, order_number, amount, total.currency,
                site_for_request(self.request).pk, kind=BookingPayment.Kind.BALANCE if balance_of else None)
        except facade.PaymentProblem as problem:
            context["payment_error"] = problem.message
            return context
        context.update({
            "payment": payment, "client_secret": intent["client_secret"], "amount": amount,
            "stripe_account": payment.stripe_account,  # Stripe.js must act on the account the intent lives on
            "currency": total.currency, "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": getattr(settings, "STRIPE_JS_URL", "https://js.stripe.com/v3/"),
            "return_url": self.request.build_absolute_uri(reverse("checkout:stripe-return")),
        })
        return context

    def tender_context(self, context, basket, amount, currency) -> bool:
        """What gift cards (``tenders``) pay of ``amount`` and their forms; True when they pay it all."""
        tendered = tenders.covered(basket, amount)
        context.update({"tendered": tendered, "tender_panels": tenders.panels(self.request, basket, amount, currency),
                        "amount_before_tenders": amount, "currency": currency, "amount": amount - tendered})
        context["paid_by_tenders"] = tendered > 0 and tendered >= amount
        return context["paid_by_tenders"]

    def booking_page_context(self):
        """The layout to extend, and what the hold's countdown and "pick a new time" link need."""
        basket = self.request.basket
        holds = Booking.objects.filter(reference__in=booking_references(basket), status=Booking.Status.HELD)
        first_to_lapse = holds.exclude(hold_expires_at=None).order_by("hold_expires_at").first()
        seconds_left = None
        if first_to_lapse is not None:
            seconds_left = max(0, int((first_to_lapse.hold_expires_at - timezone.now()).total_seconds()))
        return {"booking_base_template": booking_settings.BASE_TEMPLATE, "hold": first_to_lapse,
                "hold_seconds_left": seconds_left, "booking_page": journey.booking_page(self.request)}

    def handle_successful_order(self, order):
        """An order that needed no card (a voucher or gift cards covered it): its purchases are fulfilled here,
        once, as the facade does for a paid one, and ``order_paid_without_card`` lets the reports invoice it."""
        fulfilment.fulfil(order, None)
        signals.send_isolated(signals.order_paid_without_card, sender=type(order), order=order)
        return super().handle_successful_order(order)

    def handle_payment(self, order_number, total, **kwargs):
        """Only reached for orders that need no card (a voucher or gift cards cover everything): take the gift
        cards' part and confirm the bookings, all or nothing."""
        amount = total.incl_tax if total.is_tax_known else total.excl_tax
        if amount - tenders.covered(self.request.basket, amount) > Decimal("0"):
            raise UnableToTakePayment(_("Card payments are taken on the payment page."))
        try:
            with transaction.atomic():
                for source in tenders.redeem(self.request.basket, order_number, amount):
                    self.add_payment_source(source)
                    self.add_payment_event("Paid", source.amount_debited, reference=source.reference)
                for booking in Booking.objects.filter(reference__in=booking_references(self.request.basket)):
                    services.complete_hold(booking)
                    self.completed_booking = booking
        except (services.SlotUnavailable, tenders.Refused) as error:
            self.completed_booking = None
            raise UnableToTakePayment(error.message) from error

    def get_success_url(self):
        """After an order that needed no card, show the booking rather than Oscar's thank-you page."""
        booking = getattr(self, "completed_booking", None)
        if booking is not None:
            return reverse("wagtail_booking:booked", args=[booking.reference, manage_token(booking)])
        return super().get_success_url()


class StripeReturnView(View):
    """Where Stripe.js (and 3-D Secure) sends the client: finalise, then show the booking or the problem."""

    def get(self, request):
        intent_id = request.GET.get("payment_intent", "")
        payment = BookingPayment.objects.filter(payment_intent_id=intent_id).select_related("booking").first()
        if payment is None:
            messages.error(request, "We could not find that payment. Nothing was booked.")
            return HttpResponseRedirect(reverse("basket:summary"))
        try:
            outcome = facade.finalise(intent_id)
        except facade.PaymentProblem as problem:
            messages.error(request, problem.message)
            return HttpResponseRedirect(reverse("checkout:payment-details"))
        if outcome.kind == "not_paid":
            messages.error(request, f"{outcome.message} Please try again or use another card.")
            return HttpResponseRedirect(reverse("checkout:payment-details"))
        if outcome.kind in ("lost", "cancelled"):
            messages.error(request, outcome.message)
            return HttpResponseRedirect(reverse("basket:summary"))
        CheckoutSessionData(request).flush()
        payment = outcome.payment  # as finalise left it: with its order
        request.session["checkout_order_id"] = payment.order_id
        booking = payment.booking
        if booking is None or payment.kind != BookingPayment.Kind.DEPOSIT:
            # a purchase or a balance: where its product class says, else Oscar's thank-you page
            return HttpResponseRedirect(fulfilment.thanks_url(payment.order) or reverse("checkout:thank-you"))
        return HttpResponseRedirect(reverse("wagtail_booking:booked", args=[booking.reference,
                                                                            manage_token(booking)]))

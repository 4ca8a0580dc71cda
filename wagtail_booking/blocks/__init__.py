"""The booking block an editor drops into any StreamField."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from ..bookings import services
from ..businesses import site_for_request
from .picker import ANY, CLIENT, FIXED, picker_context


class BookingBlockValue(blocks.StructValue):
    def provider_choice(self):
        """The editor's setting; blocks saved before it existed keep their meaning (a provider means fixed)."""
        return self.get("provider_choice") or (FIXED if self.get("provider") else ANY)

    def provider_ids(self):
        provider = self.get("provider")
        return [provider.pk] if provider and self.provider_choice() == FIXED else None


class BookingBlock(blocks.StructBlock):
    service = SnippetChooserBlock("wagtail_booking.Service", label=_("Service"))
    provider = SnippetChooserBlock("wagtail_booking.Provider", required=False, label=_("Provider"),
                                   help_text=_("The provider a fixed-provider block books."))
    provider_choice = blocks.ChoiceBlock(
        choices=[(FIXED, _("Fixed: always the provider chosen above")),
                 (CLIENT, _("The client chooses a provider (or any available)")),
                 (ANY, _("Any available provider"))],
        required=False, label=_("Who the client books with"),
        help_text=_("Left empty: the provider above if one is chosen, otherwise any available provider."))
    currency_choice = blocks.BooleanBlock(
        required=False, label=_("Let the client choose the currency"),
        help_text=_("Among the currencies the service has a price in. Not ticked: the business's currency."))
    heading = blocks.CharBlock(required=False, label=_("Heading"))
    intro = blocks.RichTextBlock(required=False, features=["bold", "italic", "link"], label=_("Introduction"))

    class Meta:
        template = "wagtail_booking/blocks/booking_block.html"
        icon = "date"
        label = _("Booking")
        value_class = BookingBlockValue

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        service = value.get("service")
        # A service of another business (another site) is never offered here.
        site = site_for_request(request) if request is not None else None
        context["bookable"] = service is not None and service.active and (site is None or service.site_id == site.pk)
        context["payment_unavailable"] = context["bookable"] and not services.payment_available(service)
        if request is not None and context["bookable"] and not context["payment_unavailable"]:
            context.update(picker_context(request, service, value.provider_ids(), request.GET,
                                          choice=value.provider_choice(),
                                          currency_choice=bool(value.get("currency_choice"))))
            context["packages"] = service.packages.filter(on_sale=True, site_id=service.site_id).order_by("price")
        return context

    def clean(self, value):
        value = super().clean(value)
        if value.get("provider_choice") == FIXED and not value.get("provider"):
            raise StructBlockValidationError(block_errors={"provider": ValidationError(
                _("Choose the provider this block always books, or let the client choose."))})
        return value

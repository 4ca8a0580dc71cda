"""Snippet admin: listings with filters, search and CSV/XLSX export."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from ..checkout.models import CancellationPolicy
from ..exports import SafeCsvExportMixin
from ..snippets.models import BusyBlock, IntakeForm, Provider, Service


class SafeIndexView(SafeCsvExportMixin, IndexView):
    pass


class BookingSnippetViewSet(SnippetViewSet):
    """Our snippets' listings: their CSV export cannot carry formulas (names and titles are typed by people)."""

    index_view_class = SafeIndexView


class ServiceViewSet(BookingSnippetViewSet):
    model = Service
    icon = "tag"
    list_display = ["name", "duration_minutes", "price", "deposit_kind", "booking_mode", "active"]
    list_filter = ["active", "booking_mode", "deposit_kind", "providers"]
    list_export = ["name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
                   "slot_interval_minutes", "price", "deposit_kind", "deposit_value", "booking_mode", "active"]
    search_fields = ["name", "description"]
    search_backend_name = None


class ProviderViewSet(BookingSnippetViewSet):
    model = Provider
    icon = "user"
    list_display = ["name", "kind", "email", "timezone", "active"]
    list_filter = ["active", "kind", "services"]
    list_export = ["name", "kind", "email", "phone", "timezone", "active"]
    search_fields = ["name", "email"]
    search_backend_name = None


class BusyBlockViewSet(BookingSnippetViewSet):
    model = BusyBlock
    icon = "time"
    list_display = ["__str__", "provider", "starts_at", "ends_at", "source"]
    list_filter = ["provider", "source"]
    list_export = ["provider", "title", "starts_at", "ends_at", "source"]
    search_fields = ["title"]
    search_backend_name = None


class IntakeFormViewSet(BookingSnippetViewSet):
    model = IntakeForm
    icon = "form"
    list_display = ["name", "version"]
    list_export = ["name", "version"]
    search_fields = ["name"]
    search_backend_name = None


class CancellationPolicyViewSet(BookingSnippetViewSet):
    model = CancellationPolicy
    icon = "undo"
    list_display = ["name", "fee"]
    search_fields = ["name"]
    search_backend_name = None


class BookingSetupGroup(SnippetViewSetGroup):
    menu_label = _("Booking setup")
    menu_icon = "cog"
    menu_order = 210
    items = (ServiceViewSet, ProviderViewSet, BusyBlockViewSet, IntakeFormViewSet, CancellationPolicyViewSet)

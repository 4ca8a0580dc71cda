"""Snippet admin: listings with filters, search and CSV/XLSX export, each showing the user's businesses only."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from ..businesses import visible_to
from ..checkout.models import CancellationPolicy
from ..exports import SafeCsvExportMixin
from ..formats import money, when
from ..packages.models import Package
from ..site_settings import business_zone
from ..snippets.models import BusyBlock, IntakeForm, Provider, Service
from ..snippets.prices import TaxRate
from ..snippets.resources import Resource, ResourcePool
from .scoping import BusinessFormMixin, BusinessScopedViewSetMixin, business_path, filterset_for, guard_object_urls


class SafeIndexView(SafeCsvExportMixin, IndexView):
    """Listing cells in words: "Yes"/"No" for booleans, money through babel, times in the provider's zone (rows
    of a provider) or the business's, with the zone named."""

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        column = super()._get_custom_column(field_name, column_class, **kwargs)
        try:
            field = self.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            return column
        accessor = {models.BooleanField: lambda row: yes_no(getattr(row, field_name)),
                    models.DateTimeField: lambda row: when(getattr(row, field_name), _zone_of(row)),
                    models.DecimalField: lambda row: money(getattr(row, field_name)) if field_name in MONEY
                    else getattr(row, field_name)}.get(type(field))
        if accessor is None or column_class is not Column:
            return column
        return Column(field_name, label=column.label, sort_key=column.sort_key, accessor=accessor)


MONEY = {"price", "fee"}


def yes_no(value) -> str:
    return str(_("Yes") if value else _("No"))


def _zone_of(row) -> str:
    provider = getattr(row, "provider", None)
    return provider.timezone if provider is not None else business_zone(getattr(row, "site", None))


class ResourceNamesColumn(Column):
    """A pool's members, by name."""

    def get_value(self, instance):
        return ", ".join(resource.name for resource in instance.resources.all()) or "—"


class ScopedObjectListMixin:
    """A chooser view listing the rows of the user's businesses only."""

    def get_object_list(self):
        return visible_to(super().get_object_list(), self.request.user, business_path(self.model_class))


class ScopedChooseView(ScopedObjectListMixin, ChooseView):
    pass


class ScopedChooseResultsView(ScopedObjectListMixin, ChooseResultsView):
    pass


class ScopedChosenView(SnippetChosenView):
    def get_object(self, pk):
        rows = self.model_class._default_manager.all()
        return visible_to(rows, self.request.user, business_path(self.model_class)).get(pk=pk)


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return visible_to(super().get_objects(pks), self.request.user, business_path(self.model_class))


class NoCreationView(SnippetCreateView):
    """Our choosers create nothing (rows are made on their own pages, with their business): Wagtail's create view
    would fail with a 500 on a POST when there is no creation form."""

    def dispatch(self, request, *args, **kwargs):
        if self.creation_form_class is None:
            raise Http404("This chooser does not create rows.")
        return super().dispatch(request, *args, **kwargs)


class ScopedSnippetChooserViewSet(SnippetChooserViewSet):
    """The chooser the booking block and the snippet forms open: the user's businesses' rows only."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    create_view_class = NoCreationView

    def get_urlpatterns(self):
        return guard_object_urls(super().get_urlpatterns(), self.model, business_path(self.model))


class BookingSnippetViewSet(BusinessScopedViewSetMixin, SnippetViewSet):
    """Our snippets: rows of the user's businesses only (listing, chooser, every URL naming a row), a "Business"
    filter for people working in several, and a CSV export that cannot carry formulas (names are typed by people).
    """

    index_view_class = SafeIndexView
    chooser_viewset_class = ScopedSnippetChooserViewSet
    filter_fields = ()

    def get_queryset(self, request):
        return self.scoped_queryset(request)

    @cached_property
    def filterset_class(self):
        return filterset_for(self.model, self.filter_fields)

    def get_edit_handler(self):
        model = self.model
        panels = ([FieldPanel("site", heading=_("Business"))] if business_path(model) == "site" else []) \
            + list(model.panels)
        base = getattr(model, "base_form_class", None) or WagtailAdminModelForm
        form_class = type(f"Business{base.__name__}", (BusinessFormMixin, base), {"__module__": __name__})
        return ObjectList(panels, base_form_class=form_class).bind_to_model(model)


class ServiceViewSet(BookingSnippetViewSet):
    model = Service
    icon = "tag"
    list_display = ["name", "duration_minutes", "price", "deposit_kind", "booking_mode", "active"]
    filter_fields = ["active", "booking_mode", "deposit_kind", "providers"]
    list_export = ["name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
                   "slot_interval_minutes", "price", "deposit_kind", "deposit_value", "booking_mode", "active"]
    search_fields = ["name", "description"]
    search_backend_name = None


class ProviderViewSet(BookingSnippetViewSet):
    """The staff; rooms and equipment (providers of kind "resource") have their own listing below."""

    model = Provider
    icon = "user"
    list_display = ["name", "email", "timezone", "active"]
    filter_fields = ["active", "services"]
    list_export = ["name", "email", "phone", "timezone", "active"]
    search_fields = ["name", "email"]
    search_backend_name = None

    def own_rows(self):
        # a room is a Provider row too: its edit, delete and history URLs answer 404 here (it has its own)
        return Provider.objects.filter(kind=Provider.Kind.STAFF)


class ResourceViewSet(BookingSnippetViewSet):
    model = Resource
    icon = "home"
    menu_label = _("Rooms and equipment")
    list_display = ["name", "timezone", "active"]
    filter_fields = ["active"]
    list_export = ["name", "timezone", "active"]
    search_fields = ["name"]
    search_backend_name = None


class ResourcePoolViewSet(BookingSnippetViewSet):
    model = ResourcePool
    icon = "group"
    menu_label = _("Resource pools")
    list_display = ["name", ResourceNamesColumn("resources", label=_("Resources"))]
    search_fields = ["name"]
    search_backend_name = None


class BusyBlockViewSet(BookingSnippetViewSet):
    model = BusyBlock
    icon = "time"
    list_display = ["__str__", "provider", "starts_at", "ends_at", "source"]
    filter_fields = ["provider", "source"]
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


class PackageViewSet(BookingSnippetViewSet):
    model = Package
    icon = "tag"
    list_display = ["name", "sessions", "price", "validity_months", "on_sale"]
    filter_fields = ["on_sale", "services"]
    list_export = ["name", "sessions", "price", "currency", "validity_months", "on_sale"]


class TaxRateViewSet(BookingSnippetViewSet):
    model = TaxRate
    icon = "decimal"
    list_display = ["name", "percent"]
    list_export = ["name", "percent"]
    search_fields = ["name"]
    search_backend_name = None


class BookingSetupGroup(SnippetViewSetGroup):
    menu_label = _("Booking setup")
    menu_icon = "cog"
    menu_order = 210
    items = (ServiceViewSet, ProviderViewSet, ResourceViewSet, ResourcePoolViewSet, BusyBlockViewSet,
             IntakeFormViewSet, CancellationPolicyViewSet, PackageViewSet, TaxRateViewSet)


class ScopedDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete for our snippets: rows of other businesses are neither listed nor deleted, and
    "select all" means all of the user's businesses' rows."""

    models = [Service, Provider, Resource, ResourcePool, BusyBlock, IntakeForm, CancellationPolicy, TaxRate]

    def _visible(self, queryset):
        return visible_to(queryset, self.request.user, business_path(self.model))

    def get_all_objects_in_listing_query(self, parent_id):
        return self._visible(self.model._default_manager.all()).values_list("pk", flat=True)

    def get_actionable_objects(self):
        objects, extra = super().get_actionable_objects()
        visible = set(self._visible(self.model._default_manager.filter(
            pk__in=[obj.pk for obj in objects])).values_list("pk", flat=True))
        extra["items_with_no_access"] = [obj for obj in extra["items_with_no_access"] if obj.pk in visible]
        return [obj for obj in objects if obj.pk in visible], extra

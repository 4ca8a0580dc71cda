"""The Reports menu pages. Each is a Wagtail ``ReportView`` over rows aggregated in SQL (see revenue/activity)."""

from collections import defaultdict

from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from ..exports import SafeCsvExportMixin
from ..formats import percent
from . import PERMISSION, activity, forbidden, liability, revenue, summary
from .charts import Bar, bar_chart
from .deferred import deferred_revenue
from .filters import INTERVAL_CHOICES, ReportFilterSet, RevenueOverTimeFilterSet
from .tax import tax_totals
from .utilisation import utilisation

# Money as people read it (formats.money, with its currency sign) on the page; in the CSV and XLSX exports as plain
# numbers beside the Currency column, so a spreadsheet can add them up.
MONEY_COLUMNS = [Column("taken", label=_("Taken"), accessor="taken_money"),
                 Column("refunded", label=_("Refunded"), accessor="refunded_money"),
                 Column("net", label=_("Net"), accessor="net_money"),
                 Column("tips", label=_("Tips"), accessor="tips_money"),
                 Column("revenue", label=_("Revenue (net less tips)"), accessor="revenue_money"),
                 Column("payments", label=_("Payments")), Column("refunds", label=_("Refunds"))]
MONEY_EXPORT = ["label", "currency", "taken", "refunded", "net", "tips", "revenue", "payments", "refunds"]
MONEY_HEADINGS = {"currency": _("Currency"), "taken": _("Taken"), "refunded": _("Refunded"), "net": _("Net"),
                  "tips": _("Tips"), "revenue": _("Revenue (net less tips)"), "payments": _("Payments"),
                  "refunds": _("Refunds")}

class BookingReportView(SafeCsvExportMixin, ReportView):
    """Shared by every booking report: permission, filters, rows computed rather than filtered, a CSV export
    that cannot carry formulas (client names come from the public API)."""

    filterset_class = ReportFilterSet
    results_template_name = "wagtail_booking/reports/report_results.html"
    header_icon = "table"
    paginate_by = None
    default_interval = "month"
    url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @property
    def index_url_name(self):
        return f"wagtail_booking_reports:{self.url_name}"

    @property
    def index_results_url_name(self):
        return f"wagtail_booking_reports:{self.url_name}_results"

    @cached_property
    def report_filters(self):
        return self.filters.report_filters(self.default_interval)

    def get_queryset(self):
        return self.get_rows(self.report_filters)

    def filter_queryset(self, queryset):
        return queryset

    def get_rows(self, filters):
        raise NotImplementedError

    def get_filename(self):
        period = self.report_filters.period
        return f"{slugify(str(self.page_title))}-{period.first:%Y-%m-%d}-{period.last:%Y-%m-%d}"

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["report_period"] = self.report_filters.period
        # Reports have filters but no search: without this, the header would draw whatever "search_form" a
        # context processor puts in every template's context (Oscar's shop search, "Relevancy / Price...").
        context["search_form"] = None
        return context


class RevenueOverTimeView(BookingReportView):
    page_title = _("Revenue over time")
    url_name = "revenue"
    filterset_class = RevenueOverTimeFilterSet
    default_interval = "day"
    columns = [Column("label", label=_("Period"))] + MONEY_COLUMNS
    list_export = MONEY_EXPORT
    export_headings = {"label": _("Period"), **MONEY_HEADINGS}

    def get_rows(self, filters):
        return revenue.over_time(filters)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        by_currency = defaultdict(list)
        for row in context["object_list"]:
            by_currency[row.currency].append(Bar(row.key, row.label, row.taken, row.refunded))
        interval = self.report_filters.interval
        context["charts"] = [
            bar_chart(bars, interval, _("Money taken (up) and refunded (down) per %(interval)s, %(currency)s")
                      % {"interval": dict(INTERVAL_CHOICES)[interval].lower(), "currency": currency}, currency)
            for currency, bars in sorted(by_currency.items())]
        context["totals"] = revenue.combine(context["object_list"])
        context["tax_rows"] = tax_totals(self.report_filters)
        return context


class RevenueByServiceView(BookingReportView):
    page_title = _("Revenue by service")
    url_name = "revenue_by_service"
    dimension = "service"
    columns = [Column("label", label=_("Service")), Column("orders", label=_("Orders"), accessor="extra.orders")]
    columns += MONEY_COLUMNS
    list_export = ["label", "extra.orders"] + MONEY_EXPORT[1:]
    export_headings = {"label": _("Service"), "extra.orders": _("Orders"), **MONEY_HEADINGS}

    def get_rows(self, filters):
        return revenue.by_dimension(filters, self.dimension)


class RevenueByProviderView(RevenueByServiceView):
    page_title = _("Revenue by provider")
    url_name = "revenue_by_provider"
    dimension = "provider"
    columns = [Column("label", label=_("Provider")), Column("orders", label=_("Orders"), accessor="extra.orders")]
    columns += MONEY_COLUMNS
    export_headings = {**RevenueByServiceView.export_headings, "label": _("Provider")}


class UtilisationView(BookingReportView):
    page_title = _("Provider utilisation")
    url_name = "utilisation"
    columns = [Column("provider", label=_("Provider")),
               Column("available_minutes", label=_("Available minutes")),
               Column("booked_minutes", label=_("Booked minutes")),
               Column("utilisation", label=_("Utilisation"), accessor="utilisation_percent")]
    list_export = ["provider", "available_minutes", "booked_minutes", "utilisation_percent"]
    export_headings = {"provider": _("Provider"), "available_minutes": _("Available minutes"),
                       "booked_minutes": _("Booked minutes"), "utilisation_percent": _("Utilisation")}

    def get_rows(self, filters):
        return utilisation(filters)


class CancellationsView(BookingReportView):
    page_title = _("Cancellations and no-shows")
    url_name = "cancellations"
    columns = [Column("label", label=_("Service")), Column("booked", label=_("Bookings")),
               Column("cancelled", label=_("Cancelled")),
               Column("cancellation_rate", label=_("Cancelled (share)"), accessor="cancellation_percent"),
               Column("late_cancelled", label=_("Late cancellations")),
               Column("late_cancellation_rate", label=_("Late (share)"), accessor="late_cancellation_percent"),
               Column("no_shows", label=_("No-shows")),
               Column("no_show_rate", label=_("No-shows (share)"), accessor="no_show_percent")]
    list_export = [column.accessor for column in columns]
    export_headings = {column.accessor: column.label for column in columns}

    def get_rows(self, filters):
        return activity.cancellations(filters)


class ClientsView(BookingReportView):
    page_title = _("Clients")
    url_name = "clients"
    paginate_by = 100
    columns = [Column("email", label=_("Email")), Column("name", label=_("Name")),
               Column("bookings", label=_("Bookings in period")), Column("all_time", label=_("Bookings ever")),
               Column("lifetime_value", label=_("Lifetime value (net paid)"))]
    list_export = ["email", "name", "bookings", "all_time", "first_start", "last_start", "lifetime_value"]
    export_headings = {**{column.name: column.label for column in columns},
                       "first_start": _("First appointment in period"), "last_start": _("Last appointment in period")}

    def get_rows(self, filters):
        return activity.clients(filters)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        rows = self.object_list
        repeat = activity.repeat_rate(rows)
        context["client_summary"] = {"clients": len(rows), "repeat_rate": repeat, "repeat_percent": percent(repeat)}
        return context


class DeferredRevenueView(BookingReportView):
    """Packages: credits sold, used, expired and outstanding, and what they are worth (see ``deferred``)."""

    page_title = _("Deferred revenue (packages)")
    url_name = "deferred_revenue"
    columns = [Column("label", label=_("Package")), Column("sold", label=_("Credits sold")),
               Column("used", label=_("Credits used")), Column("expired", label=_("Credits expired")),
               Column("adjusted", label=_("Credits adjusted by staff")),
               Column("outstanding", label=_("Credits outstanding")),
               Column("sold_money", label=_("Sold")), Column("used_money", label=_("Used")),
               Column("expired_money", label=_("Expired")),
               Column("outstanding_money", label=_("Outstanding (deferred)"))]
    list_export = ["label", "currency", "sold", "used", "expired", "adjusted", "outstanding", "sold_value",
                   "used_value", "expired_value", "outstanding_value"]
    export_headings = {"label": _("Package"), "currency": _("Currency"), "sold": _("Credits sold"),
                       "used": _("Credits used"), "expired": _("Credits expired"),
                       "adjusted": _("Credits adjusted by staff"), "outstanding": _("Credits outstanding"),
                       "sold_value": _("Sold"), "used_value": _("Used"), "expired_value": _("Expired"),
                       "outstanding_value": _("Outstanding (deferred)")}

    def get_rows(self, filters):
        return deferred_revenue(filters)


class GiftCardLiabilityView(BookingReportView):
    """Gift cards sold, spent and still owed, per currency (docs/howto/gift-cards.md says what each counts)."""

    page_title = _("Gift card liability")
    url_name = "gift_card_liability"
    columns = [Column("currency", label=_("Currency")), Column("sold", label=_("Sold"), accessor="sold_money"),
               Column("redeemed", label=_("Redeemed"), accessor="redeemed_money"),
               Column("returned", label=_("Returned by refunds"), accessor="returned_money"),
               Column("adjusted", label=_("Adjusted by staff"), accessor="adjusted_money"),
               Column("outstanding", label=_("Outstanding at the end"), accessor="outstanding_money")]
    list_export = ["currency", "sold", "redeemed", "returned", "adjusted", "outstanding"]
    export_headings = {column.name: column.label for column in columns}

    def get_rows(self, filters):
        return liability.liability(filters)


class TipsByProviderView(BookingReportView):
    """Tips clients added when paying their balance, per provider (see ``reports/tips.py``)."""

    page_title = _("Tips by provider")
    url_name = "tips_by_provider"
    columns = [Column("label", label=_("Provider")), Column("payments", label=_("Tips")),
               Column("taken", label=_("Amount"), accessor="taken_money")]
    list_export = ["label", "currency", "payments", "taken"]
    export_headings = {"label": _("Provider"), "currency": _("Currency"), "payments": _("Tips"),
                       "taken": _("Amount")}

    def get_rows(self, filters):
        return revenue.tips_by_provider(filters)


class MoneySummaryView(BookingReportView):
    """Every kind of money per currency: earned (card, gift cards, credits), received in advance, and Stripe's net
    (``reports/summary.py`` says what each counts). One row per figure and currency, so it reads on a phone too."""

    page_title = _("Money summary")
    url_name = "money_summary"
    columns = [Column("label", label=_("Figure")), Column("currency", label=_("Currency")),
               Column("amount", label=_("Amount"), accessor="amount_money")]
    list_export = ["label", "currency", "amount"]
    export_headings = {"label": _("Figure"), "currency": _("Currency"), "amount": _("Amount")}

    def get_rows(self, filters):
        return summary.lines(summary.summary(filters))


REPORTS = [RevenueOverTimeView, RevenueByServiceView, RevenueByProviderView, UtilisationView, CancellationsView,
           ClientsView, DeferredRevenueView, GiftCardLiabilityView, TipsByProviderView, MoneySummaryView]

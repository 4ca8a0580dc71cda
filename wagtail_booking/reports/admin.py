"""Admin URLs and Reports-menu items for the booking reports (registered in ``wagtail_hooks.py``)."""

from functools import partial

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from . import PERMISSION, pdf_views
from .views import REPORTS

NAMESPACE = "wagtail_booking_reports"


class RevenueReportMenuItem(MenuItem):
    """Shown only to users with the "view revenue reports" permission."""

    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


def urls():
    patterns = []
    for view in REPORTS:
        base = view.url_name.replace("_", "-")
        patterns += [path(f"{base}/", view.as_view(), name=view.url_name),
                     path(f"{base}/results/", view.as_view(results_only=True), name=f"{view.url_name}_results")]
    patterns += [
        path("pdf/", pdf_views.report_pdfs, name="pdfs"),
        path("pdf/<int:pk>/", pdf_views.report_pdf_download, name="pdf_download"),
        path("invoices/<int:pk>/", pdf_views.staff_invoice_download, name="invoice_download"),
    ]
    return [path("booking-reports/", include((patterns, NAMESPACE), namespace=NAMESPACE))]


def _menu_item(label, url_name, icon, order):
    return RevenueReportMenuItem(label, reverse(f"{NAMESPACE}:{url_name}"), name=f"booking-{url_name}",
                                 icon_name=icon, order=order)


MENU_ITEMS = [partial(_menu_item, view.page_title, view.url_name, icon, 900 + index)
              for index, (view, icon) in enumerate(zip(
                  REPORTS, ["table", "table", "user", "time", "cross", "group", "tag", "pick", "user", "list-ul"],
                  strict=True))]
MENU_ITEMS.append(partial(_menu_item, _("Revenue report PDFs"), "pdfs", "doc-full", 920))

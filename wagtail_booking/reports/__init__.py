"""Revenue reports in the Wagtail admin, invoices and credit notes for booking orders.

Money is counted from Oscar's payment ``Transaction`` rows (see :mod:`.revenue`), so every figure here adds up to
what the checkout recorded and to what Stripe saw.
"""

PERMISSION = "wagtail_booking.view_revenue_reports"


def forbidden(request):
    """A 403 page that says which permission is missing (Wagtail would redirect a PermissionDenied instead)."""
    from django.template.response import TemplateResponse
    from django.utils.translation import gettext

    return TemplateResponse(request, "wagtail_booking/reports/forbidden.html",
                            {"page_title": gettext("Permission needed"), "header_icon": "warning"}, status=403)

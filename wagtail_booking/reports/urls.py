"""Client-facing document links, included by ``wagtail_booking.urls``."""

from django.urls import path

from .pdf_views import client_invoice_download

urlpatterns = [path("<str:token>/", client_invoice_download, name="invoice")]

"""wagtail-booking: appointments for Wagtail + django-oscar sites."""

__version__ = "0.1.0"

"""Pluggable SMS backends, chosen with ``WAGTAIL_BOOKING["SMS_BACKEND"] = {"BACKEND": ..., "OPTIONS": {...}}``."""

from django.utils.module_loading import import_string

from ...conf import booking_settings
from .base import BaseSmsBackend, SendResult, SmsError

__all__ = ["BaseSmsBackend", "SendResult", "SmsError", "get_backend"]


def get_backend() -> BaseSmsBackend:
    config = booking_settings.SMS_BACKEND
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))

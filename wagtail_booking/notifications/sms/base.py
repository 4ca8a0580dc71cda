"""The contract every SMS backend keeps."""

from dataclasses import dataclass
from decimal import Decimal


class SmsError(Exception):
    """Sending failed. ``retry`` says whether trying again could help; ``code`` is the provider's error code."""

    def __init__(self, message, code="", retry=True):
        super().__init__(message)
        self.message, self.code, self.retry = message, str(code or ""), retry


@dataclass
class SendResult:
    provider_id: str
    status: str
    price: Decimal | None = None
    price_unit: str = ""


class BaseSmsBackend:
    #: Twilio's "recipient opted out" code: never retried, and the number is marked opted out.
    OPTED_OUT_CODE = "21610"

    def problem(self) -> str:
        """Called before SMS can be switched on: why this backend cannot send, or "" when it can."""
        return ""

    def send(self, to: str, body: str, status_callback: str = "") -> SendResult:
        """Called by the send task; raises :class:`SmsError`."""
        raise NotImplementedError

    def fetch(self, provider_id: str) -> SendResult:
        """Called after a final status callback to learn the price; backends without prices return as is."""
        return SendResult(provider_id, "")

    def validate_request(self, request) -> bool:
        """Called by the webhooks: is this request really from the provider?"""
        return False

"""Twilio: the official SDK; twilio is imported here alone."""

from decimal import Decimal

from django.conf import settings

from .base import BaseSmsBackend, SendResult, SmsError

REQUIRED = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")


class TwilioBackend(BaseSmsBackend):
    def problem(self):
        missing = [name for name in REQUIRED if not getattr(settings, name, "")]
        if missing:
            return f"Twilio credentials are not set: {', '.join(missing)}."
        if not (getattr(settings, "TWILIO_FROM_NUMBER", "") or getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "")):
            return "Set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to say which number messages come from."
        return ""

    def _client(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                        http_client=TwilioHttpClient(timeout=getattr(settings, "TWILIO_TIMEOUT", 10)))
        base = getattr(settings, "TWILIO_API_BASE", "")
        if base:
            client.api.base_url = base
        return client

    def send(self, to, body, status_callback=""):
        from twilio.base.exceptions import TwilioException, TwilioRestException

        params = {"to": to, "body": body}
        if getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", ""):
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM_NUMBER
        if status_callback:
            params["status_callback"] = status_callback
        try:
            message = self._client().messages.create(**params)
        except TwilioRestException as error:
            code = str(error.code or "")
            retry = error.status >= 500 or error.status == 429
            raise SmsError(error.msg, code=code, retry=retry and code != self.OPTED_OUT_CODE) from error
        except (TwilioException, OSError) as error:  # requests' errors are OSErrors
            raise SmsError(str(error)) from error
        return SendResult(message.sid, message.status)

    def fetch(self, provider_id):
        message = self._client().messages(provider_id).fetch()
        price = Decimal(message.price) if message.price is not None else None
        return SendResult(message.sid, message.status, abs(price) if price is not None else None,
                          message.price_unit or "")

    def validate_request(self, request):
        from twilio.request_validator import RequestValidator

        signature = request.headers.get("X-Twilio-Signature", "")
        url = request.build_absolute_uri()
        if not getattr(settings, "TWILIO_AUTH_TOKEN", ""):
            return False  # with no secret anyone could sign
        return bool(signature) and RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
            url, request.POST.dict(), signature)

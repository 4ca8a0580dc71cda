"""Keeps messages in memory (tests)."""

import secrets

from .base import BaseSmsBackend, SendResult, SmsError

outbox: list[dict] = []
failures: list[SmsError] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, to, body, status_callback=""):
        if failures:
            raise failures.pop(0)
        message = {"to": to, "body": body, "id": f"locmem-{secrets.token_hex(8)}"}
        outbox.append(message)
        return SendResult(message["id"], "sent")

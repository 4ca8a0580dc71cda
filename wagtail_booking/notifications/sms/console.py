"""Prints messages to the console (development, the sandbox)."""

import secrets
import sys

from .base import BaseSmsBackend, SendResult


class ConsoleBackend(BaseSmsBackend):
    def send(self, to, body, status_callback=""):
        sys.stdout.write(f"--- SMS to {to} ---\n{body}\n---\n")
        sys.stdout.flush()
        return SendResult(f"console-{secrets.token_hex(8)}", "delivered")

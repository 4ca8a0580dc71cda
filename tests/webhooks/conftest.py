"""A loopback webhook receiver (a real HTTP server on 127.0.0.1) and a business with an endpoint pointing at it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from wagtail.models import Site

from tests.checkout.conftest import checkout, massage, stripe_client, stripe_fake, stripe_server  # noqa: F401
from tests.helpers import ny
from wagtail_booking.bookings import services
from wagtail_booking.site_settings import BusinessSettings
from wagtail_booking.webhooks.models import WebhookEndpoint


class Receiver:
    """Records every POST (headers and raw body); answers ``fail_status`` to the next ``failures`` requests."""

    def __init__(self):
        self.requests, self.failures, self.fail_status = [], 0, 500
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    failing = receiver.failures > 0
                    receiver.failures -= failing
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path,
                                              "answered": receiver.fail_status if failing else 200})
                status = receiver.fail_status if failing else 200
                answer = b'{"error": "receiver broke"}' if failing else b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(self, times, status=500):
        self.failures, self.fail_status = times, status

    def reset(self):
        self.requests.clear()
        self.failures = 0

    @property
    def delivered(self):
        """Events the receiver accepted (200), in the order it got them."""
        return [json.loads(r["body"]) for r in self.requests if r["answered"] == 200]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# The receiver listens on 127.0.0.1 over plain HTTP: both need switching on (production refuses them).
LOOPBACK = {"WEBHOOK_ALLOW_HTTP": True, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": True}


@pytest.fixture(scope="session")
def receiver_server():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def receiver(receiver_server, settings):
    receiver_server.reset()
    settings.WAGTAIL_BOOKING = {**settings.WAGTAIL_BOOKING, **LOOPBACK}
    return receiver_server


@pytest.fixture
def business(site_root):
    site = Site.objects.get(is_default_site=True)
    BusinessSettings.objects.update_or_create(site=site, defaults={
        "business_name": "Calm Hands Massage", "contact_email": "owner@calmhands.example"})
    return site


@pytest.fixture
def endpoint(receiver, business):
    return WebhookEndpoint.objects.create(site=business, url=receiver.url, description="Our CRM")


def book(service, day, hour=10, email="ann@example.com"):
    return services.create_hold(service, ny(day, hour), services.ClientDetails("Ann Lee", email, "America/New_York",
                                                                               phone="+12125550123"))

"""A local HTTP endpoint for Microsoft Graph's notifications: it hands each request to
``MicrosoftBackend.read_notification`` (as the engine's push view will) and records what came back.

The fake Graph POSTs to it over real HTTP: the subscription handshake when a watch is made, then change
notifications. Used by tests/sync/test_microsoft.py and benchmarks/calendar_latency.py.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import RequestFactory

from wagtail_booking.sync.backends.microsoft import MicrosoftBackend


class NotificationEndpoint:
    def __init__(self, on_pairs=None):
        self.pairs, self.validations = [], []
        self.on_pairs = on_pairs  # called with the pairs of each batch, in the server's thread
        self.arrived = threading.Event()
        self._server = None

    def start(self) -> str:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = RequestFactory().post(self.path, data=body,
                                                content_type=self.headers.get("Content-Type", "application/json"))
                response, pairs = MicrosoftBackend.read_notification(request)
                endpoint._record(request, pairs)
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.url

    def _record(self, request, pairs):
        if "validationToken" in request.GET:
            self.validations.append(request.GET["validationToken"])
            return
        self.pairs.extend(pairs)
        if self.on_pairs:
            self.on_pairs(pairs)
        self.arrived.set()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/booking/calendars/push/microsoft/"

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

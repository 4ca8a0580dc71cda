"""A loopback fake of Twilio's Messages API for offline tests; the real twilio SDK talks to it.

    fake = FakeTwilio(); url = fake.start()
    client = twilio.rest.Client("ACtest", "token"); client.api.base_url = url
    client.messages.create(to="+12125550100", from_="+15005550006", body="Hi")

Numbers in ``opted_out`` answer error 21610 (the recipient replied STOP), as Twilio does. ``fail_next(n, status)``
makes the next requests fail; ``deliver(sid, status)`` moves a message on (what a status callback reports).
"""

import json
import secrets
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse


class FakeTwilio:
    def __init__(self, price=Decimal("-0.00790")):
        self.lock = threading.Lock()
        self.price = price
        self.messages = {}
        self.opted_out = set()
        self._failures = []
        self.url = None
        self._server = None

    def start(self, host="127.0.0.1", port=0) -> str:
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.fake = self
        self.url = f"http://{host}:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self):
        with self.lock:
            self.messages.clear()
            self.opted_out.clear()
            self._failures.clear()

    def fail_next(self, count=1, status=500):
        with self.lock:
            self._failures.extend([status] * count)

    def deliver(self, sid, status="delivered"):
        with self.lock:
            self.messages[sid]["status"] = status

    def _create(self, account, form):
        with self.lock:
            if self._failures:
                return self._failures.pop(0), {"code": 20500, "message": "Internal error (fake)", "status": 500}
            to = form.get("To", "")
            if to in self.opted_out:
                return 400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                             "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}
            if not to.startswith("+") or not (form.get("From") or form.get("MessagingServiceSid")):
                return 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number.",
                             "status": 400}
            sid = "SM" + secrets.token_hex(16)
            message = {"sid": sid, "account_sid": account, "to": to, "from": form.get("From"),
                       "messaging_service_sid": form.get("MessagingServiceSid"), "body": form.get("Body", ""),
                       "status": "queued", "price": None, "price_unit": "USD", "error_code": None,
                       "error_message": None, "status_callback": form.get("StatusCallback"), "num_segments": "1",
                       "direction": "outbound-api", "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}
            self.messages[sid] = message
            return 201, dict(message)

    def _fetch(self, sid):
        with self.lock:
            if sid not in self.messages:
                return 404, {"code": 20404, "message": f"The requested resource {sid} was not found", "status": 404}
            message = self.messages[sid]
            if message["status"] in ("sent", "delivered", "undelivered"):
                message["price"] = str(self.price)
            return 200, dict(message)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        parts = urlparse(self.path).path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        if len(parts) == 4 and parts[0] == "2010-04-01" and parts[3] == "Messages.json":
            return self._answer(*self.server.fake._create(parts[2], form))
        return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})

    def do_GET(self):
        parts = urlparse(self.path).path.strip("/").split("/")
        if len(parts) == 5 and parts[3] == "Messages":
            return self._answer(*self.server.fake._fetch(parts[4].removesuffix(".json")))
        return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})

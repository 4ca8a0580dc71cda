"""A loopback fake of the Stripe API, its webhooks, 3-D Secure and Stripe.js, for offline tests and the sandbox.

Standard library only. The real stripe-python SDK talks to it over plain HTTP::

    fake = FakeStripe(webhook_url="http://127.0.0.1:8000/stripe/webhook/", webhook_secret="whsec_test")
    base = fake.start()                       # "http://127.0.0.1:<free port>"
    client = stripe.StripeClient("sk_test_fake", base_addresses={"api": base}, max_network_retries=0)
    pi = client.v1.payment_intents.create(params={"amount": 5000, "currency": "usd"})
    ...
    fake.stop()

stripe-python 16 accepts an ``http://`` base address: ``StripeClient(base_addresses={"api": ...})`` is joined to the
path as is (``_APIRequestor`` does ``"%s%s" % (base_address, url)``, so no trailing slash), and nothing checks the
scheme; no option is needed. ``StripeClient``
ignores the module-level ``stripe.api_base``; a fake must be passed in ``base_addresses``. The SDK's HTTP client is
``requests`` here: if ``HTTP_PROXY`` is set, make sure ``NO_PROXY`` covers 127.0.0.1/localhost.

Importing: pytest puts ``sandbox/`` on ``sys.path`` (``pythonpath`` in pyproject.toml) and ``sandbox`` itself
resolves to the Django project package ``sandbox/sandbox``, so import this module as ``fakes.stripe_server``
(``from fakes.stripe_server import FakeStripe``), not ``sandbox.fakes.stripe_server``.

Retries: stripe-python retries 409 and 5xx answers (and connection errors/timeouts) up to ``max_network_retries``
times with a back-off of 0.5 s and more, resending the same ``Idempotency-Key``. Tests that use ``fail_next`` or
``delay_next`` should build the client with ``max_network_retries=0``, or inject ``count`` = retries + 1 failures,
or pass ``should_retry=False`` (the fake then sends ``Stripe-Should-Retry: false``, which the SDK obeys). For
timeouts give the SDK a short one: ``StripeClient(..., http_client=stripe.RequestsClient(timeout=1))``.

What it does (see ``FakeStripe``):

* ``/v1/payment_intents`` (create, retrieve, list, update, confirm, capture, cancel), ``/v1/refunds`` (create,
  retrieve, list), ``GET /v1/charges[/{id}]``, ``GET /v1/payment_methods/{id}``, ``GET /v1/events[/{id}]``;
  form-encoded bodies with bracket notation (``metadata[k]=v``, ``expand[]=x``, ``expand[0]=x``) and
  ``expand`` of ``latest_charge``, ``payment_intent``, ``charge``, ``payment_method`` (also ``data.<field>``).
* Auth: ``Authorization: Bearer sk_test_...`` (any ``sk_test_``/``rk_test_`` key unless ``secret_key`` is given).
  Confirming and retrieving a PaymentIntent also work with the publishable key (``key`` param or Bearer) plus
  the right ``client_secret``, which is what Stripe.js does.
* Stripe's test cards (``CARDS``) and test PaymentMethod ids (``TEST_PAYMENT_METHODS``): 4242424242424242
  succeeds, 4000000000000002 declines, 4000002500003155 / 4000000000003220 need 3-D Secure (a page at
  ``/3ds/<pi id>`` to complete or fail it).
* Idempotency keys (replay with ``Idempotent-Replayed: true``; other params under the same key: 400
  ``idempotency_error``). Answers with status >= 500 are not stored, as at Stripe.
* Events for every state change in ``events``; if ``webhook_url`` is set they are POSTed there in order from a
  background thread, signed like Stripe (``Stripe-Signature: t=...,v1=...``).
* Failure injection: ``fail_next(count, status)`` and ``delay_next(seconds)``.
* Connect: ``/v1/accounts`` (create, retrieve, list, update), ``/v1/account_links`` with a hosted onboarding page
  at ``/connect/onboarding/<token>`` (submitting completes the account and redirects to ``return_url``; a used or
  expired link redirects to ``refresh_url``), ``complete_onboarding(acct)`` / ``restrict_account(acct)`` for
  tests. Requests with a ``Stripe-Account`` header (Stripe.js: ``Stripe(pk, {stripeAccount})``) act on that
  account: its objects are 404 on the platform and on other accounts, as at Stripe. ``application_fee_amount`` on
  a connected account's PaymentIntent makes an application fee on the platform when the charge is captured
  (``GET /v1/application_fees``); ``refund_application_fee`` on a refund gives the fee back in proportion.
  Events of connected accounts carry ``account`` and go to ``connect_webhook_url``, signed with
  ``connect_webhook_secret``; the platform's own events go to ``webhook_url``.
* A fake Stripe.js at ``GET /v3/`` (``Stripe(pk).elements({clientSecret}).create("payment").mount(el)``,
  ``stripe.confirmPayment({elements, confirmParams: {return_url}})`` or with a saved card
  ``stripe.confirmPayment({clientSecret, confirmParams: {payment_method, return_url}})``,
  ``stripe.confirmSetup({elements, confirmParams: {return_url}})``, ``stripe.retrievePaymentIntent(secret)``,
  ``stripe.retrieveSetupIntent(secret)``).
* Cards on file (``fakes/stripe_cards.py``): Customers, SetupIntents, attaching PaymentMethods, off-session
  PaymentIntents with ``authentication_required``, ``setup_future_usage``.

Command line: ``python sandbox/fakes/stripe_server.py --port 12111 [--webhook-url URL --webhook-secret whsec_...]``
prints the base URL and serves until killed.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import html
import json
import logging
import queue
import re
import secrets
import string
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

try:
    from fakes.stripe_cards import EXTRA_CARDS, EXTRA_PAYMENT_METHODS, CardsOnFile
except ImportError:  # run as a script: python sandbox/fakes/stripe_server.py
    from stripe_cards import EXTRA_CARDS, EXTRA_PAYMENT_METHODS, CardsOnFile

logger = logging.getLogger("fakes.stripe_server")

API_VERSION = "2026-10-28.endive"  # what stripe-python 16.1 sends (stripe._api_version._ApiVersion.CURRENT)

# Stripe's test card numbers -> (outcome, error details). Outcomes: "succeed", "decline", "3ds".
_GENERIC_DECLINE = {"code": "card_declined", "decline_code": "generic_decline", "message": "Your card was declined."}
CARDS = {
    "4242424242424242": ("succeed", None),
    "4000056655665556": ("succeed", None),
    "5555555555554444": ("succeed", None),
    "378282246310005": ("succeed", None),
    "4000000000000002": ("decline", _GENERIC_DECLINE),
    "4000000000009995": ("decline", {"code": "card_declined", "decline_code": "insufficient_funds",
                                     "message": "Your card has insufficient funds."}),
    "4000000000009987": ("decline", {"code": "card_declined", "decline_code": "lost_card",
                                     "message": "Your card was declined."}),
    "4000000000000069": ("decline", {"code": "expired_card", "decline_code": "expired_card",
                                     "message": "Your card has expired."}),
    "4000000000000127": ("decline", {"code": "incorrect_cvc", "decline_code": "incorrect_cvc",
                                     "message": "Your card's security code is incorrect."}),
    "4000002500003155": ("3ds", None),
    "4000000000003220": ("3ds", None),
}
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_threeDSecure2Required": "4000000000003220",
}
CARDS.update(EXTRA_CARDS)
TEST_PAYMENT_METHODS.update(EXTRA_PAYMENT_METHODS)
_BRANDS = (("4", "visa"), ("5", "mastercard"), ("34", "amex"), ("37", "amex"), ("6", "discover"))

_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_ANY = object()  # "no account scope": internal calls outside a request
_ALPHANUM = string.ascii_letters + string.digits


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``: ``t=<ts>,v1=<hex HMAC-SHA256>``."""
    if timestamp is None:
        timestamp = int(time.time())
    if isinstance(payload, bytes | bytearray):
        payload = payload.decode("utf-8")
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def parse_form(pairs) -> dict:
    """Stripe-style bracket notation to nested values: ``a[b]=1`` -> {"a": {"b": "1"}}, ``e[]=x`` / ``e[0]=x``
    -> {"e": ["x"]}. Values stay strings."""
    root: dict = {}
    for key, value in pairs:
        match = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))] if match else [key]
        node = root
        for part in parts[:-1]:
            if part == "":
                part = str(len(node))
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = parts[-1]
        if last == "":
            last = str(len(node))
        node[last] = value
    return _listify(root)


def _listify(value):
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def _new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHANUM) for _ in range(length))}"


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return len(digits) >= 12 and total % 10 == 0


def _add_query(url: str, params: dict) -> str:
    parts = urlsplit(url)
    extra = urlencode(params)
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def _truthy(value) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes", "on")


class StripeError(Exception):
    """An error answer in Stripe's shape: ``{"error": {"type", "code", "message", "param", ...}}``."""

    def __init__(self, status, type_, message, code=None, param=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "code": code, "message": message, "param": param, **extra}}


def _invalid(message, code=None, param=None, status=400):
    return StripeError(status, "invalid_request_error", message, code=code, param=param)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeStripe/1.0"
    sys_version = ""

    def log_message(self, format, *args):
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self):
        self.server.fake._handle(self, "GET")

    def do_POST(self):
        self.server.fake._handle(self, "POST")

    def do_DELETE(self):
        self.server.fake._handle(self, "DELETE")

    def do_OPTIONS(self):
        self.server.fake._handle(self, "OPTIONS")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout) makes writes fail with BrokenPipe/ConnectionReset: not our problem.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            logger.debug("client %s went away: %r", client_address, exc)
        else:
            logger.exception("fake Stripe: error while handling a request from %s", client_address)


class FakeStripe(CardsOnFile):
    """In-memory Stripe: PaymentIntents, charges, refunds, events and webhooks, behind one lock.

    Attributes (read them under ``fake.lock`` if a request may be running; values are plain dicts):
      ``url`` base URL once started (None before), ``publishable_key``, ``secret_key`` (None = any sk_test_ key),
      ``webhook_url``, ``webhook_secret``, ``auto_deliver``,
      ``payment_intents`` / ``charges`` / ``refunds`` / ``payment_methods``: id -> object,
      ``events``: list of event dicts in creation order,
      ``requests``: list of (method, path, params, idempotency_key) for every /v1 request, in order,
      ``deliveries``: list of (event_id, http status or error string) for every webhook attempt,
      ``undelivered``: events whose last delivery failed (exception or non-2xx answer).
    """

    _error_class = StripeError
    _invalid_request = staticmethod(_invalid)

    def __init__(self, webhook_url=None, webhook_secret=None, publishable_key="pk_test_fake", *,
                 secret_key=None, auto_deliver=None, connect_webhook_url=None, connect_webhook_secret=None):
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        # Events that happen on connected accounts (they carry "account") go to the Connect endpoint.
        self.connect_webhook_url = connect_webhook_url
        self.connect_webhook_secret = connect_webhook_secret
        self.publishable_key = publishable_key
        self.secret_key = secret_key
        # Deliver events to webhook_url as they happen (whenever webhook_url is set, also if set after start()).
        self.auto_deliver = True if auto_deliver is None else auto_deliver
        self.url = None
        self.lock = threading.RLock()
        self._server = None
        self._thread = None
        self._queue = queue.Queue()
        self._worker = None
        self._local = threading.local()
        self.reset()

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self, host="127.0.0.1", port=0) -> str:
        """Serve in a daemon thread; returns the base URL, e.g. "http://127.0.0.1:54321"."""
        if self._server is not None:
            return self.url
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-stripe", daemon=True)
        self._thread.start()
        self._worker = threading.Thread(target=self._deliver_loop, name="fake-stripe-webhooks", daemon=True)
        self._worker.start()
        return self.url

    def stop(self):
        """Stop serving (pending webhook deliveries are dropped). Idempotent."""
        if self._server is None:
            return
        self._queue.put(None)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._worker.join(timeout=5)
        self._server = self._thread = self._worker = None
        self._queue = queue.Queue()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def reset(self):
        """Forget every object, event, request, idempotency key and injected failure (keeps the server up)."""
        with self.lock:
            self.payment_intents = {}
            self.charges = {}
            self.refunds = {}
            self.payment_methods = {}
            self.accounts = {}
            self.account_links = {}
            self.application_fees = {}
            self.events = []
            self.requests = []
            self.request_accounts = []
            self._owners = {}
            self.deliveries = []
            self.undelivered = []
            self._client_secrets = {}
            self._card_numbers = {}
            self._return_urls = {}
            self._idempotency = {}
            self._failures = []
            self._delays = []
            self._reset_cards()

    # --- failure injection ----------------------------------------------------------------------------------

    def fail_next(self, count=1, status=500, should_retry=None, message="Injected failure (fake Stripe)."):
        """The next ``count`` /v1 requests answer ``status`` with an ``api_error`` body, changing nothing.

        stripe-python retries 5xx/409 ``max_network_retries`` times, each retry consuming one failure;
        ``should_retry=False`` adds ``Stripe-Should-Retry: false`` so the SDK does not retry.
        """
        with self.lock:
            self._failures.extend([(status, should_retry, message)] * count)

    def delay_next(self, seconds, count=1, process_first=False):
        """Sleep ``seconds`` before answering the next ``count`` /v1 requests (to provoke client timeouts).

        By default the sleep comes before the request is processed; ``process_first=True`` applies the request,
        then sleeps before answering (the "Stripe charged the card but the client timed out" case).
        """
        with self.lock:
            self._delays.extend([(seconds, process_first)] * count)

    # --- helpers for tests ----------------------------------------------------------------------------------

    def event_types(self) -> list:
        with self.lock:
            return [event["type"] for event in self.events]

    def complete_3ds(self, pi_id, succeed=True) -> str:
        """Do what the /3ds page's buttons do; returns the URL the browser would be redirected to."""
        with self.lock:
            return self._finish_3ds(pi_id, succeed)

    def wait_for_deliveries(self, timeout=5.0) -> bool:
        """Wait until every queued webhook has been attempted; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    # --- webhooks -------------------------------------------------------------------------------------------

    def deliver(self, event) -> bool:
        """POST ``event`` (JSON) to ``webhook_url`` with a ``Stripe-Signature`` header, now, in this thread.

        Returns True on a 2xx answer. Failures are logged, recorded in ``deliveries`` and leave the event in
        ``undelivered`` (a later successful ``deliver`` removes it); they never raise.
        """
        url, secret = self._endpoint_for(event)
        if not url:
            raise RuntimeError("FakeStripe has no webhook_url" + (" for Connect" if event.get("account") else ""))
        payload = json.dumps(event, indent=2).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}
        if secret:
            headers["Stripe-Signature"] = sign(payload, secret)
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
        try:
            with opener.open(request, timeout=10) as response:
                outcome = response.status
        except urllib.error.HTTPError as exc:
            outcome = exc.code
        except Exception as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        ok = isinstance(outcome, int) and 200 <= outcome < 300
        with self.lock:
            self.deliveries.append((event["id"], outcome))
            self.undelivered = [e for e in self.undelivered if e["id"] != event["id"]]
            if not ok:
                self.undelivered.append(event)
        if not ok:
            logger.warning("fake Stripe: webhook %s (%s) to %s failed: %s", event["id"], event["type"], url, outcome)
        return ok

    def _endpoint_for(self, event):
        """(url, signing secret): Connect events (with "account") go to the Connect endpoint, others not."""
        if event.get("account"):
            return self.connect_webhook_url, self.connect_webhook_secret
        return self.webhook_url, self.webhook_secret

    def _deliver_loop(self):
        q = self._queue
        while True:
            event = q.get()
            try:
                if event is None:
                    return
                self.deliver(event)
            except Exception:
                logger.exception("fake Stripe: webhook delivery crashed")
            finally:
                q.task_done()

    def _emit(self, type_, obj, account=None):
        ctx = getattr(self._local, "ctx", None) or {}
        account = account or self._owners.get(obj.get("id"))
        url = self._endpoint_for({"account": account})[0]
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1 if url else 0,
            "request": {"id": ctx.get("request_id"), "idempotency_key": ctx.get("idempotency_key")},
            "type": type_,
        }
        if account:
            event["account"] = account  # what Stripe adds to events of connected accounts
        self._owners[event["id"]] = account
        self.events.append(event)
        if url and self.auto_deliver:
            self._queue.put(copy.deepcopy(event))
        return event

    # --- HTTP -----------------------------------------------------------------------------------------------

    def _handle(self, h, method):
        try:
            self._dispatch(h, method)
        except ConnectionError:
            raise
        except Exception:
            logger.exception("fake Stripe: unexpected error for %s %s", method, h.path)
            self._send_json(h, 500, StripeError(500, "api_error", "The fake Stripe server crashed; see its log.").body)

    def _dispatch(self, h, method):
        split = urlsplit(h.path)
        path = split.path
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        if method == "OPTIONS":
            return self._send(h, 204, b"", "text/plain", {
                "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Stripe-Version, "
                                                "Stripe-Account",
                "Access-Control-Max-Age": "600",
            })
        if method == "GET" and path.rstrip("/") == "/v3":
            host = h.headers.get("Host") or urlsplit(self.url).netloc
            js = STRIPE_JS.replace("__FAKE_STRIPE_BASE__", json.dumps(f"http://{host}"))
            return self._send(h, 200, js.encode("utf-8"), "application/javascript; charset=utf-8",
                              {"Cache-Control": "no-store"})
        if path.startswith("/3ds/"):
            return self._handle_3ds(h, method, path[len("/3ds/"):].strip("/"), split.query, body)
        if path.startswith("/connect/onboarding/"):
            return self._handle_onboarding(h, method, path[len("/connect/onboarding/"):].strip("/"), body)
        if path.startswith("/v1/"):
            return self._handle_api(h, method, path, split.query, body)
        return self._send_json(h, 404, _invalid(f"Unrecognized request URL ({method}: {path}).", status=404).body)

    def _send(self, h, status, body: bytes, content_type, headers=None):
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Access-Control-Allow-Origin", "*")
        h.send_header("Access-Control-Expose-Headers", "Request-Id, Idempotent-Replayed, Stripe-Should-Retry")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        if body and h.command != "HEAD":
            h.wfile.write(body)

    def _send_json(self, h, status, obj, headers=None):
        self._send(h, status, json.dumps(obj, indent=2).encode("utf-8"), "application/json", headers)

    def _handle_api(self, h, method, path, query, body):
        if method in ("GET", "DELETE"):
            params = parse_form(parse_qsl(query, keep_blank_values=True))
        elif "json" in (h.headers.get("Content-Type") or ""):
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                return self._send_json(h, 400, _invalid("Invalid JSON body.").body)
        else:
            params = parse_form(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        idem = h.headers.get("Idempotency-Key") if method == "POST" else None
        # The connected account the request acts on: the SDK's Stripe-Account header, Stripe.js's _stripe_account.
        account = h.headers.get("Stripe-Account") or params.pop("_stripe_account", None) or None
        request_id = _new_id("req", 14)
        headers = {"Request-Id": request_id, "Stripe-Version": h.headers.get("Stripe-Version") or API_VERSION}
        if idem:
            headers["Idempotency-Key"] = idem
        if account:
            headers["Stripe-Account"] = account
        with self.lock:
            self.requests.append((method, path, copy.deepcopy(params), idem))
            self.request_accounts.append(account)
            delay = self._delays.pop(0) if self._delays else None
        if delay and not delay[1]:
            time.sleep(delay[0])
        with self.lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            status, should_retry, message = failure
            if should_retry is not None:
                headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
            error = StripeError(status, "api_error", message)
            return self._send_json(h, status, error.body, headers)
        self._local.ctx = {"request_id": request_id, "idempotency_key": idem, "account": account,
                           "base": f"http://{h.headers['Host']}" if h.headers.get("Host") else self.url}
        try:
            with self.lock:
                status, obj, extra = self._api(h, method, path, params, idem)
        finally:
            self._local.ctx = None
        headers.update(extra)
        if delay and delay[1]:
            time.sleep(delay[0])
        self._send_json(h, status, obj, headers)

    def _api(self, h, method, path, params, idem):
        """Authenticate, apply idempotency, route. Runs under the lock; returns (status, body, headers)."""
        try:
            mode = self._authenticate(h.headers.get("Authorization") or "", params)
        except StripeError as exc:
            return exc.status, exc.body, {}
        account = self._local.ctx.get("account")
        if account and account not in self.accounts:
            return 403, StripeError(
                403, "invalid_request_error", "The provided key does not have access to account "
                f"'{account}' (or that account does not exist). Application access may have been revoked.",
                code="account_invalid").body, {}
        signature = (method, path, params)
        idem = (account, idem) if idem else None  # keys are per account, as at Stripe
        if idem and mode == "secret":
            stored = self._idempotency.get(idem)
            if stored is not None:
                if stored[0] != signature:
                    return 400, StripeError(
                        400, "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with. Try using a key other than '{idem[1]}' if you meant to execute a different "
                        "request.").body, {}
                return stored[1], copy.deepcopy(stored[2]), {"Idempotent-Replayed": "true"}
        try:
            status, obj = self._route(method, path, params, mode)
        except StripeError as exc:
            status, obj = exc.status, exc.body
        if idem and mode == "secret" and status < 500:
            self._idempotency[idem] = (signature, status, copy.deepcopy(obj))
        return status, obj, {}

    def _authenticate(self, authorization, params):
        key = None
        if authorization.startswith("Bearer "):
            key = authorization[len("Bearer "):].strip()
        elif authorization.startswith("Basic "):
            try:
                key = base64.b64decode(authorization[len("Basic "):]).decode("utf-8").split(":", 1)[0]
            except ValueError:
                key = None
        elif isinstance(params.get("key"), str):
            key = params["key"]
        if not key:
            raise _invalid("You did not provide an API key. You need to provide your API key in the Authorization "
                           "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').", status=401)
        if key.startswith(("sk_test_", "rk_test_")) and (self.secret_key is None or key == self.secret_key):
            return "secret"
        if key == self.publishable_key:
            return "publishable"
        masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else key[:3] + "***"
        raise _invalid(f"Invalid API Key provided: {masked}", code="api_key_invalid", status=401)

    # --- routing --------------------------------------------------------------------------------------------

    def _route(self, method, path, params, mode):
        parts = path.strip("/").split("/")[1:]  # drop "v1"
        resource, rest = (parts[0] if parts else ""), parts[1:]
        if mode == "publishable":
            return self._route_publishable(method, path, resource, rest, params)
        expand = params.get("expand") or []
        expand = [expand] if isinstance(expand, str) else list(expand)
        if resource == "payment_intents":
            if not rest:
                if method == "POST":
                    return self._pi_create(params)
                if method == "GET":
                    return 200, self._expand(self._list(self.payment_intents, params, "/v1/payment_intents",
                                                        ("customer",)), expand)
            else:
                pi = self._get(self.payment_intents, rest[0], "payment_intent", "intent")
                action = rest[1] if len(rest) > 1 else None
                if method == "GET" and action is None:
                    return 200, self._expand(copy.deepcopy(pi), expand)
                if method == "POST":
                    handler = {None: self._pi_update, "confirm": self._pi_confirm, "capture": self._pi_capture,
                               "cancel": self._pi_cancel}.get(action) if len(rest) <= 2 else None
                    if handler is not None:
                        handler(pi, params)
                        return 200, self._expand(copy.deepcopy(pi), expand)
        elif resource == "refunds":
            if not rest and method == "POST":
                return 200, self._expand(self._refund_create(params), expand)
            if not rest and method == "GET":
                return 200, self._expand(self._list(self.refunds, params, "/v1/refunds",
                                                    ("payment_intent", "charge")), expand)
            if len(rest) == 1 and method == "GET":
                return 200, self._expand(copy.deepcopy(self._get(self.refunds, rest[0], "refund", "id")), expand)
        elif resource == "charges" and method == "GET":
            if not rest:
                return 200, self._expand(self._list(self.charges, params, "/v1/charges", ("payment_intent",)),
                                         expand)
            if len(rest) == 1:
                return 200, self._expand(copy.deepcopy(self._get(self.charges, rest[0], "charge", "id")), expand)
        elif resource == "payment_methods" and method == "GET" and len(rest) == 1:
            return 200, copy.deepcopy(self._get(self.payment_methods, rest[0], "payment_method", "id"))
        elif resource in ("accounts", "account_links", "application_fees"):
            return self._route_connect(method, path, resource, rest, params, expand)
        elif resource == "events" and method == "GET":
            if not rest:
                events = {e["id"]: e for e in self.events}
                return 200, self._list(events, params, "/v1/events", ("type",))
            if len(rest) == 1:
                events = {e["id"]: e for e in self.events}
                return 200, copy.deepcopy(self._get(events, rest[0], "event", "id"))
        answered = self._route_cards(method, path, resource, rest, params, expand)
        if answered is not None:
            return answered
        raise _invalid(f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we "
                       "can help at https://support.stripe.com/.", status=404)

    def _route_publishable(self, method, path, resource, rest, params):
        """What Stripe.js may do with a publishable key: retrieve or confirm a Payment/SetupIntent with its secret."""
        if resource == "setup_intents":
            answered = self._route_publishable_setup(method, rest, params)
            if answered is not None:
                return answered
        if resource == "payment_intents" and rest and (
                (method == "GET" and len(rest) == 1) or (method == "POST" and rest[1:] == ["confirm"])):
            pi = self._get(self.payment_intents, rest[0], "payment_intent", "intent")
            given = params.get("client_secret")
            if not isinstance(given, str) or not secrets.compare_digest(given, self._client_secrets[pi["id"]]):
                raise _invalid("The client_secret provided does not match the client_secret associated with the "
                               "PaymentIntent.", code="payment_intent_invalid_parameter", param="client_secret")
            if method == "GET":
                return 200, copy.deepcopy(pi)
            try:
                self._pi_confirm(pi, params)
            except StripeError as exc:
                if exc.body["error"]["type"] != "card_error":
                    raise
                # What Stripe.js gets back for a decline: the PaymentIntent, with the error alongside.
                error = {k: v for k, v in exc.body["error"].items() if k != "payment_intent"}
                return 200, {**copy.deepcopy(pi), "error": error}
            return 200, copy.deepcopy(pi)
        raise _invalid("This API call cannot be made with a publishable API key. Please use a secret API key. You "
                       "can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
                       code="secret_key_required", status=401)

    def _get(self, store, obj_id, kind, param):
        obj = store.get(obj_id)
        if obj is None or not self._visible(obj_id):
            raise _invalid(f"No such {kind}: '{obj_id}'", code="resource_missing", param=param, status=404)
        return obj

    def _scope(self):
        """The account a request acts on (None: the platform), or _ANY outside a request (the 3-D Secure page)."""
        ctx = getattr(self._local, "ctx", None)
        return _ANY if ctx is None else ctx.get("account")

    def _visible(self, obj_id):
        """Objects live on one account: one made with a Stripe-Account header is a 404 anywhere else."""
        scope = self._scope()
        return scope is _ANY or self._owners.get(obj_id) == scope

    def _own(self, obj, owner=_ANY):
        """Record which account ``obj`` lives on: ``owner``, or the account of the current request."""
        if owner is _ANY:
            scope = self._scope()
            owner = None if scope is _ANY else scope
        self._owners[obj["id"]] = owner
        return obj

    def _list(self, store, params, url, filters):
        items = [obj for obj in store.values() if all(obj.get(f) == params[f] for f in filters if f in params)
                 and self._visible(obj["id"])]
        items.reverse()  # newest first, as Stripe lists
        limit = self._int(params, "limit", default=10, minimum=1)
        return {"object": "list", "data": copy.deepcopy(items[:limit]), "has_more": len(items) > limit, "url": url}

    def _expand(self, obj, expand):
        for path in expand:
            self._expand_path(obj, path.split("."))
        return obj

    def _expand_path(self, obj, parts):
        if not isinstance(obj, dict) or not parts:
            return
        if obj.get("object") == "list" and parts[0] == "data":
            for item in obj["data"]:
                self._expand_path(item, parts[1:])
            return
        value = obj.get(parts[0])
        if isinstance(value, str):
            store = {"pi": self.payment_intents, "ch": self.charges, "re": self.refunds,
                     "pm": self.payment_methods, "cus": self.customers,
                     "seti": self.setup_intents}.get(value.split("_", 1)[0], {})
            if value in store:
                obj[parts[0]] = value = copy.deepcopy(store[value])
        self._expand_path(value, parts[1:])

    # --- parameter helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _int(params, name, default=None, required=False, minimum=1):
        if name not in params or params[name] in (None, ""):
            if required:
                raise _invalid(f"Missing required param: {name}.", code="parameter_missing", param=name)
            return default
        value = params[name]
        try:
            number = int(value)
            if isinstance(value, float) or str(number) != str(value).strip():
                raise ValueError
        except (TypeError, ValueError):
            raise _invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=name) from None
        if number < minimum:
            raise _invalid(f"This value must be greater than or equal to {minimum}.",
                           code="parameter_invalid_integer", param=name)
        return number

    @staticmethod
    def _metadata(current, given):
        """Stripe's metadata update: merge keys, "" deletes a key, metadata="" clears all."""
        if given is None:
            return current
        if given == "":
            return {}
        if not isinstance(given, dict):
            raise _invalid("Invalid object", code="parameter_invalid_empty", param="metadata")
        merged = dict(current)
        for key, value in given.items():
            if value == "":
                merged.pop(key, None)
            else:
                merged[key] = str(value)
        return merged

    # --- payment methods ------------------------------------------------------------------------------------

    def _payment_method(self, params, pi):
        """The PaymentMethod to confirm with (from payment_method, payment_method_data or the PI), or None."""
        pm_param = params.get("payment_method")
        data = params.get("payment_method_data")
        if isinstance(pm_param, str) and pm_param:
            if pm_param in self.payment_methods:
                return self.payment_methods[pm_param]
            if pm_param in TEST_PAYMENT_METHODS:
                return self._new_payment_method(TEST_PAYMENT_METHODS[pm_param], {})
            raise _invalid(f"No such PaymentMethod: '{pm_param}'", code="resource_missing", param="payment_method")
        if isinstance(data, dict):
            card = data.get("card") if isinstance(data.get("card"), dict) else {}
            number = re.sub(r"[\s-]", "", str(card.get("number") or ""))
            if not number:
                raise _invalid("Missing required param: payment_method_data[card][number].",
                               code="parameter_missing", param="payment_method_data[card][number]")
            return self._new_payment_method(number, card, data.get("billing_details"))
        if pi.get("payment_method"):
            return self.payment_methods[pi["payment_method"]]
        return None

    def _new_payment_method(self, number, card, billing_details=None):
        brand = next((b for prefix, b in _BRANDS if number.startswith(prefix)), "unknown")
        pm = {
            "id": _new_id("pm"),
            "object": "payment_method",
            "type": "card",
            "card": {"brand": brand, "last4": number[-4:], "exp_month": self._loose_int(card.get("exp_month"), 12),
                     "exp_year": self._loose_int(card.get("exp_year"), 2034), "country": "US", "funding": "credit"},
            "billing_details": billing_details if isinstance(billing_details, dict) else {},
            "created": int(time.time()),
            "customer": None,
            "livemode": False,
            "metadata": {},
        }
        self.payment_methods[pm["id"]] = self._own(pm)
        self._card_numbers[pm["id"]] = number
        return pm

    def _payment_method_details(self, pm_id):
        """A charge's ``payment_method_details``, as Stripe gives it for a card."""
        card = (self.payment_methods.get(pm_id) or {}).get("card") or {}
        return {"type": "card", "card": {key: card.get(key) for key in ("brand", "last4", "exp_month", "exp_year",
                                                                          "country", "funding")}}

    @staticmethod
    def _loose_int(value, default):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    def _card_outcome(self, number):
        if number in CARDS:
            return CARDS[number]
        if not number.isdigit() or not _luhn_ok(number):
            return "decline", {"code": "incorrect_number", "decline_code": "incorrect_number",
                               "message": "Your card number is incorrect."}
        return "decline", {"code": "card_declined", "decline_code": "test_mode_live_card",
                           "message": "Your card was declined. Your request was in test mode, but used a non test "
                                      "(live) card. For a list of valid test cards, visit: "
                                      "https://stripe.com/docs/testing."}

    # --- PaymentIntents -------------------------------------------------------------------------------------

    def _pi_create(self, params):
        amount = self._int(params, "amount", required=True)
        currency = params.get("currency")
        if not currency:
            raise _invalid("Missing required param: currency.", code="parameter_missing", param="currency")
        if not re.fullmatch(r"[A-Za-z]{3}", str(currency)):
            raise _invalid(f"Invalid currency: {currency}.", code="parameter_invalid_empty", param="currency")
        capture_method = params.get("capture_method") or "automatic"
        if capture_method not in ("automatic", "automatic_async", "manual"):
            raise _invalid("Invalid capture_method: must be one of automatic, automatic_async, or manual",
                           code="parameter_invalid_empty", param="capture_method")
        customer = self._customer(params.get("customer"))
        if _truthy(params.get("off_session")) and not _truthy(params.get("confirm")):
            raise _invalid("You may only specify `off_session` when `confirm` is true.", param="off_session")
        if params.get("setup_future_usage") not in (None, "", "off_session", "on_session"):
            raise _invalid("Invalid setup_future_usage: must be one of off_session or on_session",
                           param="setup_future_usage")
        pi_id = _new_id("pi")
        client_secret = f"{pi_id}_secret_{''.join(secrets.choice(_ALPHANUM) for _ in range(25))}"
        apm = params.get("automatic_payment_methods")
        pi = {
            "id": pi_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": ({"enabled": _truthy(apm.get("enabled")), "allow_redirects": "always"}
                                          if isinstance(apm, dict) else None),
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture_method,
            "client_secret": client_secret,
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": str(currency).lower(),
            "customer": customer["id"] if customer else None,
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": self._metadata({}, params.get("metadata")),
            "next_action": None,
            "payment_method": None,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "receipt_email": params.get("receipt_email"),
            "setup_future_usage": params.get("setup_future_usage"),
            "statement_descriptor": params.get("statement_descriptor"),
            "status": "requires_payment_method",
        }
        pi["application_fee_amount"] = self._fee_param(params, amount)
        self._own(pi)
        if params.get("payment_method"):
            pi["payment_method"] = self._payment_method(params, pi)["id"]
            pi["status"] = "requires_confirmation"
        self.payment_intents[pi_id] = pi
        self._client_secrets[pi_id] = client_secret
        if _truthy(params.get("confirm")):
            self._pi_confirm(pi, {k: v for k, v in params.items()
                                  if k in ("return_url", "payment_method_data", "off_session")})
        return 200, copy.deepcopy(pi)

    def _pi_update(self, pi, params):
        money = [k for k in ("amount", "currency", "capture_method", "payment_method") if k in params]
        if money and pi["status"] not in _CONFIRMABLE:
            raise _invalid(f"This PaymentIntent's {money[0]} could not be updated because it has a status of "
                           f"{pi['status']}. You may only update the {money[0]} of a PaymentIntent with one of the "
                           "following statuses: requires_payment_method, requires_confirmation, requires_action.",
                           code="payment_intent_unexpected_state", param=money[0])
        if "amount" in params:
            pi["amount"] = self._int(params, "amount", required=True)
        if "application_fee_amount" in params:
            pi["application_fee_amount"] = self._fee_param(params, pi["amount"])
        if params.get("currency"):
            pi["currency"] = str(params["currency"]).lower()
        if params.get("capture_method") in ("automatic", "automatic_async", "manual"):
            pi["capture_method"] = params["capture_method"]
        if params.get("payment_method"):
            pi["payment_method"] = self._payment_method(params, pi)["id"]
            pi["status"] = "requires_confirmation"
            pi["next_action"] = None
        for key in ("description", "receipt_email", "customer", "setup_future_usage", "statement_descriptor"):
            if key in params:
                pi[key] = params[key] or None
        pi["metadata"] = self._metadata(pi["metadata"], params.get("metadata"))

    def _pi_confirm(self, pi, params):
        if pi["status"] not in _CONFIRMABLE:
            raise _invalid(f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}. "
                           "Only a PaymentIntent with one of the following statuses may be confirmed: "
                           "requires_payment_method, requires_confirmation, requires_action.",
                           code="payment_intent_unexpected_state")
        pm = self._payment_method(params, pi)
        if pm is None:
            raise _invalid("You cannot confirm this PaymentIntent because it's missing a payment method. To confirm "
                           "the PaymentIntent with a card, provide a payment_method or payment_method_data.",
                           code="payment_intent_unexpected_state", param="payment_method")
        if params.get("return_url"):
            self._return_urls[pi["id"]] = params["return_url"]
        if "receipt_email" in params:
            pi["receipt_email"] = params["receipt_email"] or None
        pi["payment_method"] = pm["id"]
        pi["last_payment_error"] = None
        pi["next_action"] = None
        outcome, error = self._pi_card_outcome(pi, pm, params)
        if outcome == "succeed":
            self._authorise(pi)
        elif outcome == "3ds":
            return_url = self._return_urls.get(pi["id"])
            base = (getattr(self._local, "ctx", None) or {}).get("base") or self.url
            url = f"{base}/3ds/{pi['id']}"
            if return_url:
                url += "?return_url=" + quote(return_url, safe="")
            pi["status"] = "requires_action"
            pi["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": return_url}}
        else:
            self._payment_failed(pi, {**error, "type": "card_error", "payment_method": copy.deepcopy(pm)})
            raise StripeError(402, "card_error", error["message"], code=error["code"],
                              decline_code=error["decline_code"], payment_intent=copy.deepcopy(pi),
                              payment_method=copy.deepcopy(pm), doc_url=f"https://stripe.com/docs/error-codes/"
                                                                        f"{error['code'].replace('_', '-')}")

    def _authorise(self, pi):
        manual = pi["capture_method"] == "manual"
        charge = {
            "id": _new_id("ch"),
            "object": "charge",
            "amount": pi["amount"],
            "amount_captured": 0 if manual else pi["amount"],
            "amount_refunded": 0,
            "captured": not manual,
            "created": int(time.time()),
            "currency": pi["currency"],
            "customer": pi.get("customer"),
            "livemode": False,
            "metadata": dict(pi["metadata"]),
            "paid": True,
            "payment_intent": pi["id"],
            "payment_method": pi["payment_method"],
            "payment_method_details": self._payment_method_details(pi["payment_method"]),
            "refunded": False,
            "status": "succeeded",
            "application_fee": None,
            "application_fee_amount": pi.get("application_fee_amount"),
        }
        self.charges[charge["id"]] = self._own(charge, self._owners.get(pi["id"]))
        self._pi_succeeded(pi)
        pi["latest_charge"] = charge["id"]
        pi["next_action"] = None
        pi["last_payment_error"] = None
        if manual:
            pi["status"] = "requires_capture"
            pi["amount_capturable"] = pi["amount"]
            self._emit("payment_intent.amount_capturable_updated", pi)
        else:
            pi["status"] = "succeeded"
            pi["amount_received"] = pi["amount"]
            self._collect_fee(pi, charge)
            self._emit("payment_intent.succeeded", pi)

    def _payment_failed(self, pi, error):
        pi["status"] = "requires_payment_method"
        pi["next_action"] = None
        pi["last_payment_error"] = error
        self._emit("payment_intent.payment_failed", pi)

    def _pi_capture(self, pi, params):
        if pi["status"] != "requires_capture":
            raise _invalid(f"This PaymentIntent could not be captured because it has a status of {pi['status']}. "
                           "Only a PaymentIntent with one of the following statuses may be captured: "
                           "requires_capture.", code="payment_intent_unexpected_state")
        amount = self._int(params, "amount_to_capture", default=pi["amount_capturable"], minimum=1)
        if amount > pi["amount_capturable"]:
            raise _invalid(f"The amount to capture ({amount}) is greater than the amount capturable "
                           f"({pi['amount_capturable']}) on this PaymentIntent.", code="amount_too_large",
                           param="amount_to_capture")
        if "application_fee_amount" in params:
            pi["application_fee_amount"] = self._fee_param(params, amount)
        if (pi.get("application_fee_amount") or 0) > amount:
            raise _invalid(f"The application fee ({pi['application_fee_amount']}) cannot be greater than the amount "
                           f"captured ({amount}).", param="application_fee_amount")
        charge = self.charges[pi["latest_charge"]]
        charge["amount_captured"] = amount
        charge["captured"] = True
        pi["amount_received"] = amount
        pi["amount_capturable"] = 0
        pi["status"] = "succeeded"
        pi["metadata"] = self._metadata(pi["metadata"], params.get("metadata"))
        self._collect_fee(pi, charge)
        self._emit("payment_intent.succeeded", pi)

    def _pi_cancel(self, pi, params):
        if pi["status"] in ("succeeded", "canceled"):
            raise _invalid(f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
                           "PaymentIntent with one of the following statuses may be canceled: "
                           "requires_payment_method, requires_capture, requires_confirmation, requires_action, "
                           "processing.", code="payment_intent_unexpected_state")
        pi["status"] = "canceled"
        pi["canceled_at"] = int(time.time())
        pi["cancellation_reason"] = params.get("cancellation_reason") or None
        pi["amount_capturable"] = 0
        pi["next_action"] = None
        self._emit("payment_intent.canceled", pi)

    # --- refunds --------------------------------------------------------------------------------------------

    def _refund_create(self, params):
        if params.get("payment_intent"):
            pi = self._get(self.payment_intents, params["payment_intent"], "payment_intent", "payment_intent")
        elif params.get("charge"):
            charge = self._get(self.charges, params["charge"], "charge", "charge")
            pi = self.payment_intents[charge["payment_intent"]]
        else:
            raise _invalid("One of the following params should be provided for this request: payment_intent or "
                           "charge.", code="parameter_missing", param="payment_intent")
        if pi["status"] != "succeeded" or not pi["latest_charge"]:
            raise _invalid(f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund (status "
                           f"{pi['status']}). Cancel it instead if it is not captured.",
                           code="charge_not_refundable", param="payment_intent")
        charge = self.charges[pi["latest_charge"]]
        refundable = pi["amount_received"] - charge["amount_refunded"]
        if refundable <= 0:
            raise _invalid(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = self._int(params, "amount", default=refundable)
        if amount > refundable:
            raise _invalid(f"Refund amount ({amount} {pi['currency']}) is greater than unrefunded amount on charge "
                           f"({refundable} {pi['currency']}: {pi['amount_received']} received, "
                           f"{charge['amount_refunded']} already refunded).", code="amount_too_large", param="amount")
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": pi["currency"],
            "metadata": self._metadata({}, params.get("metadata")),
            "payment_intent": pi["id"],
            "reason": params.get("reason") or None,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = self._own(refund, self._owners.get(pi["id"]))
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        if _truthy(params.get("refund_application_fee")) and charge.get("application_fee"):
            self._refund_fee(self.application_fees[charge["application_fee"]], charge, amount)
        self._emit("charge.refunded", charge)
        return copy.deepcopy(refund)

    # --- Connect: accounts, onboarding links, application fees ---------------------------------------------

    def complete_onboarding(self, account_id):
        """Do what the hosted onboarding page's "submit" does: the account can take payments and get payouts."""
        with self.lock:
            return copy.deepcopy(self._complete_account(self.accounts[account_id]))

    def restrict_account(self, account_id, reason="requirements.past_due"):
        """Stripe needs more from the business: charges and payouts stop (``account.updated`` is sent)."""
        with self.lock:
            account = self.accounts[account_id]
            account.update(charges_enabled=False, payouts_enabled=False)
            account["requirements"] = {**account["requirements"], "currently_due": ["individual.verification"],
                                       "disabled_reason": reason}
            self._emit("account.updated", account, account=account_id)
            return copy.deepcopy(account)

    def _route_connect(self, method, path, resource, rest, params, expand):
        if self._scope() not in (None, _ANY):
            raise _invalid(f"{resource} can only be used by the platform, not with a Stripe-Account header.",
                           status=400)
        if resource == "accounts":
            if not rest and method == "POST":
                return 200, self._account_create(params)
            if not rest and method == "GET":
                return 200, self._list(self.accounts, params, "/v1/accounts", ())
            if len(rest) == 1:
                account = self._get(self.accounts, rest[0], "account", "account")
                if method == "POST":
                    for key in ("email", "business_profile"):
                        if key in params:
                            account[key] = params[key]
                    account["metadata"] = self._metadata(account["metadata"], params.get("metadata"))
                if method in ("GET", "POST"):
                    return 200, copy.deepcopy(account)
        elif resource == "account_links" and not rest and method == "POST":
            return 200, self._account_link_create(params)
        elif resource == "application_fees" and method == "GET":
            if not rest:
                return 200, self._expand(self._list(self.application_fees, params, "/v1/application_fees",
                                                    ("charge",)), expand)
            if len(rest) == 1:
                fee = self._get(self.application_fees, rest[0], "application fee", "id")
                return 200, self._expand(copy.deepcopy(fee), expand)
        raise _invalid(f"Unrecognized request URL ({method}: {path}).", status=404)

    def _account_create(self, params):
        kind = params.get("type") or "standard"
        if kind not in ("standard", "express", "custom"):
            raise _invalid("Invalid type: must be one of custom, express, or standard", param="type")
        account = {
            "id": _new_id("acct", 16),
            "object": "account",
            "type": kind,
            "business_profile": params.get("business_profile") or {},
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "country": params.get("country") or "US",
            "default_currency": "usd",
            "email": params.get("email"),
            "created": int(time.time()),
            "metadata": self._metadata({}, params.get("metadata")),
            "requirements": {"currently_due": ["business_type", "external_account", "tos_acceptance.date"],
                             "past_due": [], "disabled_reason": "requirements.past_due"},
        }
        self.accounts[account["id"]] = self._own(account, None)
        return copy.deepcopy(account)

    def _complete_account(self, account):
        account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True)
        account["requirements"] = {"currently_due": [], "past_due": [], "disabled_reason": None}
        self._emit("account.updated", account, account=account["id"])
        return account

    def _account_link_create(self, params):
        account = self._get(self.accounts, str(params.get("account") or ""), "account", "account")
        for name in ("refresh_url", "return_url"):
            if not re.match(r"https?://", str(params.get(name) or "")):
                raise _invalid(f"Missing or invalid param: {name} (an http(s) URL).", code="url_invalid", param=name)
        if params.get("type") not in ("account_onboarding", "account_update"):
            raise _invalid("Invalid type: must be one of account_onboarding or account_update", param="type")
        token = _new_id("link", 24)
        created = int(time.time())
        self.account_links[token] = {"account": account["id"], "refresh_url": params["refresh_url"],
                                     "return_url": params["return_url"], "expires_at": created + 300, "used": False}
        base = (getattr(self._local, "ctx", None) or {}).get("base") or self.url
        return {"object": "account_link", "created": created, "expires_at": created + 300,
                "url": f"{base}/connect/onboarding/{token}"}

    def _handle_onboarding(self, h, method, token, body):
        """Stripe's hosted onboarding: submitting completes the account; a used or expired link goes to refresh."""
        note = "Test mode: this page stands in for Stripe's hosted Connect onboarding."
        with self.lock:
            link = self.account_links.get(token)
            if link is None:
                return self._send_html(h, 404, "Unknown link", "<p>This onboarding link does not exist.</p>", note)
            if link["used"] or time.time() > link["expires_at"]:
                return self._send(h, 303, b"", "text/plain", {"Location": link["refresh_url"]})
            account = self.accounts[link["account"]]
            if method == "POST":
                action = dict(parse_qsl(body.decode("utf-8"))).get("action")
                link["used"] = True
                if action == "complete":
                    self._complete_account(account)
                return self._send(h, 303, b"", "text/plain", {"Location": link["return_url"]})
        name = html.escape(str(account.get("business_profile", {}).get("name") or account["id"]))
        body_html = (
            f"<p>Set up payments for <strong>{name}</strong> ({html.escape(account['type'])} account).</p>"
            f'<form method="post" action="/connect/onboarding/{html.escape(token)}">'
            '<button type="submit" name="action" value="complete">Agree and submit</button> '
            '<button type="submit" name="action" value="later">Save and finish later</button></form>')
        return self._send_html(h, 200, "Stripe account setup", body_html, note)

    def _fee_param(self, params, amount):
        """``application_fee_amount``: only on a connected account's payment (direct charge), at most the amount."""
        fee = self._int(params, "application_fee_amount", minimum=0)
        if fee is None:
            return None
        if self._scope() is None:
            raise _invalid("Can only apply an application_fee_amount when the PaymentIntent is attempting a direct "
                           "payment (using an OAuth key or Stripe-Account header) or destination payment (using "
                           "`transfer_data[destination]`).", param="application_fee_amount")
        if fee > amount:
            raise _invalid(f"The application fee ({fee}) cannot be greater than the amount ({amount}).",
                           param="application_fee_amount")
        return fee

    def _collect_fee(self, pi, charge):
        """The platform's application fee, taken when the charge is captured (it lives on the platform)."""
        if not pi.get("application_fee_amount"):
            return
        fee = {
            "id": _new_id("fee"),
            "object": "application_fee",
            "account": self._owners.get(pi["id"]),
            "amount": pi["application_fee_amount"],
            "amount_refunded": 0,
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": pi["currency"],
            "livemode": False,
            "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False, "url": ""},
        }
        fee["refunds"]["url"] = f"/v1/application_fees/{fee['id']}/refunds"
        self.application_fees[fee["id"]] = self._own(fee, None)
        charge["application_fee"] = fee["id"]
        charge["application_fee_amount"] = fee["amount"]
        self._emit("application_fee.created", fee, account=None)

    def _refund_fee(self, fee, charge, refunded):
        """``refund_application_fee``: the fee goes back in proportion to the refund (all of it on a full one)."""
        left = fee["amount"] - fee["amount_refunded"]
        if charge["amount_refunded"] >= charge["amount_captured"]:
            amount = left
        else:
            amount = min(left, (fee["amount"] * refunded * 2 + charge["amount_captured"]) //
                         (2 * charge["amount_captured"]))  # rounded half up
        if amount <= 0:
            return
        fee_refund = {"id": _new_id("fr"), "object": "fee_refund", "amount": amount, "currency": fee["currency"],
                      "fee": fee["id"], "created": int(time.time()), "metadata": {}}
        fee["refunds"]["data"].insert(0, fee_refund)
        fee["amount_refunded"] += amount
        fee["refunded"] = fee["amount_refunded"] >= fee["amount"]
        self._emit("application_fee.refunded", fee, account=None)

    # --- 3-D Secure -----------------------------------------------------------------------------------------

    def _handle_3ds(self, h, method, pi_id, query, body):
        if pi_id.startswith("seti_"):
            return self._handle_setup_3ds(h, method, pi_id, body)
        with self.lock:
            pi = self.payment_intents.get(pi_id)
            status = pi["status"] if pi else None
        if pi is None:
            return self._send_html(h, 404, "Unknown payment", "<p>There is no such payment.</p>")
        if method == "GET":
            if status != "requires_action":
                return self._send_html(h, 400, "Nothing to authenticate", "<p>This payment does not need "
                                       f"authentication (status: {html.escape(status)}).</p>")
            amount = f"{pi['amount'] / 100:.2f} {pi['currency'].upper()}"
            action = html.escape(f"/3ds/{pi_id}")
            body_html = (
                f"<p>Your bank asks you to confirm a payment of <strong>{html.escape(amount)}</strong>.</p>"
                f'<form method="post" action="{action}">'
                '<button type="submit" name="action" value="complete">Complete authentication</button> '
                '<button type="submit" name="action" value="fail">Fail authentication</button>'
                "</form>")
            return self._send_html(h, 200, "Authenticate this payment", body_html)
        if method != "POST":
            return self._send_html(h, 405, "Method not allowed", "")
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        try:
            with self.lock:
                location = self._finish_3ds(pi_id, form.get("action", "complete") != "fail")
        except StripeError as exc:
            return self._send_html(h, 400, "Nothing to authenticate", f"<p>{html.escape(str(exc))}</p>")
        if location is None:
            return self._send_html(h, 200, "Authentication finished", "<p>You can close this window.</p>")
        self._send(h, 303, b"", "text/plain", {"Location": location})

    def _finish_3ds(self, pi_id, succeed):
        """Complete or fail 3-D Secure (under the lock); returns the return_url with Stripe's query, or None."""
        pi = self._get(self.payment_intents, pi_id, "payment_intent", "intent")
        if pi["status"] == "requires_action":
            if succeed:
                self._authorise(pi)
            else:
                pm = self.payment_methods.get(pi["payment_method"])
                self._payment_failed(pi, {
                    "code": "payment_intent_authentication_failure",
                    "message": "We are unable to authenticate your payment method. Please choose a different "
                               "payment method and try again.",
                    "type": "card_error",
                    "payment_method": copy.deepcopy(pm),
                })
        elif pi["status"] not in ("succeeded", "requires_capture", "requires_payment_method"):
            raise StripeError(400, "invalid_request_error",
                              f"This payment does not need authentication (status: {pi['status']}).")
        return_url = self._return_urls.get(pi_id)
        if not return_url:
            return None
        ok = pi["status"] in ("succeeded", "requires_capture")
        return _add_query(return_url, {"payment_intent": pi_id, "payment_intent_client_secret": pi["client_secret"],
                                       "redirect_status": "succeeded" if ok else "failed"})

    def _send_html(self, h, status, title, body_html,
                   note="Test mode: this page stands in for the card issuer's 3-D Secure check."):
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} - Fake Stripe</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
            "button{font-size:1rem;padding:.6rem 1rem;margin:.25rem .25rem .25rem 0}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{body_html}"
            f"<p><small>{html.escape(note)}</small></p>"
            "</main></body></html>")
        self._send(h, status, page.encode("utf-8"), "text/html; charset=utf-8")


STRIPE_JS = r"""/* Fake Stripe.js served by sandbox/fakes/stripe_server.py: test mode, loopback only. */
(function () {
  "use strict";
  var BASE = __FAKE_STRIPE_BASE__;
  var counter = 0;

  function encodeForm(data) {
    var parts = [];
    Object.keys(data).forEach(function (key) {
      var value = data[key];
      if (value === undefined || value === null || value === "") return;
      parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(value)));
    });
    return parts.join("&");
  }

  function piIdFromSecret(secret) {
    var i = String(secret || "").indexOf("_secret_");
    return i > 0 ? String(secret).slice(0, i) : null;
  }

  function withQuery(url, params) {
    var u = new URL(url, window.location.href);
    Object.keys(params).forEach(function (k) { u.searchParams.set(k, params[k]); });
    return u.toString();
  }

  function integrationError(message) {
    var e = new Error(message);
    e.name = "IntegrationError";
    return e;
  }

  function PaymentElement(elements, type, options) {
    this.elementType = type;
    this._elements = elements;
    this._options = options || {};
    this._handlers = {};
    this._container = null;
    this._inputs = null;
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };
  PaymentElement.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = handler ? list.filter(function (h) { return h !== handler; }) : [];
    return this;
  };
  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (h) {
      try { h(payload); } catch (e) { setTimeout(function () { throw e; }); }
    });
  };

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) throw integrationError("The selector you specified (" + target + ") applies to no DOM elements.");
    var self = this;
    var prefix = "fake-stripe-" + (++counter) + "-";
    var root = document.createElement("div");
    root.className = "FakeStripeElement";
    root.setAttribute("data-fake-stripe", this.elementType);

    function field(name, label, attrs) {
      var wrap = document.createElement("div");
      wrap.className = "FakeStripeElement-field FakeStripeElement-" + name;
      var lab = document.createElement("label");
      lab.htmlFor = prefix + name;
      lab.textContent = label;
      var input = document.createElement("input");
      input.id = prefix + name;
      input.type = "text";
      Object.keys(attrs).forEach(function (k) { input.setAttribute(k, attrs[k]); });
      input.addEventListener("input", function () { self._emit("change", self._state()); });
      input.addEventListener("focus", function () { self._emit("focus", {elementType: self.elementType}); });
      input.addEventListener("blur", function () { self._emit("blur", {elementType: self.elementType}); });
      wrap.appendChild(lab);
      wrap.appendChild(input);
      root.appendChild(wrap);
      return input;
    }

    this._inputs = {
      number: field("number", "Card number",
                    {autocomplete: "cc-number", inputmode: "numeric", placeholder: "1234 1234 1234 1234"}),
      expiry: field("expiry", "Expiry (MM / YY)",
                    {autocomplete: "cc-exp", inputmode: "numeric", placeholder: "MM / YY"}),
      cvc: field("cvc", "CVC", {autocomplete: "cc-csc", inputmode: "numeric", placeholder: "CVC"})
    };
    container.innerHTML = "";
    container.appendChild(root);
    this._container = container;
    this._elements._mounted = this;
    setTimeout(function () { self._emit("ready", {elementType: self.elementType}); }, 0);
    return this;
  };

  PaymentElement.prototype.unmount = function () {
    if (this._container) this._container.innerHTML = "";
    this._container = null;
    this._inputs = null;
  };
  PaymentElement.prototype.destroy = function () {
    this.unmount();
    if (this._elements._mounted === this) this._elements._mounted = null;
  };
  PaymentElement.prototype.update = function (options) { Object.assign(this._options, options || {}); };
  PaymentElement.prototype.focus = function () { if (this._inputs) this._inputs.number.focus(); };
  PaymentElement.prototype.blur = function () { if (document.activeElement) document.activeElement.blur(); };
  PaymentElement.prototype.clear = function () {
    var inputs = this._inputs || {};
    Object.keys(inputs).forEach(function (k) { inputs[k].value = ""; });
  };

  PaymentElement.prototype._values = function () {
    var inputs = this._inputs;
    if (!inputs) return {number: "", expMonth: "", expYear: "", cvc: ""};
    var number = inputs.number.value.replace(/[\s-]/g, "");
    var exp = inputs.expiry.value.replace(/\s/g, "");
    var m = exp.match(/^(\d{1,2})\/?(\d{2,4})$/);
    var expMonth = m ? String(parseInt(m[1], 10)) : "";
    var expYear = m ? (m[2].length === 2 ? "20" + m[2] : m[2]) : "";
    return {number: number, expMonth: expMonth, expYear: expYear, cvc: inputs.cvc.value.trim()};
  };
  PaymentElement.prototype._state = function () {
    var v = this._values();
    return {
      elementType: this.elementType,
      empty: !v.number && !v.expMonth && !v.cvc,
      complete: v.number.length >= 12 && !!v.expMonth && v.cvc.length >= 3,
      value: {type: "card"}
    };
  };

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._clientSecret = this._options.clientSecret || null;
    this._mounted = null;
    this._created = {};
  }
  Elements.prototype.create = function (type, options) {
    var element = new PaymentElement(this, type || "payment", options);
    this._created[element.elementType] = element;
    return element;
  };
  Elements.prototype.getElement = function (type) { return this._created[type] || null; };
  Elements.prototype.update = function (options) {
    Object.assign(this._options, options || {});
    if (options && options.clientSecret) this._clientSecret = options.clientSecret;
  };
  Elements.prototype.submit = function () { return Promise.resolve({}); };
  Elements.prototype.fetchUpdates = function () { return Promise.resolve({}); };

  function request(method, path, data) {
    var init = {method: method, headers: {}};
    var url = BASE + path;
    if (method === "GET") {
      url += "?" + encodeForm(data);
    } else {
      init.headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = encodeForm(data);
    }
    return fetch(url, init).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    });
  }

  function connectionError() {
    return {error: {type: "api_connection_error", message: "We could not reach the payment service. Try again."}};
  }

  // The card to confirm with: a saved PaymentMethod (confirmParams.payment_method) or the mounted element's fields.
  function cardData(elements, confirmParams) {
    if (confirmParams.payment_method) return {payment_method: confirmParams.payment_method};
    var element = elements && (elements._mounted || elements.getElement("payment"));
    var card = element ? element._values() : {number: ""};
    if (!card.number) {
      return {error: {type: "validation_error", code: "incomplete_number", message: "Your card number is incomplete."}};
    }
    var data = {
      "payment_method_data[type]": "card",
      "payment_method_data[card][number]": card.number,
      "payment_method_data[card][exp_month]": card.expMonth,
      "payment_method_data[card][exp_year]": card.expYear,
      "payment_method_data[card][cvc]": card.cvc
    };
    var billing = ((confirmParams.payment_method_data || {}).billing_details) || {};
    ["name", "email", "phone"].forEach(function (k) {
      if (billing[k]) data["payment_method_data[billing_details][" + k + "]"] = billing[k];
    });
    return data;
  }

  function Stripe(publishableKey, options) {
    if (!(this instanceof Stripe)) return new Stripe(publishableKey, options);
    if (!publishableKey) {
      throw integrationError("Please call Stripe() with your publishable key. You used an empty string.");
    }
    this._key = publishableKey;
    this._options = options || {};
  }

  Stripe.prototype.elements = function (options) { return new Elements(this, options); };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = piIdFromSecret(clientSecret);
    if (!id) return Promise.reject(integrationError("Invalid value for retrievePaymentIntent: clientSecret."));
    return request("GET", "/v1/payment_intents/" + encodeURIComponent(id),
                   {key: this._key, client_secret: clientSecret,
                    _stripe_account: this._options.stripeAccount}).then(function (res) {
      return res.ok ? {paymentIntent: res.body} : {error: res.body.error};
    }, connectionError);
  };

  Stripe.prototype.confirmPayment = function (options) {
    options = options || {};
    var elements = options.elements;
    var clientSecret = options.clientSecret || (elements && elements._clientSecret);
    var confirmParams = options.confirmParams || {};
    var id = piIdFromSecret(clientSecret);
    if (!id) return Promise.reject(integrationError("Invalid value for confirmPayment: missing clientSecret."));
    var data = cardData(elements, confirmParams);
    if (data.error) return Promise.resolve(data);
    Object.assign(data, {
      key: this._key,
      _stripe_account: this._options.stripeAccount,
      client_secret: clientSecret,
      return_url: confirmParams.return_url,
      receipt_email: confirmParams.receipt_email
    });
    return request("POST", "/v1/payment_intents/" + encodeURIComponent(id) + "/confirm", data).then(function (res) {
      var body = res.body || {};
      if (!res.ok || body.error) {
        var error = Object.assign({}, body.error || {type: "api_error", message: "Unexpected error."});
        if (body.object === "payment_intent") {
          var pi = Object.assign({}, body);
          delete pi.error;
          error.payment_intent = pi;
        }
        return {error: error};
      }
      var next = body.next_action;
      if (body.status === "requires_action" && next && next.type === "redirect_to_url") {
        window.location.assign(next.redirect_to_url.url);
        return new Promise(function () {});
      }
      if (body.status === "succeeded" || body.status === "requires_capture" || body.status === "processing") {
        if (options.redirect === "if_required" || !confirmParams.return_url) return {paymentIntent: body};
        window.location.assign(withQuery(confirmParams.return_url, {
          payment_intent: body.id, payment_intent_client_secret: clientSecret, redirect_status: "succeeded"
        }));
        return new Promise(function () {});
      }
      return {error: {type: "invalid_request_error", code: "payment_intent_unexpected_state",
                      message: "The payment could not be completed (status " + body.status + ").",
                      payment_intent: body}};
    }, connectionError);
  };

  // Stripe.confirmSetup: save a card with a SetupIntent (same element, same 3-D Secure redirect).
  Stripe.prototype.confirmSetup = function (options) {
    options = options || {};
    var elements = options.elements;
    var clientSecret = options.clientSecret || (elements && elements._clientSecret);
    var confirmParams = options.confirmParams || {};
    var id = piIdFromSecret(clientSecret);
    if (!id) return Promise.reject(integrationError("Invalid value for confirmSetup: missing clientSecret."));
    var data = cardData(elements, confirmParams);
    if (data.error) return Promise.resolve(data);
    Object.assign(data, {key: this._key, _stripe_account: this._options.stripeAccount,
                         client_secret: clientSecret, return_url: confirmParams.return_url});
    return request("POST", "/v1/setup_intents/" + encodeURIComponent(id) + "/confirm", data).then(function (res) {
      var body = res.body || {};
      if (!res.ok || body.error) {
        var error = Object.assign({}, body.error || {type: "api_error", message: "Unexpected error."});
        if (body.object === "setup_intent") {
          var seti = Object.assign({}, body);
          delete seti.error;
          error.setup_intent = seti;
        }
        return {error: error};
      }
      var next = body.next_action;
      if (body.status === "requires_action" && next && next.type === "redirect_to_url") {
        window.location.assign(next.redirect_to_url.url);
        return new Promise(function () {});
      }
      if (body.status === "succeeded" || body.status === "processing") {
        if (options.redirect === "if_required" || !confirmParams.return_url) return {setupIntent: body};
        window.location.assign(withQuery(confirmParams.return_url, {
          setup_intent: body.id, setup_intent_client_secret: clientSecret, redirect_status: "succeeded"
        }));
        return new Promise(function () {});
      }
      return {error: {type: "invalid_request_error", code: "setup_intent_unexpected_state",
                      message: "The card could not be saved (status " + body.status + ").", setup_intent: body}};
    }, connectionError);
  };

  Stripe.prototype.retrieveSetupIntent = function (clientSecret) {
    var id = piIdFromSecret(clientSecret);
    if (!id) return Promise.reject(integrationError("Invalid value for retrieveSetupIntent: clientSecret."));
    return request("GET", "/v1/setup_intents/" + encodeURIComponent(id),
                   {key: this._key, client_secret: clientSecret}).then(function (res) {
      return res.ok ? {setupIntent: res.body} : {error: res.body.error};
    }, connectionError);
  };

  Stripe.version = 3;
  Stripe.fake = true;
  window.Stripe = Stripe;
})();
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Loopback fake of the Stripe API, webhooks and Stripe.js.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default=None, help="POST signed events here")
    parser.add_argument("--webhook-secret", default=None, help="whsec_... used to sign webhook events")
    parser.add_argument("--connect-webhook-url", default=None, help="POST connected accounts' events here")
    parser.add_argument("--connect-webhook-secret", default=None, help="whsec_... used to sign those")
    parser.add_argument("--publishable-key", default="pk_test_fake")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    fake = FakeStripe(webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
                      publishable_key=args.publishable_key, connect_webhook_url=args.connect_webhook_url,
                      connect_webhook_secret=args.connect_webhook_secret)
    print(fake.start(args.host, args.port), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()

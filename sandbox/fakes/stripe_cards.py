"""Cards kept on file in the loopback Stripe fake: Customers, SetupIntents and off-session PaymentIntents.

Mixed into :class:`fakes.stripe_server.FakeStripe` (which holds the HTTP server, the lock, events and idempotency);
this module only adds the objects and rules, as Stripe documents them:

* ``/v1/customers`` (create, retrieve, update, list), ``GET /v1/customers/{id}/payment_methods``,
  ``POST /v1/payment_methods/{id}/attach`` and ``/detach``, ``GET /v1/payment_methods?customer=...``.
* ``/v1/setup_intents`` (create, retrieve, list, confirm, cancel). ``usage`` defaults to ``off_session``. Confirming
  with a card: ``succeeded`` (the PaymentMethod is attached to the SetupIntent's customer, ``setup_intent.succeeded``
  and ``payment_method.attached``), ``requires_action`` for cards that ask for 3-D Secure (the ``/3ds/<seti id>``
  page completes or fails it), or a 402 ``card_error`` with ``setup_intent`` in the error and the SetupIntent back in
  ``requires_payment_method`` with ``last_setup_error`` (``setup_intent.setup_failed``). Stripe.js confirms and
  retrieves with the publishable key and the ``client_secret``.
* PaymentIntents with ``customer`` (must exist; a ``payment_method`` attached to another customer is refused),
  ``off_session=true`` + ``confirm=true``: a card set up for later use (SetupIntent, or an earlier payment with
  ``setup_future_usage``) is charged without the client; 4000002760003184 (and 4000000000003220) always need
  authentication, so an off-session charge fails with ``authentication_required`` (402, the PaymentIntent in the
  error, status ``requires_payment_method``, ``last_payment_error.payment_method`` set); confirming it again
  on-session with that PaymentMethod goes through 3-D Secure. 4000002500003155 needs authentication on-session
  unless it was set up. ``setup_future_usage`` on a PaymentIntent that succeeds attaches its card to its customer.
* 4000000000000341: attaching succeeds, every charge is declined (``card_declined``).
"""

from __future__ import annotations

import copy
import secrets
import time

_ALPHANUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

ALWAYS_AUTHENTICATE = frozenset({"4000002760003184", "4000000000003220"})
SETUP_THEN_OFF_SESSION = frozenset({"4000002500003155"})
ATTACH_THEN_DECLINE = frozenset({"4000000000000341"})
AUTHENTICATION_REQUIRED = {
    "code": "authentication_required", "decline_code": "authentication_required",
    "message": "Your card was declined. This transaction requires authentication.",
}
ATTACHED_DECLINE = {"code": "card_declined", "decline_code": "generic_decline", "message": "Your card was declined."}
EXTRA_CARDS = {"4000002760003184": ("3ds", None), "4000000000000341": ("succeed", None)}
EXTRA_PAYMENT_METHODS = {"pm_card_authenticationRequired": "4000002760003184",
                         "pm_card_authenticationRequiredOnSetup": "4000002500003155",
                         "pm_card_chargeCustomerFail": "4000000000000341"}


def _new_id(prefix, length=24):
    return f"{prefix}_{''.join(secrets.choice(_ALPHANUM) for _ in range(length))}"


class CardsOnFile:
    """Customers, SetupIntents and off-session rules; ``FakeStripe`` provides the rest (see the module doc)."""

    def _reset_cards(self):
        self.customers = {}
        self.setup_intents = {}
        # PaymentMethod ids that were set up for later use (no authentication needed off-session for 3155).
        self._set_up = set()

    # --- routing --------------------------------------------------------------------------------------------

    def _route_cards(self, method, path, resource, rest, params, expand):
        """Customers and SetupIntents with a secret key; None when the path is not one of ours."""
        if resource == "customers":
            return self._route_customers(method, rest, params)
        if resource == "setup_intents":
            if not rest and method == "POST":
                return 200, self._expand(self._seti_create(params), expand)
            if not rest and method == "GET":
                return 200, self._expand(self._list(self.setup_intents, params, "/v1/setup_intents",
                                                    ("customer", "payment_method")), expand)
            seti = self._get(self.setup_intents, rest[0], "setup_intent", "intent")
            action = rest[1] if len(rest) > 1 else None
            if method == "GET" and action is None:
                return 200, self._expand(copy.deepcopy(seti), expand)
            if method == "POST" and action in ("confirm", "cancel", None):
                {"confirm": self._seti_confirm, "cancel": self._seti_cancel,
                 None: self._seti_update}[action](seti, params)
                return 200, self._expand(copy.deepcopy(seti), expand)
        if resource == "payment_methods":
            if not rest and method == "GET":
                return 200, self._list(self.payment_methods, params, "/v1/payment_methods", ("customer", "type"))
            if len(rest) == 2 and method == "POST" and rest[1] in ("attach", "detach"):
                pm = self._get(self.payment_methods, rest[0], "payment_method", "payment_method")
                if rest[1] == "attach":
                    customer = self._customer(params.get("customer"), required=True)
                    self._attach(pm, customer["id"])
                else:
                    self._detach(pm)
                return 200, copy.deepcopy(pm)
        return None

    def _route_customers(self, method, rest, params):
        if not rest and method == "POST":
            customer = {"id": _new_id("cus", 14), "object": "customer", "created": int(time.time()),
                        "email": params.get("email") or None, "name": params.get("name") or None,
                        "phone": params.get("phone") or None, "description": params.get("description") or None,
                        "livemode": False, "metadata": self._metadata({}, params.get("metadata")),
                        "invoice_settings": {"default_payment_method": None}}
            self.customers[customer["id"]] = self._own(customer)
            self._emit("customer.created", customer)
            return 200, copy.deepcopy(customer)
        if not rest and method == "GET":
            return 200, self._list(self.customers, params, "/v1/customers", ("email",))
        customer = self._get(self.customers, rest[0], "customer", "id")
        if len(rest) == 1 and method == "GET":
            return 200, copy.deepcopy(customer)
        if len(rest) == 1 and method == "POST":
            for key in ("email", "name", "phone", "description"):
                if key in params:
                    customer[key] = params[key] or None
            customer["metadata"] = self._metadata(customer["metadata"], params.get("metadata"))
            self._emit("customer.updated", customer)
            return 200, copy.deepcopy(customer)
        if rest[1:] == ["payment_methods"] and method == "GET":
            mine = {k: v for k, v in self.payment_methods.items() if v.get("customer") == customer["id"]}
            return 200, self._list(mine, params, f"/v1/customers/{customer['id']}/payment_methods", ("type",))
        return None

    def _route_publishable_setup(self, method, rest, params):
        """Stripe.js with a publishable key: retrieve or confirm a SetupIntent given its client_secret."""
        if not rest or not ((method == "GET" and len(rest) == 1) or (method == "POST" and rest[1:] == ["confirm"])):
            return None
        seti = self._get(self.setup_intents, rest[0], "setup_intent", "intent")
        given = params.get("client_secret")
        if not isinstance(given, str) or not secrets.compare_digest(given, seti["client_secret"]):
            raise self._invalid_request("The client_secret provided does not match the client_secret associated "
                                        "with the SetupIntent.", code="setup_intent_invalid_parameter",
                                        param="client_secret")
        if method == "POST":
            try:
                self._seti_confirm(seti, params)
            except self._error_class as exc:
                if exc.body["error"]["type"] != "card_error":
                    raise
                error = {k: v for k, v in exc.body["error"].items() if k != "setup_intent"}
                return 200, {**copy.deepcopy(seti), "error": error}
        return 200, copy.deepcopy(seti)

    # --- customers and payment methods ----------------------------------------------------------------------

    def _customer(self, customer_id, required=False, param="customer"):
        if not customer_id:
            if required:
                raise self._invalid_request(f"Missing required param: {param}.", code="parameter_missing",
                                            param=param)
            return None
        return self._get(self.customers, str(customer_id), "customer", param)

    def _attach(self, pm, customer_id):
        if pm.get("customer") and pm["customer"] != customer_id:
            raise self._invalid_request(
                f"The payment method you provided has already been attached to a customer ({pm['customer']}).",
                code="payment_method_unexpected_state", param="payment_method")
        if pm.get("customer") != customer_id:
            pm["customer"] = customer_id
            self._emit("payment_method.attached", pm)

    def _detach(self, pm):
        if not pm.get("customer"):
            raise self._invalid_request("The payment method you provided is not attached to a customer so "
                                        "detachment is impossible.", code="payment_method_unexpected_state")
        pm["customer"] = None
        self._set_up.discard(pm["id"])
        self._emit("payment_method.detached", pm)

    def _check_owner(self, pm, customer_id):
        """A PaymentIntent or SetupIntent of one customer may not use another customer's card."""
        if pm is not None and pm.get("customer") and pm["customer"] != customer_id:
            raise self._invalid_request(
                f"The provided PaymentMethod belongs to another Customer ({pm['customer']}); use it with that "
                "Customer or detach it first.", code="payment_method_unexpected_state", param="payment_method")

    # --- SetupIntents ---------------------------------------------------------------------------------------

    def _seti_create(self, params):
        customer = self._customer(params.get("customer"))
        usage = params.get("usage") or "off_session"
        if usage not in ("off_session", "on_session"):
            raise self._invalid_request("Invalid usage: must be one of off_session or on_session", param="usage")
        seti_id = _new_id("seti")
        seti = {
            "id": seti_id, "object": "setup_intent", "cancellation_reason": None,
            "client_secret": f"{seti_id}_secret_{''.join(secrets.choice(_ALPHANUM) for _ in range(25))}",
            "created": int(time.time()), "customer": customer["id"] if customer else None,
            "description": params.get("description") or None, "last_setup_error": None, "latest_attempt": None,
            "livemode": False, "metadata": self._metadata({}, params.get("metadata")), "next_action": None,
            "payment_method": None, "payment_method_types": params.get("payment_method_types") or ["card"],
            "status": "requires_payment_method", "usage": usage,
        }
        self.setup_intents[seti_id] = self._own(seti)
        self._emit("setup_intent.created", seti)
        if params.get("payment_method"):
            seti["payment_method"] = self._payment_method(params, seti)["id"]
            seti["status"] = "requires_confirmation"
        if str(params.get("confirm")).lower() == "true":
            self._seti_confirm(seti, {k: v for k, v in params.items() if k in ("return_url",)})
        return copy.deepcopy(seti)

    def _seti_update(self, seti, params):
        if "customer" in params:
            if seti["customer"] and params["customer"] != seti["customer"]:
                raise self._invalid_request("You cannot change the customer of a SetupIntent once it is set.",
                                            param="customer")
            seti["customer"] = self._customer(params["customer"])["id"] if params["customer"] else None
        seti["metadata"] = self._metadata(seti["metadata"], params.get("metadata"))
        if "description" in params:
            seti["description"] = params["description"] or None

    def _seti_confirm(self, seti, params):
        if seti["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            raise self._invalid_request(
                f"You cannot confirm this SetupIntent because it has a status of {seti['status']}.",
                code="setup_intent_unexpected_state")
        pm = self._payment_method(params, seti)
        if pm is None:
            raise self._invalid_request("You cannot confirm this SetupIntent because it's missing a payment method.",
                                        code="setup_intent_unexpected_state", param="payment_method")
        self._check_owner(pm, seti["customer"])
        if params.get("return_url"):
            self._return_urls[seti["id"]] = params["return_url"]
        seti.update(payment_method=pm["id"], last_setup_error=None, next_action=None,
                    latest_attempt=_new_id("setatt"))
        number = self._card_numbers.get(pm["id"], "")
        outcome, error = self._card_outcome(number)
        if outcome == "succeed":
            return self._seti_succeeded(seti, pm)
        if outcome == "3ds":
            base = (getattr(self._local, "ctx", None) or {}).get("base") or self.url
            return_url = self._return_urls.get(seti["id"])
            seti["status"] = "requires_action"
            seti["next_action"] = {"type": "redirect_to_url", "redirect_to_url": {
                "url": f"{base}/3ds/{seti['id']}", "return_url": return_url}}
            self._emit("setup_intent.requires_action", seti)
            return None
        self._seti_failed(seti, {**error, "type": "card_error", "payment_method": copy.deepcopy(pm)})
        raise self._error_class(402, "card_error", error["message"], code=error["code"],
                                decline_code=error["decline_code"], setup_intent=copy.deepcopy(seti),
                                payment_method=copy.deepcopy(pm))

    def _seti_succeeded(self, seti, pm):
        seti["status"] = "succeeded"
        seti["next_action"] = None
        if seti["customer"]:
            self._attach(pm, seti["customer"])
        if seti["usage"] == "off_session":
            self._set_up.add(pm["id"])
        self._emit("setup_intent.succeeded", seti)

    def _seti_failed(self, seti, error):
        seti.update(status="requires_payment_method", next_action=None, last_setup_error=error)
        self._emit("setup_intent.setup_failed", seti)

    def _seti_cancel(self, seti, params):
        if seti["status"] in ("succeeded", "canceled"):
            raise self._invalid_request(f"You cannot cancel this SetupIntent because it has a status of "
                                        f"{seti['status']}.", code="setup_intent_unexpected_state")
        seti.update(status="canceled", next_action=None,
                    cancellation_reason=params.get("cancellation_reason") or None)
        self._emit("setup_intent.canceled", seti)

    def finish_setup_3ds(self, seti_id, succeed):
        """The /3ds page for a SetupIntent (under the lock); the return_url with Stripe's query, or None."""
        seti = self._get(self.setup_intents, seti_id, "setup_intent", "intent")
        if seti["status"] == "requires_action":
            pm = self.payment_methods[seti["payment_method"]]
            if succeed:
                self._seti_succeeded(seti, pm)
            else:
                self._seti_failed(seti, {
                    "code": "setup_intent_authentication_failure", "type": "card_error",
                    "message": "We are unable to authenticate your payment method. Please choose a different "
                               "payment method and try again.", "payment_method": copy.deepcopy(pm)})
        return_url = self._return_urls.get(seti_id)
        if not return_url:
            return None
        from fakes.stripe_server import _add_query

        return _add_query(return_url, {"setup_intent": seti_id, "setup_intent_client_secret": seti["client_secret"],
                                       "redirect_status": "succeeded" if seti["status"] == "succeeded"
                                       else "failed"})

    def complete_setup_3ds(self, seti_id, succeed=True):
        """For tests: what the /3ds page's buttons do for a SetupIntent."""
        with self.lock:
            return self.finish_setup_3ds(seti_id, succeed)

    # --- PaymentIntents with a customer, off session --------------------------------------------------------

    def _pi_card_outcome(self, pi, pm, params):
        """The outcome of confirming ``pi`` with ``pm``: Stripe's rules for customers and off-session charges."""
        if pi.get("customer"):
            self._customer(pi["customer"])
            self._check_owner(pm, pi["customer"])
        number = self._card_numbers.get(pm["id"], "")
        off_session = str(params.get("off_session", "")).lower() in ("true", "one_off", "recurring")
        pi["_off_session"] = off_session
        if number in ATTACH_THEN_DECLINE:
            return "decline", ATTACHED_DECLINE
        if off_session:
            if number in ALWAYS_AUTHENTICATE or (number in SETUP_THEN_OFF_SESSION and pm["id"] not in self._set_up):
                return "decline", AUTHENTICATION_REQUIRED
            if number in SETUP_THEN_OFF_SESSION:
                return "succeed", None
        return self._card_outcome(number)

    def _pi_succeeded(self, pi):
        """A payment with ``setup_future_usage`` keeps its card on the customer for later (off-session) use."""
        pm = self.payment_methods.get(pi.get("payment_method"))
        if pm is None or not pi.get("setup_future_usage"):
            return
        if pi.get("customer"):
            self._attach(pm, pi["customer"])
        if pi["setup_future_usage"] == "off_session":
            self._set_up.add(pm["id"])

    def _handle_setup_3ds(self, h, method, seti_id, body):
        """The bank's page for a card being saved: "Complete" or "Fail" authentication, then back to return_url."""
        from urllib.parse import parse_qsl

        with self.lock:
            seti = self.setup_intents.get(seti_id)
            status = seti["status"] if seti else None
        if seti is None:
            return self._send_html(h, 404, "Unknown card setup", "<p>There is no such card setup.</p>")
        if method == "GET":
            if status != "requires_action":
                return self._send_html(h, 400, "Nothing to authenticate",
                                       f"<p>This card setup does not need authentication (status: {status}).</p>")
            body_html = (
                "<p>Your bank asks you to confirm that this card may be kept on file for later payments.</p>"
                f'<form method="post" action="/3ds/{seti_id}">'
                '<button type="submit" name="action" value="complete">Complete authentication</button> '
                '<button type="submit" name="action" value="fail">Fail authentication</button></form>')
            return self._send_html(h, 200, "Authenticate this card", body_html)
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        with self.lock:
            location = self.finish_setup_3ds(seti_id, form.get("action", "complete") != "fail")
        if location is None:
            return self._send_html(h, 200, "Authentication finished", "<p>You can close this window.</p>")
        return self._send(h, 303, b"", "text/plain", {"Location": location})

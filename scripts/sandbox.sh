#!/usr/bin/env bash
# Bring the sandbox up: migrate, load demo data, run a Huey worker and the web server (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/../sandbox"
BIN="${BIN:-../.venv/bin}"
case "$BIN" in /*) ;; *) BIN="../$BIN" ;; esac
HOST="${SANDBOX_HOST:-127.0.0.1}"
PORT="${SANDBOX_PORT:-8000}"
export SANDBOX_BASE_URL="${SANDBOX_BASE_URL:-http://$HOST:$PORT}"

"$BIN/python" ../scripts/compile_messages.py  # the .po files edited since the install
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py createcachetable
"$BIN/python" manage.py load_demo

PIDS=""
if [ -z "${STRIPE_SECRET_KEY:-}" ]; then
  # No Stripe account named: run the loopback Stripe fake (API, Stripe.js, webhooks to this site).
  export STRIPE_FAKE_URL="${STRIPE_FAKE_URL:-http://127.0.0.1:12111}"
  "$BIN/python" fakes/stripe_server.py --port "${STRIPE_FAKE_URL##*:}" \
    --webhook-url "$SANDBOX_BASE_URL/booking/stripe/webhook/" --webhook-secret whsec_sandbox_fake \
    --connect-webhook-url "$SANDBOX_BASE_URL/booking/stripe/connect-webhook/" \
    --connect-webhook-secret whsec_sandbox_connect_fake &
  PIDS="$!"
  echo "Stripe fake at $STRIPE_FAKE_URL (test card 4242 4242 4242 4242; 4000 0000 0000 0002 declines)."
fi
if "$BIN/python" -c "import radicale, caldav" 2>/dev/null; then
  # The sandbox's own CalDAV server, with a demo calendar to connect (sandbox/fakes/radicale_server.py prints how).
  RADICALE_PORT="${RADICALE_PORT:-5232}"
  "$BIN/python" fakes/radicale_server.py --port "$RADICALE_PORT" --folder "${SANDBOX_VAR_DIR:-var}/radicale" --demo &
  PIDS="$PIDS $!"
fi
"$BIN/python" manage.py run_huey --workers 2 --max-delay 2 &
HUEY_PID=$!
PIDS="$PIDS $HUEY_PID"
trap 'kill $PIDS 2>/dev/null || true' EXIT INT TERM
echo "Huey worker running (pid $HUEY_PID). Site: $SANDBOX_BASE_URL/  Admin: $SANDBOX_BASE_URL/admin/"
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload

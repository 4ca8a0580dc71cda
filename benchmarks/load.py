"""Load test: gunicorn (4 sync workers) on PostgreSQL, driven by a headless locust run.

Each simulated client looks up the services, searches free slots (a week, sometimes a month, in its own time
zone) and now and then books one of the slots it was shown, as a new client each time. A few of its holds ask
again for a start it has just booked, so the server's 409 path is exercised too. A 409 is counted as a 409, not as
an error; an error is any other unexpected status (every 5xx) or a failed connection.

The script prepares everything and stops what it started:

1. a dedicated PostgreSQL database (``wb_load`` beside the one in ``DATABASE_URL``), created if missing,
   migrated, and seeded with the sandbox's demo business (``manage.py load_demo``); bookings from earlier
   stages are deleted before each stage;
2. a settings module in a temporary folder: the sandbox's settings, with the API rate limits raised for the run
   and DEBUG off; Huey and the cache on ``REDIS_URL`` when set (tasks are queued, not run; the queue is flushed
   at the end), else the sandbox's SQLite Huey and database cache;
3. gunicorn on a free loopback port;
4. locust (as a library, FastHttpUser) for each user count: a warm-up, then the measured run.

Run (installs: ``pip install -e ".[bench]"``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python benchmarks/load.py [--users 8 32] [--duration 60] [--fresh]

Prints requests/s, p50/p95/p99 (ms), status counts and errors per endpoint and per user count. Target: no
errors, and p95 of a slot search under 100 ms at 8 users.
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = '''\
from sandbox.settings import *  # noqa: F403

# Load-test overrides: every request comes from 127.0.0.1, so the per-address limits would refuse most of them.
WAGTAIL_BOOKING = {**WAGTAIL_BOOKING, "RATE_LIMITS": {"read": 1_000_000, "write": 1_000_000}}  # noqa: F405
if "url" in HUEY:  # noqa: F405
    HUEY = {**HUEY, "name": "wagtail-booking-load"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"wagtail_booking": {"handlers": ["console"], "level": "WARNING"}}}
'''
# API holds create no payments or invoices, so the bookings are all there is to delete.
RESET = "from wagtail_booking.bookings.models import Booking; Booking.objects.all().delete()"
FLUSH_HUEY = "from huey.contrib.djhuey import HUEY; HUEY.flush()"
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Paris",
         "Asia/Tokyo", "Australia/Sydney"]
OK = {"GET /services": {200}, "GET slots (7 days)": {200}, "GET slots (31 days)": {200},
      "POST /holds": {201, 409}, "POST /holds (taken start)": {409}}


# Preparation: database, settings, server ----------------------------------------------------------------------


def database_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(base_url: str, name: str, fresh: bool):
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(workdir: Path, db_url: str) -> dict:
    (workdir / "load_settings.py").write_text(SETTINGS)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "load_settings", "DATABASE_URL": db_url, "DEBUG": "0",
           "CONN_MAX_AGE": "60", "SANDBOX_VAR_DIR": str(workdir / "var"),
           "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT), str(ROOT / "sandbox")])}
    return env


def manage(env, *args):
    subprocess.run([PYTHON, str(ROOT / "sandbox" / "manage.py"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(env):
    manage(env, "migrate", "--noinput", "-v0")
    if not os.environ.get("REDIS_URL"):
        manage(env, "createcachetable")
    manage(env, "load_demo")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, workdir: Path, workers: int):
    port = free_port()
    log = open(workdir / "gunicorn.log", "w")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "sandbox.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
        env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{host}/booking/api/services", timeout=5) as response:
                if response.status == 200:
                    return process, host
        except OSError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 90 s")


def warm_workers(host, services):
    """Let every worker load its code and its zone cache before the clock starts."""
    for _ in range(40):
        service = random.choice(services)
        day = date.today() + timedelta(days=random.randint(2, 60))
        url = f"{host}/booking/api/services/{service['id']}/slots?start={day}&end={day + timedelta(days=6)}&tz=UTC"
        urllib.request.urlopen(url, timeout=30).read()


# The simulated clients ----------------------------------------------------------------------------------------


def user_class(services, think):
    # Imported only here: locust patches the standard library for gevent when it loads.
    from locust import between, constant, task
    from locust.contrib.fasthttp import FastHttpUser

    class BookingClient(FastHttpUser):
        wait_time = between(think / 2, think * 3 / 2) if think else constant(0)
        counter = 0

        def on_start(self):
            self.zone = random.choice(ZONES)
            self.shown = []  # (service, slot) pairs from the last search
            self.booked = None  # the last hold's (service, slot)
            self.client.get("/booking/api/services", name="GET /services")

        @task(8)
        def search_week(self):
            self._search(7, "GET slots (7 days)")

        @task(1)
        def search_month(self):
            self._search(31, "GET slots (31 days)")

        @task(3)
        def hold(self):
            if self.booked and random.random() < 0.1:
                # The same start with the same provider: taken by this client's last booking.
                return self._post_hold(*self.booked, name="POST /holds (taken start)")
            if not self.shown:
                self._search(7, "GET slots (7 days)")
            if self.shown:
                service, slot = self.shown.pop(random.randrange(len(self.shown)))
                provider = slot["provider"] if random.random() < 0.5 else None
                booked = self._post_hold(service, slot["start"], provider, name="POST /holds")
                if booked:
                    self.booked = (service, slot["start"], booked["provider"])

        def _search(self, days, name):
            service = random.choice(services)
            first = date.today() + timedelta(days=random.randint(1, 88 - days))
            params = {"start": first.isoformat(), "end": (first + timedelta(days=days - 1)).isoformat(),
                      "tz": self.zone}
            with self.client.get(f"/booking/api/services/{service['id']}/slots", params=params, name=name,
                                 catch_response=True) as response:
                if response.status_code == 200:
                    self.shown = [(service, slot) for slot in response.json()["slots"]]
                    response.success()
                else:
                    response.failure(f"{response.status_code}: {response.text[:200]}")

        def _post_hold(self, service, start, provider, name):
            """The booking's JSON when it was made, else None."""
            BookingClient.counter += 1
            number = BookingClient.counter
            body = {"service": service["id"], "start": start, "provider": provider,
                    "name": f"Load Client {number}", "email": f"client{number}@load.example",
                    "timezone": self.zone, "answers": service["answers"]}
            with self.client.post("/booking/api/holds", json=body, name=name, catch_response=True) as response:
                if response.status_code in OK[name]:
                    response.success()
                else:
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                return response.json() if response.status_code == 201 else None

    return BookingClient


def intake_answers(service) -> dict:
    """Answers that satisfy the service's required intake questions."""
    answers = {}
    for field in service["intake_fields"]:
        if not field["required"]:
            continue
        kind = field["type"]
        if kind in ("checkbox",):
            answers[field["name"]] = True
        elif kind in ("dropdown", "radio"):
            answers[field["name"]] = field["choices"][0]
        elif kind == "checkboxes":
            answers[field["name"]] = field["choices"][:1]
        elif kind == "email":
            answers[field["name"]] = "someone@load.example"
        elif kind == "number":
            answers[field["name"]] = 1
        else:
            answers[field["name"]] = "Load test answer"
    return answers


def cpu_seconds(pid) -> float:
    """CPU time used so far by a process and its children (gunicorn's master and workers)."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_stage(host, server_pid, services, users, duration, warmup, think):
    import gevent
    from locust.env import Environment

    env = Environment(user_classes=[user_class(services, think)], host=host)
    statuses = defaultdict(Counter)

    def count(request_type, name, response, exception, **kwargs):
        statuses[name]["error" if exception and response is None else getattr(response, "status_code", 0)] += 1

    env.events.request.add_listener(count)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    statuses.clear()
    started, server_cpu, own_cpu = time.monotonic(), cpu_seconds(server_pid), time.process_time()
    gevent.sleep(duration)
    elapsed = time.monotonic() - started
    stats = {name: _figures(entry, elapsed, statuses[name]) for (name, _), entry in env.stats.entries.items()}
    stats["all"] = _figures(env.stats.total, elapsed, sum(statuses.values(), Counter()))
    # Where the time went: the server's own CPU per request, against the machine's load (other work included).
    stats["all"]["server_cpu_ms"] = (cpu_seconds(server_pid) - server_cpu) * 1000 / max(1, env.stats.total.num_requests)
    stats["all"]["locust_cpu_share"] = (time.process_time() - own_cpu) / elapsed
    stats["all"]["load_average"] = os.getloadavg()[0]
    runner.quit()
    return stats


def _figures(entry, elapsed, statuses):
    return {"requests": entry.num_requests, "rps": entry.num_requests / elapsed,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "errors": entry.num_failures,
            "statuses": dict(sorted(statuses.items(), key=str))}


def report(users, stats):
    print(f"\n{users} users", flush=True)
    print(f"  {'endpoint':<27} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'errors':>6}  statuses")
    for name in [*sorted(n for n in stats if n != "all"), "all"]:
        row = stats[name]
        if not row["requests"]:
            continue
        codes = " ".join(f"{code}:{n}" for code, n in row["statuses"].items())
        print(f"  {name:<27} {row['requests']:>8} {row['rps']:>7.1f} {row['p50']:>7.0f} {row['p95']:>7.0f} "
              f"{row['p99']:>7.0f} {row['errors']:>6}  {codes}", flush=True)
    total = stats["all"]
    print(f"  gunicorn CPU {total['server_cpu_ms']:.1f} ms per request (PostgreSQL and Redis not included); "
          f"locust {total['locust_cpu_share']:.0%} of a core; load average {total['load_average']:.1f} "
          f"on {os.cpu_count()} cores", flush=True)


# Orchestration ------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=int, default=60, help="measured seconds per user count")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load before measuring")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a client waits between requests (0: back-to-back)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE_NAME", "wb_load"))
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("benchmarks/load.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(base_url, args.database, args.fresh)
    with tempfile.TemporaryDirectory(prefix="wb-load-") as tmp:
        workdir = Path(tmp)
        env = server_environment(workdir, database_url(base_url, args.database))
        print(f"Preparing database {args.database!r} (migrate, demo data)...", flush=True)
        prepare(env)
        server, host = start_gunicorn(env, workdir, args.workers)
        try:
            figures = {}
            services = json.load(urllib.request.urlopen(f"{host}/booking/api/services", timeout=30))
            for service in services:
                service["answers"] = intake_answers(service)
            print(f"gunicorn: {args.workers} workers at {host}; services {[s['name'] for s in services]}; "
                  f"think time {args.think} s; {args.warmup} s warm-up + {args.duration} s per user count",
                  flush=True)
            for users in args.users:
                manage(env, "shell", "-c", RESET)
                warm_workers(host, services)
                figures[users] = run_stage(host, server.pid, services, users, args.duration, args.warmup,
                                           args.think)
                report(users, figures[users])
        finally:
            server.terminate()
            server.wait(timeout=30)
            if os.environ.get("REDIS_URL"):
                manage(env, "shell", "-c", FLUSH_HUEY)
    summarise(figures, args.think)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


def summarise(figures, think):
    errors = sum(stage["all"]["errors"] for stage in figures.values())
    print(f"\nerrors: {errors} (target 0)")
    if 8 in figures:
        p95 = max(row["p95"] for name, row in figures[8].items() if name.startswith("GET slots"))
        print(f"slot search p95 at 8 users, think time {think} s: {p95:.0f} ms (target under 100 ms): "
              f"{'met' if p95 < 100 else 'missed'}")


if __name__ == "__main__":
    main()

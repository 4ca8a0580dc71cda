"""A real CalDAV server (Radicale) on a loopback port, for the tests and the sandbox.

Not a fake: Radicale answers PROPFIND, REPORT (calendar-query, calendar-multiget, sync-collection), PUT and DELETE
as iCloud, Fastmail or Nextcloud do, so the ``caldav`` client library is tested against a real server::

    server = RadicaleServer(users={"maya": "app-password"})
    base = server.start()      # "http://127.0.0.1:<free port>/", after the server answered
    ...
    server.stop()

Each server has its own temporary storage folder and a plain htpasswd file; no configuration file is read. Command
line (``make sandbox`` runs it): ``python sandbox/fakes/radicale_server.py --port 5232 --demo`` serves until killed;
``--demo`` creates the user ``demo`` (password ``demo-app-password``) with a calendar "Demo" holding a few busy
events in the coming days.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC
from pathlib import Path

DEMO_USER, DEMO_PASSWORD, DEMO_CALENDAR = "demo", "demo-app-password", "demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RadicaleServer:
    """Radicale in a child process; ``start`` returns once it answers HTTP, ``stop`` ends it and its storage."""

    def __init__(self, users: dict[str, str], port: int = 0, folder: str | None = None):
        self.users, self.port = dict(users), port
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="radicale-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 20) -> str:
        self.port = self.port or free_port()
        (self.folder / "collections").mkdir(parents=True, exist_ok=True)
        htpasswd = self.folder / "users"
        htpasswd.write_text("".join(f"{user}:{password}\n" for user, password in self.users.items()))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(self.folder / "collections"), "--auth-type", "htpasswd",
             "--auth-htpasswd-filename", str(htpasswd), "--auth-htpasswd-encryption", "plain",
             "--auth-delay", "0", "--rights-type", "owner_only", "--logging-level", "error"],
            stdin=subprocess.DEVNULL)
        self._wait_until_answering(timeout)
        return self.url

    def _wait_until_answering(self, timeout: float) -> None:
        """Poll the port until Radicale answers an HTTP request (any status), or fail with its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Radicale exited with code {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # it answered (401, 403 ...): it is up
            except OSError:
                time.sleep(0.05)  # not listening yet: poll again
        self.stop()
        raise RuntimeError(f"Radicale did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def demo_events(now=None) -> list[str]:
    """A few busy events over the coming days (a weekly one, a single one, an all-day one) as iCalendar text,
    inside the demo providers' working hours (09:00-17:00 in America/New_York)."""
    from datetime import datetime, timedelta

    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    day = now.date() + timedelta(days=1)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")

    def event(uid, lines):
        return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//wagtail-booking//sandbox//EN",
                            "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", *lines, "END:VEVENT",
                            "END:VCALENDAR", ""])

    return [
        event("demo-standup@sandbox", [f"DTSTART:{day:%Y%m%d}T140000Z", f"DTEND:{day:%Y%m%d}T143000Z",
                                       "RRULE:FREQ=WEEKLY;COUNT=8", "SUMMARY:Team stand-up"]),
        event("demo-dentist@sandbox", [f"DTSTART:{day + timedelta(days=1):%Y%m%d}T160000Z",
                                       f"DTEND:{day + timedelta(days=1):%Y%m%d}T173000Z", "SUMMARY:Dentist",
                                       "CLASS:PRIVATE"]),
        event("demo-offsite@sandbox", [f"DTSTART;VALUE=DATE:{day + timedelta(days=3):%Y%m%d}",
                                       f"DTEND;VALUE=DATE:{day + timedelta(days=4):%Y%m%d}", "SUMMARY:Offsite"]),
    ]


def load_demo(url: str) -> str:
    """Create the demo calendar (once) and PUT the demo events with the caldav client; returns the calendar URL."""
    import caldav

    with caldav.DAVClient(url=url, username=DEMO_USER, password=DEMO_PASSWORD) as client:
        principal = client.principal()
        existing = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in principal.calendars()}
        calendar = existing.get(DEMO_CALENDAR) or principal.make_calendar(name="Demo", cal_id=DEMO_CALENDAR)
        for text in demo_events():
            calendar.save_event(text)
        return str(calendar.url)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5232)
    parser.add_argument("--folder", help="storage folder kept between runs (default: a temporary one)")
    parser.add_argument("--demo", action="store_true", help="create the demo user, calendar and events")
    args = parser.parse_args()
    server = RadicaleServer({DEMO_USER: DEMO_PASSWORD}, port=args.port, folder=args.folder)
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.demo:
            calendar = load_demo(server.url)
            print(f"Radicale (CalDAV) at {server.url}: connect it with server URL {server.url}, user name "
                  f"{DEMO_USER}, app password {DEMO_PASSWORD} (calendar {calendar}).", flush=True)
        else:
            print(f"Radicale (CalDAV) at {server.url}", flush=True)
        server.process.wait()
    finally:
        server.stop()


if __name__ == "__main__":
    main()

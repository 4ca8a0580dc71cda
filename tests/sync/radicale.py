"""The provider's own CalDAV client in the CalDAV tests: a separate ``caldav.DAVClient`` that makes a calendar on
the Radicale server, puts and deletes events in it, and reads what our backend wrote."""

import json
import uuid

import caldav

from wagtail_booking.sync.backends.caldav import CalDAVBackend


def vcalendar(*vevents: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\n{vevent.strip()}\r\nEND:VEVENT\r\n"
                   for vevent in vevents)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//owner's phone//EN\r\n{body}END:VCALENDAR\r\n"


class OwnerCalendar:
    def __init__(self, url: str, username: str, password: str):
        self.url, self.username, self.password = url, username, password
        self.client = caldav.DAVClient(url=url, username=username, password=password)
        self.calendar = self.client.principal().make_calendar(name="Work", cal_id=f"work-{uuid.uuid4().hex[:8]}")
        self.calendar_id = str(self.calendar.url)

    def credentials(self, password: str | None = None) -> str:
        return json.dumps({"url": self.url, "username": self.username, "password": password or self.password})

    def backend(self, password: str | None = None, **options) -> CalDAVBackend:
        return CalDAVBackend(self.credentials(password), options)

    def put(self, name: str, *vevents: str) -> None:
        response = self.client.put(f"{self.calendar_id}{name}.ics", vcalendar(*vevents),
                                   headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status in (201, 204), response.status

    def delete(self, name: str) -> None:
        assert self.client.delete(f"{self.calendar_id}{name}.ics").status in (200, 204)

    def events(self) -> list:
        """Every VEVENT in the calendar, read afresh by this client."""
        return [component for obj in self.calendar.events() for component in obj.icalendar_instance.walk("VEVENT")]

    def close(self) -> None:
        self.calendar.delete()
        self.client.close()

"""iCalendar (.ics) files for bookings."""

from icalendar import Calendar, Event, vCalAddress, vText


def booking_calendar(booking, business_name: str, method: str = "PUBLISH") -> bytes:
    return bookings_calendar([booking], business_name, method)


def bookings_calendar(bookings, business_name: str, method: str = "PUBLISH") -> bytes:
    """One .ics with an event per booking (the appointments of a series, in its first confirmation)."""
    calendar = Calendar()
    calendar.add("prodid", "-//wagtail-booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for booking in bookings:
        calendar.add_component(_event(booking, business_name, method))
    return calendar.to_ical()


def _event(booking, business_name, method) -> Event:
    event = Event()
    event.add("uid", f"{booking.reference}@wagtail-booking")
    event.add("dtstamp", booking.updated_at or booking.created_at)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", f"{booking.service.name} with {booking.provider.name}")
    description = f"Booking reference {booking.reference} at {business_name}."
    room = booking.resource_for_client
    if room is not None and method != "CANCEL" and not booking.video_link:
        event.add("location", room.name)
    if booking.video_link and method != "CANCEL":
        # LOCATION is what calendar apps show and make clickable; URL and the description carry it too.
        event.add("location", booking.video_link)
        event.add("url", booking.video_link)
        description += f"\nVideo link: {booking.video_link}"
    event.add("description", description)
    organizer = vCalAddress(f"MAILTO:{booking.provider.email}" if booking.provider.email else "MAILTO:noreply@invalid")
    organizer.params["cn"] = vText(business_name)
    event["organizer"] = organizer
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return event

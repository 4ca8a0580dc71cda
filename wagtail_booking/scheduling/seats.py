"""Which starts a class offers: its scheduled sessions that still have seats, and free starts for a new one.

A class (a service with more than one seat) is given by the first booking of a start: a session is created for it
(``bookings.sessions``). Until then the start is an ordinary free slot of the provider (and, for a class that needs
a room, of a pool member: ``resources.with_resources``), offered with every seat free. Once a session exists, its
span is busy time for the provider (and its room) like any booking, so the ordinary slot computation no longer
offers it; the session is offered here instead, as long as it has seats left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .types import ServiceRules, Slot


@dataclass(frozen=True)
class SessionSeats:
    """A scheduled session of the class, with the seats still free in it."""

    provider_id: int
    start: datetime
    end: datetime
    capacity: int
    seats_left: int
    resource_id: int | None = None  # the room it holds, for a class that needs one


def class_slots(open_slots: Iterable[Slot], sessions: Iterable[SessionSeats], rules: ServiceRules,
                start: datetime, end: datetime, now: datetime, capacity: int, seats: int = 1) -> list[Slot]:
    """Ordered starts of a class in ``[start, end)`` where ``seats`` seats can be booked.

    ``open_slots`` are the ordinary free starts (computed with the sessions as busy time, and kept to those with a
    free room when the class needs one); each would begin a new session of ``capacity`` seats, in the slot's room.
    ``sessions`` are the scheduled ones, offered while they keep ``seats`` free and lie within the notice and
    horizon. At a start offered both ways the existing session wins (the class fills
    before another opens), and among sessions the first provider in ``sessions``' order.
    """
    earliest, latest = max(start, now + rules.min_notice), now + rules.horizon
    by_start: dict[datetime, Slot] = {}
    for session in sessions:
        if session.seats_left >= seats and earliest <= session.start < end and session.start <= latest:
            by_start.setdefault(session.start, Slot(session.start, session.end, session.provider_id,
                                                    session.resource_id, seats_left=session.seats_left,
                                                    capacity=session.capacity))
    if capacity >= seats:
        for slot in open_slots:
            by_start.setdefault(slot.start, Slot(slot.start, slot.end, slot.provider_id, slot.resource_id,
                                                 seats_left=capacity, capacity=capacity))
    return sorted(by_start.values())

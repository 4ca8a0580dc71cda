"""Waitlists: a full day, time or class offers a place in line; a freed place is offered to the next in line."""

"""Google Calendar sync (busy time in, bookings out, push channels) and per-provider iCal feeds.

``gateway`` is the only module that imports the Google SDKs; the rest maps their results onto our models.
"""

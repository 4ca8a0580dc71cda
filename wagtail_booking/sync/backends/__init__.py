"""Calendar backends by kind. ``WAGTAIL_BOOKING["CALENDAR_BACKENDS"]`` maps a kind to
``{"BACKEND": "dotted.path", "OPTIONS": {...}}``; the kinds listed there are the ones the owner can connect.
The contract is in :mod:`.base`.
"""

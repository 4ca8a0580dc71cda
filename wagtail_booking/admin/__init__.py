"""The Wagtail admin's views for bookings and the booking setup snippets (an entry point, like ``api``)."""

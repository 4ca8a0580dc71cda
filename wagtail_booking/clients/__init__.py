"""A client's own bookings without a password: "my bookings" by a single-use emailed link, and the bookings
section of an Oscar customer account."""

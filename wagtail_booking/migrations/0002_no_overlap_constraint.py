"""On PostgreSQL, make overlapping live bookings impossible whatever code path writes them.

The constraint compares each provider's blocked span (buffers included) for rows whose status keeps the provider
busy. Expired holds are moved to status "expired" under the provider lock before a new row is written, so they stop
counting at once. On other databases (SQLite in the sandbox) this migration does nothing and the booking code's
serialised check is the guard. Creating btree_gist needs a role allowed to create extensions.
"""

from django.db import migrations

CONSTRAINT = "wagtail_booking_no_overlap"
STATUSES = "('held', 'requested', 'confirmed', 'completed', 'no_show')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE wagtail_booking_booking ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (provider_id WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&)
        WHERE (status IN {STATUSES})""",
]
BACKWARD = [f"ALTER TABLE wagtail_booking_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("wagtail_booking", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False)]

"""Booking.deposit_step: where a series' later appointment stands while it waits for its deposit
(bookings/series_payments.py): reserved, link sent, lapsed; empty for every other booking.

Added with plain SQL, as in 0031: Django's SQLite schema editor would rebuild the booking table for a column with
a default, and the rebuild breaks the triggers of migration 0030 that name it. The statement is the same on both
databases.
"""

from django.db import migrations, models

ADD = "ALTER TABLE wagtail_booking_booking ADD COLUMN deposit_step varchar(10) NOT NULL DEFAULT ''"
DROP = "ALTER TABLE wagtail_booking_booking DROP COLUMN deposit_step"


class Migration(migrations.Migration):
    dependencies = [("wagtail_booking", "0031_class_session_on_demand")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP, elidable=False)],
            state_operations=[migrations.AddField(
                model_name="booking",
                name="deposit_step",
                field=models.CharField(blank=True, default="", editable=False, max_length=10,
                                       verbose_name="series deposit"),
            )],
        ),
    ]

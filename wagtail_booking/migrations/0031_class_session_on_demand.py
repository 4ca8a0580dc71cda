"""ClassSession.on_demand: a session opened by a client's first booking (not scheduled ahead by staff) is closed
again once every seat in it has been given back, so an abandoned hold does not keep the provider busy.

Added with plain SQL: Django's SQLite schema editor would rebuild the table for a column with a default, and the
rebuild breaks the seat triggers of migration 0030 that name it. The statement is the same on both databases.
"""

from django.db import migrations, models

ADD = "ALTER TABLE wagtail_booking_classsession ADD COLUMN on_demand boolean NOT NULL DEFAULT false"
DROP = "ALTER TABLE wagtail_booking_classsession DROP COLUMN on_demand"


class Migration(migrations.Migration):
    dependencies = [("wagtail_booking", "0030_seat_and_resource_guarantees")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP, elidable=False)],
            state_operations=[migrations.AddField(
                model_name="classsession",
                name="on_demand",
                field=models.BooleanField(default=False, editable=False, verbose_name="opened by a booking"),
            )],
        ),
    ]

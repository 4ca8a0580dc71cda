"""The database guarantees of group sessions and resources, on PostgreSQL and on SQLite.

- **Seats.** ``ClassSession.seats_taken`` is kept by a trigger on the booking table: each live seat booking adds
  its ``seats`` when it is written, and takes them away when it stops being live (cancelled, expired, deleted) or
  moves to another session. The check constraint ``seats_taken <= capacity`` (migration 0029) then refuses the
  write that would oversell, whatever code path makes it. The trigger adds to the stored count (it never re-counts
  from a snapshot), and its UPDATE locks the session row, so concurrent writers queue on it and each sees the
  count its predecessor left.
- **Resources.** PostgreSQL: exclusion constraints forbid two live bookings, or two scheduled sessions, holding
  the same resource at overlapping times. A seat booking is skipped by the provider and resource constraints: its
  session keeps the provider and the room busy.
- **Sessions against one-to-one bookings** (two tables, which no single constraint spans). A trigger on each table
  locks the provider and resource rows involved, then refuses a row that overlaps a live row of the other table
  for the same provider or resource. Writers of either table queue on those row locks (the booking code takes the
  same locks first, in id order), so the check sees every committed rival.
- **SQLite** runs one writer at a time, so triggers that look before they write are a full guarantee there: they
  give SQLite the same no-overlap rules PostgreSQL's exclusion constraints give, for providers and resources.

Every refusal is an IntegrityError whose message names the rule: ``*_no_overlap`` or
``wagtail_booking_session_seats_within_capacity``. ``bookings.writes.insert`` turns either into a 409 with
alternatives.
"""

from django.db import migrations

LIVE = "('held', 'requested', 'confirmed', 'completed', 'no_show')"
RANGE = "tstzrange(blocked_start, blocked_end, '[)')"

# ``schema_editor.execute`` passes parameters, so a literal percent sign is written %%.
POSTGRESQL = [
    "ALTER TABLE wagtail_booking_booking DROP CONSTRAINT IF EXISTS wagtail_booking_no_overlap",
    f"""ALTER TABLE wagtail_booking_booking ADD CONSTRAINT wagtail_booking_no_overlap
        EXCLUDE USING gist (provider_id WITH =, {RANGE} WITH &&) WHERE (status IN {LIVE} AND session_id IS NULL)""",
    f"""ALTER TABLE wagtail_booking_booking ADD CONSTRAINT wagtail_booking_resource_no_overlap
        EXCLUDE USING gist (resource_id WITH =, {RANGE} WITH &&)
        WHERE (status IN {LIVE} AND session_id IS NULL AND resource_id IS NOT NULL)""",
    f"""ALTER TABLE wagtail_booking_classsession ADD CONSTRAINT wagtail_booking_session_no_overlap
        EXCLUDE USING gist (provider_id WITH =, {RANGE} WITH &&) WHERE (status = 'scheduled')""",
    f"""ALTER TABLE wagtail_booking_classsession ADD CONSTRAINT wagtail_booking_session_resource_no_overlap
        EXCLUDE USING gist (resource_id WITH =, {RANGE} WITH &&)
        WHERE (status = 'scheduled' AND resource_id IS NOT NULL)""",
    f"""CREATE FUNCTION wagtail_booking_count_seats() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.session_id IS NOT NULL AND OLD.status IN {LIVE} THEN
            UPDATE wagtail_booking_classsession SET seats_taken = seats_taken - OLD.seats WHERE id = OLD.session_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.session_id IS NOT NULL AND NEW.status IN {LIVE} THEN
            UPDATE wagtail_booking_classsession SET seats_taken = seats_taken + NEW.seats WHERE id = NEW.session_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER wagtail_booking_count_seats
        AFTER INSERT OR DELETE OR UPDATE OF session_id, seats, status ON wagtail_booking_booking
        FOR EACH ROW EXECUTE FUNCTION wagtail_booking_count_seats()""",
    # A one-to-one booking against the sessions, and against bookings holding its provider as their resource (or
    # its resource as their provider): the cases no exclusion constraint covers.
    f"""CREATE FUNCTION wagtail_booking_booking_apart() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.session_id IS NOT NULL OR NEW.status NOT IN {LIVE} THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.session_id IS NULL AND OLD.status IN {LIVE}
           AND NEW.provider_id = OLD.provider_id AND NEW.resource_id IS NOT DISTINCT FROM OLD.resource_id
           AND NEW.blocked_start = OLD.blocked_start AND NEW.blocked_end = OLD.blocked_end THEN
            RETURN NULL;  -- live before and after, same holders and span: nothing new to check, and no lock taken
        END IF;
        PERFORM 1 FROM wagtail_booking_provider WHERE id IN (NEW.provider_id, NEW.resource_id) ORDER BY id
            FOR UPDATE;
        IF EXISTS (SELECT 1 FROM wagtail_booking_classsession s WHERE s.status = 'scheduled'
                     AND (s.provider_id IN (NEW.provider_id, NEW.resource_id)
                          OR s.resource_id IN (NEW.provider_id, NEW.resource_id))
                     AND s.blocked_start < NEW.blocked_end AND s.blocked_end > NEW.blocked_start)
           OR EXISTS (SELECT 1 FROM wagtail_booking_booking b WHERE b.id <> NEW.id AND b.session_id IS NULL
                     AND b.status IN {LIVE}
                     AND (b.resource_id = NEW.provider_id OR b.provider_id = NEW.resource_id)
                     AND b.blocked_start < NEW.blocked_end AND b.blocked_end > NEW.blocked_start) THEN
            RAISE EXCEPTION 'wagtail_booking_session_no_overlap: booking %% overlaps a class or a resource''s '
                            'other use', NEW.id USING ERRCODE = 'exclusion_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER wagtail_booking_booking_apart
        AFTER INSERT OR UPDATE OF status, provider_id, resource_id, session_id, blocked_start, blocked_end
        ON wagtail_booking_booking FOR EACH ROW EXECUTE FUNCTION wagtail_booking_booking_apart()""",
    f"""CREATE FUNCTION wagtail_booking_session_apart() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.status <> 'scheduled' THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'scheduled' AND NEW.provider_id = OLD.provider_id
           AND NEW.resource_id IS NOT DISTINCT FROM OLD.resource_id
           AND NEW.blocked_start = OLD.blocked_start AND NEW.blocked_end = OLD.blocked_end THEN
            RETURN NULL;  -- a seat count changing: nothing about its time or holders
        END IF;
        PERFORM 1 FROM wagtail_booking_provider WHERE id IN (NEW.provider_id, NEW.resource_id) ORDER BY id
            FOR UPDATE;
        IF EXISTS (SELECT 1 FROM wagtail_booking_booking b WHERE b.session_id IS NULL AND b.status IN {LIVE}
                     AND (b.provider_id IN (NEW.provider_id, NEW.resource_id)
                          OR b.resource_id IN (NEW.provider_id, NEW.resource_id))
                     AND b.blocked_start < NEW.blocked_end AND b.blocked_end > NEW.blocked_start)
           OR EXISTS (SELECT 1 FROM wagtail_booking_classsession s WHERE s.id <> NEW.id AND s.status = 'scheduled'
                     AND (s.resource_id = NEW.provider_id OR s.provider_id = NEW.resource_id)
                     AND s.blocked_start < NEW.blocked_end AND s.blocked_end > NEW.blocked_start) THEN
            RAISE EXCEPTION 'wagtail_booking_session_no_overlap: session %% overlaps a booking', NEW.id
                USING ERRCODE = 'exclusion_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER wagtail_booking_session_apart
        AFTER INSERT OR UPDATE OF status, provider_id, resource_id, blocked_start, blocked_end
        ON wagtail_booking_classsession FOR EACH ROW EXECUTE FUNCTION wagtail_booking_session_apart()""",
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS wagtail_booking_session_apart ON wagtail_booking_classsession",
    "DROP FUNCTION IF EXISTS wagtail_booking_session_apart()",
    "DROP TRIGGER IF EXISTS wagtail_booking_booking_apart ON wagtail_booking_booking",
    "DROP FUNCTION IF EXISTS wagtail_booking_booking_apart()",
    "DROP TRIGGER IF EXISTS wagtail_booking_count_seats ON wagtail_booking_booking",
    "DROP FUNCTION IF EXISTS wagtail_booking_count_seats()",
    "ALTER TABLE wagtail_booking_classsession DROP CONSTRAINT IF EXISTS wagtail_booking_session_resource_no_overlap",
    "ALTER TABLE wagtail_booking_classsession DROP CONSTRAINT IF EXISTS wagtail_booking_session_no_overlap",
    "ALTER TABLE wagtail_booking_booking DROP CONSTRAINT IF EXISTS wagtail_booking_resource_no_overlap",
    "ALTER TABLE wagtail_booking_booking DROP CONSTRAINT IF EXISTS wagtail_booking_no_overlap",
    f"""ALTER TABLE wagtail_booking_booking ADD CONSTRAINT wagtail_booking_no_overlap
        EXCLUDE USING gist (provider_id WITH =, {RANGE} WITH &&) WHERE (status IN {LIVE})""",
]

# SQLite: what overlaps the row being written (NEW), by holder: the provider or resource of either column.
_HOLDERS = "({t}.provider_id IN (NEW.provider_id, NEW.resource_id) OR {t}.resource_id IN (NEW.provider_id, NEW.resource_id))"
_OVERLAPS = "{t}.blocked_start < NEW.blocked_end AND {t}.blocked_end > NEW.blocked_start"


def _bookings_clash(other_than_new=False):
    self_row = "b.id <> NEW.id AND " if other_than_new else ""
    return (f"EXISTS (SELECT 1 FROM wagtail_booking_booking b WHERE {self_row}b.session_id IS NULL "
            f"AND b.status IN {LIVE} AND {_OVERLAPS.format(t='b')} AND {_HOLDERS.format(t='b')})")


def _sessions_clash(other_than_new=False):
    self_row = "s.id <> NEW.id AND " if other_than_new else ""
    return (f"EXISTS (SELECT 1 FROM wagtail_booking_classsession s WHERE {self_row}s.status = 'scheduled' "
            f"AND {_OVERLAPS.format(t='s')} AND {_HOLDERS.format(t='s')})")


_BOOKING_LIVE = f"NEW.session_id IS NULL AND NEW.status IN {LIVE}"
_BOOKING_COLUMNS = "status, provider_id, resource_id, session_id, blocked_start, blocked_end"
_SESSION_COLUMNS = "status, provider_id, resource_id, blocked_start, blocked_end"
_BUSY = "'wagtail_booking_no_overlap: the provider or resource is busy then'"
_CLASS = "'wagtail_booking_session_no_overlap: a class holds the provider or resource then'"

SQLITE = [
    f"""CREATE TRIGGER wagtail_booking_seats_insert AFTER INSERT ON wagtail_booking_booking
        WHEN NEW.session_id IS NOT NULL AND NEW.status IN {LIVE}
        BEGIN UPDATE wagtail_booking_classsession SET seats_taken = seats_taken + NEW.seats
              WHERE id = NEW.session_id; END""",
    f"""CREATE TRIGGER wagtail_booking_seats_delete AFTER DELETE ON wagtail_booking_booking
        WHEN OLD.session_id IS NOT NULL AND OLD.status IN {LIVE}
        BEGIN UPDATE wagtail_booking_classsession SET seats_taken = seats_taken - OLD.seats
              WHERE id = OLD.session_id; END""",
    f"""CREATE TRIGGER wagtail_booking_seats_update AFTER UPDATE OF session_id, seats, status ON wagtail_booking_booking
        BEGIN
            UPDATE wagtail_booking_classsession SET seats_taken = seats_taken - OLD.seats
             WHERE id = OLD.session_id AND OLD.status IN {LIVE};
            UPDATE wagtail_booking_classsession SET seats_taken = seats_taken + NEW.seats
             WHERE id = NEW.session_id AND NEW.status IN {LIVE};
        END""",
    # Written before the row, so the refusal names the rule and nothing is half-written.
    f"""CREATE TRIGGER wagtail_booking_no_overlap_insert BEFORE INSERT ON wagtail_booking_booking
        WHEN {_BOOKING_LIVE}
        BEGIN
            SELECT RAISE(ABORT, {_BUSY}) WHERE {_bookings_clash()};
            SELECT RAISE(ABORT, {_CLASS}) WHERE {_sessions_clash()};
        END""",
    f"""CREATE TRIGGER wagtail_booking_no_overlap_update BEFORE UPDATE OF {_BOOKING_COLUMNS} ON wagtail_booking_booking
        WHEN {_BOOKING_LIVE}
        BEGIN
            SELECT RAISE(ABORT, {_BUSY}) WHERE {_bookings_clash(other_than_new=True)};
            SELECT RAISE(ABORT, {_CLASS}) WHERE {_sessions_clash()};
        END""",
    f"""CREATE TRIGGER wagtail_booking_session_no_overlap_insert BEFORE INSERT ON wagtail_booking_classsession
        WHEN NEW.status = 'scheduled'
        BEGIN
            SELECT RAISE(ABORT, {_CLASS}) WHERE {_bookings_clash()} OR {_sessions_clash()};
        END""",
    f"""CREATE TRIGGER wagtail_booking_session_no_overlap_update
        BEFORE UPDATE OF {_SESSION_COLUMNS} ON wagtail_booking_classsession
        WHEN NEW.status = 'scheduled'
        BEGIN
            SELECT RAISE(ABORT, {_CLASS}) WHERE {_bookings_clash()} OR {_sessions_clash(other_than_new=True)};
        END""",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "wagtail_booking_seats_insert", "wagtail_booking_seats_delete", "wagtail_booking_seats_update",
    "wagtail_booking_no_overlap_insert", "wagtail_booking_no_overlap_update",
    "wagtail_booking_session_no_overlap_insert", "wagtail_booking_session_no_overlap_update")]


def run(postgresql, sqlite):
    def operation(apps, schema_editor):
        statements = {"postgresql": postgresql, "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("wagtail_booking", "0029_sessions_resources_series_waitlist")]

    operations = [migrations.RunPython(run(POSTGRESQL, SQLITE), run(POSTGRESQL_BACKWARD, SQLITE_BACKWARD),
                                       elidable=False)]

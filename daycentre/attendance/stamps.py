"""A stamp per centre that changes, in the same transaction, with any change to the centre's
marks or enrolments: what the absence alerts are counted from.

The home page keeps each centre's alert figures while its stamp, the day, the centre's
calendar and its thresholds stay the same; counting them again for fifty centres on every visit
costs about a hundred milliseconds. Triggers keep the stamp, so no writer (a roll save, the demo,
a bulk load, a test) can forget it. The stamp is a random number, not a counter: a rolled-back
transaction takes its stamp back with its marks, and a stamp seen once never stands for other
marks later.
"""

from contextlib import contextmanager

from daycentre.core.database import run_for_database

WATCHED = ("attendances", "enrolments")

# ---- SQLite: one row at a time ------------------------------------------------------------------

_RESTAMP = """
INSERT INTO alert_stamps (centre_id, stamp) VALUES (ROW.centre_id, random())
ON CONFLICT (centre_id) DO UPDATE SET stamp = excluded.stamp;
"""


def _sqlite_triggers(table: str) -> list[str]:
    added, removed = _RESTAMP.replace("ROW", "NEW"), _RESTAMP.replace("ROW", "OLD")
    name = f"alert_stamps_{table}"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {added} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {removed} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} BEGIN {removed} {added} END",
    ]


SQLITE_TRIGGERS = [statement for table in WATCHED for statement in _sqlite_triggers(table)]
SQLITE_NAMES = [
    f"alert_stamps_{table}_{event}" for table in WATCHED for event in ("insert", "delete", "update")
]

# ---- PostgreSQL: one statement at a time ----------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION alert_stamps_restamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE alert_stamps SET stamp = floor(random() * 9e18)::bigint;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO alert_stamps AS s (centre_id, stamp)
    SELECT centre_id, floor(random() * 9e18)::bigint FROM (SELECT DISTINCT centre_id FROM added) AS c
    ON CONFLICT (centre_id) DO UPDATE SET stamp = excluded.stamp;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO alert_stamps AS s (centre_id, stamp)
    SELECT centre_id, floor(random() * 9e18)::bigint FROM (SELECT DISTINCT centre_id FROM removed) AS c
    ON CONFLICT (centre_id) DO UPDATE SET stamp = excluded.stamp;
  ELSE
    INSERT INTO alert_stamps AS s (centre_id, stamp)
    SELECT centre_id, floor(random() * 9e18)::bigint
    FROM (SELECT centre_id FROM added UNION SELECT centre_id FROM removed) AS changed
    ON CONFLICT (centre_id) DO UPDATE SET stamp = excluded.stamp;
  END IF;
  RETURN NULL;
END $$
"""


def _pg_triggers(table: str) -> list[str]:
    run = "FOR EACH STATEMENT EXECUTE FUNCTION alert_stamps_restamp()"
    name = f"alert_stamps_{table}"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS added {run}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS removed NEW TABLE AS added {run}",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS removed {run}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} {run}",
    ]


PG_TRIGGERS = [_PG_FUNCTION] + [statement for table in WATCHED for statement in _pg_triggers(table)]
PG_DROPS = [
    f"DROP TRIGGER IF EXISTS alert_stamps_{table}_{event} ON {table}"
    for table in WATCHED
    for event in ("insert", "update", "delete", "truncate")
] + ["DROP FUNCTION IF EXISTS alert_stamps_restamp()"]
SQLITE_DROPS = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES]


def keep_stamps(connection) -> None:
    """Install the triggers that give a centre a new stamp when its marks or enrolments change."""
    run_for_database(connection, on_postgresql=PG_TRIGGERS, on_sqlite=SQLITE_TRIGGERS)


def stop_keeping_stamps(connection) -> None:
    run_for_database(connection, on_postgresql=PG_DROPS, on_sqlite=SQLITE_DROPS)


@contextmanager
def restamped_after_loading(connection):
    """For a bulk load: no trigger row by row; every centre gets a new stamp at the end."""
    stop_keeping_stamps(connection)
    yield
    restamp_all(connection)
    keep_stamps(connection)


def restamp_all(connection) -> None:
    """A new stamp for every centre (after a load that the triggers did not see)."""
    connection.exec_driver_sql("DELETE FROM alert_stamps")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "INSERT INTO alert_stamps (centre_id, stamp) "
            "SELECT id, floor(random() * 9e18)::bigint FROM centres"
        )
    else:
        connection.exec_driver_sql(
            "INSERT INTO alert_stamps (centre_id, stamp) SELECT id, random() FROM centres"
        )

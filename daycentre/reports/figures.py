"""Running totals of the roll that the county-wide indicators add up, kept by the database.

A year of fifty centres holds about a million marks and a million meals; adding them up on every
indicator page is too slow. The database keeps three small tables of totals in step with the
marks and meals, whoever writes them (a roll save, the demo, a bulk load, a test): each child's
marks and present marks per group and month, the meals of each type per centre and day, and the
children fed per centre and day. They are triggers, not service code, so no writer can forget
them; each change adds or takes away its own count, so two rolls saved at once add up correctly.

SQLite has only row triggers. PostgreSQL uses statement triggers over the rows a statement
changed (transition tables), so a bulk load of millions of rows updates the totals in one pass.
"""

from contextlib import contextmanager

from daycentre.core.database import run_for_database

# ---- SQLite: one row at a time ------------------------------------------------------------------
# ``ROW`` stands for NEW (a row added: counted in) or OLD (a row removed: counted out).

_MARK_IN = """
INSERT INTO attendance_months (centre_id, month, group_id, person_id, marks, present)
VALUES (ROW.centre_id, date(ROW.day, 'start of month'), ROW.group_id, ROW.person_id, 1,
        ROW.status = 'present')
ON CONFLICT (centre_id, month, group_id, person_id) DO UPDATE
SET marks = marks + 1, present = present + excluded.present;
"""
_MARK_OUT = """
UPDATE attendance_months SET marks = marks - 1, present = present - (ROW.status = 'present')
WHERE centre_id = ROW.centre_id AND month = date(ROW.day, 'start of month')
  AND group_id = ROW.group_id AND person_id = ROW.person_id;
DELETE FROM attendance_months
WHERE centre_id = ROW.centre_id AND month = date(ROW.day, 'start of month')
  AND group_id = ROW.group_id AND person_id = ROW.person_id AND marks = 0;
"""
_MEAL_IN = """
INSERT INTO meal_counts (centre_id, day, meal_type_id, meals)
VALUES (ROW.centre_id, ROW.day, ROW.meal_type_id, 1)
ON CONFLICT (centre_id, day, meal_type_id) DO UPDATE SET meals = meals + 1;
"""
_MEAL_OUT = """
UPDATE meal_counts SET meals = meals - 1
WHERE centre_id = ROW.centre_id AND day = ROW.day AND meal_type_id = ROW.meal_type_id;
DELETE FROM meal_counts
WHERE centre_id = ROW.centre_id AND day = ROW.day AND meal_type_id = ROW.meal_type_id
  AND meals = 0;
"""
# A child counts once a day however many meals they had: their first meal counts them in, the
# removal of their last one counts them out.
_FED_IN = """
INSERT INTO children_fed (centre_id, day, children)
SELECT ROW.centre_id, ROW.day, 1 WHERE NOT EXISTS (
  SELECT 1 FROM meals_served AS m WHERE m.centre_id = ROW.centre_id AND m.day = ROW.day
  AND m.person_id = ROW.person_id AND m.id <> ROW.id)
ON CONFLICT (centre_id, day) DO UPDATE SET children = children + 1;
"""
_FED_OUT = """
UPDATE children_fed SET children = children - 1
WHERE centre_id = ROW.centre_id AND day = ROW.day AND NOT EXISTS (
  SELECT 1 FROM meals_served AS m WHERE m.centre_id = ROW.centre_id AND m.day = ROW.day
  AND m.person_id = ROW.person_id);
DELETE FROM children_fed WHERE centre_id = ROW.centre_id AND day = ROW.day AND children = 0;
"""


def _sqlite_triggers(table: str, name: str, count_in: str, count_out: str, when="") -> list:
    added, removed = count_in.replace("ROW", "NEW"), count_out.replace("ROW", "OLD")
    when = f" WHEN {when}" if when else ""
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {added} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {removed} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table}{when} BEGIN {removed} {added} END",
    ]


SQLITE_TRIGGERS = (
    _sqlite_triggers("attendances", "attendance_months", _MARK_IN, _MARK_OUT)
    + _sqlite_triggers("meals_served", "meal_counts", _MEAL_IN, _MEAL_OUT)
    + _sqlite_triggers(
        "meals_served",
        "children_fed",
        _FED_IN,
        _FED_OUT,
        # Only a meal moved to another child, day or centre changes who was fed.
        "OLD.centre_id <> NEW.centre_id OR OLD.day <> NEW.day OR OLD.person_id <> NEW.person_id",
    )
)
SQLITE_NAMES = [
    f"{name}_{event}"
    for name in ("attendance_months", "meal_counts", "children_fed")
    for event in ("insert", "delete", "update")
]

# ---- PostgreSQL: one statement at a time ----------------------------------------------------------

_PG_MARKS = """
CREATE OR REPLACE FUNCTION attendance_months_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM attendance_months;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO attendance_months AS f (centre_id, month, group_id, person_id, marks, present)
    SELECT centre_id, date_trunc('month', day)::date, group_id, person_id,
           count(*), count(*) FILTER (WHERE status = 'present')
    FROM added GROUP BY 1, 2, 3, 4
    ON CONFLICT (centre_id, month, group_id, person_id) DO UPDATE
    SET marks = f.marks + excluded.marks, present = f.present + excluded.present;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE attendance_months AS f
    SET marks = f.marks - r.marks, present = f.present - r.present
    FROM (SELECT centre_id, date_trunc('month', day)::date AS month, group_id, person_id,
                 count(*) AS marks, count(*) FILTER (WHERE status = 'present') AS present
          FROM removed GROUP BY 1, 2, 3, 4) AS r
    WHERE f.centre_id = r.centre_id AND f.month = r.month AND f.group_id = r.group_id
      AND f.person_id = r.person_id;
    DELETE FROM attendance_months AS f
    USING (SELECT DISTINCT centre_id, date_trunc('month', day)::date AS month, group_id,
                  person_id FROM removed) AS r
    WHERE f.centre_id = r.centre_id AND f.month = r.month AND f.group_id = r.group_id
      AND f.person_id = r.person_id AND f.marks = 0;
  END IF;
  RETURN NULL;
END $$
"""

_PG_MEALS = """
CREATE OR REPLACE FUNCTION meal_counts_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM meal_counts;
    DELETE FROM children_fed;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO meal_counts AS f (centre_id, day, meal_type_id, meals)
    SELECT centre_id, day, meal_type_id, count(*) FROM added GROUP BY 1, 2, 3
    ON CONFLICT (centre_id, day, meal_type_id) DO UPDATE SET meals = f.meals + excluded.meals;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE meal_counts AS f SET meals = f.meals - r.meals
    FROM (SELECT centre_id, day, meal_type_id, count(*) AS meals
          FROM removed GROUP BY 1, 2, 3) AS r
    WHERE f.centre_id = r.centre_id AND f.day = r.day AND f.meal_type_id = r.meal_type_id;
    DELETE FROM meal_counts AS f
    USING (SELECT DISTINCT centre_id, day, meal_type_id FROM removed) AS r
    WHERE f.centre_id = r.centre_id AND f.day = r.day AND f.meal_type_id = r.meal_type_id
      AND f.meals = 0;
  END IF;
  -- A child counts once a day: added when all their meals of the day are new, taken away
  -- when none is left. A meal moved elsewhere (never done by the app) recounts its days.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO children_fed AS f (centre_id, day, children)
    SELECT a.centre_id, a.day, count(*)
    FROM (SELECT centre_id, day, person_id, count(*) AS meals
          FROM added GROUP BY 1, 2, 3) AS a
    WHERE a.meals = (SELECT count(*) FROM meals_served AS m WHERE m.centre_id = a.centre_id
                     AND m.day = a.day AND m.person_id = a.person_id)
    GROUP BY 1, 2
    ON CONFLICT (centre_id, day) DO UPDATE SET children = f.children + excluded.children;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE children_fed AS f SET children = f.children - r.children
    FROM (SELECT centre_id, day, count(DISTINCT person_id) AS children FROM removed AS o
          WHERE NOT EXISTS (SELECT 1 FROM meals_served AS m WHERE m.centre_id = o.centre_id
                            AND m.day = o.day AND m.person_id = o.person_id)
          GROUP BY 1, 2) AS r
    WHERE f.centre_id = r.centre_id AND f.day = r.day;
    DELETE FROM children_fed AS f USING (SELECT DISTINCT centre_id, day FROM removed) AS r
    WHERE f.centre_id = r.centre_id AND f.day = r.day AND f.children = 0;
  ELSE
    DELETE FROM children_fed AS f
    USING (SELECT centre_id, day FROM removed UNION SELECT centre_id, day FROM added) AS k
    WHERE f.centre_id = k.centre_id AND f.day = k.day;
    INSERT INTO children_fed (centre_id, day, children)
    SELECT m.centre_id, m.day, count(DISTINCT m.person_id) FROM meals_served AS m
    JOIN (SELECT centre_id, day FROM removed UNION SELECT centre_id, day FROM added) AS k
      ON m.centre_id = k.centre_id AND m.day = k.day
    GROUP BY 1, 2;
  END IF;
  RETURN NULL;
END $$
"""


def _pg_triggers(table: str, name: str, function: str) -> list[str]:
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS added {run}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS removed NEW TABLE AS added {run}",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS removed {run}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} {run}",
    ]


PG_TRIGGERS = (
    [_PG_MARKS, _PG_MEALS]
    + _pg_triggers("attendances", "attendance_months", "attendance_months_count")
    + _pg_triggers("meals_served", "meal_counts", "meal_counts_count")
)
PG_DROPS = [
    f"DROP TRIGGER IF EXISTS {name}_{event} ON {table}"
    for table, name in (("attendances", "attendance_months"), ("meals_served", "meal_counts"))
    for event in ("insert", "update", "delete", "truncate")
] + [
    "DROP FUNCTION IF EXISTS attendance_months_count()",
    "DROP FUNCTION IF EXISTS meal_counts_count()",
]
SQLITE_DROPS = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES]


@contextmanager
def counted_after_loading(connection):
    """For a bulk load of marks and meals: no trigger row by row, one count at the end."""
    stop_keeping_figures(connection)
    yield
    count_figures(connection)
    keep_figures(connection)


def keep_figures(connection) -> None:
    """Install the triggers that keep the totals in step with the marks and meals."""
    run_for_database(connection, on_postgresql=PG_TRIGGERS, on_sqlite=SQLITE_TRIGGERS)


def stop_keeping_figures(connection) -> None:
    run_for_database(connection, on_postgresql=PG_DROPS, on_sqlite=SQLITE_DROPS)


_COUNT_MARKS = """
INSERT INTO attendance_months (centre_id, month, group_id, person_id, marks, present)
SELECT centre_id, date(day, 'start of month'), group_id, person_id, count(*),
       sum(CASE WHEN status = 'present' THEN 1 ELSE 0 END)
FROM attendances GROUP BY 1, 2, 3, 4
"""


def count_figures(connection) -> None:
    """Count the totals afresh from every mark and meal (once, when the tables are created)."""
    marks = _COUNT_MARKS
    if connection.dialect.name == "postgresql":
        marks = marks.replace("date(day, 'start of month')", "date_trunc('month', day)::date")
    for statement in (
        "DELETE FROM attendance_months",
        "DELETE FROM meal_counts",
        "DELETE FROM children_fed",
        marks,
        "INSERT INTO meal_counts (centre_id, day, meal_type_id, meals) "
        "SELECT centre_id, day, meal_type_id, count(*) FROM meals_served GROUP BY 1, 2, 3",
        "INSERT INTO children_fed (centre_id, day, children) "
        "SELECT centre_id, day, count(DISTINCT person_id) FROM meals_served GROUP BY 1, 2",
    ):
        connection.exec_driver_sql(statement)

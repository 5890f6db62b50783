"""Retention: once a beneficiary's services ended long enough ago, their personal data go.

Names, CNP, contacts and free text are replaced with placeholders; what the reports count
(the records themselves, dates of service, sex, year of birth, town) stays. Afterwards the old
values are wiped from the database file too (SQLite: secure delete, checkpoint and VACUUM;
PostgreSQL: VACUUM FULL of the tables touched).

Every text column of a table about people is either listed in ``PERSONAL`` (replaced) or in
``KEPT`` (not personal); a test fails when a new column is in neither.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import and_, case, exists, func, not_, or_, select, text, update

from daycentre.audit.models import AuditEntry, guard_audit_trail, unguard_audit_trail
from daycentre.extensions import db
from daycentre.localtime import BUCHAREST, today

PLACEHOLDER = "—"

# Column → replacement (None clears it). A callable gets the row's id.
PERSONAL = {
    "people": {
        "family_name": "Anonim",
        "given_name": lambda row_id: f"#{row_id}",
        "cnp": None,
        "phone": None,
        "email": None,
        "school": None,
        "allergies": None,
        "diet": None,
        "notes": None,
        "search_key": "anonim",
    },
    "families": {
        "name": "Anonim",
        "address": PLACEHOLDER,
        "phone": None,
        "email": None,
        "other_factor": None,
        "notes": None,
        "search_key": "anonim",
    },
    "consents": {"given_by": PLACEHOLDER, "notes": None},
    "enrolments": {"exit_reason": PLACEHOLDER, "notes": None},
    "cases": {
        "requester": PLACEHOLDER,
        "requester_address": None,
        "reported": PLACEHOLDER,
        "answer": None,
        "closure_notes": None,
    },
    "case_evaluations": dict.fromkeys(
        (
            "family_composition",
            "housing",
            "income",
            "health",
            "education",
            "relationships",
            "risk_factors",
            "strengths",
            "child_views",
            "professionals",
            "conclusions",
            "needs",
            "documents",
        )
    ),
    "case_events": {"detail": None},
    "attendances": {"note": None},
    "counselling_sessions": {"cancel_reason": None},
    "session_notes": {"text": PLACEHOLDER},
    "case_home_visits": {"findings": PLACEHOLDER},
    "case_tasks": {"text": PLACEHOLDER},
    "case_objectives": {"text": PLACEHOLDER},
    "case_reviews": {"notes": None},
    "case_objective_progress": {"comment": None},
    "case_services": {"description": PLACEHOLDER},
}
# Text columns that say nothing about who the person is.
KEPT = {
    "people": {"kind", "sex", "relation", "grade"},
    "families": {"city", "factor_list"},
    "consents": {"purpose"},
    "enrolments": {"status", "contract_number"},
    "cases": {"source", "channel", "stage", "referred_to", "protection_body", "closure_reason"},
    "case_events": {"kind", "old_stage", "new_stage"},
    "attendances": {"status"},
    "counselling_sessions": {"session_type", "status"},
    "workshop_registrations": {"status"},
    "case_plans": {"status"},
    "case_tasks": {"source"},
    "case_objective_progress": {"status"},
    "case_services": {"kind", "provider", "responsible"},
}


@dataclass(frozen=True)
class Expired:
    person_id: int
    family_id: int
    services_ended: date | None


def _cutoff(on: date) -> date:
    years = current_app.config["RETENTION_YEARS"]["beneficiaries"]
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def expired_beneficiaries(on: date | None = None) -> list[Expired]:
    """People not anonymised yet whose services all ended before the retention period: no open
    enrolment or case, and the last exit or case closure (never served: the registration) older."""
    from daycentre.cases.models import Case, CaseStage, case_children
    from daycentre.enrolment.models import Enrolment
    from daycentre.people.models import Person

    cutoff = _cutoff(on or today())
    their_cases = select(case_children.c.case_id).where(case_children.c.person_id == Person.id)
    open_service = or_(
        exists().where(Enrolment.person_id == Person.id, Enrolment.exit_date.is_(None)),
        exists().where(
            Case.id.in_(their_cases), Case.stage.not_in((CaseStage.CLOSED, CaseStage.REFERRED))
        ),
    )
    last_exit = (
        select(func.max(Enrolment.exit_date))
        .where(Enrolment.person_id == Person.id)
        .scalar_subquery()
    )
    last_case = select(func.max(Case.closed_on)).where(Case.id.in_(their_cases)).scalar_subquery()
    ended = case(
        (last_exit.is_(None), last_case),
        (last_case.is_(None), last_exit),
        (last_exit >= last_case, last_exit),
        else_=last_case,
    )
    registered_before = datetime.combine(cutoff, time.min, tzinfo=BUCHAREST)
    query = (
        select(Person.id, Person.family_id, ended)
        .where(not_(open_service), Person.family_name != PERSONAL["people"]["family_name"])
        .where(
            or_(
                and_(ended.is_not(None), ended < cutoff),
                and_(ended.is_(None), Person.created_at < registered_before),
            )
        )
        .order_by(Person.id)
    )
    return [Expired(*row) for row in db.session.execute(query)]


def _replacements(table_name: str, row_id: int) -> dict:
    return {
        column: value(row_id) if callable(value) else value
        for column, value in PERSONAL[table_name].items()
    }


def anonymise(expired: list[Expired]) -> None:
    """Replace the personal data of ``expired`` people, every record about them, their audit entries."""
    from daycentre.audit.subject_access import subject_records
    from daycentre.people.models import Person

    if not expired:
        return
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA secure_delete=ON"))
    person_ids = [item.person_id for item in expired]
    tables = {table.name: table for table in db.metadata.sorted_tables}
    for person_id in person_ids:
        for table, rows in subject_records(person_id).items():
            if table.name not in PERSONAL:
                continue
            key = next(iter(table.primary_key.columns))
            for row in rows:
                row_id = row[key.name]
                db.session.execute(
                    update(table).where(key == row_id).values(**_replacements(table.name, row_id))
                )
    # A household goes once none of its members keeps personal data.
    for family_id in {item.family_id for item in expired}:
        remaining = db.session.scalar(
            select(func.count(Person.id)).where(
                Person.family_id == family_id,
                Person.family_name != PERSONAL["people"]["family_name"],
            )
        )
        if not remaining:
            families = tables["families"]
            db.session.execute(
                update(families)
                .where(families.c.id == family_id)
                .values(**_replacements("families", family_id))
            )
    # The trail keeps who did what and when; the values it recorded about the person go.
    connection = db.session.connection()
    unguard_audit_trail(connection)
    db.session.execute(
        update(AuditEntry.__table__)
        .where(AuditEntry.__table__.c.person_id.in_(person_ids))
        .values(changes={"anonymised": True})
    )
    guard_audit_trail(connection)
    db.session.expire_all()


def wipe_freed_space() -> None:
    """Make sure the replaced values are gone from the database file, not only from its rows."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.dialect.name == "postgresql":
            for name in (*PERSONAL, "audit_entries"):
                connection.exec_driver_sql(f'VACUUM FULL "{name}"')

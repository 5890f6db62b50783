"""Retention: once a beneficiary's services or a volunteer's last contract ended long enough ago,
their personal data go.

Names, CNP, contacts and free text are replaced with placeholders; what the reports count
(the records themselves, dates of service, sex, date of birth, town; a volunteer's contract
numbers and dates, hours and sign-ups) stays. Afterwards the old
values are wiped from the database file too (SQLite: secure delete, checkpoint and VACUUM;
PostgreSQL: VACUUM FULL of the tables touched).

Every text (or JSON) column of a table about people or volunteers is either listed in
``PERSONAL`` (replaced) or in ``KEPT`` (not personal); a test fails when a new column is in neither.
"""

from dataclasses import dataclass
from datetime import date
from time import monotonic, sleep

from flask import current_app
from sqlalchemy import and_, case, exists, func, not_, or_, select, text, update

from daycentre.attendance.services import forget_kept_sheets
from daycentre.audit.models import SCRUBBED, AuditEntry
from daycentre.audit.subject_access import about_records, subject_records
from daycentre.auth.models import User
from daycentre.cases.models import Case, CaseStage, case_children
from daycentre.core.localtime import day_start, today
from daycentre.counselling.models import CounsellingSession
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Person
from daycentre.volunteers.models import (
    HOLDING_STATUSES,
    OPEN_CONTRACT_STATUSES,
    Activity,
    ActivitySignup,
    Volunteer,
    VolunteerContract,
)
from daycentre.workshops.models import (
    GroupMembership,
    RegistrationStatus,
    WorkshopRegistration,
    WorkshopSession,
)

PLACEHOLDER = "—"

ANONYMOUS = "Anonim"


def _numbered(row: dict) -> str:
    return f"#{row['id']}"


def _certificate_lines(row: dict) -> list:
    """What a certificate states, without the descriptions: days and hours still add up."""
    return [[day, PLACEHOLDER, hours] for day, _what, hours in row["lines"] or []]


# Column → replacement (None clears it). A callable gets the row (column → stored value).
PERSONAL = {
    "people": {
        "family_name": ANONYMOUS,
        "given_name": _numbered,
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
    "absence_reports": {"note": None},
    "counselling_sessions": {"cancel_reason": None},
    "session_notes": {"text": PLACEHOLDER},
    "case_home_visits": {"findings": PLACEHOLDER},
    "parents_abroad": {"carer_name": PLACEHOLDER, "carer_relation": None, "notes": None},
    "abroad_visits": {"findings": PLACEHOLDER},
    "case_preparations": {"description": PLACEHOLDER},
    # A volunteer named on a training: the row names them by its link; the name columns are a
    # partner's specialist's, empty on a volunteer's row.
    "training_participants": {"name": None, "organisation": None},
    "case_return_visits": {"report": PLACEHOLDER},
    "case_reintegrations": {
        "measure_decision": PLACEHOLDER,
        "ending_decision": PLACEHOLDER,
        "new_measure_decision": None,
    },
    "case_tasks": {"text": PLACEHOLDER},
    "case_objectives": {"text": PLACEHOLDER},
    "case_reviews": {"notes": None},
    "case_objective_progress": {"comment": None},
    "case_services": {"description": PLACEHOLDER},
    "volunteers": {
        "family_name": ANONYMOUS,
        "given_name": _numbered,
        "phone": None,
        "email": None,
        "address": None,
        "languages": None,
        "availability": None,
    },
    "volunteer_contracts": {
        "activities": PLACEHOLDER,
        "schedule": PLACEHOLDER,
        "rights_and_obligations": PLACEHOLDER,
        "requirements": PLACEHOLDER,
        "termination_conditions": PLACEHOLDER,
        "termination_reason": None,
    },
    "volunteer_hours": {"description": PLACEHOLDER},
    "volunteer_certificates": {"lines": _certificate_lines},
    # The programme: who may collect a child, departures, outings' permissions, the school link.
    "collectors": {"name": PLACEHOLDER, "phone": None, "id_document": None},
    "leaving_alone_consents": {"given_by": PLACEHOLDER},
    "departures": {"collected_by": None},
    "outing_children": {"permission_by": PLACEHOLDER},
    # Where a parent's invitation link was sent; the key itself is only a hash.
    "parent_invitations": {"email": None},
    "school_links": {"form_teacher": None, "teacher_phone": None, "teacher_email": None},
    "school_contacts": {"with_whom": PLACEHOLDER, "subject": PLACEHOLDER, "agreed": None},
    # The outbox: a message names its recipient, their address and what it told them.
    "outbox_messages": {
        "recipient_name": ANONYMOUS,
        "address": PLACEHOLDER,
        "subject": PLACEHOLDER,
        "text": PLACEHOLDER,
        "last_error": None,
    },
    "volunteer_signups": {"cancel_reason": None},
}
# A volunteer's own account (role volunteer only) goes with them: it names them too.
ACCOUNT = {
    "family_name": ANONYMOUS,
    "given_name": _numbered,
    "username": lambda row: f"anonim-{row['id']}",
    "email": None,
    "active": False,
}
# Text columns that say nothing about who the person is.
KEPT = {
    "people": {"kind", "sex", "relation", "grade"},
    "families": {"city", "factor_list", "residence"},
    "consents": {"purpose"},
    "enrolments": {"status", "contract_number", "exit_cause"},
    # The court is an institution; the country and who is away are what the reports count.
    "parents_abroad": {"who", "country", "delegation_court"},
    "cases": {
        "source",
        "channel",
        "stage",
        "referred_to",
        "protection_body",
        "closure_reason",
        "kind",
    },
    "case_reintegrations": {"measure_kind", "family_kind"},
    "case_preparations": {"prepared"},
    # "volunteer:<id>" on a volunteer's row: says nothing the link does not.
    "training_participants": {"kind", "person_key"},
    "case_events": {"kind", "old_stage", "new_stage"},
    "attendances": {"status"},
    "absence_reports": {"reason"},
    "counselling_sessions": {"session_type", "status"},
    "workshop_registrations": {"status"},
    "case_plans": {"status"},
    "case_tasks": {"source"},
    "case_objective_progress": {"status"},
    "case_services": {"kind", "provider", "responsible"},
    "volunteers": {"skill_codes"},
    "volunteer_contracts": {"status"},
    "volunteer_signups": {"status"},
    "volunteer_hours": {"status"},
    "collectors": {"relation"},
    "outing_children": {"permission", "permission_medium", "language"},
    "parent_invitations": {"kind", "language", "secret_hash"},
    "school_results": {"qualifier"},
    # A group's slot and what was done in it name no child.
    "programme_slots": {"weekday", "kind", "title"},
    "programme_slot_days": {"note"},
    "notification_preferences": {"locale"},
    # A message's kind, channel and state; its key names the recipient by their row's id.
    "outbox_messages": {
        "event",
        "record_type",
        "channel",
        "locale",
        "dedup_key",
        "state",
        "claim_token",
    },
}


@dataclass(frozen=True)
class Expired:
    person_id: int
    family_id: int
    services_ended: date | None


@dataclass(frozen=True)
class ExpiredVolunteer:
    volunteer_id: int
    contract_ended: date | None  # None: never contracted, registered before the period


def _cutoff(on: date, category: str = "beneficiaries") -> date:
    years = current_app.config["RETENTION_YEARS"][category]
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def expired_beneficiaries(on: date | None = None) -> list[Expired]:
    """People not anonymised yet whose services all ended before the retention period: no open
    enrolment or case, and the last exit or case closure (never served: the registration) older."""
    cutoff = _cutoff(on or today())
    since_cutoff = day_start(cutoff)
    # Correlated to the person of the outer query, however deep it is nested.
    their_cases = (
        select(case_children.c.case_id)
        .where(case_children.c.person_id == Person.id)
        .correlate(Person)
    )
    open_service = or_(
        exists().where(Enrolment.person_id == Person.id, Enrolment.exit_date.is_(None)),
        exists().where(
            Case.id.in_(their_cases), Case.stage.not_in((CaseStage.CLOSED, CaseStage.REFERRED))
        ),
        # A parent served without an enrolment: counselling, a workshop, a support group
        # within the retention period.
        exists().where(
            CounsellingSession.person_id == Person.id, CounsellingSession.starts_at >= since_cutoff
        ),
        exists().where(
            WorkshopRegistration.person_id == Person.id,
            WorkshopRegistration.status != RegistrationStatus.CANCELLED,
            WorkshopSession.workshop_id == WorkshopRegistration.workshop_id,
            WorkshopSession.starts_at >= since_cutoff,
        ),
        exists().where(
            GroupMembership.person_id == Person.id,
            or_(GroupMembership.left_on.is_(None), GroupMembership.left_on >= cutoff),
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
    query = (
        select(Person.id, Person.family_id, ended)
        .where(not_(open_service), Person.family_name != ANONYMOUS)
        .where(
            or_(
                and_(ended.is_not(None), ended < cutoff),
                and_(ended.is_(None), Person.created_at < since_cutoff),
            )
        )
        .order_by(Person.id)
    )
    return [Expired(*row) for row in db.session.execute(query)]


def expired_volunteers(on: date | None = None) -> list[ExpiredVolunteer]:
    """Volunteers not anonymised yet whose last contract ended before the retention period (never
    contracted: registered before it and inactive). A contract still open (draft, signed, in
    force) until its end date is past the period too, or a sign-up for an activity yet to end keeps
    a volunteer."""
    on = on or today()
    cutoff = _cutoff(on, "volunteers")
    theirs = VolunteerContract.volunteer_id == Volunteer.id
    # A contract left open (nobody closed it) counts as ended once its end date is past the
    # retention period too.
    open_contract = exists().where(
        theirs,
        VolunteerContract.status.in_(OPEN_CONTRACT_STATUSES),
        VolunteerContract.ends_on >= cutoff,
    )
    coming = exists().where(
        ActivitySignup.volunteer_id == Volunteer.id,
        ActivitySignup.status.in_(HOLDING_STATUSES),
        Activity.id == ActivitySignup.activity_id,
        Activity.ends_at > day_start(on),
    )
    ended = (
        select(func.max(func.coalesce(VolunteerContract.closed_on, VolunteerContract.ends_on)))
        .where(theirs)
        .scalar_subquery()
    )
    registered_before = day_start(cutoff)
    query = (
        select(Volunteer.id, ended)
        .where(not_(open_contract), not_(coming), Volunteer.family_name != ANONYMOUS)
        .where(
            or_(
                and_(ended.is_not(None), ended < cutoff),
                and_(
                    ended.is_(None),
                    Volunteer.active.is_(False),
                    Volunteer.created_at < registered_before,
                ),
            )
        )
        .order_by(Volunteer.id)
    )
    return [ExpiredVolunteer(*row) for row in db.session.execute(query)]


def _replacements(rules: dict, row: dict) -> dict:
    return {column: value(row) if callable(value) else value for column, value in rules.items()}


def _replace(table, row: dict, rules: dict) -> None:
    key = next(iter(table.primary_key.columns))
    db.session.execute(
        update(table).where(key == row[key.name]).values(**_replacements(rules, row))
    )


def _replace_records(records: dict) -> None:
    for table, rows in records.items():
        for row in rows:
            if table.name in PERSONAL:
                _replace(table, row, PERSONAL[table.name])


def _forget_in_trail(where) -> None:
    """The trail keeps who did what to which record, and when, and which fields it recorded; the
    values go. The database's guard allows exactly this change and no other."""
    entries = AuditEntry.__table__
    recorded = db.session.execute(
        select(entries.c.id, entries.c.changes).where(where, entries.c.changes.is_not(None))
    ).all()
    for entry_id, changes in recorded:
        if changes is None:  # JSON null: a read, which recorded no values
            continue
        if not isinstance(changes, dict):  # audit.record writes objects only
            raise TypeError(f"audit entry {entry_id}: changes is not an object")
        scrubbed = dict.fromkeys(changes, SCRUBBED)
        if scrubbed != changes:
            db.session.execute(
                update(entries).where(entries.c.id == entry_id).values(changes=scrubbed)
            )


def _secure_delete() -> None:
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA secure_delete=ON"))


def anonymise(expired: list[Expired]) -> None:
    """Replace the personal data of ``expired`` people, every record about them, their audit entries."""
    if not expired:
        return
    _secure_delete()
    forget_kept_sheets()
    entries = AuditEntry.__table__.c
    for item in expired:
        records = subject_records(item.person_id)
        _replace_records(records)
        accounts = _parent_accounts(records)
        for account_id in accounts:
            _close_account(account_id)
        _forget_in_trail(
            or_(
                entries.person_id == item.person_id,
                about_records(records),
                *(about_records({}, account_id=account_id) for account_id in accounts),
            )
        )
    # A household goes once none of its members keeps personal data.
    for family_id in {item.family_id for item in expired}:
        remaining = db.session.scalar(
            select(func.count(Person.id)).where(
                Person.family_id == family_id, Person.family_name != ANONYMOUS
            )
        )
        if not remaining:
            # The household's own records too: a session with the whole family and its note.
            records = subject_records(family_id, root="families")
            _replace_records(records)
            _forget_in_trail(about_records(records))
    db.session.expire_all()


def _parent_accounts(records) -> list[int]:
    """The sign-in of a parent among the subject's records (their ``parent_accounts`` link)."""
    return [
        row["user_id"]
        for table, rows in records.items()
        if table.name == "parent_accounts"
        for row in rows
    ]


def _close_account(user_id: int) -> None:
    """A subject's own account: renamed, closed, and signed out everywhere."""
    users = User.__table__
    _replace(users, {"id": user_id}, ACCOUNT)
    db.session.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(session_version=users.c.session_version + 1)
    )


def anonymise_volunteers(expired: list[ExpiredVolunteer]) -> None:
    """Replace the personal data of ``expired`` volunteers in every record about them, their own
    account (if it is a volunteer's) and the audit entries about any of these."""
    if not expired:
        return
    _secure_delete()
    for item in expired:
        records = subject_records(item.volunteer_id, root="volunteers")
        _replace_records(records)
        account_id = db.session.scalar(
            select(Volunteer.user_id).where(Volunteer.id == item.volunteer_id)
        )
        account = db.session.get(User, account_id) if account_id else None
        if account is not None and account.can("volunteering.take_part"):
            _close_account(account.id)
        else:
            account_id = None
        _forget_in_trail(about_records(records, account_id=account_id))
    db.session.expire_all()


def wipe_freed_space() -> bool:
    """Make sure the replaced values are gone from the database file, not only from its rows.

    False when a transaction older than the run kept the old row versions alive: SQLite could
    not empty its write-ahead log, or PostgreSQL's VACUUM had to keep rows an older snapshot
    may still see. They go at a later checkpoint or VACUUM.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            busy, *_pages = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            return not busy
        if connection.dialect.name == "postgresql":
            settled = _older_transactions_ended(connection)
            for name in (*PERSONAL, "users", "audit_entries"):
                connection.exec_driver_sql(f'VACUUM FULL "{name}"')
            return settled
    return True


def _older_transactions_ended(connection) -> bool:
    """Wait until no transaction that began before now still runs (in any database of the
    cluster: transaction ids are shared) and no snapshot in this database predates now."""
    now_xid = connection.exec_driver_sql("SELECT pg_snapshot_xmax(pg_current_snapshot())").scalar()
    deadline = monotonic() + current_app.config["RETENTION_WIPE_WAIT_SECONDS"]
    while True:
        oldest_running, stale_snapshots = connection.exec_driver_sql(
            "SELECT pg_snapshot_xmin(pg_current_snapshot()), "
            " (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            "  AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
            "  AND age(backend_xmin) >= age((%(xid)s::bigint %% 4294967296)::text::xid))",
            {"xid": str(now_xid)},
        ).one()
        if int(str(oldest_running)) >= int(str(now_xid)) and not stale_snapshots:
            return True
        if monotonic() > deadline:
            return False
        sleep(0.5)

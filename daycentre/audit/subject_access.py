"""Subject access: everything the system holds about one data subject, found from the metadata.

Two kinds of people are data subjects: beneficiaries (table ``people``) and volunteers (table
``volunteers``). The same walk serves both, starting from the subject's root table.

A table holds data about the subject when its rows point at the subject, or at rows that do
(an enrolment, a counselling session and its note; a volunteer's contract and its certificate).
A link table may declare, with ``info={"makes_subject_of": "<table>"}``, that the record it
points at is about the person too (a case about each child it names). A person's household
record is included; other members' records are not. New areas are covered without being listed
here: the walk follows their foreign keys, and the retention test fails until their text columns
are classified.
"""

from collections import defaultdict

from sqlalchemy import Table, and_, false, or_, select

from daycentre.audit.labels import entity_labels
from daycentre.audit.models import AuditEntry
from daycentre.audit.services import _plain
from daycentre.core.localtime import now
from daycentre.extensions import db

# Not about any subject: staff accounts, the trail itself (exported separately).
NOT_ABOUT_BENEFICIARIES = {"users", "audit_entries", "user_centres"}
# Each subject's root table → the tables a walk from it does not enter: a beneficiary's household
# is exported on its own, and the other members' records are not the person's.
SUBJECTS = {"people": {"families"}, "volunteers": set()}
# A household as a whole (retention, once none of its members keeps personal data): its record,
# its members and every record reached from either.
HOUSEHOLD = {"families": set()}
# The columns of a subject's own sign-in (a volunteer's, a parent's) that are shown; never its
# password hash.
ACCOUNT_COLUMNS = (
    "id",
    "username",
    "given_name",
    "family_name",
    "email",
    "role",
    "active",
    "locale",
    "created_at",
    "last_login_at",
)


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _references(table: Table, target: Table) -> list:
    """The columns of ``table`` that point at ``target``'s primary key, except those declared
    ``info={"about_subject": False}``: a link that does not make the row the target's subject's
    (a case's planned service names the parent's workshop registration, but it is the case's)."""
    return [
        fk.parent
        for fk in table.foreign_keys
        if fk.column.table is target and fk.parent.info.get("about_subject", True)
    ]


def _linked_subject(table: Table) -> Table | None:
    name = table.info.get("makes_subject_of")
    return _table(name) if name else None


def tables_about(root: str) -> list[Table]:
    """The root table, and every table whose rows lead to it through foreign keys or subject links."""
    start = _table(root)
    skipped = {*NOT_ABOUT_BENEFICIARIES, *{**SUBJECTS, **HOUSEHOLD}[root]}
    reached = {start}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table in reached or table.name in skipped:
                continue
            if any(_references(table, target) for target in reached):
                reached.add(table)
                changed = True
        for table in list(reached):
            subject = _linked_subject(table)
            if subject is not None and subject not in reached:
                reached.add(subject)
                changed = True
    return [table for table in db.metadata.sorted_tables if table in reached]


def tables_about_people() -> list[Table]:
    return tables_about("people")


def tables_about_volunteers() -> list[Table]:
    return tables_about("volunteers")


def _primary_key(table: Table):
    columns = list(table.primary_key.columns)
    return columns[0] if len(columns) == 1 else None


def _rows(table: Table, where) -> list[dict]:
    query = select(table).where(where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def subject_records(subject_id: int, root: str = "people") -> dict[Table, list[dict]]:
    """The subject's rows, table by table (a person's household's record not included)."""
    start = _table(root)
    tables = tables_about(root)
    found: dict[Table, set] = defaultdict(set, {start: {subject_id}})
    linked: dict[Table, set] = defaultdict(set)  # records made the subject's by a subject link
    records: dict[Table, list[dict]] = {start: _rows(start, start.c.id == subject_id)}
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table is start:
                continue
            key = _primary_key(table)
            conditions = [
                column.in_(found[target])
                for target in list(found)
                for column in _references(table, target)
                if found[target]
            ]
            if key is not None and linked[table]:
                conditions.append(key.in_(linked[table]))
            if not conditions:
                continue
            rows = _rows(table, or_(*conditions))
            if len(rows) == len(records.get(table, ())):
                continue
            changed = True
            records[table] = rows
            if key is not None:
                found[table] = {row[key.name] for row in rows}
            subject = _linked_subject(table)
            if subject is not None:
                column = _references(table, subject)[0]
                linked[subject] |= {row[column.name] for row in rows}
    return {table: rows for table, rows in records.items() if rows}


def only_theirs(records: dict[Table, list[dict]], root: str) -> dict[Table, list[dict]]:
    """``records`` without other people's ids: a link row naming someone else (a case's other
    child) is left out, and a reference to someone else's record (the sibling's enrolment that
    delivers a planned service) is replaced by ``OTHER_PERSON``."""
    about = set(tables_about(root))
    ids = {
        table: {row[key.name] for row in rows}
        for table, rows in records.items()
        if (key := _primary_key(table)) is not None
    }
    theirs = {}
    for table, rows in records.items():
        links = [(fk.parent.name, fk.column.table) for fk in table.foreign_keys]
        links = [(name, target) for name, target in links if target in about]
        kept = []
        for row in rows:
            others = {
                name
                for name, target in links
                if row[name] is not None and row[name] not in ids.get(target, ())
            }
            if others and _primary_key(table) is None:
                continue
            kept.append({**row, **dict.fromkeys(others, OTHER_PERSON)})
        theirs[table] = kept
    return theirs


def subject_data(person) -> dict:
    """The person's records as plain values, with their household, their sign-in as a parent if
    they have one, and the audit entries about them or that sign-in."""
    families = _table("families")
    records = only_theirs(subject_records(person.id), "people")
    tables = {table.name: [_shown(table, row) for row in rows] for table, rows in records.items()}
    tables[families.name] = [
        {column: _plain(value) for column, value in row.items()}
        for row in _rows(families, families.c.id == person.family_id)
    ]
    accounts = [row["user_id"] for row in records.get(_table("parent_accounts"), ())]
    if accounts:
        tables["users"] = _accounts(accounts)
    entries = AuditEntry.__table__.c
    trail = db.session.scalars(
        select(AuditEntry)
        .where(
            or_(
                entries.person_id == person.id,
                and_(entries.entity == "users", entries.entity_id.in_(accounts)),
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "generated_at": now().isoformat(),
        "person_id": person.id,
        "tables": tables,
        "audit_trail": [_audit_row(entry) for entry in trail],
    }


def volunteer_data(volunteer) -> dict:
    """The volunteer's records as plain values, their own account and the audit entries about any
    of them. Activities they signed up for are shared with others and appear only as ids."""
    records = subject_records(volunteer.id, root="volunteers")
    tables = {
        table.name: [_shown(table, row) for row in rows]
        for table, rows in only_theirs(records, "volunteers").items()
    }
    if volunteer.user_id is not None:
        tables["users"] = _accounts([volunteer.user_id])
    trail = db.session.scalars(
        select(AuditEntry)
        .where(about_records(records, account_id=volunteer.user_id))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "generated_at": now().isoformat(),
        "volunteer_id": volunteer.id,
        "tables": tables,
        "audit_trail": [_audit_row(entry) for entry in trail],
    }


def _accounts(user_ids) -> list[dict]:
    """The subject's own sign-ins, as ``ACCOUNT_COLUMNS``."""
    users = _table("users")
    return [
        {column: _plain(row[column]) for column in ACCOUNT_COLUMNS}
        for row in _rows(users, users.c.id.in_(user_ids))
    ]


def about_records(records: dict[Table, list[dict]], account_id: int | None = None):
    """The audit entries whose record is one of ``records`` (or the subject's own account)."""
    entries = AuditEntry.__table__.c
    conditions = []
    for table, rows in records.items():
        key = _primary_key(table)
        if key is not None and rows:
            ids = [row[key.name] for row in rows]
            conditions.append(and_(entries.entity == table.name, entries.entity_id.in_(ids)))
    if account_id is not None:
        conditions.append(and_(entries.entity == "users", entries.entity_id == account_id))
    return or_(*conditions) if conditions else false()


CONFIDENTIAL = "[confidential: released only by its author]"
OTHER_PERSON = "[another person's record]"


def _shown(table: Table, row: dict) -> dict:
    """A row as plain values; a confidential column (a counselling note) shows that it exists."""
    return {
        column: CONFIDENTIAL if table.c[column].info.get("confidential") else _plain(value)
        for column, value in row.items()
    }


def _audit_row(entry: AuditEntry) -> dict:
    return {
        "at": _plain(entry.at),
        "by": entry.actor.username if entry.actor else None,
        "action": entry.action,
        "record": entry.entity,
        "record_id": entry.entity_id,
        "changes": entry.changes,
    }


def table_labels(names) -> dict[str, object]:
    labels = entity_labels()
    return {name: labels.get(name, name) for name in names}

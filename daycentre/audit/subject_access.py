"""Subject access: everything the system holds about one person, found from the model metadata.

A table holds data about the person when its rows point at the person, or at rows that do
(an enrolment, a counselling session and its note, ...). The household's own record is included;
other members' records are not, so the export says nothing about anyone else. New areas are
covered without being listed here: the walk follows their foreign keys.
"""

from collections.abc import Iterable

from sqlalchemy import Table, select

from daycentre.audit.models import AuditEntry
from daycentre.audit.services import _plain
from daycentre.extensions import db
from daycentre.localtime import now
from daycentre.people.models import Family, Person

PEOPLE = Person.__table__
FAMILIES = Family.__table__
# Not about beneficiaries: staff accounts and the trail itself (exported separately).
NOT_ABOUT_BENEFICIARIES = {"users", "audit_entries", "user_centres"}


def _references(table: Table, target: Table) -> list:
    """The columns of ``table`` that point at ``target``'s primary key."""
    return [fk.parent for fk in table.foreign_keys if fk.column.table is target]


def tables_about_people() -> list[Table]:
    """Every table whose rows lead to a person through foreign keys pointing towards them."""
    reached = {PEOPLE}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table in reached or table.name in NOT_ABOUT_BENEFICIARIES or table is FAMILIES:
                continue
            if any(_references(table, target) for target in reached):
                reached.add(table)
                changed = True
    return [table for table in db.metadata.sorted_tables if table in reached]


def _rows(table: Table, where) -> list[dict]:
    return [
        {column: _plain(value) for column, value in row._mapping.items()}
        for row in db.session.execute(
            select(table).where(where).order_by(*table.primary_key.columns)
        )
    ]


def subject_data(person: Person) -> dict:
    """The person's records, table by table, with the audit entries about them."""
    found: dict[Table, set] = {PEOPLE: {person.id}}
    tables: dict[str, list[dict]] = {
        PEOPLE.name: _rows(PEOPLE, PEOPLE.c.id == person.id),
        FAMILIES.name: _rows(FAMILIES, FAMILIES.c.id == person.family_id),
    }
    for table in tables_about_people():
        if table is PEOPLE:
            continue
        conditions = [
            column.in_(found[target])
            for target in found
            for column in _references(table, target)
            if found[target]
        ]
        if not conditions:
            found[table] = set()
            continue
        rows = _rows(table, db.or_(*conditions))
        key = (
            next(iter(table.primary_key.columns)).name
            if len(table.primary_key.columns) == 1
            else None
        )
        found[table] = {row[key] for row in rows} if key else set()
        if rows:
            tables[table.name] = rows
    trail = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.person_id == person.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return {
        "generated_at": now().isoformat(),
        "person_id": person.id,
        "tables": tables,
        "audit_trail": [_audit_row(entry) for entry in trail],
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


def table_labels(names: Iterable[str]) -> dict[str, object]:
    from daycentre.audit.labels import entity_labels

    labels = entity_labels()
    return {name: labels.get(name, name) for name in names}

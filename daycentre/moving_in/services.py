"""Moving a centre's registers in from its spreadsheets: read, check row by row, import the rows
without problems in one transaction, and undo the whole import while nothing has changed since.

The rules are the register's own: every row is stored through the services that create families,
people, consents and enrolments. The preview runs them too, each row in a savepoint that is then
rolled back, so it names exactly the rows the import will refuse.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, or_
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from daycentre.attendance.models import Attendance, RollCall
from daycentre.audit import services as audit
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.i18n import person_name
from daycentre.core.localtime import today
from daycentre.core.text import fold
from daycentre.enrolment import services as enrolments
from daycentre.enrolment.models import HOLDS_A_PLACE, Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.moving_in import rolls
from daycentre.moving_in.columns import (
    ATTENDANCE,
    BENEFICIARIES,
    CONSENT_COLUMNS,
    DATE_COLUMNS,
    EMAIL_COLUMNS,
    LONGEST,
    PHONE_COLUMNS,
    VOLUNTEERS,
    columns_of,
    header_key,
    match_headers,
    read_date,
    read_email,
    read_phone,
    read_relation,
    read_sex,
)
from daycentre.moving_in.models import ColumnMapping, ImportBatch, ImportStatus
from daycentre.moving_in.problems import CheckedRow, Problem
from daycentre.moving_in.reading import read_table
from daycentre.people import services as people
from daycentre.people.models import Consent, Family, Person, PersonKind
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.clauses import STANDARD_CLAUSES, standard_clause
from daycentre.volunteers.models import Volunteer, VolunteerContract

# --- Reading a file -----------------------------------------------------------------------------


def read_upload(centre: Centre, *, kind: str, file_name: str, content: bytes, actor) -> ImportBatch:
    """Keep the file's rows for the preview; a file too large or too long is refused, named."""
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        megabytes = f"{limit / 1024 / 1024:g}"
        raise Refused(
            _l(
                "The file is larger than %(size)s MB, the most one import reads; send it in parts.",
                size=megabytes,
            )
        )
    table = read_table(file_name, content, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    _skip_title_rows(table, kind, remembered_columns(centre.id, kind))
    if not table.rows:
        raise Refused(_l("The file has a header but no rows."))
    _forget_stale_uploads()
    batch = ImportBatch(
        centre_id=centre.id,
        kind=kind,
        file_name=file_name[:200],
        status=ImportStatus.PREVIEWED,
        headers=table.headers,
        rows=[[number, cells] for number, cells in table.rows],
        notices=table.notices,
        row_count=len(table.rows),
        uploaded_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


# How far down a sheet its header row is looked for, below a title and notes.
HEADER_SEARCH_ROWS = 10


def _skip_title_rows(table, kind: str, remembered: dict[str, str]) -> None:
    """Registers often begin with a title ("Registrul de evidență...") above the header: the
    header is the row among the first ones that names the most known columns."""

    def known(cells):
        return sum(1 for key in match_headers(kind, cells, remembered) if key)

    candidates = [table.headers, *(cells for _number, cells in table.rows[:HEADER_SEARCH_ROWS])]
    best = max(range(len(candidates)), key=lambda i: (known(candidates[i]), -i))
    headers = list(candidates[best])
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    table.headers = headers
    table.rows = [(n, (cells + [""] * width)[:width]) for n, cells in table.rows[best:]]


def _forget_stale_uploads() -> None:
    """Files uploaded and never confirmed are not kept beyond a day: they hold personal data."""
    stale = db.session.scalars(
        db.select(ImportBatch).where(
            ImportBatch.status == ImportStatus.PREVIEWED,
            ImportBatch.uploaded_at < utcnow() - timedelta(days=1),
        )
    )
    for batch in stale:
        _cancel(batch)


def _cancel(batch: ImportBatch) -> None:
    batch.status = ImportStatus.CANCELLED
    batch.headers = batch.rows = None


def cancel_import(batch: ImportBatch, *, actor) -> ImportBatch:
    if batch.status is not ImportStatus.PREVIEWED:
        raise Refused(_l("This import is no longer waiting for confirmation."))
    _cancel(batch)
    db.session.flush()
    return batch


# --- Columns ------------------------------------------------------------------------------------


def remembered_columns(centre_id: int, kind: str) -> dict[str, str]:
    mapping = db.session.scalar(
        db.select(ColumnMapping).where(
            ColumnMapping.centre_id == centre_id, ColumnMapping.kind == kind
        )
    )
    return dict(mapping.columns) if mapping else {}


def matched_columns(batch: ImportBatch) -> list[str | None]:
    """The column key each of the file's headers stands for (None: not imported)."""
    return match_headers(batch.kind, batch.headers, remembered_columns(batch.centre_id, batch.kind))


def missing_columns(batch: ImportBatch) -> list:
    """The required columns the file's headers do not name: the mapping step asks for them."""
    matched = set(matched_columns(batch))
    return [
        c
        for c in columns_of(batch.kind).values()
        if c.required and c.key not in matched and c.instead not in matched
    ]


def unknown_headers(batch: ImportBatch) -> list[str]:
    remembered = remembered_columns(batch.centre_id, batch.kind)
    return [
        header
        for header, key in zip(batch.headers, matched_columns(batch), strict=True)
        if key is None and header and header_key(header) not in remembered
    ]


def remember_columns(batch: ImportBatch, chosen: list[str | None], *, actor) -> ImportBatch:
    """The centre's own names for the columns, kept for its next file."""
    keys = [key for key in chosen if key]
    if len(keys) != len(set(keys)):
        raise Refused(_l("Each column of the register can be chosen for one column of the file."))
    mapping = db.session.scalar(
        db.select(ColumnMapping).where(
            ColumnMapping.centre_id == batch.centre_id, ColumnMapping.kind == batch.kind
        )
    )
    if mapping is None:
        mapping = ColumnMapping(centre_id=batch.centre_id, kind=batch.kind, columns={})
        db.session.add(mapping)
    columns = dict(mapping.columns or {})
    for header, key in zip(batch.headers, chosen, strict=True):
        if header:
            columns[header_key(header)] = key or ""
    mapping.columns = columns
    db.session.flush()
    missing = missing_columns(batch)
    if missing:
        raise Refused(
            _l(
                "Choose the file's column for: %(columns)s.",
                columns=", ".join(str(c.label) for c in missing),
            )
        )
    return batch


# --- Checking rows ------------------------------------------------------------------------------


def _values_of(matched: list[str | None], cells: list[str]) -> dict[str, str]:
    values = {}
    for key, cell in zip(matched, cells, strict=False):
        if key and cell:
            values[key] = cell.strip()
    return values


def _required_missing(kind: str, values: dict[str, str]) -> list[str]:
    return [
        column.key
        for column in columns_of(kind).values()
        if column.required
        and not values.get(column.key)
        and not (column.instead and values.get(column.instead))
    ]


def _parsed(kind: str, values: dict[str, str], centre: Centre) -> tuple[dict, list[Problem]]:
    """The row's typed values, and what cannot be read or is missing, column by column."""
    problems: list[Problem] = []
    parsed: dict = dict(values)
    for key in DATE_COLUMNS & values.keys():
        try:
            parsed[key] = read_date(values[key])
        except ValueError:
            problems.append(
                Problem(key, _l("This date cannot be read: %(value)s", value=values[key]))
            )
            parsed[key] = None
    for key in PHONE_COLUMNS & values.keys():
        try:
            # The number as stored, shown so in the preview (a lost leading zero put back).
            parsed[key] = values[key] = read_phone(values[key])
        except ValueError:
            problems.append(
                Problem(key, _l("This phone number cannot be read: %(value)s", value=values[key]))
            )
    for key in EMAIL_COLUMNS & values.keys():
        try:
            parsed[key] = read_email(values[key])
        except ValueError:
            problems.append(
                Problem(key, _l("This email address is not valid: %(value)s", value=values[key]))
            )
    for key in _required_missing(kind, values):
        problems.append(Problem(key, _l("This value is required.")))
    for key, value in values.items():
        if len(value) > LONGEST.get(key, 200):
            problems.append(
                Problem(
                    key,
                    lazy_ngettext(
                        "At most %(num)d character fits here.",
                        "At most %(num)d characters fit here.",
                        LONGEST.get(key, 200),
                    ),
                )
            )
    KIND_RULES[kind].check(values, parsed, problems, centre)
    return parsed, problems


def _checked(batch: ImportBatch) -> tuple[Centre, list[CheckedRow]]:
    """Every row read and checked against the register as it stands, earlier rows of the file
    counting as stored: a fixed number of queries whatever the number of rows."""
    centre = db.session.get(Centre, batch.centre_id)
    rules = KIND_RULES[batch.kind]
    matched = matched_columns(batch)
    checked = []
    for number, cells in batch.rows:
        row = CheckedRow(number=number, values=_values_of(matched, cells))
        row.parsed, row.problems = _parsed(batch.kind, row.values, centre)
        checked.append(row)
    to_look_up = [row for row in checked if row.accepted or rules.check_rows_with_problems]
    register = rules.register(centre, [row.parsed for row in to_look_up])
    for row in to_look_up:
        rules.against_register(row, register)
    return centre, checked


# --- The beneficiary register -------------------------------------------------------------------


def _check_beneficiary(values: dict, parsed: dict, problems: list[Problem], centre: Centre):
    for key, reader in (
        ("sex", read_sex),
        ("parent1_relation", read_relation),
        ("parent2_relation", read_relation),
    ):
        if key in values:
            try:
                parsed[key] = reader(values[key])
            except ValueError:
                problems.append(
                    Problem(
                        key,
                        _l("This value is not one of those offered: %(value)s", value=values[key]),
                    )
                )
                parsed[key] = None
    if not values.get("birth_date") and not values.get("cnp"):
        problems.append(Problem("birth_date", _l("Enter the date of birth or the CNP.")))
    if values.get("group"):
        groups = {fold(g.name): g for g in centre.groups if g.active}
        group = groups.get(fold(values["group"]))
        if group is None:
            problems.append(
                Problem(
                    "group", _l("The centre has no group named %(name)s.", name=values["group"])
                )
            )
        parsed["group"] = group
    cnp = (values.get("cnp") or "").replace(" ", "")
    parsed["cnp"] = cnp or None
    if cnp:
        problem = people.cnp_problem(cnp, parsed.get("birth_date"), parsed.get("sex"))
        if problem:
            problems.append(Problem("cnp", problem))
        elif parsed.get("birth_date") is None:
            parsed["birth_date"] = people.cnp_birth_date(cnp)
        if not problem and parsed.get("sex") is None and (sex := people.cnp_sex(cnp)):
            parsed["sex"] = sex.value
    for n in (1, 2):
        parent_cnp = (values.get(f"parent{n}_cnp") or "").replace(" ", "")
        parsed[f"parent{n}_cnp"] = parent_cnp or None
        if parent_cnp and (problem := people.cnp_problem(parent_cnp)):
            problems.append(Problem(f"parent{n}_cnp", problem))
    if not problems:
        _check_child_record(parsed, problems)
        _check_dates_of_enrolment(parsed, problems)
    consents = [key for key in CONSENT_COLUMNS if values.get(key)]
    if consents and not (values.get("consent_given_by") or values.get("parent1_given_name")):
        problems.append(Problem("consent_given_by", _l("Say who gave the consent.")))
    if values.get("contract_number") and not (
        parsed.get("contract_date") and parsed.get("start_date")
    ):
        problems.append(
            Problem("contract_date", _l("A service contract needs its date and the start date."))
        )


def _check_child_record(parsed: dict, problems: list[Problem]) -> None:
    """The rules of a child's record (``people.save_person``), named before anything is stored."""
    if parsed.get("birth_date") is None or parsed.get("sex") is None:
        problems.append(Problem("sex", _l("A child's record needs the date of birth and the sex.")))
    elif problem := people.birth_date_problem(parsed["birth_date"]):
        problems.append(Problem("birth_date", problem))


def _check_dates_of_enrolment(parsed: dict, problems: list[Problem]) -> None:
    """The dates the consents, the application and the contract must keep (the services' rules)."""
    now = today()
    for column in CONSENT_COLUMNS:
        if parsed.get(column) and parsed[column] > now:
            problems.append(Problem(column, _l("The date of the consent cannot be in the future.")))
    applied_on = parsed.get("applied_on")
    if applied_on is None:
        return
    if applied_on > now:
        problems.append(
            Problem("applied_on", _l("The date of the application cannot be in the future."))
        )
    elif parsed.get("birth_date") and applied_on < parsed["birth_date"]:
        problems.append(
            Problem("applied_on", _l("The application cannot be dated before the date of birth."))
        )
    contract_date, start_date = parsed.get("contract_date"), parsed.get("start_date")
    if not (parsed.get("contract_number") and contract_date and start_date):
        return
    if contract_date > now:
        problems.append(
            Problem("contract_date", _l("The date of the contract cannot be in the future."))
        )
    elif contract_date < applied_on or start_date < applied_on:
        problems.append(
            Problem(
                "contract_date",
                _l("The contract and the start cannot be dated before the application."),
            )
        )
    elif start_date < contract_date:
        problems.append(
            Problem("start_date", _l("The service cannot start before the contract is signed."))
        )


def _family_key(parsed: dict) -> str:
    return fold(f"{parsed['family_name']} | {parsed['address']} | {parsed['city']}")


def _parent_key(parsed: dict, n: int) -> str | None:
    if not parsed.get(f"parent{n}_given_name"):
        return None
    name = parsed.get(f"parent{n}_family_name") or parsed["family_name"]
    return fold(f"{name} {parsed[f'parent{n}_given_name']}")


class _Register:
    """What the register already holds that the file's rows are checked against, read in a few
    queries for the whole file; the rows checked so far are added as if stored."""

    def __init__(self, centre: Centre, rows: list[dict]):
        self.centre = centre
        cnps = {row[k] for row in rows for k in ("cnp", "parent1_cnp", "parent2_cnp") if row.get(k)}
        names = {fold(f"{row['family_name']} {row['given_name']}") for row in rows}
        parents = {key for row in rows for n in (1, 2) if (key := _parent_key(row, n))}
        found = db.session.scalars(
            db.select(Person)
            .options(joinedload(Person.family))
            .where(or_(Person.cnp.in_(cnps or {""}), Person.search_key.in_(names or {""})))
        )
        self.by_cnp: dict[str, Person] = {}
        self.names: set[tuple[str, object]] = set()
        for person in found:
            if person.cnp:
                self.by_cnp[person.cnp] = person
            self.names.add((person.search_key, person.birth_date))
        # The centre's families a row may belong to: the same family name, or a parent's.
        self.families = list(
            db.session.scalars(
                db.select(Family)
                .options(selectinload(Family.members))
                .where(
                    Family.centre_id == centre.id,
                    or_(
                        Family.search_key.in_({fold(row["family_name"]) for row in rows} or {""}),
                        Family.id.in_(
                            db.select(Person.family_id).where(
                                Person.kind == PersonKind.ADULT,
                                or_(
                                    Person.cnp.in_(cnps or {""}),
                                    Person.search_key.in_(parents or {""}),
                                ),
                            )
                        ),
                    ),
                )
            )
        )
        group_ids = [group.id for group in centre.groups] or [0]
        self.occupied = dict(
            db.session.execute(
                db.select(Enrolment.group_id, func.count(Enrolment.id))
                .where(Enrolment.group_id.in_(group_ids), Enrolment.status.in_(HOLDS_A_PLACE))
                .group_by(Enrolment.group_id)
            ).all()
        )
        self.waiting: dict[int, list[tuple]] = {}
        for applied_on, number, family_name, given_name, group_id in db.session.execute(
            db.select(
                Enrolment.applied_on,
                Enrolment.number,
                Person.family_name,
                Person.given_name,
                Enrolment.group_id,
            )
            .join(Enrolment.person)
            .where(Enrolment.group_id.in_(group_ids), Enrolment.status == EnrolmentStatus.WAITING)
        ):
            name = person_name(family_name, given_name)
            self.waiting.setdefault(group_id, []).append((applied_on, number, name))
        # The file's rows checked so far: their children's CNPs, their families (by row).
        self.file_cnps: set[str] = set()
        self.file_families: dict[str, int] = {}

    def existing_family(self, parsed: dict) -> Family | None:
        """A family of the centre the row's child belongs to: one whose parent has the CNP the
        row gives, or at the same address with the same family name or a parent of that name."""
        for n in (1, 2):
            adult = self.by_cnp.get(parsed.get(f"parent{n}_cnp") or "")
            if adult is not None and adult.kind is PersonKind.ADULT:
                return adult.family if adult.family.centre_id == self.centre.id else None
        address = fold(f"{parsed['address']} {parsed['city']}")
        parents = {key for n in (1, 2) if (key := _parent_key(parsed, n))}
        for family in self.families:
            if fold(f"{family.address} {family.city}") != address:
                continue
            if family.search_key == fold(parsed["family_name"]) or any(
                adult.search_key in parents for adult in family.adults
            ):
                return family
        return None


def _check_beneficiary_in_register(row: CheckedRow, register: _Register) -> None:
    parsed = row.parsed
    birth_date = parsed.get("birth_date")
    name = (fold(f"{parsed['family_name']} {parsed['given_name']}"), birth_date)
    if parsed.get("cnp") and (
        parsed["cnp"] in register.by_cnp or parsed["cnp"] in register.file_cnps
    ):
        row.problems.append(Problem("cnp", _l("A person with this CNP is already registered.")))
        return
    if name in register.names:
        row.problems.append(
            Problem(
                "given_name",
                _l("A child with this name and date of birth is already in the register."),
            )
        )
        return
    family = register.existing_family(parsed)
    for n in (1, 2):
        adult = register.by_cnp.get(parsed.get(f"parent{n}_cnp") or "")
        if adult is not None and (family is None or adult.family_id != family.id):
            row.problems.append(
                Problem(f"parent{n}_cnp", _l("A person with this CNP is already registered."))
            )
            return
    if not _place_in_group(row, register):
        return
    # Stored: the rows below see this child, and its siblings join its family.
    if parsed.get("cnp"):
        register.file_cnps.add(parsed["cnp"])
    register.names.add(name)
    parsed["family"] = family
    key = _family_key(parsed)
    if family is not None:
        children = ", ".join(child.given_name for child in family.children)
        row.notes.append(
            _l(
                "Joins the family %(name)s already in the register (%(children)s).",
                name=family.name,
                children=children,
            )
        )
    elif key in register.file_families:
        row.notes.append(_l("Joins the family of row %(row)d.", row=register.file_families[key]))
    else:
        register.file_families[key] = row.number


def _place_in_group(row: CheckedRow, register: _Register) -> bool:
    """The application goes on the waiting list when the group is full or has a waiting list
    (``enrolment.apply``); a contract needs a free place (``enrolment.activate``)."""
    parsed = row.parsed
    group = parsed["group"]
    occupied = register.occupied.get(group.id, 0)
    line = register.waiting.setdefault(group.id, [])
    full = occupied >= group.capacity or bool(line)
    if parsed.get("contract_number"):
        free = group.capacity - occupied
        if free <= 0:
            row.problems.append(
                Problem(
                    "contract_number",
                    _l("The group has no free place. Put the application on the waiting list."),
                )
            )
            return False
        if full:
            earlier = sorted(line)
            if [e for e in earlier if e[0] <= parsed["applied_on"]][free - 1 : free]:
                row.problems.append(
                    Problem(
                        "contract_number",
                        _l(
                            "%(name)s applied earlier and is first on the waiting list.",
                            name=earlier[0][2],
                        ),
                    )
                )
                return False
        register.occupied[group.id] = occupied + 1
    elif full:
        name = person_name(parsed["family_name"], parsed["given_name"])
        line.append((parsed["applied_on"], float("inf"), name))
        row.notes.append(EnrolmentStatus.WAITING.label)
    return True


class _Families:
    """The families the import creates, found again by name and address for siblings' rows."""

    def __init__(self):
        self.families: dict[str, Family] = {}
        self.adults: dict[tuple[str, str], Person] = {}

    def forget(self, parsed: dict) -> None:
        """A row refused: nothing of it was kept (its records are rolled back)."""


def _store_beneficiary(centre: Centre, parsed: dict, families: _Families, *, actor) -> list:
    """The row's family (the one in the register it joins, or its sibling's, or a new one),
    child, parents, consents and enrolment."""
    created, new_adults = [], {}
    family_key = _family_key(parsed)
    family = parsed.get("family") or families.families.get(family_key)
    if family is None:
        family = people.save_family(
            None,
            actor=actor,
            centre_id=centre.id,
            name=parsed["family_name"],
            address=parsed["address"],
            city=parsed["city"],
            phone=parsed.get("family_phone") or parsed.get("parent1_phone"),
            email=parsed.get("family_email"),
        )
        created.append(family)
    known_adults = {adult.search_key for adult in family.adults} | {
        adult.cnp for adult in family.adults if adult.cnp
    }
    child = people.save_person(
        None,
        family=family,
        kind=PersonKind.CHILD,
        actor=actor,
        birth_date=parsed.get("birth_date"),
        sex=parsed.get("sex"),
        **{
            name: parsed.get(name) or ""
            for name in ("family_name", "given_name", "cnp", "school", "grade", "allergies", "diet")
        },
    )
    created.append(child)
    for n in (1, 2):
        if not parsed.get(f"parent{n}_given_name"):
            continue
        name = (parsed.get(f"parent{n}_family_name") or parsed["family_name"]).strip()
        adult_key = (family_key, _parent_key(parsed, n))
        if adult_key in families.adults or adult_key in new_adults:
            continue
        if adult_key[1] in known_adults or parsed.get(f"parent{n}_cnp") in known_adults:
            continue  # the parent of a sibling already in the register
        adult = people.save_person(
            None,
            family=family,
            kind=PersonKind.ADULT,
            actor=actor,
            relation=parsed.get(f"parent{n}_relation") or "other",
            family_name=name,
            given_name=parsed[f"parent{n}_given_name"],
            cnp=parsed.get(f"parent{n}_cnp") or "",
            phone=parsed.get(f"parent{n}_phone") or "",
            email=parsed.get(f"parent{n}_email") or "",
        )
        new_adults[adult_key] = adult
        created.append(adult)
    given_by = parsed.get("consent_given_by") or " ".join(
        filter(None, (parsed.get("parent1_family_name"), parsed.get("parent1_given_name")))
    )
    for column, purpose in CONSENT_COLUMNS.items():
        if parsed.get(column):
            created.append(
                people.save_consent(
                    None,
                    person=child,
                    actor=actor,
                    purpose=purpose,
                    given_by=given_by,
                    given_on=parsed[column],
                )
            )
    enrolment = enrolments.apply(
        child,
        group=parsed["group"],
        applied_on=parsed["applied_on"],
        actor=actor,
        notes=parsed.get("notes"),
    )
    if parsed.get("contract_number"):
        enrolments.activate(
            enrolment,
            actor=actor,
            version=enrolment.version,
            contract_number=parsed["contract_number"],
            contract_date=parsed["contract_date"],
            start_date=parsed["start_date"],
        )
    created.append(enrolment)
    # Kept for the siblings' rows only once the whole row is stored.
    families.families[family_key] = family
    families.adults.update(new_adults)
    return created


def _store_rows(rules, centre: Centre, rows: list[CheckedRow], *, actor) -> list:
    """Each accepted row stored through the register's services in its own savepoint; a row
    they still refuse (someone saved the same child meanwhile) is left out, named."""
    memory = rules.memory()
    created = []
    for row in rows:
        savepoint = db.session.begin_nested()
        try:
            stored = rules.store(centre, row.parsed, memory, actor=actor)
        except Refused as refusal:
            savepoint.rollback()
            row.problems.append(Problem(refusal.field, refusal.message))
            continue
        except (DataError, IntegrityError):  # what the database alone refuses
            savepoint.rollback()
            row.problems.append(Problem(None, _l("This row cannot be stored as it is.")))
            continue
        savepoint.commit()
        created.extend(stored)
    return created


def check_rows(batch: ImportBatch, *, actor) -> list[CheckedRow]:
    """What the import would do with each row, and every problem on it; nothing is stored."""
    if batch.status is not ImportStatus.PREVIEWED:
        return []
    return _checked(batch)[1]


def confirm_import(batch: ImportBatch, *, actor) -> int:
    """Import the rows without problems, all in the caller's one transaction; returns how many."""
    if batch.status is not ImportStatus.PREVIEWED:
        raise Refused(_l("This import is no longer waiting for confirmation."))
    # Written before the first savepoint: SQLite's driver begins its transaction at the first
    # write, and a savepoint opened outside one would commit each row on its own.
    batch.imported_at = utcnow()
    db.session.flush()
    rules = KIND_RULES[batch.kind]
    centre, checked = _checked(batch)
    accepted_rows = [row for row in checked if row.accepted]
    if not accepted_rows:
        raise Refused(_l("No row can be imported: correct the file and send it again."))
    if rules.store_all is not None:
        created = rules.store_all(centre, accepted_rows, actor=actor)
    else:
        created = _store_rows(rules, centre, accepted_rows, actor=actor)
    accepted = sum(1 for row in checked if row.accepted)
    if not accepted:
        raise Refused(_l("No row can be imported: correct the file and send it again."))
    db.session.flush()
    batch.created = {
        model.__tablename__: {
            str(record.id): record.version for record in created if isinstance(record, model)
        }
        for model in rules.tables
    }
    batch.status = ImportStatus.IMPORTED
    batch.imported_count = accepted
    batch.headers = batch.rows = None
    db.session.flush()
    audit.record(
        audit.IMPORT,
        batch,
        actor=actor,
        centre_id=batch.centre_id,
        changes={
            "kind": batch.kind,
            "rows": accepted,
            "left_out": len(checked) - accepted,
            "records": {table: sorted(ids, key=int) for table, ids in batch.created.items()},
        },
    )
    return accepted


# --- The register of volunteers -----------------------------------------------------------------


def _check_volunteer(values: dict, parsed: dict, problems: list[Problem], centre: Centre):
    number = values.get("contract_number")
    if number:
        if not number.isdigit() or not 0 < int(number) < 2**31:
            problems.append(Problem("contract_number", _l("Enter a number.")))
        parsed["contract_number"] = int(number) if number.isdigit() else None
    starts, ends = parsed.get("contract_starts_on"), parsed.get("contract_ends_on")
    if (number or starts or ends or values.get("contract_signed_on")) and not (starts and ends):
        problems.append(
            Problem("contract_starts_on", _l("A contract needs the dates of its start and end."))
        )
    elif starts and ends and starts > ends:
        problems.append(Problem("contract_ends_on", _l("The end must be later than the start.")))
    signed = parsed.get("contract_signed_on")
    if starts and signed and signed > starts:
        problems.append(
            Problem(
                "contract_signed_on", _l("The contract must be signed before the activity starts.")
            )
        )
    if parsed.get("birth_date"):
        try:
            volunteering.ensure_old_enough(
                parsed["birth_date"], parsed.get("parental_consent_on"), starts or today()
            )
        except Refused as refusal:
            problems.append(Problem("parental_consent_on", refusal.message))


class _Volunteers:
    """The centre's volunteers born on the file's dates and its contracts with the file's
    numbers: two queries for the whole file; the rows checked so far are added as if stored."""

    def __init__(self, centre: Centre, rows: list[dict]):
        births = {row["birth_date"] for row in rows if row.get("birth_date")}
        self.names = {
            (fold(f"{v.family_name} {v.given_name}"), v.birth_date)
            for v in db.session.scalars(
                db.select(Volunteer).where(
                    Volunteer.centre_id == centre.id, Volunteer.birth_date.in_(births or {None})
                )
            )
        }
        numbers = {row["contract_number"] for row in rows if row.get("contract_number")}
        self.numbers = set(
            db.session.scalars(
                db.select(VolunteerContract.number).where(
                    VolunteerContract.centre_id == centre.id,
                    VolunteerContract.number.in_(numbers or {0}),
                )
            )
        )


def _check_volunteer_in_register(row: CheckedRow, register: _Volunteers) -> None:
    parsed = row.parsed
    name = (fold(f"{parsed['family_name']} {parsed['given_name']}"), parsed["birth_date"])
    if name in register.names:
        row.problems.append(
            Problem(
                "given_name",
                _l("A volunteer with this name and date of birth is already registered."),
            )
        )
        return
    number = parsed.get("contract_number")
    if number and number in register.numbers:
        row.problems.append(
            Problem("contract_number", _l("The centre already has a contract with this number."))
        )
        return
    register.names.add(name)
    if number:
        register.numbers.add(number)


class _Nothing:
    """Rows of volunteers do not share records."""

    def forget(self, parsed: dict) -> None:
        pass


def _store_volunteer(centre: Centre, parsed: dict, memory, *, actor) -> list:
    volunteer = volunteering.register_volunteer(
        actor=actor,
        centre=centre,
        today=today(),
        **{
            name: parsed.get(name)
            for name in (
                "family_name",
                "given_name",
                "birth_date",
                "phone",
                "email",
                "address",
                "parental_consent_on",
                "integrity_certificate_on",
            )
        },
    )
    created = [volunteer]
    if not parsed.get("contract_starts_on"):
        return created
    contract = volunteering.create_contract(
        volunteer,
        actor=actor,
        number=parsed.get("contract_number"),
        starts_on=parsed["contract_starts_on"],
        ends_on=parsed["contract_ends_on"],
        activities=parsed.get("contract_activities") or str(DEFAULT_ACTIVITIES),
        schedule=str(DEFAULT_SCHEDULE),
        **{field: standard_clause(field) for field in STANDARD_CLAUSES},
    )
    created.append(contract)
    if parsed.get("contract_signed_on"):
        volunteering.sign_contract(contract, actor=actor, signed_on=parsed["contract_signed_on"])
        if parsed["contract_starts_on"] <= today() <= parsed["contract_ends_on"]:
            volunteering.activate_contract(contract, actor=actor)
    return created


DEFAULT_ACTIVITIES = _l(
    "Activities with the children of the day centre, as agreed with the coordinator."
)
DEFAULT_SCHEDULE = _l("As agreed with the coordinator.")


@dataclass(frozen=True)
class KindRules:
    # A row on its own (no query), then the rows against what the register holds (loaded once
    # for the whole file), then storing the accepted rows: each through the services (``store``,
    # sharing ``memory``), or all at once (``store_all``).
    check: Callable
    register: Callable
    against_register: Callable
    # The tables an import creates rows in, in the order they are undone (a row that refers to
    # another goes first), and (table, its reference, the table referred to) to find additions.
    tables: tuple
    dependents: tuple
    store: Callable | None = None
    memory: Callable | None = None
    store_all: Callable | None = None
    # A roll's row is checked day by day even when one of its cells has a problem, so that the
    # preview names them all.
    check_rows_with_problems: bool = False


KIND_RULES = {
    BENEFICIARIES: KindRules(
        check=_check_beneficiary,
        register=_Register,
        against_register=_check_beneficiary_in_register,
        store=_store_beneficiary,
        memory=_Families,
        tables=(Enrolment, Consent, Person, Family),
        dependents=(
            (Person, Person.family_id, Family),
            (Consent, Consent.person_id, Person),
            (Enrolment, Enrolment.person_id, Person),
        ),
    ),
    VOLUNTEERS: KindRules(
        check=_check_volunteer,
        register=_Volunteers,
        against_register=_check_volunteer_in_register,
        store=_store_volunteer,
        memory=_Nothing,
        tables=(VolunteerContract, Volunteer),
        dependents=((VolunteerContract, VolunteerContract.volunteer_id, Volunteer),),
    ),
    ATTENDANCE: KindRules(
        check=rolls.check_row,
        register=rolls.Register,
        against_register=rolls.check_against_register,
        store_all=rolls.write_marks,
        tables=(Attendance, RollCall),
        dependents=(),
        check_rows_with_problems=True,
    ),
}


# --- Undo ---------------------------------------------------------------------------------------


def undo_deadline(batch: ImportBatch):
    if batch.imported_at is None:
        return None
    return batch.imported_at + timedelta(days=current_app.config["IMPORT_UNDO_DAYS"])


def can_undo(batch: ImportBatch) -> bool:
    return batch.status is ImportStatus.IMPORTED and utcnow() <= undo_deadline(batch)


def _refuse_if_changed(batch: ImportBatch, records: dict) -> None:
    """Nothing changed or was added to the imported records since."""
    changed = _l(
        "The imported records were changed or added to since the import; it can no longer be "
        "undone as a whole."
    )
    rules = KIND_RULES[batch.kind]
    for model in rules.tables:
        versions = batch.created.get(model.__tablename__, {})
        found = records[model]
        if len(found) != len(versions) or any(
            found[int(id_)].version != version for id_, version in versions.items()
        ):
            raise Refused(changed)
    for model, column, parent in rules.dependents:
        present = set(
            db.session.scalars(db.select(model.id).where(column.in_(set(records[parent]) or {0})))
        )
        if present - set(records[model]):
            raise Refused(changed)


def undo_import(batch: ImportBatch, *, actor) -> None:
    if batch.status is not ImportStatus.IMPORTED:
        raise Refused(_l("Only an import that was carried out can be undone."))
    if not can_undo(batch):
        raise Refused(
            lazy_ngettext(
                "An import can be undone within %(num)d day; this one is older.",
                "An import can be undone within %(num)d days; this one is older.",
                current_app.config["IMPORT_UNDO_DAYS"],
            )
        )
    records = {
        model: {
            record.id: record
            for record in db.session.scalars(
                db.select(model).where(
                    model.id.in_(
                        [int(i) for i in batch.created.get(model.__tablename__, {})] or [0]
                    )
                )
            )
        }
        for model in KIND_RULES[batch.kind].tables
    }
    _refuse_if_changed(batch, records)
    entries = []
    for model in KIND_RULES[batch.kind].tables:
        for record in records[model].values():
            entries.append(
                audit.entry_values(
                    audit.DELETE,
                    record,
                    actor=actor,
                    centre_id=batch.centre_id,
                    person_id=record.id if isinstance(record, Person) else _person_of(record),
                    changes=audit.snapshot(record),
                )
            )
            db.session.delete(record)
        try:
            db.session.flush()
        except IntegrityError:  # another record (a roll-call, a case) now refers to them
            raise Refused(
                _l(
                    "Other records now refer to the imported ones (a roll-call, a case, an "
                    "activity); the import can no longer be undone as a whole."
                )
            ) from None
    audit.record_all(entries)
    batch.status = ImportStatus.UNDONE
    batch.undone_at = utcnow()
    db.session.flush()
    audit.record(
        audit.IMPORT_UNDONE,
        batch,
        actor=actor,
        centre_id=batch.centre_id,
        changes={"rows": batch.imported_count},
    )


def _person_of(record) -> int | None:
    return getattr(record, "person_id", None)


def recent_imports(centre: Centre) -> list[ImportBatch]:
    return list(
        db.session.scalars(
            db.select(ImportBatch)
            .where(ImportBatch.centre_id == centre.id, ImportBatch.status != ImportStatus.CANCELLED)
            .order_by(ImportBatch.uploaded_at.desc())
            .limit(20)
        )
    )

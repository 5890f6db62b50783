"""Moving a centre's registers in from its spreadsheets: read, check row by row, import the rows
without problems in one transaction, and undo the whole import while nothing has changed since.

The rules are the register's own: every row is stored through the services that create families,
people, consents and enrolments. The preview runs them too, each row in a savepoint that is then
rolled back, so it names exactly the rows the import will refuse.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import DataError, IntegrityError

from daycentre.audit import services as audit
from daycentre.centres.models import Centre
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.core.text import fold
from daycentre.enrolment import services as enrolments
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.moving_in.columns import (
    BENEFICIARIES,
    CONSENT_COLUMNS,
    DATE_COLUMNS,
    LONGEST,
    VOLUNTEERS,
    columns_of,
    header_key,
    match_headers,
    read_date,
    read_relation,
    read_sex,
)
from daycentre.moving_in.models import ColumnMapping, ImportBatch, ImportStatus
from daycentre.moving_in.reading import read_table
from daycentre.people import services as people
from daycentre.people.models import Consent, Family, Person, PersonKind
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.clauses import STANDARD_CLAUSES, standard_clause
from daycentre.volunteers.models import Volunteer, VolunteerContract


@dataclass
class Problem:
    column: str | None  # the column's key; None when the problem is the row's as a whole
    message: object


@dataclass
class CheckedRow:
    number: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems


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
    return [c for c in columns_of(batch.kind).values() if c.required and c.key not in matched]


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
    for column in columns_of(kind).values():
        if column.required and not values.get(column.key):
            problems.append(Problem(column.key, _l("This value is required.")))
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
    for n in (1, 2):
        parent_cnp = (values.get(f"parent{n}_cnp") or "").replace(" ", "")
        parsed[f"parent{n}_cnp"] = parent_cnp or None
        if parent_cnp and (problem := people.cnp_problem(parent_cnp)):
            problems.append(Problem(f"parent{n}_cnp", problem))
    consents = [key for key in CONSENT_COLUMNS if values.get(key)]
    if consents and not (values.get("consent_given_by") or values.get("parent1_given_name")):
        problems.append(Problem("consent_given_by", _l("Say who gave the consent.")))
    if values.get("contract_number") and not (
        parsed.get("contract_date") and parsed.get("start_date")
    ):
        problems.append(
            Problem("contract_date", _l("A service contract needs its date and the start date."))
        )


def _duplicate_beneficiary(parsed: dict, centre: Centre, actor) -> Problem | None:
    """A child already in the register: the same CNP, or the same names (accents aside) and
    date of birth; earlier rows of the file count, as the check stores them as it goes."""
    birth_date = parsed.get("birth_date")
    if birth_date is None and parsed.get("cnp"):
        birth_date = people.cnp_birth_date(parsed["cnp"])
    found = people.likely_duplicates(
        actor,
        family_name=parsed.get("family_name", ""),
        given_name=parsed.get("given_name", ""),
        birth_date=birth_date,
        cnp=parsed.get("cnp"),
    )
    if not found:
        return None
    if any(d.same_cnp for d in found):
        return Problem("cnp", _l("A person with this CNP is already registered."))
    return Problem(
        "given_name",
        _l("A child with this name and date of birth is already in the register."),
    )


class _Families:
    """The families the import creates, found again by name and address for siblings' rows."""

    def __init__(self):
        self.families: dict[str, Family] = {}
        self.adults: dict[tuple[str, str], Person] = {}

    @staticmethod
    def key_of(parsed: dict) -> str:
        return fold(f"{parsed['family_name']} | {parsed['address']} | {parsed['city']}")

    def forget(self, parsed: dict) -> None:
        """A row refused: nothing of it was kept (its records are rolled back)."""


def _store_beneficiary(centre: Centre, parsed: dict, families: _Families, *, actor) -> list:
    """The row's family (or its sibling's), child, parents, consents and enrolment."""
    created, new_adults = [], {}
    family_key = families.key_of(parsed)
    family = families.families.get(family_key)
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
        adult_key = (family_key, fold(f"{name} {parsed[f'parent{n}_given_name']}"))
        if adult_key in families.adults or adult_key in new_adults:
            continue
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


def _run_rows(batch: ImportBatch, *, actor):
    """Every row checked and stored in its own savepoint: (checked rows, records created)."""
    centre = db.session.get(Centre, batch.centre_id)
    rules = KIND_RULES[batch.kind]
    memory = rules.memory()
    checked, created = [], []
    matched = matched_columns(batch)
    for number, cells in batch.rows:
        values = _values_of(matched, cells)
        row = CheckedRow(number=number, values=values)
        checked.append(row)
        parsed, row.problems = _parsed(batch.kind, values, centre)
        if row.problems:
            continue
        if duplicate := rules.duplicate(parsed, centre, actor):
            row.problems.append(duplicate)
            continue
        savepoint = db.session.begin_nested()
        try:
            stored = rules.store(centre, parsed, memory, actor=actor)
        except Refused as refusal:
            savepoint.rollback()
            memory.forget(parsed)
            row.problems.append(Problem(refusal.field, refusal.message))
            continue
        except (DataError, IntegrityError):  # what the database alone refuses
            savepoint.rollback()
            memory.forget(parsed)
            row.problems.append(Problem(None, _l("This row cannot be stored as it is.")))
            continue
        savepoint.commit()
        created.extend(stored)
    return checked, created


def check_rows(batch: ImportBatch, *, actor) -> list[CheckedRow]:
    """What the import would do with each row, and every problem on it; nothing is kept."""
    if batch.status is not ImportStatus.PREVIEWED:
        return []
    trial = db.session.begin_nested()
    try:
        checked, _created = _run_rows(batch, actor=actor)
    finally:
        trial.rollback()
    return checked


def confirm_import(batch: ImportBatch, *, actor) -> int:
    """Import the rows without problems, all in the caller's one transaction; returns how many."""
    if batch.status is not ImportStatus.PREVIEWED:
        raise Refused(_l("This import is no longer waiting for confirmation."))
    # Written before the first savepoint: SQLite's driver begins its transaction at the first
    # write, and a savepoint opened outside one would commit each row on its own.
    batch.imported_at = utcnow()
    db.session.flush()
    checked, created = _run_rows(batch, actor=actor)
    accepted = sum(1 for row in checked if row.accepted)
    if not accepted:
        raise Refused(_l("No row can be imported: correct the file and send it again."))
    db.session.flush()
    batch.created = {
        model.__tablename__: {
            str(record.id): record.version for record in created if isinstance(record, model)
        }
        for model in KIND_RULES[batch.kind].tables
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
    if parsed.get("birth_date"):
        try:
            volunteering.ensure_old_enough(
                parsed["birth_date"], parsed.get("parental_consent_on"), starts or today()
            )
        except Refused as refusal:
            problems.append(Problem("parental_consent_on", refusal.message))


def _duplicate_volunteer(parsed: dict, centre: Centre, actor) -> Problem | None:
    """The same names (accents aside) and date of birth at the centre; earlier rows count."""
    same_day = db.session.scalars(
        db.select(Volunteer).where(
            Volunteer.centre_id == centre.id, Volunteer.birth_date == parsed["birth_date"]
        )
    )
    name = fold(f"{parsed['family_name']} {parsed['given_name']}")
    if any(fold(f"{v.family_name} {v.given_name}") == name for v in same_day):
        return Problem(
            "given_name", _l("A volunteer with this name and date of birth is already registered.")
        )
    number = parsed.get("contract_number")
    if number and db.session.scalar(
        db.select(VolunteerContract.id).where(
            VolunteerContract.centre_id == centre.id, VolunteerContract.number == number
        )
    ):
        return Problem("contract_number", _l("The centre already has a contract with this number."))
    return None


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
    check: Callable
    duplicate: Callable
    store: Callable
    memory: Callable
    # The tables an import creates rows in, in the order they are undone (a row that refers to
    # another goes first), and (table, its reference, the table referred to) to find additions.
    tables: tuple
    dependents: tuple


KIND_RULES = {
    BENEFICIARIES: KindRules(
        check=_check_beneficiary,
        duplicate=_duplicate_beneficiary,
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
        duplicate=_duplicate_volunteer,
        store=_store_volunteer,
        memory=_Nothing,
        tables=(VolunteerContract, Volunteer),
        dependents=((VolunteerContract, VolunteerContract.volunteer_id, Volunteer),),
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

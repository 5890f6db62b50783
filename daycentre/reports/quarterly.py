"""The quarterly statistical report the prevention services send the county directorate.

A snapshot at the last day of a quarter, for one centre or for every centre a user sees. The
report is a list of tables (``TABLES``); each table names its rows and columns and gives, for a
set of centres and a quarter, the records behind each of its cells (an ``Entry``: the page the
record opens and its id). A cell's figure is the number of its distinct records, so a number and
its list always agree, and the totals are worked out from the records too (a child counted in
two centres is one child of the whole). Another table is one more ``Table(...)`` in ``TABLES``.

Once a centre submits its report, the records of every cell are kept (``QuarterlyFigure``): the
report keeps its figures whatever is corrected later, and ``differences`` says what the records
would give today.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from daycentre.audit import services as audit
from daycentre.centres.models import Centre, ProviderType
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.core.text import sort_key
from daycentre.enrolment.models import ACTIVE_ONCE, Enrolment, EnrolmentStatus, ExitReason
from daycentre.extensions import db
from daycentre.people.models import AbroadParent, Family, Person, PersonKind, Sex
from daycentre.people.services import children_with_parents_abroad
from daycentre.reports.links import linked
from daycentre.reports.measures import Record
from daycentre.reports.models import QuarterlyFigure, QuarterlyReport

TOTAL = "total"
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str | None) -> "Quarter | None":
        """``2026-Q3`` → Quarter(2026, 3); None for anything else."""
        year, _, number = (text or "").upper().partition("-Q")
        if not (year.isdigit() and number in ("1", "2", "3", "4")) or not 2000 <= int(year) <= 2100:
            return None
        return cls(int(year), int(number))

    @classmethod
    def last_ended(cls, day: date) -> "Quarter":
        current = cls(day.year, (day.month - 1) // 3 + 1)
        return current.previous

    @property
    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        month = 3 * self.number
        return date(self.year, month, 31 if month in (3, 12) else 30)

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    def __str__(self) -> str:
        return self.slug


def refuse_future(quarter: Quarter) -> None:
    if quarter.start > today():
        raise Refused(_l("A quarter in the future has no report yet."))


def refuse_unended(quarter: Quarter) -> None:
    if quarter.end >= today():
        raise Refused(_l("The report of a quarter can be submitted once the quarter has ended."))


@dataclass(frozen=True)
class Entry:
    """A record behind a figure: the page it opens (``reports.links.PAGES``) and its id."""

    page: str
    ref: int


Cells = dict[tuple[str, str], set[Entry]]
Classified = Iterable[tuple[str, str, Entry]]  # (row, column, record)


@dataclass(frozen=True)
class Table:
    key: str
    title: object
    rows: tuple[tuple[str, object], ...]
    columns: tuple[tuple[str, object], ...]
    # (centre ids, quarter) → each record with the row and the column it is counted in.
    records: Callable[[frozenset[int], Quarter], Classified]
    # The "total" column and row; a record counted in a row only once even if in two columns.
    totals: bool = True

    @property
    def all_columns(self) -> tuple[tuple[str, object], ...]:
        return self.columns + (((TOTAL, _l("Total")),) if self.totals else ())

    @property
    def all_rows(self) -> tuple[tuple[str, object], ...]:
        return self.rows + (((TOTAL, _l("Total")),) if self.totals else ())

    def cells(self, classified: Classified) -> Cells:
        cells: Cells = defaultdict(set)
        for row, column, entry in classified:
            cells[row, column].add(entry)
            if self.totals:
                cells[row, TOTAL].add(entry)
                cells[TOTAL, column].add(entry)
                cells[TOTAL, TOTAL].add(entry)
        return cells

    def label_of(self, row: str, column: str) -> tuple[str, str]:
        return dict(self.all_rows)[row], dict(self.all_columns)[column]


# ---- What is counted ---------------------------------------------------------------------------

AGE_BANDS = (
    ("0_2", _l("0–2 years"), 0, 2),
    ("3_6", _l("3–6 years"), 3, 6),
    ("7_13", _l("7–13 years"), 7, 13),
    ("14_17", _l("14–17 years"), 14, 17),
    ("adults", _l("Adults (18 and over)"), 18, 200),
)
AGE_ROWS = tuple((key, label) for key, label, _low, _high in AGE_BANDS) + (
    (NOT_RECORDED, _l("Age not recorded")),
)
SEX_COLUMNS = tuple((sex.value, sex.label) for sex in Sex) + (
    (NOT_RECORDED, _l("Sex not recorded")),
)
KIND_COLUMNS = (
    (PersonKind.CHILD.value, _l("Children")),
    (PersonKind.ADULT.value, _l("Parents and other adults")),
)


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(birth: date | None, day: date) -> str:
    age = age_on(birth, day)
    if age is None:
        return NOT_RECORDED
    return next(key for key, _label, low, high in AGE_BANDS if low <= age <= high)


def _sex(value) -> str:
    return value.value if value else NOT_RECORDED


def _active_people(centre_ids: frozenset[int], quarter: Quarter):
    """Each person whose service was running on the quarter's last day, once, with their family."""
    day = quarter.end
    enrolled = (
        select(Enrolment.person_id)
        .where(
            Enrolment.centre_id.in_(centre_ids or {0}),
            Enrolment.status.in_(ACTIVE_ONCE),
            Enrolment.start_date <= day,
            or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= day),
        )
        .distinct()
    )
    return db.session.execute(
        select(Person.id, Person.kind, Person.sex, Person.birth_date, Family.residence)
        .join(Family, Family.id == Person.family_id)
        .where(Person.id.in_(enrolled))
    ).all()


def _by_age_and_sex(kind: PersonKind):
    def records(centre_ids: frozenset[int], quarter: Quarter) -> Classified:
        for person in _active_people(centre_ids, quarter):
            if person.kind is kind:
                yield (
                    age_band(person.birth_date, quarter.end),
                    _sex(person.sex),
                    Entry("person", person.id),
                )

    return records


def _by_residence(centre_ids: frozenset[int], quarter: Quarter) -> Classified:
    for person in _active_people(centre_ids, quarter):
        yield person.kind.value, person.residence.value, Entry("person", person.id)


def _admissions_and_exits(centre_ids: frozenset[int], quarter: Quarter) -> Classified:
    centres = Enrolment.centre_id.in_(centre_ids or {0})
    admitted = db.session.execute(
        select(Enrolment.id, Person.kind)
        .join(Person, Person.id == Enrolment.person_id)
        .where(
            centres,
            Enrolment.status.in_(ACTIVE_ONCE),
            Enrolment.start_date >= quarter.start,
            Enrolment.start_date <= quarter.end,
        )
    )
    for enrolment in admitted:
        yield "admitted", enrolment.kind.value, Entry("enrolment", enrolment.id)
    exited = db.session.execute(
        select(Enrolment.id, Enrolment.exit_cause, Person.kind)
        .join(Person, Person.id == Enrolment.person_id)
        .where(
            centres,
            Enrolment.status == EnrolmentStatus.EXITED,
            Enrolment.exit_date >= quarter.start,
            Enrolment.exit_date <= quarter.end,
        )
    )
    for enrolment in exited:
        reason = enrolment.exit_cause.value if enrolment.exit_cause else NOT_RECORDED
        yield f"exit_{reason}", enrolment.kind.value, Entry("enrolment", enrolment.id)


ABROAD_ROWS = {
    AbroadParent.MOTHER: "one_parent",
    AbroadParent.FATHER: "one_parent",
    AbroadParent.BOTH: "both_parents",
    AbroadParent.SINGLE_PARENT: "single_parent",
}


def _parents_abroad(centre_ids: frozenset[int], quarter: Quarter) -> Classified:
    """The children whose parent worked abroad on the quarter's last day; a child with both a
    father and a mother recorded abroad separately counts under both parents."""
    day = quarter.end
    rows: dict[int, set[str]] = defaultdict(set)
    sexes: dict[int, str] = {}
    for row in children_with_parents_abroad(centre_ids, day, day):
        rows[row.child.id].add(row.situation.who)
        sexes[row.child.id] = _sex(row.child.sex)
    for child_id, who in rows.items():
        if AbroadParent.BOTH in who or {AbroadParent.MOTHER, AbroadParent.FATHER} <= who:
            row = "both_parents"
        else:
            row = ABROAD_ROWS[min(who, key=lambda w: list(AbroadParent).index(w))]
        yield row, sexes[child_id], Entry("person", child_id)


TABLES: tuple[Table, ...] = (
    Table(
        "children",
        _l("Children served, by age band and sex"),
        AGE_ROWS,
        SEX_COLUMNS,
        _by_age_and_sex(PersonKind.CHILD),
    ),
    Table(
        "adults",
        _l("Parents and other adults served, by age band and sex"),
        AGE_ROWS,
        SEX_COLUMNS,
        _by_age_and_sex(PersonKind.ADULT),
    ),
    Table(
        "residence",
        _l("Beneficiaries served, by residence"),
        KIND_COLUMNS,
        (("urban", _l("Urban")), ("rural", _l("Rural"))),
        _by_residence,
    ),
    Table(
        "movements",
        _l("Admissions and exits during the quarter"),
        (("admitted", _l("Admissions")),)
        + tuple((f"exit_{reason.value}", reason.label) for reason in ExitReason)
        + ((f"exit_{NOT_RECORDED}", _l("Exit, reason not recorded")),),
        KIND_COLUMNS,
        _admissions_and_exits,
        totals=False,
    ),
    Table(
        "abroad",
        _l("Children whose parents work abroad"),
        (
            ("one_parent", _l("One parent abroad")),
            ("both_parents", _l("Both parents abroad")),
            ("single_parent", _l("The single parent abroad")),
        ),
        SEX_COLUMNS,
        _parents_abroad,
    ),
)
TABLES_BY_KEY = {table.key: table for table in TABLES}


# ---- The report, live or as submitted ----------------------------------------------------------


@dataclass
class Report:
    """The figures of a quarter for some centres: the records of each cell of each table."""

    quarter: Quarter
    centres: list[Centre]
    cells: dict[str, Cells] = field(default_factory=dict)
    submitted: QuarterlyReport | None = None

    def value(self, table: str, row: str, column: str) -> int:
        return len(self.cells[table].get((row, column), ()))

    def service_of(self, centre: Centre) -> tuple[str, object]:
        """The centre's nomenclature code and provider type, as submitted if it was."""
        if self.submitted is not None:
            return self.submitted.service_code, ProviderType(self.submitted.provider_type).label
        return centre.service_code, centre.provider_type.label

    def entries(self, table: str, row: str, column: str) -> set[Entry]:
        return self.cells[table].get((row, column), set())


def live_report(centres: list[Centre], quarter: Quarter) -> Report:
    ids = frozenset(c.id for c in centres)
    return Report(
        quarter,
        centres,
        {table.key: table.cells(table.records(ids, quarter)) for table in TABLES},
    )


def submitted_report(centre: Centre, quarter: Quarter) -> QuarterlyReport | None:
    return db.session.scalar(
        select(QuarterlyReport).where(
            QuarterlyReport.centre_id == centre.id,
            QuarterlyReport.year == quarter.year,
            QuarterlyReport.quarter == quarter.number,
        )
    )


def stored_report(report: QuarterlyReport) -> Report:
    cells: dict[str, Cells] = {table.key: defaultdict(set) for table in TABLES}
    for figure in report.figures:
        if figure.table in cells:
            cells[figure.table][figure.row, figure.col].add(Entry(figure.page, figure.ref))
    return Report(Quarter(report.year, report.quarter), [report.centre], cells, report)


def report_of(centres: list[Centre], quarter: Quarter) -> Report:
    """The submitted figures of a single centre that has submitted; the live ones otherwise."""
    if len(centres) == 1:
        submitted = submitted_report(centres[0], quarter)
        if submitted is not None:
            return stored_report(submitted)
    return live_report(centres, quarter)


def submit_report(centre: Centre, quarter: Quarter, *, actor) -> QuarterlyReport:
    """Keep the centre's figures of the quarter as they stand now, with the records of each."""
    refuse_future(quarter)
    refuse_unended(quarter)
    if submitted_report(centre, quarter) is not None:
        raise Refused(_l("This quarter's report of the centre has already been submitted."))
    report = QuarterlyReport(
        centre=centre,
        year=quarter.year,
        quarter=quarter.number,
        service_code=centre.service_code,
        provider_type=centre.provider_type.value,
        submitted_by_id=actor.id,
    )
    live = live_report([centre], quarter)
    report.figures = [
        QuarterlyFigure(table=table, row=row, col=column, page=entry.page, ref=entry.ref)
        for table, cells in live.cells.items()
        for (row, column), entries in sorted(cells.items())
        for entry in sorted(entries, key=lambda e: (e.page, e.ref))
    ]
    db.session.add(report)
    db.session.flush()
    # The figures themselves are counts and record ids: the entry says what was sent, not them.
    audit.record(
        audit.CREATE,
        report,
        actor=actor,
        centre_id=centre.id,
        changes={"quarter": [None, quarter.slug]},
    )
    return report


@dataclass(frozen=True)
class Difference:
    table: Table
    row: str
    column: str
    submitted: int
    today: int
    added: int
    removed: int


def differences(report: Report) -> list[Difference]:
    """The cells of a submitted report the records would give otherwise today."""
    if report.submitted is None:
        return []
    now = live_report(report.centres, report.quarter)
    found = []
    for table in TABLES:
        for row, _label in table.all_rows:
            for column, _label in table.all_columns:
                kept, current = (
                    report.entries(table.key, row, column),
                    now.entries(table.key, row, column),
                )
                if kept != current:
                    found.append(
                        Difference(
                            table,
                            row,
                            column,
                            len(kept),
                            len(current),
                            len(current - kept),
                            len(kept - current),
                        )
                    )
    return found


def named_records(entries: Iterable[Entry], user) -> list[Record]:
    """The records behind a figure by name, linked to their pages where the user may open them;
    a record deleted since the report was submitted is listed without a name."""
    entries = list(entries)
    people = {e.ref for e in entries if e.page == "person"}
    enrolments = {e.ref for e in entries if e.page == "enrolment"}
    names: dict[Entry, tuple[str, date | None]] = {}
    for person in db.session.scalars(select(Person).where(Person.id.in_(people or {0}))):
        names[Entry("person", person.id)] = (person.listed_name, None)
    for enrolment, person in db.session.execute(
        select(Enrolment, Person)
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.id.in_(enrolments or {0}))
    ):
        day = enrolment.exit_date or enrolment.start_date
        names[Entry("enrolment", enrolment.id)] = (person.listed_name, day)
    records = [
        Record(
            names.get(entry, (None, None))[1],
            names.get(entry, (str(_l("Record deleted since the report was submitted")), None))[0],
            Decimal(1),
            page=entry.page if entry in names else None,
            ref=entry.ref if entry in names else None,
        )
        for entry in entries
    ]
    records.sort(key=lambda record: (sort_key(record.item), record.ref or 0))
    return linked(records, user)

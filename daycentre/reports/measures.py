"""The measures the app computes from its records, keyed by name.

Each measure counts records of a set of centres in a period whose both ends are included;
instants are placed on their Europe/Bucharest day. Every measure is defined by the select of
the records behind it (columns ``day``, ``item``, ``amount``, ``key``; optionally ``page`` and
``ref``, the page a row opens, and the figures its list shows): the number is one aggregate query
over that select, and the same select lists the records, so the list always explains the number.
A measure whose records are of two kinds (volunteer hours) has one select per kind. The marks
and meals are read from the running totals the database keeps (``reports.figures``): a county's
year is thousands of rows of totals, not millions of marks.

A measure whose records the app does not keep yet is registered as pending; adding it later is
one ``measure(...)`` call with its select.

This is the one counting engine: the indicators page, the yearly reports and the count pages of
cases, workshops and volunteers (``figures(area, scope)``, the measures naming that area) all
read their numbers here, and each number links to the list of its records.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.auth.models import User
from daycentre.cases.models import (
    Case,
    CaseStage,
    ClosureReason,
    Evaluation,
    Reintegration,
    Review,
    case_children,
)
from daycentre.centres.models import Centre, Group
from daycentre.core.i18n import current_language
from daycentre.core.localtime import day_start, local_date
from daycentre.core.text import sort_key
from daycentre.counselling.models import CounsellingSession, SessionStatus
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.meals.models import FoodAllowance, MealType
from daycentre.outreach.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
    TrainingParticipant,
)
from daycentre.people.models import Family, Person
from daycentre.programme.models import Outing, OutingChild, OutingStatus
from daycentre.programme.services import results_compared, school_year_ends, school_years_ending
from daycentre.registers.models import Complaint, Incident
from daycentre.reports.models import AttendanceMonth, ChildrenFed, MealCount
from daycentre.surveys.models import SurveyAnswer, SurveyCampaign, SurveyResponse
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    SignupStatus,
    Volunteer,
    VolunteerContract,
    VolunteerHours,
)
from daycentre.workshops.models import (
    GroupMeeting,
    MeetingAttendance,
    RegistrationStatus,
    SupportGroup,
    Workshop,
    WorkshopAttendance,
    WorkshopRegistration,
    WorkshopSession,
)
from daycentre.workshops.services import completion_percent

COUNT, PERCENT, LEI, HOURS = "count", "percent", "lei", "hours"
PER_THOUSAND, SCORE = "per_thousand", "score"
GRADE = "grade"  # a school result: a general average, or a qualifier (Qualifier)


@dataclass(frozen=True)
class Scope:
    """Which records count: those of ``centre_ids`` between ``start`` and ``end`` (both
    included); ``directorate`` adds the outreach records kept by the directorate (no centre)."""

    centre_ids: frozenset[int]
    start: date
    end: date
    directorate: bool = False

    @property
    def first_instant(self) -> datetime:
        return day_start(self.start)

    @property
    def after_instant(self) -> datetime:
        return day_start(self.end + timedelta(days=1))

    @property
    def args(self) -> dict:
        """The scope as the query of the page that lists a measure's records."""
        args = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "centres": sorted(self.centre_ids),
        }
        if self.directorate:
            args["directorate"] = "y"
        return args

    def centres(self, column):
        ids = self.centre_ids or {0}
        if self.directorate:
            return or_(column.in_(ids), column.is_(None))
        return column.in_(ids)

    def days(self, column):
        return and_(column >= self.start, column <= self.end)

    def instants(self, column):
        return and_(column >= self.first_instant, column < self.after_instant)

    @property
    def whole_months(self) -> tuple[date, date]:
        """The first days of the first whole month in the period and of the month after the
        last whole one; the same day when the period holds no whole month."""
        first = self.start if self.start.day == 1 else _next_month(self.start)
        if first > self.end:  # within one month: the whole period is a cut, before ``after``
            after = self.end + timedelta(days=1)
            return after, after
        after = _next_month(self.end)
        if after != self.end + timedelta(days=1):  # the period ends inside its last month
            after = self.end.replace(day=1)
        return first, max(first, after)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Column:
    """A figure the list of records shows for each record: the select's column ``name``.

    ``footer`` says what the list's last row shows under it: the column's sum, the measure's
    number (a rate is not the sum of rates), or nothing."""

    name: str
    label: object
    unit: str = COUNT
    footer: str | None = "sum"  # sum | value | None
    # How the figure is read from a row when it is not the number in column ``name``.
    read: Callable | None = None


COUNTS_FOR = Column("amount", _l("Counts for"))
QUANTUM = {
    PERCENT: Decimal("0.1"),
    LEI: Decimal("0.01"),
    HOURS: Decimal("0.01"),
    PER_THOUSAND: Decimal("0.01"),
    SCORE: Decimal("0.01"),
}


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    unit: str = COUNT
    # count | sum | distinct over ``rows``; rate: sum(amount) / sum(base), times ``per`` (100: a
    # percentage; 1000: per thousand; 1: a mean score).
    total: str = "count"
    per: int = 100
    rows: Callable[[Scope], Select | tuple[Select, ...]] | None = None
    columns: tuple[Column, ...] = (COUNTS_FOR,)
    dated: bool = True
    parts: Callable[[Scope], list] | None = None
    group: str = "plan"  # plan | centre
    pending: bool = False
    # The area count pages that show it (cases, workshops, volunteers); a measure of an area
    # alone (``indicator=False``) is not repeated among the indicators page's other figures.
    areas: tuple[str, ...] = ()
    indicator: bool = True

    @property
    def lists_records(self) -> bool:
        return self.rows is not None

    def _selects(self, scope: Scope) -> tuple[Select, ...]:
        selects = self.rows(scope)
        return selects if isinstance(selects, tuple) else (selects,)

    def value(self, scope: Scope) -> Decimal | None:
        """The number for ``scope``; None for a pending measure. One query per select."""
        if self.pending:
            return None
        if self.total == "rate":
            (rows,) = self._selects(scope)
            records = rows.subquery()
            part, whole = db.session.execute(
                select(
                    func.coalesce(func.sum(records.c.amount), 0),
                    func.coalesce(func.sum(records.c.base), 0),
                ).select_from(records)
            ).one()
            return rate(part, whole, self.per, self.unit)
        selects = self._selects(scope)
        if len(selects) > 1 and self.total not in ("count", "sum"):
            raise ValueError(f"{self.key}: only counts and sums add up across selects")
        number = Decimal(0)
        for rows in selects:
            records = rows.subquery()
            if self.total == "count":
                aggregate = func.count()
            elif self.total == "sum":
                aggregate = func.coalesce(func.sum(records.c.amount), 0)
            else:
                aggregate = func.count(func.distinct(records.c.key))
            number += _decimal(db.session.scalar(select(aggregate).select_from(records)))
        return _quantized(number, self.unit)

    def records(self, scope: Scope) -> list["Record"]:
        """The records behind the number, with the figures of ``columns``; one query per select."""
        return [self._record(row) for row in self._sorted_rows(scope)]

    def listing(self, scope: Scope, page: int, size: int) -> "Listing":
        """One page of the records, with the number and the list's totals worked out from all of
        them: one query per select, whatever the number of records and centres."""
        rows = self._sorted_rows(scope)
        value = self._total(rows)
        shown = [self._record(row) for row in rows[(page - 1) * size : page * size]]
        return Listing(value, shown, self._footer(rows, value), len(rows), page, size)

    def _sorted_rows(self, scope: Scope) -> list:
        if self.rows is None:
            return []
        connection = db.session.connection()  # plain rows: no ORM bookkeeping per row
        rows = [
            row
            for select_ in self._selects(scope)
            for row in connection.execute(select(select_.subquery())).all()
        ]
        # By day, then by name in the reader's alphabet (Gál before Gyárfás in Hungarian);
        # names repeat (a centre's meals, a child's groups), so each is keyed once.
        keys: dict[str, bytes] = {}
        language = current_language()

        def order(row):
            day, item = _local_day(row.day), row.item
            if item not in keys:
                keys[item] = sort_key(item, language)
            return (day is None, day or date.min, keys[item])

        rows.sort(key=order)
        return rows

    def _record(self, row) -> "Record":
        units = {column.name: column.unit for column in self.columns}
        return Record(
            _local_day(row.day),
            row.item,
            _quantized(_decimal(row.amount), units.get("amount", COUNT)),
            tuple(
                column.read(row)
                if column.read
                else _quantized(_decimal(getattr(row, column.name)), column.unit)
                for column in self.columns
            ),
            getattr(row, "page", None),
            getattr(row, "ref", None),
        )

    def _total(self, rows: list) -> Decimal:
        """The number from the rows themselves, as ``value`` counts it in the database."""
        if self.total == "rate":
            return rate(
                sum(_decimal(r.amount) for r in rows),
                sum(_decimal(r.base) for r in rows),
                self.per,
                self.unit,
            )
        number = {
            "count": lambda: Decimal(len(rows)),
            "sum": lambda: sum((_decimal(r.amount) for r in rows), Decimal(0)),
            "distinct": lambda: Decimal(len({r.key for r in rows})),
        }[self.total]()
        return _quantized(number, self.unit)

    def _footer(self, rows: list, value: Decimal) -> list | None:
        """The last row of the list, one cell per column: what all the records add up to."""
        if self.total not in ("sum", "rate") or not rows:
            return None
        cells = []
        for column in self.columns:
            if column.footer == "sum":
                cells.append(
                    _quantized(
                        sum((_decimal(getattr(r, column.name)) for r in rows), Decimal(0)),
                        column.unit,
                    )
                )
            elif column.footer == "value":
                cells.append(value)
            else:
                cells.append(None)
        return cells


@dataclass(frozen=True)
class Listing:
    """One page of the records behind a number, and what all of them add up to."""

    value: Decimal
    records: list
    totals: list | None  # the footer's cells, or None
    count: int  # records in all the pages
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))


@dataclass(frozen=True)
class Record:
    day: date | None
    item: str
    amount: Decimal
    figures: tuple = ()  # the values of the measure's ``columns``
    page: str | None = None  # which page the record opens (reports.links.PAGES), with ``ref``
    ref: int | None = None
    href: str | None = None  # set for a user who may open that page


def rate(part, whole, per: int = 100, unit: str = PERCENT) -> Decimal:
    """``part`` per ``per`` of ``whole`` (a percentage by default), rounded as ``unit`` is; 0
    when there is no whole."""
    if not whole:
        return Decimal(0)
    return (_decimal(part) * per / _decimal(whole)).quantize(QUANTUM[unit])


def _decimal(value) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):  # SQLite's arithmetic on NUMERIC columns
        return Decimal(str(value))
    return Decimal(value)


def _quantized(value: Decimal, unit: str) -> Decimal:
    return value.quantize(QUANTUM[unit]) if unit in QUANTUM else value


def _local_day(value) -> date | None:
    if isinstance(value, datetime):
        return local_date(value)
    return value


def _opens(page, ref) -> tuple:
    """The columns naming the page a record opens (a key of ``reports.links.PAGES``, or an
    expression choosing one per row) and the id it is opened with."""
    page = literal(page) if isinstance(page, str) else page
    return page.label("page"), ref.label("ref")


MEASURES: dict[str, Measure] = {}


def measure(key: str, label, **options) -> Measure:
    MEASURES[key] = Measure(key=key, label=label, **options)
    return MEASURES[key]


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in MEASURES.values()]


def available() -> list[Measure]:
    return [m for m in MEASURES.values() if not m.pending]


def pending() -> list[Measure]:
    return [m for m in MEASURES.values() if m.pending]


def indicators() -> list[Measure]:
    """The measures the indicators page shows."""
    return [m for m in available() if m.indicator]


@dataclass(frozen=True)
class Figure:
    """A measure's number over a scope, as an area's count page shows it."""

    measure: Measure
    value: Decimal | None
    parts: list | None = None

    @property
    def key(self) -> str:
        return self.measure.key


def figures(area: str, scope: Scope) -> dict[str, Figure]:
    """The numbers of the measures ``area``'s count page shows, by key, in the registry's
    order: one query per select (and one for a measure's parts), whatever the centres."""
    return {
        m.key: Figure(m, m.value(scope), m.parts(scope) if m.parts else None)
        for m in MEASURES.values()
        if area in m.areas
    }


def _name(person=Person):
    return person.family_name + " " + person.given_name


def _reference():
    return cast(Case.number, String) + "/" + cast(Case.year, String)


# ---- Children, families and cases ---------------------------------------------------------


def _children_identified(scope: Scope) -> Select:
    return (
        select(
            Case.received_on.label("day"),
            _name().label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .join(case_children, case_children.c.case_id == Case.id)
        .join(Person, Person.id == case_children.c.person_id)
        .where(scope.centres(Case.centre_id), scope.days(Case.received_on))
    )


def _children_observatory(scope: Scope) -> Select:
    return (
        select(
            Case.observatory_on.label("day"),
            _name().label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .join(case_children, case_children.c.case_id == Case.id)
        .join(Person, Person.id == case_children.c.person_id)
        .where(
            scope.centres(Case.centre_id),
            Case.observatory_registered.is_(True),
            scope.days(Case.observatory_on),
        )
    )


def _families_registered(scope: Scope) -> Select:
    return (
        select(
            Case.observatory_on.label("day"),
            Family.name.label("item"),
            literal(1).label("amount"),
            Family.id.label("key"),
            *_opens("family", Family.id),
        )
        .join(Family, Family.id == Case.family_id)
        .where(
            scope.centres(Case.centre_id),
            Case.observatory_registered.is_(True),
            scope.days(Case.observatory_on),
        )
    )


def _plans_monitored(scope: Scope) -> Select:
    return (
        select(
            Review.reviewed_on.label("day"),
            _reference().label("item"),
            literal(1).label("amount"),
            Review.plan_id.label("key"),
            *_opens("case", Case.id),
        )
        .join(Case, Case.id == Review.case_id)
        .where(scope.centres(Case.centre_id), scope.days(Review.reviewed_on))
    )


def _evaluations(scope: Scope) -> Select:
    return (
        select(
            Evaluation.completed_on.label("day"),
            _reference().label("item"),
            literal(1).label("amount"),
            Evaluation.id.label("key"),
            *_opens("case", Case.id),
        )
        .join(Case, Case.id == Evaluation.case_id)
        .where(scope.centres(Case.centre_id), scope.days(Evaluation.completed_on))
    )


def _case_rows(day, *where, scope: Scope) -> Select:
    """Cases of the scope's centres, one row each, dated by ``day``."""
    return select(
        day.label("day"),
        _reference().label("item"),
        literal(1).label("amount"),
        Case.id.label("key"),
        *_opens("case", Case.id),
    ).where(scope.centres(Case.centre_id), *where)


def _cases_received(scope: Scope) -> Select:
    return _case_rows(Case.received_on, scope.days(Case.received_on), scope=scope)


def _cases_referred(scope: Scope) -> Select:
    """Requests the primary evaluation referred to another institution in the period."""
    return _case_rows(
        Case.primary_on,
        Case.stage == CaseStage.REFERRED,
        scope.days(Case.primary_on),
        scope=scope,
    )


def _cases_opened(scope: Scope) -> Select:
    """Cases the primary evaluation found the centre competent for in the period."""
    return _case_rows(
        Case.primary_on, Case.competent.is_(True), scope.days(Case.primary_on), scope=scope
    )


def _cases_active(scope: Scope) -> Select:
    """Cases opened by the end of the period and not closed before it began."""
    return _case_rows(
        Case.primary_on,
        Case.competent.is_(True),
        Case.primary_on <= scope.end,
        or_(Case.stage != CaseStage.CLOSED, Case.closed_on >= scope.start),
        scope=scope,
    )


def _closed(scope: Scope) -> tuple:
    return (Case.stage == CaseStage.CLOSED, scope.days(Case.closed_on))


def _cases_closed(scope: Scope) -> Select:
    return _case_rows(Case.closed_on, *_closed(scope), scope=scope)


def _closed_by_reason(scope: Scope) -> list[tuple[object, int]]:
    """(reason, cases closed for it), every reason in its order, none left out."""
    counted = dict(
        db.session.execute(
            select(Case.closure_reason, func.count())
            .where(scope.centres(Case.centre_id), *_closed(scope))
            .group_by(Case.closure_reason)
        ).all()
    )
    return [(reason.label, counted.get(reason, 0)) for reason in ClosureReason]


def _children_stayed(scope: Scope) -> Select:
    """The children of the cases closed in the period whose children stayed in their family."""
    return (
        select(
            Case.closed_on.label("day"),
            (_name() + " – " + _reference()).label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .join(case_children, case_children.c.case_id == Case.id)
        .join(Person, Person.id == case_children.c.person_id)
        .where(scope.centres(Case.centre_id), *_closed(scope), Case.stays_in_family.is_(True))
    )


def _returned_children(day, *where, scope: Scope) -> Select:
    """The children of the cases of a return home from care, one row each, dated by ``day``."""
    return (
        select(
            day.label("day"),
            (_name() + " – " + _reference()).label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("case", Case.id),
        )
        .select_from(Reintegration)
        .join(Case, Case.id == Reintegration.case_id)
        .join(case_children, case_children.c.case_id == Case.id)
        .join(Person, Person.id == case_children.c.person_id)
        .where(scope.centres(Case.centre_id), *where)
    )


def _children_returned_home(scope: Scope) -> Select:
    """Children who returned home from a protection measure in the period."""
    return _returned_children(
        Reintegration.returned_on, scope.days(Reintegration.returned_on), scope=scope
    )


def _children_home_six_months(scope: Scope) -> Select:
    """Children whose six months after the return fell in the period and who were recorded
    as still at home then (a new measure before it records them as not at home)."""
    return _returned_children(
        Reintegration.six_months_on,
        Reintegration.at_home_6_months.is_(True),
        scope.days(Reintegration.six_months_on),
        scope=scope,
    )


def _reviews(scope: Scope, *where) -> Select:
    return (
        select(
            Review.reviewed_on.label("day"),
            _reference().label("item"),
            literal(1).label("amount"),
            Review.id.label("key"),
            *_opens("case", Case.id),
        )
        .join(Case, Case.id == Review.case_id)
        .where(scope.centres(Case.centre_id), scope.days(Review.reviewed_on), *where)
    )


def _reviews_on_time(scope: Scope) -> Select:
    return _reviews(scope, Review.reviewed_on <= Review.due_on)


# ---- Workshops and support groups ----------------------------------------------------------------


def _workshops_held(scope: Scope) -> Select:
    """Workshops with at least one session in the period, dated by their first one in it."""
    first = (
        select(WorkshopSession.workshop_id, func.min(WorkshopSession.starts_at).label("first"))
        .where(scope.instants(WorkshopSession.starts_at))
        .group_by(WorkshopSession.workshop_id)
        .subquery()
    )
    return (
        select(
            first.c.first.label("day"),
            Workshop.title.label("item"),
            literal(1).label("amount"),
            Workshop.id.label("key"),
            *_opens("workshop", Workshop.id),
        )
        .join(first, first.c.workshop_id == Workshop.id)
        .where(scope.centres(Workshop.centre_id))
    )


def _workshop_sessions(scope: Scope) -> Select:
    return (
        select(
            WorkshopSession.starts_at.label("day"),
            Workshop.title.label("item"),
            literal(1).label("amount"),
            WorkshopSession.id.label("key"),
            *_opens("workshop", Workshop.id),
        )
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .where(scope.centres(Workshop.centre_id), scope.instants(WorkshopSession.starts_at))
    )


def _workshop_participants(scope: Scope) -> Select:
    """Each presence at a session of the period; a person present several times counts once."""
    return (
        select(
            WorkshopSession.starts_at.label("day"),
            (_name() + " – " + Workshop.title).label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .select_from(WorkshopAttendance)
        .join(WorkshopSession, WorkshopSession.id == WorkshopAttendance.session_id)
        .join(Workshop, Workshop.id == WorkshopSession.workshop_id)
        .join(Person, Person.id == WorkshopAttendance.person_id)
        .where(
            scope.centres(Workshop.centre_id),
            scope.instants(WorkshopSession.starts_at),
            WorkshopAttendance.present.is_(True),
        )
    )


def _workshop_completions(scope: Scope) -> Select:
    """Participants (still registered) who attended the required share of a programme whose
    last session falls in the period, one row each, in one query: the rule of
    ``workshops.services.completed``, which the workshop's page shows."""
    sessions = (
        select(
            WorkshopSession.workshop_id,
            func.count(WorkshopSession.id).label("total"),
            func.max(WorkshopSession.starts_at).label("last"),
        )
        .group_by(WorkshopSession.workshop_id)
        .subquery()
    )
    attended = (
        select(
            WorkshopSession.workshop_id,
            WorkshopAttendance.person_id,
            func.count(WorkshopAttendance.id).label("present"),
        )
        .join(WorkshopAttendance, WorkshopAttendance.session_id == WorkshopSession.id)
        .where(WorkshopAttendance.present.is_(True))
        .group_by(WorkshopSession.workshop_id, WorkshopAttendance.person_id)
        .subquery()
    )
    return (
        select(
            sessions.c.last.label("day"),
            (_name() + " – " + Workshop.title).label("item"),
            literal(1).label("amount"),
            WorkshopRegistration.id.label("key"),
            *_opens("workshop", Workshop.id),
        )
        .select_from(Workshop)
        .join(sessions, sessions.c.workshop_id == Workshop.id)
        .join(attended, attended.c.workshop_id == Workshop.id)
        .join(
            WorkshopRegistration,
            and_(
                WorkshopRegistration.workshop_id == Workshop.id,
                WorkshopRegistration.person_id == attended.c.person_id,
            ),
        )
        .join(Person, Person.id == attended.c.person_id)
        .where(
            scope.centres(Workshop.centre_id),
            scope.instants(sessions.c.last),
            WorkshopRegistration.status == RegistrationStatus.REGISTERED,
            attended.c.present * 100 >= sessions.c.total * completion_percent(),
        )
    )


def _group_meetings(scope: Scope) -> Select:
    return (
        select(
            GroupMeeting.starts_at.label("day"),
            SupportGroup.topic.label("item"),
            literal(1).label("amount"),
            GroupMeeting.id.label("key"),
            *_opens("support_group", SupportGroup.id),
        )
        .join(SupportGroup, SupportGroup.id == GroupMeeting.group_id)
        .where(scope.centres(SupportGroup.centre_id), scope.instants(GroupMeeting.starts_at))
    )


def _group_members(scope: Scope) -> Select:
    """Each presence at a meeting of the period; a member present several times counts once."""
    return (
        select(
            GroupMeeting.starts_at.label("day"),
            (_name() + " – " + SupportGroup.topic).label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .select_from(MeetingAttendance)
        .join(GroupMeeting, GroupMeeting.id == MeetingAttendance.meeting_id)
        .join(SupportGroup, SupportGroup.id == GroupMeeting.group_id)
        .join(Person, Person.id == MeetingAttendance.person_id)
        .where(
            scope.centres(SupportGroup.centre_id),
            scope.instants(GroupMeeting.starts_at),
            MeetingAttendance.present.is_(True),
        )
    )


# ---- Counselling ----------------------------------------------------------------------------


def _sessions_held(scope: Scope) -> Select:
    return (
        select(
            CounsellingSession.starts_at.label("day"),
            _name(User).label("item"),
            literal(1).label("amount"),
            CounsellingSession.id.label("key"),
            *_opens("session", CounsellingSession.id),
        )
        .join(User, User.id == CounsellingSession.counsellor_id)
        .where(
            scope.centres(CounsellingSession.centre_id),
            CounsellingSession.status == SessionStatus.HELD,
            scope.instants(CounsellingSession.starts_at),
        )
    )


def _persons_counselled(scope: Scope) -> Select:
    """A person counselled alone counts once; a family counselled together counts once."""
    return (
        select(
            CounsellingSession.starts_at.label("day"),
            func.coalesce(_name(), Family.name).label("item"),
            literal(1).label("amount"),
            case(
                (CounsellingSession.person_id.is_not(None), CounsellingSession.person_id * 2),
                else_=CounsellingSession.family_id * 2 + 1,
            ).label("key"),
            *_opens(
                case((CounsellingSession.person_id.is_not(None), "person"), else_="family"),
                func.coalesce(CounsellingSession.person_id, CounsellingSession.family_id),
            ),
        )
        .outerjoin(Person, Person.id == CounsellingSession.person_id)
        .outerjoin(Family, Family.id == CounsellingSession.family_id)
        .where(
            scope.centres(CounsellingSession.centre_id),
            CounsellingSession.status == SessionStatus.HELD,
            scope.instants(CounsellingSession.starts_at),
        )
    )


# ---- Outreach -------------------------------------------------------------------------------


def _persons_trained(scope: Scope) -> tuple[Select, Select]:
    """Each person named on the period's trainings once, dated by their first training; and the
    trainings that name nobody (recorded before participants were kept) with the number typed
    on them, listed as not named."""
    trained = and_(scope.centres(Training.centre_id), scope.days(Training.held_on))
    staff, volunteer = aliased(User), aliased(Volunteer)
    name = func.coalesce(
        staff.family_name + " " + staff.given_name,
        volunteer.family_name + " " + volunteer.given_name,
        TrainingParticipant.name + " (" + TrainingParticipant.organisation + ")",
    )
    named = (
        select(
            func.min(Training.held_on).label("day"),
            func.min(name).label("item"),
            literal(1).label("amount"),
            TrainingParticipant.person_key.label("key"),
            *_opens("training", func.min(Training.id)),
        )
        .join(Training, Training.id == TrainingParticipant.training_id)
        .outerjoin(staff, staff.id == TrainingParticipant.user_id)
        .outerjoin(volunteer, volunteer.id == TrainingParticipant.volunteer_id)
        .where(trained)
        .group_by(TrainingParticipant.person_key)
    )
    not_named = select(
        Training.held_on.label("day"),
        (Training.topic + " · " + literal(str(_l("not named")))).label("item"),
        Training.persons_trained.label("amount"),
        cast(Training.id, String).label("key"),
        *_opens("training", Training.id),
    ).where(trained, ~Training.participants.any())
    return named, not_named


def _campaigns(scope: Scope) -> Select:
    """Campaigns that ran at some time in the period."""
    return select(
        Campaign.starts_on.label("day"),
        Campaign.title.label("item"),
        literal(1).label("amount"),
        Campaign.id.label("key"),
        *_opens("campaign", Campaign.id),
    ).where(
        scope.centres(Campaign.centre_id),
        Campaign.starts_on <= scope.end,
        Campaign.ends_on >= scope.start,
    )


def _materials(scope: Scope) -> Select:
    return select(
        InformationMaterial.produced_on.label("day"),
        InformationMaterial.title.label("item"),
        literal(1).label("amount"),
        InformationMaterial.id.label("key"),
        *_opens("material", InformationMaterial.id),
    ).where(
        scope.centres(InformationMaterial.centre_id), scope.days(InformationMaterial.produced_on)
    )


def _agreements(kind: AgreementKind, amount) -> Callable[[Scope], Select]:
    def rows(scope: Scope) -> Select:
        return select(
            Agreement.signed_on.label("day"),
            Agreement.subject.label("item"),
            amount.label("amount"),
            Agreement.id.label("key"),
            *_opens("agreement", Agreement.id),
        ).where(
            scope.centres(Agreement.centre_id),
            Agreement.kind == kind,
            Agreement.status != AgreementStatus.NEGOTIATING,
            scope.days(Agreement.signed_on),
        )

    return rows


def _resources(scope: Scope) -> Select:
    """The directory as it stands: entries still in use (the directory has no dates)."""
    return select(
        literal(None, db.Date).label("day"),
        (CommunityResource.organisation + " – " + CommunityResource.service).label("item"),
        literal(1).label("amount"),
        CommunityResource.id.label("key"),
        *_opens("resource", CommunityResource.id),
    ).where(scope.centres(CommunityResource.centre_id), CommunityResource.active.is_(True))


# ---- Volunteers -----------------------------------------------------------------------------


def _volunteer_contracts(scope: Scope) -> Select:
    return (
        select(
            VolunteerContract.signed_on.label("day"),
            _name(Volunteer).label("item"),
            literal(1).label("amount"),
            VolunteerContract.id.label("key"),
            *_opens("contract", VolunteerContract.id),
        )
        .join(Volunteer, Volunteer.id == VolunteerContract.volunteer_id)
        .where(
            scope.centres(VolunteerContract.centre_id),
            VolunteerContract.status != ContractStatus.DRAFT,
            scope.days(VolunteerContract.signed_on),
        )
    )


def _contracts_in_force(scope: Scope) -> Select:
    """Signed contracts in force on at least one day of the period."""
    return (
        select(
            VolunteerContract.starts_on.label("day"),
            _name(Volunteer).label("item"),
            literal(1).label("amount"),
            VolunteerContract.id.label("key"),
            *_opens("contract", VolunteerContract.id),
        )
        .join(Volunteer, Volunteer.id == VolunteerContract.volunteer_id)
        .where(
            scope.centres(VolunteerContract.centre_id),
            VolunteerContract.status.in_(
                (ContractStatus.ACTIVE, ContractStatus.ENDED, ContractStatus.TERMINATED)
            ),
            VolunteerContract.starts_on <= scope.end,
            func.coalesce(VolunteerContract.closed_on, VolunteerContract.ends_on) >= scope.start,
        )
    )


def _volunteer_work(scope: Scope, *, by_volunteer: bool) -> tuple[Select, Select]:
    """Hours of attended activities (by their start) and approved hours reported by day; keyed
    by the record, or ``by_volunteer`` by the volunteer who did them."""
    attended = (
        select(
            Activity.starts_at.label("day"),
            (_name(Volunteer) + " – " + Activity.title).label("item"),
            func.coalesce(ActivitySignup.hours, 0).label("amount"),
            (Volunteer.id if by_volunteer else ActivitySignup.id).label("key"),
            *_opens("activity", Activity.id),
        )
        .join(Activity, Activity.id == ActivitySignup.activity_id)
        .join(Volunteer, Volunteer.id == ActivitySignup.volunteer_id)
        .where(
            scope.centres(Activity.centre_id),
            ActivitySignup.status == SignupStatus.ATTENDED,
            scope.instants(Activity.starts_at),
        )
    )
    approved = (
        select(
            VolunteerHours.day.label("day"),
            (_name(Volunteer) + " – " + VolunteerHours.description).label("item"),
            VolunteerHours.hours.label("amount"),
            (Volunteer.id if by_volunteer else VolunteerHours.id).label("key"),
            *_opens("volunteer", Volunteer.id),
        )
        .join(Volunteer, Volunteer.id == VolunteerHours.volunteer_id)
        .where(
            scope.centres(VolunteerHours.centre_id),
            VolunteerHours.status == HoursStatus.APPROVED,
            scope.days(VolunteerHours.day),
        )
    )
    return attended, approved


def _volunteer_hours(scope: Scope) -> tuple[Select, Select]:
    return _volunteer_work(scope, by_volunteer=False)


def _active_volunteers(scope: Scope):
    """Volunteers with hours in the period: one select of both kinds, so each counts once."""
    return union_all(*_volunteer_work(scope, by_volunteer=True))


# ---- Day centres ----------------------------------------------------------------------------


def _day_centres(scope: Scope) -> Select:
    return select(
        literal(None, db.Date).label("day"),
        Centre.name.label("item"),
        literal(1).label("amount"),
        Centre.id.label("key"),
        *_opens("centre", Centre.id),
    ).where(Centre.id.in_(scope.centre_ids or {0}), Centre.active.is_(True))


def _active_beneficiaries(scope: Scope) -> Select:
    """Beneficiaries whose service ran on at least one day of the period."""
    return (
        select(
            Enrolment.start_date.label("day"),
            _name().label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("enrolment", Enrolment.id),
        )
        .join(Person, Person.id == Enrolment.person_id)
        .where(
            Enrolment.centre_id.in_(scope.centre_ids or {0}),
            Enrolment.status.in_(
                (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED, EnrolmentStatus.EXITED)
            ),
            Enrolment.start_date <= scope.end,
            or_(Enrolment.exit_date.is_(None), Enrolment.exit_date >= scope.start),
        )
    )


# A numeric hundred: a float literal makes PostgreSQL's round(double precision, int), which
# does not exist, and an integer one makes SQLite divide integers.
HUNDRED = literal(Decimal(100), Numeric(6, 2))


def _marks(scope: Scope):
    """Each child's marks and present marks per group: the months the period holds whole from
    the monthly totals, the days it cuts from a month from the marks themselves."""
    centres = scope.centre_ids or {0}
    first, after = scope.whole_months
    whole = select(
        AttendanceMonth.person_id,
        AttendanceMonth.group_id,
        AttendanceMonth.marks,
        AttendanceMonth.present,
    ).where(
        AttendanceMonth.centre_id.in_(centres),
        AttendanceMonth.month >= first,
        AttendanceMonth.month < after,
    )

    def days(since, until):
        return select(
            Attendance.person_id,
            Attendance.group_id,
            literal(1).label("marks"),
            case((Attendance.status == AttendanceStatus.PRESENT, 1), else_=0).label("present"),
        ).where(Attendance.centre_id.in_(centres), Attendance.day >= since, Attendance.day < until)

    # Two plain ranges, so that the index on (centre, day) reads only the cut days.
    return union_all(
        whole, days(scope.start, first), days(after, scope.end + timedelta(days=1))
    ).subquery()


def _attendance_rate(scope: Scope) -> Select:
    """Each child's marks in each group: days marked (``base``), days present (``amount``) and
    the child's rate; the measure is all present marks as a percentage of all marks taken."""
    marks = _marks(scope)
    # Added up per child and group before the names are joined: a few thousand rows, not all.
    per_child = (
        select(
            marks.c.person_id,
            marks.c.group_id,
            func.sum(marks.c.present).label("present"),
            func.sum(marks.c.marks).label("marks"),
        )
        .group_by(marks.c.person_id, marks.c.group_id)
        .subquery()
    )
    return (
        select(
            literal(None, db.Date).label("day"),
            (_name() + " – " + Group.name).label("item"),
            per_child.c.present.label("amount"),
            per_child.c.marks.label("base"),
            func.round(per_child.c.present * HUNDRED / per_child.c.marks, 1).label("rate"),
            Person.id.label("key"),
            *_opens("person", Person.id),
        )
        .select_from(per_child)
        .join(Person, Person.id == per_child.c.person_id)
        .join(Group, Group.id == per_child.c.group_id)
    )


def _meals(scope: Scope) -> Select:
    """The meals of each type served at each centre each day (kept counted by the database)."""
    return (
        select(
            MealCount.day.label("day"),
            (Centre.name + " – " + MealType.name).label("item"),
            MealCount.meals.label("amount"),
            MealType.name.label("meal"),
            *_opens("meals", MealCount.centre_id),
        )
        .join(MealType, MealType.id == MealCount.meal_type_id)
        .join(Centre, Centre.id == MealCount.centre_id)
        .where(MealCount.centre_id.in_(scope.centre_ids or {0}), scope.days(MealCount.day))
    )


def _meals_by_type(scope: Scope) -> list[tuple[str, int]]:
    """(meal type, meals served), types of the same name added up across centres."""
    records = _meals(scope).subquery()
    return [
        (name, int(count))
        for name, count in db.session.execute(
            select(records.c.meal, func.sum(records.c.amount))
            .group_by(records.c.meal)
            .order_by(records.c.meal)
        )
    ]


def _meal_cost(scope: Scope) -> Select:
    """Each day at each centre: the children fed times the food allowance in force that day."""
    fed = (
        select(ChildrenFed.day, ChildrenFed.centre_id, ChildrenFed.children)
        .where(ChildrenFed.centre_id.in_(scope.centre_ids or {0}), scope.days(ChildrenFed.day))
        .subquery()
    )
    allowance = func.coalesce(
        select(FoodAllowance.amount)
        .where(FoodAllowance.valid_from <= fed.c.day)
        .order_by(FoodAllowance.valid_from.desc())
        .limit(1)
        .scalar_subquery(),
        0,
    )
    return select(
        fed.c.day.label("day"),
        Centre.name.label("item"),
        (fed.c.children * allowance).label("amount"),
        fed.c.children.label("children"),
        allowance.label("allowance"),
        Centre.id.label("key"),
        *_opens("meals", Centre.id),
    ).join(Centre, Centre.id == fed.c.centre_id)


def _complaints(scope: Scope, *where) -> Select:
    """The complaints entered in the register in the period, by their number."""
    return (
        select(
            Complaint.received_on.label("day"),
            (
                cast(Complaint.number, String)
                + "/"
                + cast(Complaint.year, String)
                + " – "
                + Centre.name
            ).label("item"),
            literal(1).label("amount"),
            Complaint.id.label("key"),
            *_opens("complaint", Complaint.id),
        )
        .join(Centre, Centre.id == Complaint.centre_id)
        .where(scope.centres(Complaint.centre_id), scope.days(Complaint.received_on), *where)
    )


def _complaints_received(scope: Scope) -> Select:
    return _complaints(scope)


def _complaints_answered_on_time(scope: Scope) -> Select:
    return _complaints(scope, Complaint.answered_on <= Complaint.due_on)


def _incidents(scope: Scope) -> Select:
    return (
        select(
            Incident.occurred_at.label("day"),
            Centre.name.label("item"),
            literal(1).label("amount"),
            literal(0).label("base"),
            Incident.id.label("key"),
            *_opens("incident", Incident.id),
        )
        .join(Centre, Centre.id == Incident.centre_id)
        .where(scope.centres(Incident.centre_id), scope.instants(Incident.occurred_at))
    )


def _incident_rate(scope: Scope):
    """Each incident (counts 1) and each centre's child-days (the days children were present):
    incidents per 1,000 child-days is the first added up over the second, times 1,000."""
    marks = _marks(scope)
    child_days = (
        select(Group.centre_id, func.sum(marks.c.present).label("present"))
        .select_from(marks)
        .join(Group, Group.id == marks.c.group_id)
        .group_by(Group.centre_id)
        .subquery()
    )
    centres = select(
        literal(None, Incident.occurred_at.type).label("day"),
        Centre.name.label("item"),
        literal(0).label("amount"),
        child_days.c.present.label("base"),
        (-Centre.id).label("key"),
        *_opens("centre", Centre.id),
    ).join(Centre, Centre.id == child_days.c.centre_id)
    return union_all(_incidents(scope), centres)


def _survey_answers(scope: Scope) -> Select:
    """Each questionnaire answered in the surveys that ended in the period: the sum of its 1–5
    answers (``amount``) over their number (``base``); the measure is the mean of all of them."""
    return (
        select(
            SurveyCampaign.ends_on.label("day"),
            SurveyCampaign.title.label("item"),
            func.sum(SurveyAnswer.scale).label("amount"),
            func.count(SurveyAnswer.scale).label("base"),
            func.round(
                func.sum(SurveyAnswer.scale)
                * literal(Decimal(1), Numeric(6, 2))
                / func.count(SurveyAnswer.scale),
                2,
            ).label("score"),
            SurveyResponse.id.label("key"),
            *_opens("survey", SurveyCampaign.id),
        )
        .join(SurveyResponse, SurveyResponse.campaign_id == SurveyCampaign.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(
            scope.centres(SurveyCampaign.centre_id),
            scope.days(SurveyCampaign.ends_on),
            SurveyAnswer.scale.is_not(None),
        )
        .group_by(
            SurveyCampaign.id, SurveyCampaign.ends_on, SurveyCampaign.title, SurveyResponse.id
        )
    )


# ---- The children's programme: outings and the school -----------------------------------------

_HELD = (OutingStatus.DEPARTED, OutingStatus.RETURNED)  # the headcount at departure was taken


def _outings_held(scope: Scope) -> Select:
    """The outings that left in the period (by the day they were set for), with the number of
    children counted at departure."""
    went = (
        select(OutingChild.outing_id, func.count().label("children"))
        .where(OutingChild.left.is_(True))
        .group_by(OutingChild.outing_id)
        .subquery()
    )
    return (
        select(
            Outing.starts_at.label("day"),
            (Outing.title + " – " + Outing.destination).label("item"),
            literal(1).label("amount"),
            func.coalesce(went.c.children, 0).label("children"),
            Outing.id.label("key"),
            *_opens("outing", Outing.id),
        )
        .outerjoin(went, went.c.outing_id == Outing.id)
        .where(
            scope.centres(Outing.centre_id),
            scope.instants(Outing.starts_at),
            Outing.status.in_(_HELD),
        )
    )


def _children_on_outings(scope: Scope) -> Select:
    """Each child counted at the departure of an outing of the period, with the outing."""
    return (
        select(
            Outing.starts_at.label("day"),
            (_name() + " – " + Outing.title).label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("outing", Outing.id),
        )
        .join(OutingChild, OutingChild.outing_id == Outing.id)
        .join(Person, Person.id == OutingChild.person_id)
        .where(
            scope.centres(Outing.centre_id),
            scope.instants(Outing.starts_at),
            Outing.status.in_(_HELD),
            OutingChild.left.is_(True),
        )
    )


def _school_results_improved(scope: Scope) -> Select:
    """The children of the centres (by their family) whose results improved over a school year
    ending in the period (on 31 August), by the programme's rule, with their two results."""
    years = school_years_ending(scope.start, scope.end)
    compared = results_compared(years).subquery()
    ends = {year: school_year_ends(year) for year in years}
    day = case(ends, value=compared.c.school_year) if ends else literal(None, Date())
    return (
        select(
            day.label("day"),
            _name().label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
            *_opens("school", Person.id),
            compared.c.first_average,
            compared.c.first_qualifier,
            compared.c.last_average,
            compared.c.last_qualifier,
        )
        .join(Person, Person.id == compared.c.person_id)
        .join(Family, Family.id == Person.family_id)
        .where(scope.centres(Family.centre_id), compared.c.improved.is_(True))
    )


def _grade(moment: str) -> Callable:
    """The first or the last term's result of a row of ``_school_results_improved``."""

    def read(row):
        average = getattr(row, f"{moment}_average")
        return _decimal(average) if average is not None else getattr(row, f"{moment}_qualifier")

    return read


# ---- The registry, in the order of the plan ---------------------------------------------------

measure(
    "children_identified", _l("Children identified"), total="distinct", rows=_children_identified
)
measure(
    "children_observatory",
    _l("Children registered in the observatory"),
    total="distinct",
    rows=_children_observatory,
)
measure(
    "families_registered", _l("Families registered"), total="distinct", rows=_families_registered
)
measure("counselling_sessions", _l("Counselling sessions held"), rows=_sessions_held)
measure("persons_counselled", _l("Persons counselled"), total="distinct", rows=_persons_counselled)
measure("persons_trained", _l("Persons trained"), total="sum", rows=_persons_trained)
measure("campaigns", _l("Information campaigns"), rows=_campaigns)
measure("materials", _l("Information materials"), rows=_materials)
measure(
    "parenting_workshops",
    _l("Parenting workshops"),
    rows=_workshops_held,
    areas=("workshops",),
)
measure(
    "partnerships",
    _l("Partnerships concluded"),
    rows=_agreements(AgreementKind.PARTNERSHIP, literal(1)),
)
measure("protocols", _l("Protocols signed"), rows=_agreements(AgreementKind.PROTOCOL, literal(1)))
measure(
    "institutions_involved",
    _l("Institutions involved in protocols"),
    total="sum",
    rows=_agreements(AgreementKind.PROTOCOL, Agreement.institutions_involved),
)
measure("resource_entries", _l("Resource directory entries"), rows=_resources, dated=False)
measure(
    "volunteer_contracts",
    _l("Volunteer contracts concluded"),
    rows=_volunteer_contracts,
    areas=("volunteers",),
)
measure("plans_monitored", _l("Service plans monitored"), total="distinct", rows=_plans_monitored)
measure("evaluations", _l("Evaluations done"), rows=_evaluations, areas=("cases",))
measure(
    "children_returned_home",
    _l("Children returned home from care"),
    total="distinct",
    rows=_children_returned_home,
    areas=("cases",),
)
measure(
    "children_home_six_months",
    _l("Children still at home six months after their return"),
    total="distinct",
    rows=_children_home_six_months,
    areas=("cases",),
)
measure("day_centres", _l("Day centres running"), rows=_day_centres, dated=False)
measure(
    "active_beneficiaries",
    _l("Active beneficiaries"),
    total="distinct",
    rows=_active_beneficiaries,
    group="centre",
)
measure(
    "attendance_rate",
    _l("Attendance rate"),
    unit=PERCENT,
    total="rate",
    rows=_attendance_rate,
    columns=(
        Column("base", _l("Days marked")),
        Column("amount", _l("Days present")),
        Column("rate", _l("Attendance rate"), PERCENT, footer="value"),
    ),
    dated=False,
    group="centre",
)
measure(
    "meals_served",
    _l("Meals served"),
    total="sum",
    rows=_meals,
    columns=(Column("amount", _l("Meals served")),),
    parts=_meals_by_type,
    group="centre",
)
measure(
    "meal_cost",
    _l("Cost of meals"),
    unit=LEI,
    total="sum",
    rows=_meal_cost,
    columns=(
        Column("children", _l("Children fed")),
        Column("allowance", _l("Food allowance per child"), LEI, footer=None),
        Column("amount", _l("Cost"), LEI),
    ),
    group="centre",
)
measure(
    "volunteer_hours",
    _l("Volunteer hours"),
    unit=HOURS,
    total="sum",
    rows=_volunteer_hours,
    columns=(Column("amount", _l("Hours"), HOURS),),
    group="centre",
    areas=("volunteers",),
)
measure(
    "workshop_completions",
    _l("Workshop completions"),
    rows=_workshop_completions,
    group="centre",
    areas=("workshops",),
)

measure("complaints_received", _l("Complaints received"), rows=_complaints_received, group="centre")
measure(
    "complaints_on_time",
    _l("Complaints answered within 30 days"),
    rows=_complaints_answered_on_time,
    group="centre",
)
measure("serious_incidents", _l("Serious incidents"), rows=_incidents, group="centre")
measure(
    "incidents_per_1000",
    _l("Serious incidents per 1,000 child-days"),
    unit=PER_THOUSAND,
    total="rate",
    per=1000,
    rows=_incident_rate,
    columns=(
        Column("amount", _l("Serious incidents")),
        Column("base", _l("Child-days")),
    ),
    group="centre",
)
measure(
    "survey_score",
    _l("Satisfaction survey score (1–5)"),
    unit=SCORE,
    total="rate",
    per=1,
    rows=_survey_answers,
    columns=(
        Column("base", _l("Questions answered on the 1–5 scale")),
        Column("score", _l("Mean score"), SCORE, footer="value"),
    ),
    group="centre",
)

measure(
    "outings_held",
    _l("Outings held"),
    rows=_outings_held,
    columns=(Column("children", _l("Children who went")),),
    group="centre",
)
measure(
    "children_on_outings",
    _l("Children who took part in an outing"),
    total="distinct",
    rows=_children_on_outings,
    group="centre",
)
measure(
    "school_results_improved",
    _l("Children whose school results improved over the year"),
    total="distinct",
    rows=_school_results_improved,
    columns=(
        Column("first", _l("First term"), GRADE, footer=None, read=_grade("first")),
        Column("last", _l("Last term"), GRADE, footer=None, read=_grade("last")),
    ),
    group="centre",
)


# ---- The figures of the areas' count pages alone --------------------------------------------------


def _area(area: str, key: str, label, rows, **options) -> Measure:
    return measure(key, label, rows=rows, areas=(area,), indicator=False, **options)


_area("cases", "cases_received", _l("Requests received"), _cases_received)
_area("cases", "cases_referred", _l("Referred elsewhere"), _cases_referred)
_area("cases", "cases_opened", _l("Cases opened"), _cases_opened)
_area("cases", "cases_active", _l("Cases active"), _cases_active)
_area("cases", "cases_closed", _l("Cases closed"), _cases_closed, parts=_closed_by_reason)
_area("cases", "children_stayed", _l("Children who stayed in their family"), _children_stayed)
_area("cases", "reviews", _l("Monitoring reviews"), _reviews)
_area("cases", "reviews_on_time", _l("Monitoring reviews on time"), _reviews_on_time)
_area("workshops", "workshop_sessions", _l("Workshop sessions"), _workshop_sessions)
_area(
    "workshops",
    "workshop_participants",
    _l("Distinct participants"),
    _workshop_participants,
    total="distinct",
)
_area("workshops", "group_meetings", _l("Support group meetings"), _group_meetings)
_area(
    "workshops", "group_members", _l("Distinct members present"), _group_members, total="distinct"
)
_area("volunteers", "contracts_in_force", _l("Contracts in force"), _contracts_in_force)
_area(
    "volunteers",
    "active_volunteers",
    _l("Active volunteers (with hours in the period)"),
    _active_volunteers,
    total="distinct",
)

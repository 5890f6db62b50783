"""The measures the app computes from its records, keyed by name.

Each measure counts records of a set of centres in a period whose both ends are included;
instants are placed on their Europe/Bucharest day. Most measures are defined by the select of
the records behind them (columns ``day``, ``item``, ``amount``, ``key``): the number is one
aggregate query over that select, and the same select lists the records. A few (rates, costs,
hours) compute their number themselves, always with a fixed number of queries.

A measure whose records the app does not keep yet is registered as pending; adding it later is
one ``measure(...)`` call with its select.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, select

from daycentre.attendance.models import Attendance, AttendanceStatus
from daycentre.cases.models import Case, Evaluation, Review, case_children
from daycentre.centres.models import Centre
from daycentre.counselling.models import CounsellingSession, SessionStatus
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.localtime import BUCHAREST
from daycentre.meals.models import FoodAllowance, MealServed, MealType
from daycentre.outreach.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
)
from daycentre.people.models import Family, Person
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

COUNT, PERCENT, LEI, HOURS = "count", "percent", "lei", "hours"


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
        return datetime.combine(self.start, datetime.min.time(), BUCHAREST)

    @property
    def after_instant(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), datetime.min.time(), BUCHAREST)

    def centres(self, column):
        ids = self.centre_ids or {0}
        if self.directorate:
            return or_(column.in_(ids), column.is_(None))
        return column.in_(ids)

    def days(self, column):
        return and_(column >= self.start, column <= self.end)

    def instants(self, column):
        return and_(column >= self.first_instant, column < self.after_instant)


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    unit: str = COUNT
    total: str = "count"  # count | sum | distinct, over ``rows``
    rows: Callable[[Scope], Select] | None = None
    compute: Callable[[Scope], Decimal] | None = None
    parts: Callable[[Scope], list] | None = None
    group: str = "plan"  # plan | centre
    pending: bool = False
    tags: tuple = field(default=())

    @property
    def lists_records(self) -> bool:
        return self.rows is not None

    def value(self, scope: Scope) -> Decimal | None:
        """The number for ``scope``; None for a pending measure. One or two queries."""
        if self.pending:
            return None
        if self.compute is not None:
            return self.compute(scope)
        records = self.rows(scope).subquery()
        aggregate = {
            "count": func.count(),
            "sum": func.coalesce(func.sum(records.c.amount), 0),
            "distinct": func.count(func.distinct(records.c.key)),
        }[self.total]
        return Decimal(db.session.scalar(select(aggregate).select_from(records)) or 0)

    def records(self, scope: Scope) -> list:
        """The records behind the number: rows with ``day``, ``item``, ``amount``, ``key``."""
        if self.rows is None:
            return []
        query = self.rows(scope).subquery()
        return [
            Record(_local_day(row.day), row.item, row.amount)
            for row in db.session.execute(
                select(query).order_by(query.c.day.nulls_last(), query.c.item)
            )
        ]


@dataclass(frozen=True)
class Record:
    day: date | None
    item: str
    amount: Decimal


def _local_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(BUCHAREST).date()
    return value


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
        )
        .join(Case, Case.id == Evaluation.case_id)
        .where(scope.centres(Case.centre_id), scope.days(Evaluation.completed_on))
    )


# ---- Counselling ----------------------------------------------------------------------------


def _workshops_held(scope: Scope) -> Select:
    """Workshops with at least one session in the period, dated by their first one in it."""
    from daycentre.workshops.models import Workshop, WorkshopSession

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
        )
        .join(first, first.c.workshop_id == Workshop.id)
        .where(scope.centres(Workshop.centre_id))
    )


def _workshop_completions(scope: Scope) -> Select:
    """Participants who attended the required share of a programme whose last session falls in
    the period (one row each), in one query."""
    from daycentre.workshops.models import Workshop, WorkshopAttendance, WorkshopSession
    from daycentre.workshops.services import completion_share

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
    percent = round(completion_share() * 100)
    return (
        select(
            sessions.c.last.label("day"),
            Workshop.title.label("item"),
            literal(1).label("amount"),
            attended.c.person_id.label("key"),
        )
        .join(sessions, sessions.c.workshop_id == Workshop.id)
        .join(attended, attended.c.workshop_id == Workshop.id)
        .where(
            scope.centres(Workshop.centre_id),
            scope.instants(sessions.c.last),
            attended.c.present * 100 >= sessions.c.total * percent,
        )
    )


def _sessions_held(scope: Scope) -> Select:
    from daycentre.auth.models import User

    return (
        select(
            CounsellingSession.starts_at.label("day"),
            _name(User).label("item"),
            literal(1).label("amount"),
            CounsellingSession.id.label("key"),
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


def _persons_trained(scope: Scope) -> Select:
    return select(
        Training.held_on.label("day"),
        Training.topic.label("item"),
        Training.persons_trained.label("amount"),
        Training.id.label("key"),
    ).where(scope.centres(Training.centre_id), scope.days(Training.held_on))


def _campaigns(scope: Scope) -> Select:
    """Campaigns that ran at some time in the period."""
    return select(
        Campaign.starts_on.label("day"),
        Campaign.title.label("item"),
        literal(1).label("amount"),
        Campaign.id.label("key"),
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
    ).where(scope.centres(CommunityResource.centre_id), CommunityResource.active.is_(True))


# ---- Volunteers -----------------------------------------------------------------------------


def _volunteer_contracts(scope: Scope) -> Select:
    return (
        select(
            VolunteerContract.signed_on.label("day"),
            _name(Volunteer).label("item"),
            literal(1).label("amount"),
            VolunteerContract.id.label("key"),
        )
        .join(Volunteer, Volunteer.id == VolunteerContract.volunteer_id)
        .where(
            scope.centres(VolunteerContract.centre_id),
            VolunteerContract.status != ContractStatus.DRAFT,
            scope.days(VolunteerContract.signed_on),
        )
    )


def _volunteer_hours(scope: Scope) -> Decimal:
    """Hours of attended activities (by their start) and approved hours reported by day."""
    attended = db.session.scalar(
        select(func.coalesce(func.sum(ActivitySignup.hours), 0))
        .join(Activity, Activity.id == ActivitySignup.activity_id)
        .where(
            scope.centres(Activity.centre_id),
            ActivitySignup.status == SignupStatus.ATTENDED,
            scope.instants(Activity.starts_at),
        )
    )
    approved = db.session.scalar(
        select(func.coalesce(func.sum(VolunteerHours.hours), 0)).where(
            scope.centres(VolunteerHours.centre_id),
            VolunteerHours.status == HoursStatus.APPROVED,
            scope.days(VolunteerHours.day),
        )
    )
    return Decimal(attended or 0) + Decimal(approved or 0)


# ---- Day centres ----------------------------------------------------------------------------


def _day_centres(scope: Scope) -> Select:
    return select(
        literal(None, db.Date).label("day"),
        Centre.name.label("item"),
        literal(1).label("amount"),
        Centre.id.label("key"),
    ).where(Centre.id.in_(scope.centre_ids or {0}), Centre.active.is_(True))


def _active_beneficiaries(scope: Scope) -> Select:
    """Beneficiaries whose service ran on at least one day of the period."""
    return (
        select(
            Enrolment.start_date.label("day"),
            _name().label("item"),
            literal(1).label("amount"),
            Person.id.label("key"),
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


def _attendance_rate(scope: Scope) -> Decimal:
    """Present marks as a percentage of all marks taken (one decimal)."""
    marks, present = db.session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((Attendance.status == AttendanceStatus.PRESENT, 1), else_=0)), 0
            ),
        ).where(Attendance.centre_id.in_(scope.centre_ids or {0}), scope.days(Attendance.day))
    ).one()
    if not marks:
        return Decimal(0)
    return (Decimal(present) * 100 / Decimal(marks)).quantize(Decimal("0.1"))


def _meals(scope: Scope) -> Select:
    return (
        select(
            MealServed.day.label("day"),
            MealType.name.label("item"),
            literal(1).label("amount"),
            MealServed.id.label("key"),
        )
        .join(MealType, MealType.id == MealServed.meal_type_id)
        .where(MealServed.centre_id.in_(scope.centre_ids or {0}), scope.days(MealServed.day))
    )


def _meals_by_type(scope: Scope) -> list[tuple[str, int]]:
    """(meal type, meals served), types of the same name added up across centres."""
    records = _meals(scope).subquery()
    return [
        (name, count)
        for name, count in db.session.execute(
            select(records.c.item, func.count()).group_by(records.c.item).order_by(records.c.item)
        )
    ]


def _meal_cost(scope: Scope) -> Decimal:
    """Children fed each day times the food allowance in force that day."""
    fed = db.session.execute(
        select(MealServed.day, func.count(func.distinct(MealServed.person_id)))
        .where(MealServed.centre_id.in_(scope.centre_ids or {0}), scope.days(MealServed.day))
        .group_by(MealServed.day)
    ).all()
    rates = db.session.execute(
        select(FoodAllowance.valid_from, FoodAllowance.amount).order_by(FoodAllowance.valid_from)
    ).all()

    def rate_on(day: date) -> Decimal:
        amount = Decimal(0)
        for valid_from, value in rates:
            if valid_from <= day:
                amount = value
        return amount

    return sum((rate_on(day) * children for day, children in fed), Decimal(0)).quantize(
        Decimal("0.01")
    )


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
measure("parenting_workshops", _l("Parenting workshops"), rows=_workshops_held)
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
measure("resource_entries", _l("Resource directory entries"), rows=_resources)
measure("volunteer_contracts", _l("Volunteer contracts concluded"), rows=_volunteer_contracts)
measure("plans_monitored", _l("Service plans monitored"), total="distinct", rows=_plans_monitored)
measure("evaluations", _l("Evaluations done"), rows=_evaluations)
measure("day_centres", _l("Day centres running"), rows=_day_centres)
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
    compute=_attendance_rate,
    group="centre",
)
measure("meals_served", _l("Meals served"), rows=_meals, parts=_meals_by_type, group="centre")
measure("meal_cost", _l("Cost of meals"), unit=LEI, compute=_meal_cost, group="centre")
measure(
    "volunteer_hours",
    _l("Volunteer hours"),
    unit=HOURS,
    compute=_volunteer_hours,
    group="centre",
)
measure(
    "workshop_completions",
    _l("Workshop completions"),
    rows=_workshop_completions,
    group="centre",
)

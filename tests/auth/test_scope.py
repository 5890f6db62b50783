"""Another centre's records stay closed: every page that takes a record's id answers 404 (or 403
where the role may not use the page at all) when the id is of a record of another centre.

Each id argument of a route names its model in ``MODELS``; a new route whose argument is not there
fails ``test_every_id_argument_names_its_model``, so no route is skipped silently.
"""

import datetime
import decimal
import enum

import pytest
from sqlalchemy import Enum as SqlEnum
from sqlalchemy import inspect
from werkzeug.routing import AnyConverter, IntegerConverter

from daycentre import create_app
from daycentre.attendance.models import AbsenceReport
from daycentre.auth.models import User
from daycentre.auth.roles import PERMISSIONS, Role
from daycentre.auth.scope import SCOPE
from daycentre.cases.models import (
    Case,
    CaseTask,
    Evaluation,
    Objective,
    Plan,
    PlannedService,
)
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.counselling.models import CounsellingSession, NoteShare
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.meals.models import MealType
from daycentre.moving_in.models import ImportBatch
from daycentre.notifications.models import Message
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
    TrainingParticipant,
)
from daycentre.parents.models import ParentInvitation
from daycentre.people.models import AbroadVisit, Consent, Family, ParentsAbroad, Person
from daycentre.programme.models import (
    Collector,
    Outing,
    OutingChild,
    ProgrammeSlot,
    WeeklyProgramme,
)
from daycentre.registers.models import Complaint, Incident
from daycentre.reports.models import DevelopmentPlan, PlanActivity, PlanIndicator, PlanObjective
from daycentre.surveys.models import Questionnaire, SurveyCampaign
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)
from daycentre.workshops.models import (
    GroupMeeting,
    GroupMembership,
    SupportGroup,
    Workshop,
    WorkshopRegistration,
    WorkshopSession,
)
from tests.factories import make_centre, make_user

# The model behind each id argument; "endpoint:argument" where one name means two models.
MODELS = {
    "centre_id": Centre,
    "message_id": Message,
    "group_id": Group,
    "workshops.add_meetings:group_id": SupportGroup,
    "workshops.join_group:group_id": SupportGroup,
    "workshops.show_group:group_id": SupportGroup,
    "room_id": Room,
    "closure_id": ClosureDay,
    "meal_type_id": MealType,
    "enrolment_id": Enrolment,
    "family_id": Family,
    "situation_id": ParentsAbroad,
    "person_id": Person,
    "consent_id": Consent,
    "case_id": Case,
    "evaluation_id": Evaluation,
    "plan_id": Plan,
    "reports.edit_plan:plan_id": DevelopmentPlan,
    "objective_id": Objective,
    "service_id": PlannedService,
    "task_id": CaseTask,
    "session_id": CounsellingSession,
    "workshops.edit_session:session_id": WorkshopSession,
    "workshops.take_attendance:session_id": WorkshopSession,
    "user_id": User,
    "share_id": NoteShare,
    "workshop_id": Workshop,
    "registration_id": WorkshopRegistration,
    "membership_id": GroupMembership,
    "meeting_id": GroupMeeting,
    "volunteer_id": Volunteer,
    "contract_id": VolunteerContract,
    "certificate_id": VolunteerCertificate,
    "hours_id": VolunteerHours,
    "activity_id": Activity,
    "signup_id": ActivitySignup,
    "batch_id": ImportBatch,
    "training_id": Training,
    "participant_id": TrainingParticipant,
    "outreach.delete_record:record_id": Campaign,  # the slug chosen in _url
    "outreach.edit_record:record_id": Campaign,
    # The directorate's development plan belongs to no centre; its pages are the admin's alone.
    "parent_id": DevelopmentPlan,  # the parent of an objective (the slug below)
    "part_id": PlanObjective,
    "complaint_id": Complaint,
    "incident_id": Incident,
    "campaign_id": SurveyCampaign,
    "programme_id": WeeklyProgramme,
    "slot_id": ProgrammeSlot,
    "outing_id": Outing,
    "child_id": OutingChild,
    "collector_id": Collector,
    # A parent's child is a person of their own family (parents.services), never another's.
    "parents.show_child:child_id": Person,
    "invitation_id": ParentInvitation,
    # The parent's pages (issue 16, part 2).
    "report_id": AbsenceReport,
    "parents.answer_outing:invitation_id": OutingChild,
}
NOT_IDS = {"year", "number"}  # ints in the address that are no record's id (a quarter's number)

# Records are made parents first; each required column gets a plain value of its type.
ORDER = [
    Centre, Group, Room, ClosureDay, MealType, Family, Person, Consent, Enrolment, AbsenceReport,
    ParentsAbroad, AbroadVisit,
    Case, Evaluation, Plan, Objective, PlannedService, CaseTask,
    CounsellingSession, NoteShare, Workshop, WorkshopSession, WorkshopRegistration,
    SupportGroup, GroupMembership, GroupMeeting,
    Volunteer, VolunteerContract, VolunteerCertificate, VolunteerHours, Activity, ActivitySignup,
    Training, TrainingParticipant, Campaign, InformationMaterial, Agreement, CommunityResource, ImportBatch,
    DevelopmentPlan, PlanObjective, PlanActivity, PlanIndicator,
    Complaint, Incident, Questionnaire, SurveyCampaign,
    WeeklyProgramme, ProgrammeSlot, Outing, OutingChild, Collector, ParentInvitation, Message,
]  # fmt: skip

LATER = {"closes_at", "deadline", "period_end"}  # after the column it pairs with (a check says so)

_APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _key(endpoint: str, argument: str) -> str:
    return f"{endpoint}:{argument}" if f"{endpoint}:{argument}" in MODELS else argument


def _id_arguments(rule) -> list[str]:
    return [
        name
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter) and name not in NOT_IDS
    ]


def _routes_with_ids():
    params = []
    for rule in sorted(_APP.url_map.iter_rules(), key=lambda r: r.rule):
        if not _id_arguments(rule):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            params.append(pytest.param(rule, method, id=f"{method} {rule.rule}"))
    return params


ROUTES = _routes_with_ids()


def _value(column, records):
    if column.foreign_keys:
        table = next(iter(column.foreign_keys)).column.table
        parent = next(r for m, r in records.items() if m.__table__ is table)
        return parent.id
    if column.key == "year":
        return 2026
    if isinstance(column.type, SqlEnum) and column.type.enum_class:
        return next(iter(column.type.enum_class))
    try:
        kind = getattr(column.type, "impl", column.type).python_type
    except NotImplementedError:
        return "x"
    if issubclass(kind, enum.Enum):
        return next(iter(kind))
    later = column.key.startswith("ends") or column.key.endswith("_end") or column.key in LATER
    samples = {
        bool: False,
        int: 1,
        decimal.Decimal: decimal.Decimal(1),
        datetime.datetime: datetime.datetime(2026, 3, 2, 12 if later else 10, tzinfo=datetime.UTC),
        datetime.date: datetime.date(2026, 3, 9 if later else 2),
        datetime.time: datetime.time(17 if later else 9),
        list: [],
        dict: {},
    }
    return next((sample for base, sample in samples.items() if issubclass(kind, base)), "x")


def _make(model, records, **given):
    fields = dict(given)
    for column in inspect(model).columns:
        required = not (column.nullable or column.primary_key or column.default)
        if required and column.server_default is None and column.key not in fields:
            fields[column.key] = _value(column, records)
    record = model(**fields)
    db.session.add(record)
    db.session.flush()
    return record


@pytest.fixture
def elsewhere(app, users):
    """One record of each kind, all of another centre (and its own staff)."""
    centre = make_centre(name="Centrul din Sfântu Gheorghe", city="Sfântu Gheorghe")
    counsellor = make_user("counsellor", centres=[centre])
    colleague = make_user("counsellor", centres=[centre])
    records = {Centre: centre, User: counsellor}
    given = {
        CounsellingSession: {"person_id": lambda: records[Person].id},
        NoteShare: {"counsellor_id": lambda: colleague.id, "person_id": lambda: records[Person].id},
        ImportBatch: {"kind": lambda: "beneficiaries", "headers": lambda: [], "rows": lambda: []},
        Message: {"centre_id": lambda: centre.id},
    }
    for model in ORDER[1:]:
        fields = {name: value() for name, value in given.get(model, {}).items()}
        records[model] = _make(model, records, **fields)
    # The volunteer signed in is a volunteer of our centre, with pages of their own.
    mine = users["volunteer"]
    db.session.add(
        Volunteer(
            centre_id=mine.centres[0].id,
            user_id=mine.id,
            given_name="Ștefan",
            family_name="Ionescu",
            birth_date=datetime.date(2000, 1, 1),
        )
    )
    db.session.commit()
    return records


def test_every_id_argument_names_its_model():
    """A new page taking an id must say which record it opens, or this test cannot check it."""
    missing = {
        f"{rule.endpoint}:{name}"
        for rule in _APP.url_map.iter_rules()
        for name in _id_arguments(rule)
        if _key(rule.endpoint, name) not in MODELS
    }
    assert not missing, f"add these to MODELS: {sorted(missing)}"


def test_every_centre_scoped_model_is_made_here():
    assert set(SCOPE) <= set(ORDER) | {User}


def _url(rule, records) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name in NOT_IDS:
            values[name] = 2026
        elif isinstance(converter, IntegerConverter):
            values[name] = records[MODELS[_key(rule.endpoint, name)]].id
        elif isinstance(converter, AnyConverter):
            values[name] = next(
                (slug for slug in ("campaigns", "objectives") if slug in converter.items),
                sorted(converter.items)[0],
            )
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def _answers(client, login, users, url, method) -> dict[Role, int]:
    """The status each role gets, each signed in afresh."""
    answers = {}
    for role in Role:
        client.post("/auth/logout")
        assert login(users[role.value]).status_code == 302
        answers[role] = client.open(url, method=method).status_code
    return answers


@pytest.mark.parametrize(("rule", "method"), ROUTES)
def test_another_centres_record_is_not_found(client, login, users, elsewhere, rule, method):
    """Every role, on every page that takes an id, with the id of another centre's record: 404,
    or 403 where the role may not use the page at all. Administrators see every centre: whatever
    the page answers them, it is never a server error."""
    answers = _answers(client, login, users, _url(rule, elsewhere), method)
    permission = _APP.view_functions[rule.endpoint].permission
    expected = {
        role: 404 if role in PERMISSIONS[permission] else 403
        for role in Role
        if role is not Role.ADMIN
    }
    assert {role: answers[role] for role in expected} == expected
    assert answers[Role.ADMIN] < 500

"""Which page a record behind a number opens, and whether the signed-in user may open it.

A record names its page (``Record.page``, a key of ``PAGES``) and the id it is opened with
(``Record.ref``). Its name becomes a link only if the user's role holds the page's permission and
the page's own scope rule lets the user see that record (the page would answer 404 otherwise):
one query per kind of page in the list, whatever the number of records.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import url_for

from daycentre.auth import scope
from daycentre.cases.models import Case
from daycentre.centres.models import Centre
from daycentre.counselling.models import CounsellingSession
from daycentre.enrolment.models import Enrolment
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
)
from daycentre.people.models import Family, Person
from daycentre.programme.models import Outing
from daycentre.registers.models import Complaint, Incident
from daycentre.reports.measures import Record
from daycentre.surveys.models import SurveyCampaign
from daycentre.volunteers.models import Activity, Volunteer, VolunteerContract
from daycentre.workshops.models import SupportGroup, Workshop

Opened = Callable[[object, set[int]], set[int]]  # (user, ids) → the ids the user may open


def _scoped(model) -> Opened:
    """Records of ``model`` the user may see: the rule its own page applies (``auth.scope``)."""
    return lambda user, ids: scope.visible_ids(model, user, ids)


@dataclass(frozen=True)
class Page:
    endpoint: str
    arg: str  # the URL argument that takes ``Record.ref``
    permission: str
    opened: Opened
    args: Callable[[Record], dict] = lambda record: {}


def _outreach(slug: str, model) -> Page:
    return Page(
        "outreach.edit_record",
        "record_id",
        "outreach.manage",
        _scoped(model),
        lambda record: {"slug": slug},
    )


def _month(record: Record) -> dict:
    return {"month": record.day.strftime("%Y-%m")} if record.day else {}


PAGES: dict[str, Page] = {
    "person": Page("people.show_person", "person_id", "people.read", _scoped(Person)),
    "family": Page("people.show_family", "family_id", "people.read", _scoped(Family)),
    "case": Page("cases.show_case", "case_id", "cases.read", _scoped(Case)),
    "enrolment": Page(
        "enrolment.show_enrolment", "enrolment_id", "enrolment.read", _scoped(Enrolment)
    ),
    "session": Page(
        "counselling.show_session",
        "session_id",
        "counselling.read",
        _scoped(CounsellingSession),
    ),
    "workshop": Page("workshops.show_workshop", "workshop_id", "workshops.read", _scoped(Workshop)),
    "support_group": Page(
        "workshops.show_group", "group_id", "workshops.read", _scoped(SupportGroup)
    ),
    "activity": Page(
        "volunteers.show_activity", "activity_id", "volunteers.manage", _scoped(Activity)
    ),
    "volunteer": Page(
        "volunteers.show_volunteer", "volunteer_id", "volunteers.manage", _scoped(Volunteer)
    ),
    "contract": Page(
        "volunteers.show_contract",
        "contract_id",
        "volunteers.manage",
        _scoped(VolunteerContract),
    ),
    "centre": Page("centres.show_centre", "centre_id", "centres.read", _scoped(Centre)),
    # A day's meals at a centre are on that centre's meal report for the month.
    "meals": Page("meals.show_report", "centre_id", "meals.read", _scoped(Centre), _month),
    "training": _outreach("trainings", Training),
    "campaign": _outreach("campaigns", Campaign),
    "material": _outreach("materials", InformationMaterial),
    "agreement": _outreach("agreements", Agreement),
    "resource": _outreach("resources", CommunityResource),
    "complaint": Page(
        "registers.show_complaint", "complaint_id", "registers.read", _scoped(Complaint)
    ),
    "incident": Page("registers.show_incident", "incident_id", "registers.read", _scoped(Incident)),
    "survey": Page(
        "surveys.show_campaign", "campaign_id", "surveys.manage", _scoped(SurveyCampaign)
    ),
    "outing": Page("programme.show_outing", "outing_id", "programme.read", _scoped(Outing)),
    # A child's school results are on the child's school and pick-up page.
    "school": Page("programme.show_child", "person_id", "programme.read", _scoped(Person)),
}


def linked(records: list[Record], user) -> list[Record]:
    """``records``, with ``href`` set on each one whose page the user may open."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for record in records:
        if record.page and record.ref is not None and user.can(PAGES[record.page].permission):
            wanted[record.page].add(record.ref)
    opened = {page: PAGES[page].opened(user, ids) for page, ids in wanted.items()}
    return [
        replace(record, href=_url(record)) if record.ref in opened.get(record.page, ()) else record
        for record in records
    ]


def _url(record: Record) -> str:
    page = PAGES[record.page]
    return url_for(page.endpoint, **{page.arg: record.ref}, **page.args(record))

"""Which page a record behind a number opens, and whether the signed-in user may open it.

A record names its page (``Record.page``, a key of ``PAGES``) and the id it is opened with
(``Record.ref``). Its name becomes a link only if the user's role holds the page's permission and
the page's own scope rule lets the user see that record (the page would answer 404 otherwise):
one query per kind of page in the list (two for cases), whatever the number of records.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import url_for
from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from daycentre.cases.access import case_visible
from daycentre.cases.models import Case
from daycentre.centres.models import Centre
from daycentre.counselling.models import CounsellingSession
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
)
from daycentre.people.models import Family, Person
from daycentre.people.services import visible_families, visible_people
from daycentre.reports.measures import Record
from daycentre.volunteers.models import Activity, Volunteer, VolunteerContract
from daycentre.workshops.models import SupportGroup, Workshop

Opened = Callable[[object, set[int]], set[int]]  # (user, ids) → the ids the user may open


def _where(model, visible) -> Opened:
    """Records of ``model`` that pass ``visible(user)``, the filter its own page applies."""

    def opened(user, ids: set[int]) -> set[int]:
        query = select(model.id).where(model.id.in_(ids), visible(user))
        return set(db.session.scalars(query))

    return opened


def _in_centres(model, column=None) -> Opened:
    """Records of the user's centres, every one for an admin (as ``ensure_centre_visible``)."""
    column = model.centre_id if column is None else column
    return _where(model, lambda user: true() if user.is_admin else column.in_(user.centre_ids))


def _cases(user, ids: set[int]) -> set[int]:
    """A case opens for its supervisors, its manager and its team (``case_visible``)."""
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(selectinload(Case.team))
    )
    return {case.id for case in cases if case_visible(user, case)}


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
        _in_centres(model),
        lambda record: {"slug": slug},
    )


def _month(record: Record) -> dict:
    return {"month": record.day.strftime("%Y-%m")} if record.day else {}


PAGES: dict[str, Page] = {
    "person": Page(
        "people.show_person", "person_id", "people.read", _where(Person, visible_people)
    ),
    "family": Page(
        "people.show_family", "family_id", "people.read", _where(Family, visible_families)
    ),
    "case": Page("cases.show_case", "case_id", "cases.read", _cases),
    "enrolment": Page(
        "enrolment.show_enrolment", "enrolment_id", "enrolment.read", _in_centres(Enrolment)
    ),
    "session": Page(
        "counselling.show_session",
        "session_id",
        "counselling.read",
        _in_centres(CounsellingSession),
    ),
    "workshop": Page(
        "workshops.show_workshop", "workshop_id", "workshops.read", _in_centres(Workshop)
    ),
    "support_group": Page(
        "workshops.show_group", "group_id", "workshops.read", _in_centres(SupportGroup)
    ),
    "activity": Page(
        "volunteers.show_activity", "activity_id", "volunteers.manage", _in_centres(Activity)
    ),
    "volunteer": Page(
        "volunteers.show_volunteer", "volunteer_id", "volunteers.manage", _in_centres(Volunteer)
    ),
    "contract": Page(
        "volunteers.show_contract",
        "contract_id",
        "volunteers.manage",
        _in_centres(VolunteerContract),
    ),
    "centre": Page(
        "centres.show_centre", "centre_id", "centres.read", _in_centres(Centre, Centre.id)
    ),
    # A day's meals at a centre are on that centre's meal report for the month.
    "meals": Page(
        "meals.show_report", "centre_id", "meals.read", _in_centres(Centre, Centre.id), _month
    ),
    "training": _outreach("trainings", Training),
    "campaign": _outreach("campaigns", Campaign),
    "material": _outreach("materials", InformationMaterial),
    "agreement": _outreach("agreements", Agreement),
    "resource": _outreach("resources", CommunityResource),
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

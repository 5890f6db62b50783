"""What the serious-incident register announces to the cases: a suspicion of abuse or neglect
raises a task on each child's open case, or registers a request for a child without one."""

from flask_babel import gettext as _

from daycentre.cases.models import (
    OPEN_STAGES,
    Case,
    RequestChannel,
    RequestSource,
    TaskSource,
    case_children,
)
from daycentre.cases.tasks import flag_for_case_managers
from daycentre.cases.workflow import register_request
from daycentre.core.localtime import local_date
from daycentre.extensions import db
from daycentre.registers.services import abuse_suspected


def _with_open_case(people) -> set[int]:
    ids = [person.id for person in people]
    return set(
        db.session.scalars(
            db.select(case_children.c.person_id)
            .join(Case, Case.id == case_children.c.case_id)
            .where(case_children.c.person_id.in_(ids), Case.stage.in_(OPEN_STAGES))
        )
    )


@abuse_suspected.connect
def _case_for_suspected_abuse(incident, *, people, actor) -> None:
    covered = _with_open_case(people)
    flag_for_case_managers(
        [p for p in people if p.id in covered], source=TaskSource.ABUSE_SUSPECTED, actor=actor
    )
    by_family: dict[int | None, list] = {}
    for child in people:
        if child.id not in covered:
            by_family.setdefault(child.family_id, []).append(child)
    for family_id, children in by_family.items():
        register_request(
            incident.centre,
            actor=actor,
            received_on=local_date(incident.occurred_at),
            source=RequestSource.CENTRE,
            channel=RequestChannel.IN_PERSON,
            requester=_("The centre's serious-incident register"),
            reported=incident.description,
            family=children[0].family if family_id is not None else None,
            children=children,
        )

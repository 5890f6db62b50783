"""Who sees a case: the rule is the case's row in the scope table (``auth.scope``); these are the
questions the case pages ask of it. Volunteers are refused by the permission (403)."""

from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.roles import roles_with
from daycentre.cases.models import OPEN_STAGES, Case
from daycentre.extensions import db


def is_supervisor(user, case: Case) -> bool:
    return scope.supervises(user, case)


def case_visible(user, case: Case) -> bool:
    return scope.sees(user, case)


def visible_cases(user, *, open_only: bool = False, options=()) -> list[Case]:
    """The cases the user may see; ``options`` load their related rows in the same go."""
    query = scope.select_visible(Case, user, options=options).order_by(
        Case.year.desc(), Case.number.desc()
    )
    if open_only:
        query = query.where(Case.stage.in_(OPEN_STAGES))
    return list(db.session.scalars(query).unique())


def possible_managers(centre_id: int) -> list[User]:
    """Counsellors and coordinators of the centre, who may carry a case."""
    users = db.session.scalars(
        db.select(User)
        .where(User.active.is_(True), User.role.in_(roles_with("cases.carry")))
        .order_by(User.family_name, User.given_name)
    )
    return [user for user in users if centre_id in user.centre_ids]

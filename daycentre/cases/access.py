"""Who sees a case (the domain's permission table): its case manager, the members of its team and
its supervisors (the coordinators of the case's centre, and administrators). Other counsellors of
the centre do not learn that it exists (404); volunteers are refused by the permission (403).
"""

from sqlalchemy import or_

from daycentre.auth.models import User
from daycentre.auth.roles import Role
from daycentre.cases.models import OPEN_STAGES, Case, case_team
from daycentre.extensions import db


def is_supervisor(user, case: Case) -> bool:
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.COORDINATOR and case.centre_id in user.centre_ids


def case_visible(user, case: Case) -> bool:
    if is_supervisor(user, case):
        return True
    if user.role is Role.VOLUNTEER or case.centre_id not in user.centre_ids:
        return False
    return case.manager_id == user.id or any(member.id == user.id for member in case.team)


def visible_cases(user, *, open_only: bool = False, options=()) -> list[Case]:
    """The cases the user may see; ``options`` load their related rows in the same go."""
    query = db.select(Case).options(*options).order_by(Case.year.desc(), Case.number.desc())
    if user.role is Role.VOLUNTEER:
        return []
    if user.role is Role.COORDINATOR:
        query = query.where(Case.centre_id.in_(user.centre_ids or {0}))
    elif user.role is Role.COUNSELLOR:
        in_team = db.select(case_team.c.case_id).where(case_team.c.user_id == user.id)
        query = query.where(
            Case.centre_id.in_(user.centre_ids or {0}),
            or_(Case.manager_id == user.id, Case.id.in_(in_team)),
        )
    if open_only:
        query = query.where(Case.stage.in_(OPEN_STAGES))
    return list(db.session.scalars(query).unique())


def possible_managers(centre_id: int) -> list[User]:
    """Counsellors and coordinators of the centre, who may carry a case."""
    users = db.session.scalars(
        db.select(User)
        .where(User.active.is_(True), User.role.in_((Role.COUNSELLOR, Role.COORDINATOR)))
        .order_by(User.family_name, User.given_name)
    )
    return [user for user in users if centre_id in user.centre_ids]

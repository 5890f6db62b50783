"""Roles and the named permissions each one holds: the one table views and tests both follow.

Which rows of a model a user sees on the pages their role may use is the scope table beside it,
``auth.scope``.
"""

from flask_babel import lazy_gettext as _l

from daycentre.core.labels import LabelledEnum


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administrator")
    COORDINATOR = "coordinator", _l("Coordinator")
    COUNSELLOR = "counsellor", _l("Counsellor")
    VOLUNTEER = "volunteer", _l("Volunteer")
    # A child's parent or legal representative: sees and acts for their own family's children only.
    PARENT = "parent", _l("Parent")


# Every signed-in person may use their own account (home page, password, language, logout).
ACCOUNT = "account.use"

PERMISSIONS: dict[str, frozenset[Role]] = {
    ACCOUNT: frozenset(Role),
    "centres.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "centres.manage": frozenset({Role.ADMIN}),
    "users.manage": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.ADMIN}),
    # The pseudonymised export of every centre's records for statistics and research.
    "research.export": frozenset({Role.ADMIN}),
    "outreach.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    # Families, children, adults and consent: admin in every centre, staff in their own centres.
    "people.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "people.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    # Enrolment, waiting list and the beneficiary register.
    "enrolment.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "enrolment.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "register.export": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "volunteers.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # Moving a centre's registers in from its spreadsheets (and undoing such an import).
    "moving_in.import": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "volunteering.take_part": frozenset({Role.VOLUNTEER}),
    # Cases: each case is further limited to its manager, its team and its supervisors
    # (coordinators of its centre, admins); see the scope table, auth.scope.SCOPE[Case].
    "cases.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "cases.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "cases.supervise": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # Roll-call, meals, menus and the monthly sheets: counsellors read their centres' records.
    "attendance.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "attendance.record": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "meals.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "meals.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # The food allowance is set by law for every centre.
    "rates.manage": frozenset({Role.ADMIN}),
    # Counselling: everyone on staff sees that sessions exist; coordinators book for counsellors;
    # notes, their sharing and the private calendar feed are the counsellors' alone.
    "counselling.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "counselling.book": frozenset({Role.COORDINATOR, Role.COUNSELLOR}),
    "counselling.notes": frozenset({Role.COUNSELLOR}),
    # Whose calendar holds sessions: a counsellor books, moves and records only their own.
    "counselling.hold_sessions": frozenset({Role.COUNSELLOR}),
    # Who carries a case as its manager.
    "cases.carry": frozenset({Role.COORDINATOR, Role.COUNSELLOR}),
    # The year's development plan; its indicators and the centres' yearly activity reports.
    "plans.manage": frozenset({Role.ADMIN}),
    "reports.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "reports.comment": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    # The quarterly statistical report to the directorate: read in one's centres; submitted
    # (its figures then kept) by the centre's coordinator or an administrator.
    "quarterly.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "quarterly.submit": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # Children whose parents work abroad: their list for a period and its spreadsheet.
    "abroad.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "abroad.export": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    # Parenting workshops and support groups: coordinators run programmes, registrations and the
    # waiting list; counsellors facilitate (see, take attendance, print certificates).
    "workshops.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "workshops.attendance": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "workshops.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # The complaints and serious-incident registers: coordinators and admins keep them; a
    # counsellor reads and completes only those they handle (auth.scope.SCOPE[Complaint]).
    "registers.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "registers.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # Satisfaction surveys: campaigns, codes, answers typed from paper, results.
    "surveys.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # The children's programme: the weekly programmes, the day's notes, outings and departures are
    # kept by coordinators; counsellors read them.
    "programme.read": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    "programme.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    # A child's school link and who may collect them: the staff who keep the child's file.
    "school.manage": frozenset({Role.ADMIN, Role.COORDINATOR, Role.COUNSELLOR}),
    # A parent's own pages: their family's children, reached through the parent's account only
    # (parents.services), never through the staff's scope table.
    "parents.use": frozenset({Role.PARENT}),
    # Messages: the outbox of a centre (failures, sending again) and which events it sends.
    "notifications.read": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "notifications.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
}


def roles_with(permission: str) -> frozenset[Role]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None


def role_has(role: Role, permission: str) -> bool:
    try:
        return role in PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"unknown permission {permission!r}") from None

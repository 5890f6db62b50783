"""How every change to a case is made: the guards it passes, its audit entry, its timeline event."""

from datetime import date

from flask_babel import lazy_gettext as _l

from daycentre.audit import services as audit
from daycentre.cases.access import is_supervisor
from daycentre.cases.models import Case, CaseEvent, CaseStage
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.extensions import db


def ensure_supervisor(case: Case, actor) -> None:
    if not is_supervisor(actor, case):
        raise Refused(_l("Only a coordinator of the centre or an administrator may approve this."))


def ensure_stage(case: Case, *stages: CaseStage, message) -> None:
    if case.stage not in stages:
        raise Refused(message)


def not_in_future(day: date | None, message=None) -> None:
    if day and day > today():
        raise Refused(message or _l("The date cannot be in the future."))


def clean(value):
    return value.strip() or None if isinstance(value, str) else value


def _person_id(case: Case) -> int | None:
    return case.children[0].id if case.children else None


def write_audit(action: str, obj, case: Case, *, actor, changes) -> None:
    audit.record(
        action,
        obj,
        actor=actor,
        centre_id=case.centre_id,
        person_id=_person_id(case),
        changes=changes,
    )


def add_event(case: Case, kind: str, *, actor, day: date, detail=None, old=None, new=None) -> None:
    db.session.add(
        CaseEvent(
            case=case,
            kind=kind,
            happened_on=day,
            detail=clean(detail),
            old_stage=old,
            new_stage=new,
            actor_id=getattr(actor, "id", None),
        )
    )


def change(obj, case: Case, *, actor, **fields) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    changes = audit.pending_changes(obj)
    db.session.flush()
    if changes:
        write_audit(audit.UPDATE, obj, case, actor=actor, changes=changes)


def move(case: Case, stage: CaseStage, kind: str, *, actor, day: date, detail=None, **fields):
    """Change the case's stage; the audit entry carries the old and the new stage."""
    old = case.stage
    change(case, case, actor=actor, stage=stage, **fields)
    add_event(case, kind, actor=actor, day=day, detail=detail, old=old, new=stage)


def record_read(case: Case, *, actor, part: str = "case") -> None:
    """Every opening of a case record is written to the audit trail."""
    write_audit(audit.READ, case, case, actor=actor, changes={"part": part})

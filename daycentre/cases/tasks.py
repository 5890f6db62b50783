"""A case's tasks, and the tasks raised when roll-call or counselling announce a child at risk."""

from datetime import date

from flask_babel import lazy_gettext as _l

from daycentre.attendance.services import children_on_alert
from daycentre.audit import services as audit
from daycentre.cases.changes import add_event, clean, write_audit
from daycentre.cases.models import OPEN_STAGES, Case, CaseTask, TaskSource, case_children
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.counselling.services import repeated_no_shows
from daycentre.extensions import db


def add_task(
    case: Case, *, text: str, source=TaskSource.MANUAL, due_on: date | None = None, actor=None
) -> CaseTask:
    """Add a task to an open case; its case manager sees it on the case and on the home page."""
    text = clean(text)
    if not text:
        raise Refused(_l("Write the task."))
    task = CaseTask(case=case, source=TaskSource(source), text=text, due_on=due_on)
    return _raise(task, actor=actor, event="task", detail=text)


def _raise(task: CaseTask, *, actor, event: str, detail: str) -> CaseTask:
    db.session.add(task)
    db.session.flush()
    write_audit(audit.CREATE, task, task.case, actor=actor, changes=audit.snapshot(task))
    add_event(task.case, event, actor=actor, day=today(), detail=detail)
    return task


def complete_task(task: CaseTask, *, actor) -> bool:
    """Mark an open task done today; a task already done (a second click) stays as it was."""
    done = db.session.execute(
        db.update(CaseTask)
        .where(CaseTask.id == task.id, CaseTask.done_on.is_(None))
        .values(done_on=today(), done_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # done already, perhaps by the same click a moment ago
        db.session.refresh(task)
        return False
    db.session.refresh(task)
    write_audit(
        audit.UPDATE,
        task,
        task.case,
        actor=actor,
        changes={"done_on": [None, task.done_on.isoformat()], "done_by_id": [None, actor.id]},
    )
    detail = task.text if task.text is not None else _named(task.person)
    add_event(task.case, "task_done", actor=actor, day=today(), detail=detail)
    return True


def open_tasks(case: Case) -> list[CaseTask]:
    return [task for task in case.tasks if task.done_on is None]


def flag_for_case_managers(people, *, source: TaskSource, actor=None) -> list[CaseTask]:
    """Raise a task on every open case naming one of ``people``, once for each child while the
    task stays open: roll-call's absence alerts and counselling's repeated no-shows call this.

    The task stores whom it is about, not a sentence: each reader sees it in their language."""
    if not people:
        return []
    by_id = {person.id: person for person in people}
    open_cases = db.session.execute(
        db.select(Case, case_children.c.person_id)
        .join(case_children, case_children.c.case_id == Case.id)
        .where(case_children.c.person_id.in_(by_id), Case.stage.in_(OPEN_STAGES))
    ).all()
    raised = []
    for case, person_id in open_cases:
        if any(
            task.source is source and task.done_on is None and task.person_id == person_id
            for task in case.tasks
        ):
            continue
        person = by_id[person_id]
        task = CaseTask(case=case, source=source, person=person)
        raised.append(_raise(task, actor=actor, event=f"task_{source}", detail=_named(person)))
    return raised


def _named(person) -> str | None:
    """A name stored in the timeline, family name first as in registers, whatever the language
    of whoever raised the task (the timeline's detail is shown as stored)."""
    return f"{person.family_name} {person.given_name}" if person is not None else None


# --- What the other areas announce ------------------------------------------------------------


@children_on_alert.connect
def _task_for_absences(group, *, people, actor) -> None:
    flag_for_case_managers(people, source=TaskSource.ABSENCES, actor=actor)


@repeated_no_shows.connect
def _task_for_no_shows(session, *, people, actor) -> None:
    flag_for_case_managers(people, source=TaskSource.NO_SHOWS, actor=actor)

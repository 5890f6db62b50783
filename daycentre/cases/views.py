"""Cases: register, evaluate, plan, monitor, close; every opening of a case record is audited."""

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.cases import (
    access,
    bp,
    changes,
    deadlines,
    delivery,
    evaluations,
    overdue,
    plans,
    reintegration,
    stages,
    tasks,
    workflow,
)
from daycentre.cases import alerts as _alerts  # noqa: F401  (listens to the incident register)
from daycentre.cases.forms import (
    PROGRESS_CHOICES,
    ClosureForm,
    CompleteEvaluationForm,
    EvaluationForm,
    LinkForm,
    MeasureForm,
    NewMeasureForm,
    NewPlanForm,
    ObjectiveForm,
    ObservatoryForm,
    OutcomeForm,
    PlanForm,
    PreparationForm,
    PrimaryForm,
    ProtectionForm,
    ReopenForm,
    RequestForm,
    ReturnForm,
    ReturnVisitForm,
    ReviewForm,
    ServiceForm,
    StartEvaluationForm,
    TaskForm,
    TeamForm,
    VersionForm,
    VisitForm,
)
from daycentre.cases.models import (
    LINKED_RECORDS,
    Case,
    CaseTask,
    Evaluation,
    Objective,
    Plan,
    PlannedService,
    PlanStatus,
    Progress,
    ServiceKind,
)
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.forms import (
    Form,
    flash_errors,
    narrowed_by_search,
    picker,
    run_service,
    service_done,
)
from daycentre.core.localtime import today
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Family, Person, PersonKind
from daycentre.people.services import by_family_name, visible_families
from daycentre.workshops.models import WorkshopRegistration

# --- Loading, scoped: another centre's case, or a case one is not on, answers 404 -------------


def _back(case: Case):
    return redirect(url_for("cases.show_case", case_id=case.id))


def _refused_now(case: Case, action: str):
    """A redirect back, nothing changed, when the case does not allow ``action`` now (a page left
    open while the case moved on); None when it does."""
    if action in stages.allowed_actions(current_user, case):
        return None
    flash(_("This cannot be done on the case now; the page shows what can."), "error")
    return _back(case)


def allowed_now(action: str):
    """Refuse the case's ``action`` unless ``stages.allowed_actions`` lists it now."""

    def decorate(view):
        @wraps(view)
        def checked(case_id: int, **kwargs):
            refused = _refused_now(scope.record_or_404(Case, case_id), action)
            return refused or view(case_id, **kwargs)

        return checked

    return decorate


def _read(case: Case, part: str) -> None:
    changes.record_read(case, actor=current_user, part=part)
    db.session.commit()


# --- The list and the registration --------------------------------------------------------


@bp.get("/")
@requires("cases.read")
def list_cases():
    show_all = request.args.get("show") == "all"
    found = access.visible_cases(current_user, open_only=not show_all)
    return render_template(
        "cases/list_cases.html",
        cases=found,
        show_all=show_all,
        overdue=overdue.overdue_by_case(current_user),
    )


def _children_choices(families) -> list:
    children = [p for family in families for p in family.members if p.kind is PersonKind.CHILD]
    return [
        (child.id, f"{child.full_name} ({child.family.name})") for child in by_family_name(children)
    ]


def _page_after_registering(case: Case) -> str:
    if access.case_visible(current_user, case):
        return url_for("cases.show_case", case_id=case.id)
    return url_for("cases.list_cases")


@bp.route("/new", methods=["GET", "POST"])
@requires("cases.manage")
def register_request():
    form = RequestForm()
    form.centre_id.choices = [(c.id, c.name) for c in visible_centres(current_user)]
    families = list(
        db.session.scalars(
            db.select(Family).where(visible_families(current_user)).order_by(Family.name)
        )
    )
    picker(form.family_id, "family").choices = [(0, "—")] + [
        (f.id, f"{f.name}, {f.city}") for f in families
    ]
    form.children.choices = _children_choices(families)
    if not form.is_submitted():
        form.received_on.data = today()
    if not narrowed_by_search(form) and form.validate_on_submit():
        centre = scope.record_or_404(Centre, form.centre_id.data)
        family = None
        if form.family_id.data:
            family = db.get_or_404(Family, form.family_id.data)
            if family not in families:
                abort(404)
        children = [db.get_or_404(Person, pid) for pid in form.children.data or []]
        if any(child.family not in families for child in children):
            abort(404)
        case = run_service(
            form,
            None,
            submissions.once(form, workflow.register_request, _page_after_registering),
            centre,
            actor=current_user,
            received_on=form.received_on.data,
            source=form.source.data,
            channel=form.channel.data,
            requester=form.requester.data,
            requester_address=form.requester_address.data,
            reported=form.reported.data,
            family=family,
            children=children,
            kind=form.kind.data,
        )
        if case is not None:
            flash(
                _("The request was registered with number %(number)s.", number=case.reference),
                "success",
            )
            if access.case_visible(current_user, case):
                return _back(case)
            return redirect(url_for("cases.list_cases"))
    return render_template("cases/register_request.html", form=form)


# --- The case file ----------------------------------------------------------------------------


def _record_label(record) -> str:
    if isinstance(record, Enrolment):
        return f"{record.person.full_name} · {record.group.name} · {record.status.label}"
    if isinstance(record, WorkshopRegistration):
        return f"{record.person.full_name} · {record.workshop.title} · {record.status.label}"
    since = _("since %(day)s", day=format_date(record.joined_on, "short"))
    return f"{record.person.full_name} · {record.group.topic} · {since}"


def _record_choices(case: Case) -> dict[ServiceKind, list[tuple[str, str]]]:
    """Per kind of service, the records that could deliver it, as (token, label) choices."""
    return {
        kind: [(f"{LINKED_RECORDS[kind]}:{record.id}", _record_label(record)) for record in found]
        for kind, found in plans.linkable_records(case, centre_ids=_visible_centre_ids()).items()
    }


def _chosen_record(token: str | None):
    """The record a choice names; the form has already checked it was one of its choices."""
    attribute, _sep, ident = (token or "").partition(":")
    model = plans.LINKABLE.get(attribute)
    return db.session.get(model, int(ident)) if model and ident.isdecimal() else None


def _visible_centre_ids() -> set[int]:
    return {centre.id for centre in visible_centres(current_user)}


def _deliveries(plan: Plan | None) -> dict:
    return delivery.deliveries(plan, centre_ids=_visible_centre_ids()) if plan else {}


def _service_form(record_choices: dict, **kwargs) -> ServiceForm:
    form = ServiceForm(**kwargs)
    form.record.choices = [("", "—")] + [
        (token, f"{kind.label}: {label}")
        for kind, choices in record_choices.items()
        for token, label in choices
    ]
    return form


def _link_forms(record_choices: dict) -> dict[ServiceKind, LinkForm]:
    forms = {}
    for kind, choices in record_choices.items():
        forms[kind] = LinkForm(formdata=None)
        forms[kind].record.choices = choices
    return forms


@bp.get("/<int:case_id>")
@requires("cases.read")
def show_case(case_id: int):
    case = scope.record_or_404(Case, case_id)
    _read(case, "case")
    version = {"version": case.version}
    primary_form = PrimaryForm(formdata=None, data=version | {"decided_on": today()})
    primary_form.manager_id.choices = [
        (u.id, u.full_name) for u in access.possible_managers(case.centre_id)
    ]
    team_form = TeamForm(formdata=None)
    on_case = {u.id for u in case.team} | {case.manager_id}
    team_form.user_id.choices = [
        (u.id, f"{u.full_name} · {u.role.label}")
        for u in access.possible_managers(case.centre_id)
        if u.id not in on_case
    ]
    return render_template(
        "cases/show_case.html",
        case=case,
        allowed=stages.allowed_actions(current_user, case),
        primary_form=primary_form,
        team_form=team_form,
        start_form=StartEvaluationForm(formdata=None, data={"started_on": today()}),
        visit_form=VisitForm(formdata=None, data={"visited_on": today()}),
        observatory_form=ObservatoryForm(formdata=None, data=version | {"registered_on": today()}),
        plan_form=NewPlanForm(formdata=None, data={"starts_on": today()}),
        protection_form=ProtectionForm(formdata=None, data=version | {"referred_on": today()}),
        closure_form=ClosureForm(
            formdata=None, data=version | {"closed_on": today(), "stays_in_family": True}
        ),
        reopen_form=ReopenForm(formdata=None, data=version),
        version_form=VersionForm(formdata=None, data=version),
        task_form=TaskForm(formdata=None),
        first_visit_due=deadlines.first_visit_due(case),
        first_visit_deadline=deadlines.first_visit_deadline(case),
        first_visit_late=deadlines.first_visit_late(case),
        primary_late=deadlines.primary_overdue(case),
        review_due=deadlines.next_review_due(case),
        review_late=deadlines.review_overdue(case),
        late_services={s.id for s in deadlines.overdue_services(case)},
        progress=deadlines.latest_progress(case),
        deliveries=_deliveries(case.active_plan),
        link_forms={},  # links are made on the plan's page
        **_return_forms(case),
    )


def _return_forms(case: Case) -> dict:
    """The forms and deadlines of a child's return home, for a case of that kind."""
    if not case.is_reintegration:
        return {}
    measure = case.reintegration
    version = {"version": measure.version} if measure else {}
    measure_data = (
        {name: getattr(measure, name) for name in MEASURE_FIELDS} if measure else {}
    ) | version
    due = deadlines.outcomes_due(case)
    return {
        "measure_form": MeasureForm(formdata=None, data=measure_data),
        "preparation_form": PreparationForm(formdata=None, data={"held_on": today()}),
        "return_form": ReturnForm(formdata=None, data=version | {"returned_on": today()}),
        "return_visit_form": ReturnVisitForm(formdata=None, data={"visited_on": today()}),
        "outcome_form": OutcomeForm(formdata=None, data=version | {"months": due[0] if due else 3}),
        "new_measure_form": NewMeasureForm(formdata=None, data=version | {"decided_on": today()}),
        "return_visits_due": deadlines.return_visits_due(case),
        "return_visit_next": deadlines.next_return_visit_due(case),
        "return_visit_late": deadlines.return_visit_overdue(case),
        "outcomes_due": due,
        "outcome_on": {months: deadlines.outcome_on(case, months) for months in (3, 6)},
    }


MEASURE_FIELDS = (
    "measure_kind",
    "measure_decision",
    "measure_decided_on",
    "ending_decision",
    "measure_ends_on",
    "family_kind",
)


@bp.post("/<int:case_id>/primary")
@requires("cases.supervise")
@allowed_now("decide_primary")
def decide_primary(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = PrimaryForm()
    form.manager_id.choices = [
        (u.id, u.full_name) for u in access.possible_managers(case.centre_id)
    ]
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(case)
    competent = form.competent.data == "yes"
    manager = db.session.get(User, form.manager_id.data) if form.manager_id.data else None
    if service_done(
        form,
        case,
        workflow.decide_primary,
        case,
        actor=current_user,
        version=form.version.data,
        decided_on=form.decided_on.data,
        competent=competent,
        manager=manager,
        referred_to=form.referred_to.data,
        answer=form.answer.data,
    ):
        flash(
            _("The case manager is named.") if competent else _("The case was referred."),
            "success",
        )
    return _back(case)


@bp.post("/<int:case_id>/team")
@requires("cases.manage")
@allowed_now("add_team_member")
def add_team_member(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = TeamForm()
    form.user_id.choices = [(u.id, u.full_name) for u in access.possible_managers(case.centre_id)]
    if form.validate_on_submit():
        user = db.get_or_404(User, form.user_id.data)
        if service_done(form, case, workflow.add_team_member, case, user, actor=current_user):
            flash(_("Added to the case team."), "success")
    else:
        flash_errors(form)
    return _back(case)


# --- Detailed evaluation and home visits ----------------------------------------------------


@bp.post("/<int:case_id>/evaluations")
@requires("cases.manage")
@allowed_now("start_evaluation")
def start_evaluation(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = StartEvaluationForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(case)
    evaluation = run_service(
        form,
        case,
        evaluations.start_evaluation,
        case,
        actor=current_user,
        started_on=form.started_on.data,
        started_at=form.started_at.data,
    )
    if evaluation is None:
        return _back(case)
    return redirect(url_for("cases.edit_evaluation", evaluation_id=evaluation.id))


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"])
@requires("cases.manage")
def edit_evaluation(evaluation_id: int):
    evaluation = scope.record_or_404(Evaluation, evaluation_id)
    case = evaluation.case
    form = EvaluationForm(obj=evaluation)
    if not form.is_submitted():
        _read(case, "evaluation")
        form.version.data = evaluation.version
    if form.validate_on_submit():
        fields = {name: form[name].data for name in evaluations.EVALUATION_FIELDS}
        if service_done(
            form,
            evaluation,
            evaluations.save_evaluation,
            evaluation,
            actor=current_user,
            version=form.version.data,
            **fields,
        ):
            flash(_("The evaluation was saved."), "success")
            return redirect(url_for("cases.edit_evaluation", evaluation_id=evaluation.id))
    complete_form = CompleteEvaluationForm(
        formdata=None, data={"version": evaluation.version, "completed_on": today()}
    )
    return render_template(
        "cases/edit_evaluation.html",
        case=case,
        evaluation=evaluation,
        form=form,
        complete_form=complete_form,
    )


@bp.post("/evaluations/<int:evaluation_id>/complete")
@requires("cases.manage")
def complete_evaluation(evaluation_id: int):
    evaluation = scope.record_or_404(Evaluation, evaluation_id)
    form = CompleteEvaluationForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        evaluation,
        evaluations.complete_evaluation,
        evaluation,
        actor=current_user,
        version=form.version.data,
        completed_on=form.completed_on.data,
    ):
        flash(_("The evaluation is completed."), "success")
        return _back(evaluation.case)
    return redirect(url_for("cases.edit_evaluation", evaluation_id=evaluation.id))


@bp.post("/<int:case_id>/visits")
@requires("cases.manage")
@allowed_now("add_visit")
def add_visit(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = VisitForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        evaluations.add_visit,
        case,
        actor=current_user,
        visited_on=form.visited_on.data,
        visited_at=form.visited_at.data,
        findings=form.findings.data,
    ):
        flash(_("The home visit was recorded."), "success")
    return _back(case)


@bp.post("/<int:case_id>/observatory")
@requires("cases.manage")
@allowed_now("record_observatory")
def record_observatory(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = ObservatoryForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        workflow.record_observatory,
        case,
        actor=current_user,
        version=form.version.data,
        registered_on=form.registered_on.data,
    ):
        flash(_("The registration in the National Child Observatory was recorded."), "success")
    return _back(case)


# --- The service plan -------------------------------------------------------------------------


@bp.post("/<int:case_id>/plans")
@requires("cases.manage")
@allowed_now("create_plan")
def create_plan(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = NewPlanForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return _back(case)
    plan = run_service(
        form, case, plans.create_plan, case, actor=current_user, starts_on=form.starts_on.data
    )
    if plan is None:
        return _back(case)
    return redirect(url_for("cases.show_plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@requires("cases.manage")
def show_plan(plan_id: int):
    plan = scope.record_or_404(Plan, plan_id)
    case = plan.case
    form = PlanForm(obj=plan)
    if not form.is_submitted():
        _read(case, "plan")
        form.version.data = plan.version
    if form.validate_on_submit() and service_done(
        form,
        plan,
        plans.save_plan,
        plan,
        actor=current_user,
        version=form.version.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        family_signed_on=form.family_signed_on.data,
    ):
        flash(_("The plan was saved."), "success")
        return redirect(url_for("cases.show_plan", plan_id=plan.id))
    record_choices = _record_choices(case)
    service_form = _service_form(record_choices, formdata=None, data={"starts_on": plan.starts_on})
    return render_template(
        "cases/show_plan.html",
        case=case,
        plan=plan,
        form=form,
        objective_form=ObjectiveForm(formdata=None),
        service_form=service_form,
        link_forms=_link_forms(record_choices) if plan.status is not PlanStatus.SUPERSEDED else {},
        deliveries=_deliveries(plan),
        approve_form=VersionForm(formdata=None, data={"version": plan.version}),
        supervisor=access.is_supervisor(current_user, case),
        progress=deadlines.latest_progress(case),
    )


@bp.post("/plans/<int:plan_id>/objectives")
@requires("cases.manage")
def add_objective(plan_id: int):
    plan = scope.record_or_404(Plan, plan_id)
    form = ObjectiveForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form, plan, plans.add_objective, plan, actor=current_user, text=form.text.data
    ):
        flash(_("The objective was added."), "success")
    return redirect(url_for("cases.show_plan", plan_id=plan.id))


@bp.post("/objectives/<int:objective_id>/services")
@requires("cases.manage")
def add_service(objective_id: int):
    objective = scope.record_or_404(Objective, objective_id)
    plan = objective.plan
    form = _service_form(_record_choices(plan.case))
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        objective,
        plans.add_service,
        objective,
        actor=current_user,
        kind=form.kind.data,
        description=form.description.data,
        provider=form.provider.data,
        responsible=form.responsible.data,
        starts_on=form.starts_on.data,
        deadline=form.deadline.data,
        record=_chosen_record(form.record.data),
    ):
        flash(_("The service was added to the plan."), "success")
    return redirect(url_for("cases.show_plan", plan_id=plan.id))


@bp.post("/services/<int:service_id>/link")
@requires("cases.manage")
def link_record(service_id: int):
    service = scope.record_or_404(PlannedService, service_id)
    plan = service.objective.plan
    form = LinkForm()
    form.record.choices = _record_choices(plan.case).get(service.kind, [])
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        service,
        plans.link_record,
        service,
        _chosen_record(form.record.data),
        actor=current_user,
    ):
        flash(_("The service is linked to the record that delivers it."), "success")
    return redirect(url_for("cases.show_plan", plan_id=plan.id))


@bp.post("/plans/<int:plan_id>/approve")
@requires("cases.supervise")
def approve_plan(plan_id: int):
    plan = scope.record_or_404(Plan, plan_id)
    form = VersionForm()
    if form.validate_on_submit() and service_done(
        form, plan, plans.approve_plan, plan, actor=current_user, version=form.version.data
    ):
        flash(_("The service plan is approved and in force."), "success")
    return redirect(url_for("cases.show_plan", plan_id=plan.id))


@bp.post("/<int:case_id>/protection")
@requires("cases.manage")
@allowed_now("refer_for_protection")
def refer_for_protection(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = ProtectionForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        workflow.refer_for_protection,
        case,
        actor=current_user,
        version=form.version.data,
        body=form.body.data,
        referred_on=form.referred_on.data,
    ):
        flash(_("The referral for a protection measure was recorded."), "success")
    return _back(case)


# --- Monitoring -------------------------------------------------------------------------------


@bp.route("/<int:case_id>/reviews/new", methods=["GET", "POST"])
@requires("cases.manage")
@allowed_now("record_review")
def record_review(case_id: int):
    case = scope.record_or_404(Case, case_id)
    plan = case.active_plan
    if plan is None:
        flash(_("Reviews are made while the plan is in force."), "error")
        return _back(case)
    form = ReviewForm()
    if not form.is_submitted():
        _read(case, "review")
        form.reviewed_on.data = today()
    chosen = {}
    statuses = {p.value for p in Progress}
    for objective in plan.objectives:
        status = request.form.get(f"status-{objective.id}", "")
        comment = request.form.get(f"comment-{objective.id}", "").replace("\x00", "")[:2000]
        if status in statuses:
            chosen[objective.id] = (status, comment)
    if form.validate_on_submit():
        if len(chosen) != len(plan.objectives):
            flash(_("Record the progress of every objective."), "error")
        elif service_done(
            form,
            case,
            plans.record_review,
            case,
            actor=current_user,
            reviewed_on=form.reviewed_on.data,
            notes=form.notes.data,
            progress=chosen,
        ):
            flash(_("The review was saved."), "success")
            return _back(case)
    previous = deadlines.latest_progress(case)
    return render_template(
        "cases/record_review.html",
        case=case,
        plan=plan,
        form=form,
        choices=PROGRESS_CHOICES,
        chosen=chosen,
        previous=previous,
        due=deadlines.next_review_due(case),
    )


@bp.post("/<int:case_id>/tasks")
@requires("cases.manage")
@allowed_now("add_task")
def add_task(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = TaskForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        tasks.add_task,
        case,
        actor=current_user,
        text=form.text.data,
        due_on=form.due_on.data,
    ):
        flash(_("The task was added."), "success")
    return _back(case)


@bp.post("/tasks/<int:task_id>/done")
@requires("cases.manage")
def complete_task(task_id: int):
    task = scope.record_or_404(CaseTask, task_id)
    case = task.case
    form = Form()
    if form.validate_on_submit() and service_done(
        form, task, tasks.complete_task, task, actor=current_user
    ):
        flash(_("The task is marked done."), "success")
    return _back(case)


# --- A child's return home from care ---------------------------------------------------------


def _return_step(case_id: int, form_class, service, message, fields):
    """Validate ``form_class`` and run ``service`` with ``fields(form)``; back to the case."""
    case = scope.record_or_404(Case, case_id)
    form = form_class()
    if not form.validate_on_submit():
        flash_errors(form)
    # No form to show a refusal under (the page is redirected to): every refusal is flashed.
    elif service_done(None, case, service, case, actor=current_user, **fields(form)):
        flash(message(), "success")
    return _back(case)


@bp.post("/<int:case_id>/measure")
@requires("cases.manage")
@allowed_now("record_measure")
def record_measure(case_id: int):
    return _return_step(
        case_id,
        MeasureForm,
        reintegration.record_measure,
        lambda: _("The protection measure was saved."),
        lambda form: (
            {"version": form.version.data} | {name: form[name].data for name in MEASURE_FIELDS}
        ),
    )


@bp.post("/<int:case_id>/preparations")
@requires("cases.manage")
@allowed_now("add_preparation")
def add_preparation(case_id: int):
    return _return_step(
        case_id,
        PreparationForm,
        reintegration.add_preparation,
        lambda: _("The preparation activity was recorded."),
        lambda form: {
            "held_on": form.held_on.data,
            "prepared": form.prepared.data,
            "description": form.description.data,
        },
    )


@bp.post("/<int:case_id>/return")
@requires("cases.manage")
@allowed_now("record_return")
def record_return(case_id: int):
    return _return_step(
        case_id,
        ReturnForm,
        reintegration.record_return,
        lambda: _("The day of the return was recorded."),
        lambda form: {"version": form.version.data, "returned_on": form.returned_on.data},
    )


@bp.post("/<int:case_id>/return-visits")
@requires("cases.manage")
@allowed_now("add_return_visit")
def add_return_visit(case_id: int):
    return _return_step(
        case_id,
        ReturnVisitForm,
        reintegration.add_return_visit,
        lambda: _("The monitoring visit was recorded."),
        lambda form: {"visited_on": form.visited_on.data, "report": form.report.data},
    )


@bp.post("/<int:case_id>/outcome")
@requires("cases.manage")
@allowed_now("record_outcome")
def record_outcome(case_id: int):
    return _return_step(
        case_id,
        OutcomeForm,
        reintegration.record_outcome,
        lambda: _("The outcome was recorded."),
        lambda form: {
            "version": form.version.data,
            "months": form.months.data,
            "at_home": form.at_home.data == "yes",
        },
    )


@bp.post("/<int:case_id>/new-measure")
@requires("cases.manage")
@allowed_now("record_new_measure")
def record_new_measure(case_id: int):
    return _return_step(
        case_id,
        NewMeasureForm,
        reintegration.record_new_measure,
        lambda: _("The new protection measure was recorded."),
        lambda form: {
            "version": form.version.data,
            "decided_on": form.decided_on.data,
            "decision": form.decision.data,
        },
    )


# --- Closure ----------------------------------------------------------------------------------


@bp.post("/<int:case_id>/closure")
@requires("cases.manage")
@allowed_now("propose_closure")
def propose_closure(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = ClosureForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        workflow.propose_closure,
        case,
        actor=current_user,
        version=form.version.data,
        reason=form.reason.data,
        closed_on=form.closed_on.data,
        stays_in_family=form.stays_in_family.data,
        notes=form.notes.data,
        follow_up_on=form.follow_up_on.data,
    ):
        flash(_("The closure is proposed and waits for the supervisor's approval."), "success")
    return _back(case)


@bp.post("/<int:case_id>/closure/approve")
@requires("cases.supervise")
@allowed_now("approve_closure")
def approve_closure(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = VersionForm()
    if form.validate_on_submit() and service_done(
        form, case, workflow.approve_closure, case, actor=current_user, version=form.version.data
    ):
        flash(_("The case is closed."), "success")
    return _back(case)


@bp.post("/<int:case_id>/reopen")
@requires("cases.manage")
@allowed_now("reopen")
def reopen(case_id: int):
    case = scope.record_or_404(Case, case_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash_errors(form)
    elif service_done(
        form,
        case,
        workflow.reopen,
        case,
        actor=current_user,
        version=form.version.data,
        reason=form.reason.data,
    ):
        flash(_("The case is reopened."), "success")
    return _back(case)


# --- Documents --------------------------------------------------------------------------------

DOCUMENTS = {
    "answer": "cases/answer_pdf.html",
    "evaluation": "cases/evaluation_pdf.html",
    "plan": "cases/plan_pdf.html",
    "closure": "cases/closure_pdf.html",
    "reintegration": "cases/reintegration_pdf.html",
}
DOCUMENT_NAMES = {
    "answer": ("Raspuns", "Valasz"),
    "evaluation": ("Evaluare", "Felmeres"),
    "plan": ("Plan de servicii", "Szolgaltatasi terv"),
    "closure": ("Inchiderea cazului", "Eset lezarasa"),
    "reintegration": ("Reintegrare in familie", "Csaladba visszahelyezes"),
}


@bp.get(
    "/<int:case_id>/<any(answer,evaluation,plan,closure,reintegration):document>.<any(ro,hu):language>.pdf"
)
@requires("cases.read")
def print_document(case_id: int, document: str, language: str):
    """The written answer, the evaluation, the plan in force or the closure, in ro or hu."""
    case = scope.record_or_404(Case, case_id)
    plan = case.active_plan or (case.plans[-1] if case.plans else None)
    available = {
        "answer": case.competent is False,
        "evaluation": case.evaluation is not None,
        "plan": plan is not None,
        "closure": case.closure_reason is not None,
        "reintegration": case.reintegration is not None,
    }
    if not available[document]:
        abort(404)
    plan_id = request.args.get("plan", type=int)
    if document == "plan" and plan_id:
        plan = next((p for p in case.plans if p.id == plan_id), None) or abort(404)
    _read(case, f"{document}.pdf")
    pdf = render_pdf(
        DOCUMENTS[document],
        language=language,
        case=case,
        plan=plan,
        evaluation=case.evaluation,
        progress=deadlines.latest_progress(case),
        return_visits_due=deadlines.return_visits_due(case),
        printed_on=_dated_on(case, document),
    )
    name = DOCUMENT_NAMES[document][0 if language == "ro" else 1]
    return download(pdf, PDF, f"{name} {case.number}-{case.year}.pdf")


def _dated_on(case, document: str):
    """The answer is a letter of the decision: it bears the decision's day, whenever printed."""
    if document == "answer" and case.primary_on:
        return case.primary_on
    return today()

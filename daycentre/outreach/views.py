from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.permissions import requires
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.forms import NOT_RECORD_FIELDS, Form, run_service, service_done
from daycentre.core.i18n import current_language
from daycentre.extensions import db
from daycentre.outreach import bp
from daycentre.outreach import services as outreach
from daycentre.outreach.forms import (
    AgreementForm,
    CampaignForm,
    MaterialForm,
    ParticipantForm,
    ResourceForm,
    TrainingForm,
)
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    ParticipantKind,
    Training,
    TrainingParticipant,
)
from daycentre.volunteers.models import Volunteer


@dataclass(frozen=True)
class Kind:
    """One kind of outreach record: its model, form and how its list reads."""

    slug: str
    model: type
    form: type
    title: object
    new_label: object
    columns: tuple  # (heading, attribute) pairs shown in the list
    order_by: str


KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "campaigns",
            Campaign,
            CampaignForm,
            _l("Information campaigns"),
            _l("New campaign"),
            (
                (_l("Title"), "title"),
                (_l("Starts on"), "starts_on"),
                (_l("Ends on"), "ends_on"),
                (_l("People reached"), "people_reached"),
            ),
            "starts_on",
        ),
        Kind(
            "materials",
            InformationMaterial,
            MaterialForm,
            _l("Information materials"),
            _l("New material"),
            (
                (_l("Title"), "title"),
                (_l("Kind"), "kind"),
                (_l("Produced on"), "produced_on"),
                (_l("Copies made"), "copies_made"),
                (_l("Copies distributed"), "copies_distributed"),
            ),
            "produced_on",
        ),
        Kind(
            "agreements",
            Agreement,
            AgreementForm,
            _l("Partnerships and protocols"),
            _l("New agreement"),
            (
                (_l("Subject"), "subject"),
                (_l("Kind"), "kind"),
                (_l("Signed on"), "signed_on"),
                (_l("Status"), "status"),
                (_l("Institutions involved"), "institutions_involved"),
            ),
            "signed_on",
        ),
        Kind(
            "trainings",
            Training,
            TrainingForm,
            _l("Trainings"),
            _l("New training"),
            (
                (_l("Topic"), "topic"),
                (_l("Trained"), "audience"),
                (_l("Date"), "held_on"),
                (_l("Hours"), "hours"),
                (_l("Persons trained"), "persons_trained"),
            ),
            "held_on",
        ),
        Kind(
            "resources",
            CommunityResource,
            ResourceForm,
            _l("Community resources"),
            _l("New resource"),
            (
                (_l("Organisation"), "organisation"),
                (_l("Service"), "service"),
                (_l("Phone"), "phone"),
                (_l("Languages"), "languages"),
            ),
            "organisation",
        ),
    )
}
KIND_SLUGS = "any(" + ", ".join(KINDS) + ")"


def _kind(slug: str) -> Kind:
    return KINDS[slug]


def _centre_choices():
    choices = [(centre.id, centre.name) for centre in visible_centres(current_user)]
    if current_user.is_admin:
        choices.insert(0, (0, _("The directorate (no centre)")))
    return choices


@bp.get("/")
@requires("outreach.manage")
def overview():
    counts = {
        slug: db.session.scalar(
            db.select(db.func.count()).select_from(
                outreach.listed(kind.model, current_user).subquery()
            )
        )
        for slug, kind in KINDS.items()
    }
    return render_template("outreach/overview.html", kinds=KINDS, counts=counts)


@bp.get(f"/<{KIND_SLUGS}:slug>/")
@requires("outreach.manage")
def list_records(slug: str):
    kind = _kind(slug)
    query_text = request.args.get("q", "")[:200]
    if kind.model is CommunityResource:
        records = outreach.search_resources(query_text, user=current_user)
    else:
        order = getattr(kind.model, kind.order_by)
        records = db.session.scalars(
            outreach.listed(kind.model, current_user).order_by(order.desc())
        ).all()
    return render_template(
        "outreach/list_records.html",
        kind=kind,
        records=records,
        query_text=query_text,
        may_change=lambda record: outreach.may_change(record, current_user),
    )


@bp.route(f"/<{KIND_SLUGS}:slug>/new", methods=["GET", "POST"])
@bp.route(f"/<{KIND_SLUGS}:slug>/<int:record_id>/edit", methods=["GET", "POST"])
@requires("outreach.manage")
def edit_record(slug: str, record_id: int | None = None):
    kind = _kind(slug)
    record = scope.record_or_404(kind.model, record_id) if record_id is not None else None
    form = kind.form(obj=record, centre_choices=_centre_choices())
    if record is not None and not form.is_submitted():
        form.centre_id.data = record.centre_id or 0
        if isinstance(record, Campaign):
            form.channels.data = [channel.value for channel in record.channels]
    if form.validate_on_submit():
        fields = {
            name: field.data
            for name, field in form._fields.items()
            if name not in NOT_RECORD_FIELDS
        }
        fields["centre_id"] = fields["centre_id"] or None
        if fields["centre_id"] is None and not current_user.is_admin:
            abort(404)
        save = outreach.save_record
        if record is None:
            save = submissions.once(
                form, save, lambda _: url_for("outreach.list_records", slug=slug)
            )
        saved = run_service(
            form,
            record,
            save,
            record,
            model=kind.model,
            actor=current_user,
            version=form.version.data,
            **fields,
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for("outreach.list_records", slug=kind.slug))
    heading = kind.new_label if record is None else kind.title
    return render_template(
        "outreach/edit_record.html", kind=kind, form=form, record=record, heading=heading
    )


@bp.post(f"/<{KIND_SLUGS}:slug>/<int:record_id>/delete")
@requires("outreach.manage")
def delete_record(slug: str, record_id: int):
    kind = _kind(slug)
    record = scope.record_or_404(kind.model, record_id)
    if Form().validate_on_submit() and service_done(
        None, None, outreach.delete_record, record, actor=current_user
    ):
        flash(_("Deleted."), "success")
    return redirect(url_for("outreach.list_records", slug=kind.slug))


@bp.get("/resources/print")
@requires("outreach.manage")
def print_resources():
    """The chosen resources on one page to hand to a family, in the family's language."""
    ids = [int(v) for v in request.args.getlist("id") if v.isdecimal() and len(v) < 10][:50]
    language = request.args.get("language", current_language())
    if language not in ("ro", "hu", "en"):
        abort(400)
    resources = db.session.scalars(
        outreach.listed(CommunityResource, current_user)
        .where(CommunityResource.id.in_(ids))
        .order_by(CommunityResource.organisation)
    ).all()
    if not resources:
        flash(_("Choose at least one resource to print."), "error")
        return redirect(url_for("outreach.list_records", slug="resources"))
    pdf = render_pdf("outreach/resources_pdf.html", language=language, resources=resources)
    audit.record(
        audit.EXPORT,
        entity=CommunityResource.__tablename__,
        actor=current_user,
        changes={"format": "pdf", "language": language, "resources": [r.id for r in resources]},
    )
    db.session.commit()
    return download(pdf, PDF, _("Community resources") + ".pdf")


# ---- Who took part in a training ------------------------------------------------------------


def _participant_form(training: Training, **kwargs) -> ParticipantForm:
    form = ParticipantForm(**kwargs)
    staff = db.session.scalars(
        scope.select_visible(User, current_user)
        .where(User.active.is_(True))
        .order_by(User.family_name, User.given_name)
    )
    volunteers = db.session.scalars(
        scope.select_visible(Volunteer, current_user)
        .where(Volunteer.centre_id == training.centre_id)
        .order_by(Volunteer.family_name, Volunteer.given_name)
    )
    form.user_id.choices = [(0, "—")] + [(u.id, u.full_name) for u in staff]
    form.volunteer_id.choices = [(0, "—")] + [(v.id, v.full_name) for v in volunteers]
    return form


@bp.route("/trainings/<int:training_id>/participants", methods=["GET", "POST"])
@requires("outreach.manage")
def training_participants(training_id: int):
    """Who took part in a training: each person counts once in the persons trained of a period."""
    training = scope.record_or_404(Training, training_id)
    form = _participant_form(training)
    if form.validate_on_submit():
        user = volunteer = None
        if form.user_id.data:
            user = scope.record_or_404(User, form.user_id.data)
        if form.volunteer_id.data:
            volunteer = scope.record_or_404(Volunteer, form.volunteer_id.data)
        if service_done(
            form,
            training,
            outreach.add_participant,
            training,
            actor=current_user,
            kind=ParticipantKind(form.kind.data),
            user=user,
            volunteer=volunteer,
            name=form.name.data,
            organisation=form.organisation.data,
        ):
            flash(_("The participant was added."), "success")
            return redirect(url_for("outreach.training_participants", training_id=training.id))
    return render_template(
        "outreach/training_participants.html",
        training=training,
        form=form,
        remove_form=Form(formdata=None),
    )


@bp.post("/participants/<int:participant_id>/remove")
@requires("outreach.manage")
def remove_participant(participant_id: int):
    participant = scope.record_or_404(TrainingParticipant, participant_id)
    training = participant.training
    if Form().validate_on_submit() and service_done(
        None, None, outreach.remove_participant, participant, actor=current_user
    ):
        flash(_("The participant was removed."), "success")
    return redirect(url_for("outreach.training_participants", training_id=training.id))

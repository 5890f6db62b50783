from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.countries import country_name
from daycentre.core.documents import XLSX, download, spreadsheet
from daycentre.core.forms import Form, run_service, service_done
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.people import bp
from daycentre.people import services as people
from daycentre.people.forms import (
    PERSON_FORMS,
    AbroadPeriodForm,
    AbroadVisitForm,
    ConsentForm,
    FamilyForm,
    ParentsAbroadForm,
    SearchForm,
    WithdrawConsentForm,
)
from daycentre.people.models import Consent, Family, ParentsAbroad, Person, PersonKind


def _family_page(family: Family) -> str:
    return url_for("people.show_family", family_id=family.id)


def _person_page(person: Person) -> str:
    return url_for("people.show_person", person_id=person.id)


def _fields(form, *names) -> dict:
    return {name: form[name].data for name in names if name in form}


def _searched_name(form: SearchForm) -> str:
    """The name searched for. Searches are POSTed: a name typed in never reaches a URL, and so
    never the server's access log, the browser's history or a proxy's log."""
    return (form.q.data or "") if form.validate_on_submit() else ""


@bp.route("/", methods=["GET", "POST"])
@requires("people.read")
def list_people():
    form = SearchForm()
    text = _searched_name(form)
    kind = PersonKind(form.kind.data) if form.kind.data in set(PersonKind) else None
    found = people.search_people(current_user, text, kind=kind)
    return render_template("people/list_people.html", form=form, people=found)


@bp.route("/families", methods=["GET", "POST"])
@requires("people.read")
def list_families():
    form = SearchForm()
    families = people.search_families(current_user, _searched_name(form))
    return render_template("people/list_families.html", form=form, families=families)


@bp.post("/pick")
@requires("people.read")
def pick():
    """For a picker's script: the ids of the people and families whose names the typed text finds
    (accents aside), among those the user sees. POSTed, so a name never reaches a URL or a log."""
    sent = request.get_json(silent=True)
    text = sent.get("q") if isinstance(sent, dict) else None
    text = text.replace("\x00", "")[:100] if isinstance(text, str) else ""
    if not text.strip():
        return jsonify(people=[], families=[])
    return jsonify(
        people=[person.id for person in people.search_people(current_user, text)],
        families=[family.id for family in people.search_families(current_user, text)],
    )


@bp.get("/families/<int:family_id>")
@requires("people.read")
def show_family(family_id: int):
    family = scope.record_or_404(Family, family_id)
    situations = db.session.scalars(
        db.select(ParentsAbroad)
        .where(ParentsAbroad.family_id == family.id)
        .order_by(ParentsAbroad.since.desc())
    ).all()
    return render_template(
        "people/show_family.html",
        family=family,
        situations=situations,
        next_visit_due=people.next_visit_due,
        button_form=Form(),
    )


FAMILY_FIELDS = (
    "name",
    "centre_id",
    "address",
    "city",
    "residence",
    "phone",
    "email",
    "other_factor",
    "notes",
)


@bp.route("/families/new", methods=["GET", "POST"])
@bp.route("/families/<int:family_id>/edit", methods=["GET", "POST"])
@requires("people.manage")
def edit_family(family_id: int | None = None):
    family = scope.record_or_404(Family, family_id) if family_id else None
    centres = visible_centres(current_user)
    form = FamilyForm(obj=family, centres=centres)
    if family is not None and not form.is_submitted():
        form.factors.data = [f.value for f in family.factors]
        form.residence.data = family.residence.value
    if form.validate_on_submit():
        save = people.save_family
        if family is None:
            save = submissions.once(form, save, _family_page)
        saved = run_service(
            None,
            None,
            save,
            family,
            actor=current_user,
            version=form.version.data,
            factors=form.factors.data or [],
            **_fields(form, *FAMILY_FIELDS),
        )
        if saved:
            flash(_("The family %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("people.show_family", family_id=saved.id))
    heading = family.name if family else _("New family")
    return render_template("people/edit_family.html", form=form, family=family, heading=heading)


@bp.post("/families/<int:family_id>/delete")
@requires("people.manage")
def delete_family(family_id: int):
    family = scope.record_or_404(Family, family_id)
    if not (
        Form().validate_on_submit()
        and service_done(None, None, people.delete_family, family, actor=current_user)
    ):
        return redirect(url_for("people.show_family", family_id=family_id))
    flash(_("The family was deleted."), "success")
    return redirect(url_for("people.list_families"))


PERSON_FIELDS = (
    "family_name",
    "given_name",
    "cnp",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "email",
    "school",
    "grade",
    "allergies",
    "diet",
    "notes",
)


@bp.route(
    "/families/<int:family_id>/children/new", methods=["GET", "POST"], defaults={"kind": "child"}
)
@bp.route(
    "/families/<int:family_id>/adults/new", methods=["GET", "POST"], defaults={"kind": "adult"}
)
@requires("people.manage")
def add_person(family_id: int, kind: str):
    family = scope.record_or_404(Family, family_id)
    kind = PersonKind(kind)
    form = PERSON_FORMS[kind]()
    if not form.is_submitted():
        form.family_name.data = family.name
    duplicates = []
    if form.validate_on_submit():
        submissions.refuse_if_saved(form)  # sent again: the first send's person, not a duplicate
        duplicates = people.likely_duplicates(
            current_user,
            family_name=form.family_name.data,
            given_name=form.given_name.data,
            birth_date=form.birth_date.data,
            cnp=form.cnp.data,
        )
        if duplicates:
            # Sent twice at once, the twin may have saved this very person since the check above:
            # look again in a fresh transaction, and answer with its person, not a duplicate.
            db.session.rollback()
            submissions.refuse_if_saved(form)
        # The same CNP is never a different person; the same names and birth date may be.
        same_cnp = any(duplicate.same_cnp for duplicate in duplicates)
        if not duplicates or (form.confirm_duplicate.data and not same_cnp):
            saved = run_service(
                None,
                None,
                submissions.once(form, people.save_person, _person_page),
                None,
                family=family,
                kind=kind,
                actor=current_user,
                **_fields(form, *PERSON_FIELDS),
            )
            if saved:
                flash(_("%(name)s was added to the family.", name=saved.full_name), "success")
                return redirect(url_for("people.show_person", person_id=saved.id))
    if not duplicates or any(duplicate.same_cnp for duplicate in duplicates):
        del form.confirm_duplicate
    heading = _("New child") if kind is PersonKind.CHILD else _("New adult")
    return render_template(
        "people/edit_person.html",
        form=form,
        family=family,
        person=None,
        heading=heading,
        duplicates=duplicates,
    )


@bp.get("/<int:person_id>")
@requires("people.read")
def show_person(person_id: int):
    person = scope.record_or_404(Person, person_id)
    people.record_read(person, actor=current_user)
    db.session.commit()
    return render_template(
        "people/show_person.html",
        person=person,
        consents=people.consent_states(person),
        button_form=Form(),
    )


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@requires("people.manage")
def edit_person(person_id: int):
    person = scope.record_or_404(Person, person_id)
    form = PERSON_FORMS[person.kind](obj=person)
    del form.confirm_duplicate
    if not form.is_submitted():
        form.sex.data = person.sex.value if person.sex else ""
        if person.relation:
            form.relation.data = person.relation.value
    if form.validate_on_submit():
        saved = run_service(
            None,
            None,
            people.save_person,
            person,
            family=person.family,
            actor=current_user,
            version=form.version.data,
            **_fields(form, *PERSON_FIELDS),
        )
        if saved:
            flash(_("The record of %(name)s was saved.", name=saved.full_name), "success")
            return redirect(url_for("people.show_person", person_id=saved.id))
    return render_template(
        "people/edit_person.html",
        form=form,
        family=person.family,
        person=person,
        heading=person.full_name,
        duplicates=[],
    )


@bp.post("/<int:person_id>/delete")
@requires("people.manage")
def delete_person(person_id: int):
    person = scope.record_or_404(Person, person_id)
    family_id = person.family_id
    if not (
        Form().validate_on_submit()
        and service_done(None, None, people.delete_person, person, actor=current_user)
    ):
        return redirect(url_for("people.show_person", person_id=person_id))
    flash(_("The record was deleted."), "success")
    return redirect(url_for("people.show_family", family_id=family_id))


@bp.route("/<int:person_id>/consents/new", methods=["GET", "POST"])
@bp.route("/<int:person_id>/consents/<int:consent_id>/edit", methods=["GET", "POST"])
@requires("people.manage")
def edit_consent(person_id: int, consent_id: int | None = None):
    person = scope.record_or_404(Person, person_id)
    consent = (
        scope.record_or_404(Consent, consent_id, rule=scope.of_person(person))
        if consent_id
        else None
    )
    form = ConsentForm(obj=consent)
    if not form.is_submitted():
        if consent:
            form.purpose.data = consent.purpose.value
        elif request.args.get("purpose"):
            form.purpose.data = request.args["purpose"]
    if form.validate_on_submit():
        saved = run_service(
            None,
            None,
            people.save_consent,
            consent,
            person=person,
            actor=current_user,
            version=form.version.data,
            **_fields(form, "purpose", "given_by", "given_on", "expires_on", "notes"),
        )
        if saved:
            flash(_("The consent was saved."), "success")
            return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/edit_consent.html", form=form, person=person, consent=consent)


@bp.post("/<int:person_id>/consents/<int:consent_id>/delete")
@requires("people.manage")
def delete_consent(person_id: int, consent_id: int):
    person = scope.record_or_404(Person, person_id)
    consent = scope.record_or_404(Consent, consent_id, rule=scope.of_person(person))
    if Form().validate_on_submit() and service_done(
        None, None, people.delete_consent, consent, actor=current_user
    ):
        flash(_("The consent was deleted."), "success")
    return redirect(url_for("people.show_person", person_id=person.id))


@bp.route("/<int:person_id>/consents/<int:consent_id>/withdraw", methods=["GET", "POST"])
@requires("people.manage")
def withdraw_consent(person_id: int, consent_id: int):
    """Record that the consent was withdrawn, and from which day."""
    person = scope.record_or_404(Person, person_id)
    consent = scope.record_or_404(Consent, consent_id, rule=scope.of_person(person))
    form = WithdrawConsentForm(obj=consent)
    if not form.is_submitted():
        form.withdrawn_on.data = today()
    if form.validate_on_submit() and run_service(
        form,
        consent,
        people.withdraw_consent,
        consent,
        actor=current_user,
        on=form.withdrawn_on.data,
        version=form.version.data,
    ):
        flash(_("The withdrawal of the consent was recorded."), "success")
        return redirect(url_for("people.show_person", person_id=person.id))
    return render_template(
        "people/withdraw_consent.html", form=form, person=person, consent=consent
    )


# --- Children whose parents work abroad -------------------------------------------------------


def _abroad_page(situation: ParentsAbroad) -> str:
    return url_for("people.show_abroad", situation_id=situation.id)


@bp.route("/families/<int:family_id>/abroad/new", methods=["GET", "POST"])
@bp.route("/abroad/<int:situation_id>/edit", methods=["GET", "POST"])
@requires("people.manage")
def edit_abroad(family_id: int | None = None, situation_id: int | None = None):
    situation = scope.record_or_404(ParentsAbroad, situation_id) if situation_id else None
    family = situation.family if situation else scope.record_or_404(Family, family_id)
    form = ParentsAbroadForm(obj=situation, managers=people.abroad_managers(family))
    if situation is not None and not form.is_submitted():
        form.who.data = situation.who.value
        form.manager_id.data = situation.manager_id or 0
    if form.validate_on_submit():
        save = people.save_parents_abroad
        if situation is None:
            save = submissions.once(form, save, _abroad_page)
        fields = _fields(form, *people.ABROAD_FIELDS)
        fields["manager_id"] = fields["manager_id"] or None
        saved = run_service(
            form,
            situation,
            save,
            situation,
            family=family,
            actor=current_user,
            version=form.version.data,
            **fields,
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(_abroad_page(saved))
    return render_template("people/edit_abroad.html", form=form, family=family, situation=situation)


@bp.get("/abroad/<int:situation_id>")
@requires("people.read")
def show_abroad(situation_id: int):
    situation = scope.record_or_404(ParentsAbroad, situation_id)
    form = AbroadVisitForm(formdata=None, visited_on=today())
    return render_template(
        "people/show_abroad.html",
        situation=situation,
        family=situation.family,
        form=form,
        due=people.next_visit_due(situation),
        interval=people.visit_interval_months(),
        today=today(),
    )


@bp.post("/abroad/<int:situation_id>/visits")
@requires("people.manage")
def record_abroad_visit(situation_id: int):
    situation = scope.record_or_404(ParentsAbroad, situation_id)
    form = AbroadVisitForm()
    if form.validate_on_submit() and run_service(
        form,
        None,
        people.record_abroad_visit,
        situation,
        actor=current_user,
        visited_on=form.visited_on.data,
        findings=form.findings.data,
    ):
        flash(_("The visit was recorded."), "success")
        return redirect(_abroad_page(situation))
    return render_template(
        "people/show_abroad.html",
        situation=situation,
        family=situation.family,
        form=form,
        due=people.next_visit_due(situation),
        interval=people.visit_interval_months(),
        today=today(),
    )


def _abroad_period():
    """The period and centres asked for (the current quarter so far by default)."""
    centres = visible_centres(current_user)
    day = today()
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if request.args:
        form = AbroadPeriodForm(request.args, centres=centres)
    else:
        form = AbroadPeriodForm(formdata=None, centres=centres, start=first, end=day)
    if request.args and not form.validate():
        return form, None, centres
    visible = {c.id for c in centres}
    chosen = {form.centre_id.data} & visible if form.centre_id.data else visible
    return form, (chosen, form.start.data, form.end.data), centres


@bp.get("/abroad/")
@requires("abroad.read")
def list_abroad():
    form, period, _centres = _abroad_period()
    rows = people.children_with_parents_abroad(*period) if period else []
    return render_template(
        "people/list_abroad.html",
        form=form,
        rows=rows,
        period=period,
        next_visit_due=people.next_visit_due,
        country_name=country_name,
    )


@bp.get("/abroad/children.xlsx")
@requires("abroad.export")
def export_abroad():
    form, period, _centres = _abroad_period()
    if period is None:
        abort(400)
    centre_ids, start, end = period
    rows = people.children_with_parents_abroad(centre_ids, start, end)
    headers = [
        _("Child"),
        _("Date of birth"),
        _("Family"),
        _("Centre"),
        _("Who works abroad"),
        _("Country"),
        _("Abroad since"),
        _("Expected return"),
        _("Came back on"),
        _("Local authority notified on"),
        _("Person caring for the children"),
        _("Parental authority delegated on"),
        _("Court that delegated it"),
        _("Last visit"),
        _("Next visit due"),
    ]
    lines = [
        [
            row.child.listed_name,
            row.child.birth_date,
            row.situation.family.name,
            row.situation.family.centre.name,
            str(row.situation.who.label),
            country_name(row.situation.country),
            row.situation.since,
            row.situation.expected_return,
            row.situation.returned_on,
            row.situation.authority_notified_on,
            row.situation.carer_name,
            row.situation.delegation_on,
            row.situation.delegation_court,
            row.situation.visits[0].visited_on if row.situation.visits else None,
            people.next_visit_due(row.situation),
        ]
        for row in rows
    ]
    title = _("Children whose parents work abroad")
    content = spreadsheet(title, headers, lines)
    audit.record(
        audit.EXPORT,
        entity="children_abroad",
        actor=current_user,
        centre_id=next(iter(centre_ids)) if len(centre_ids) == 1 else None,
        changes={
            "format": "xlsx",
            "rows": len(lines),
            "period": [start.isoformat(), end.isoformat()],
            "centres": sorted(centre_ids),
        },
    )
    db.session.commit()
    return download(content, XLSX, f"{title} {start.isoformat()} – {end.isoformat()}.xlsx")

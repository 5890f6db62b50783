from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.permissions import requires
from daycentre.centres.models import Centre
from daycentre.centres.services import visible_centres
from daycentre.core import submissions
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.forms import run_service
from daycentre.core.i18n import current_language
from daycentre.core.localtime import today
from daycentre.extensions import db, limiter
from daycentre.surveys import bp
from daycentre.surveys import services as surveys
from daycentre.surveys.forms import (
    CampaignForm,
    CodeForm,
    CodesForm,
    answer_values,
    answers_form,
)
from daycentre.surveys.models import SurveyCampaign


def _results(campaign, language):
    return surveys.results(campaign, language=language, yes=_("Yes"), no=_("No"))


@bp.get("/")
@requires("surveys.manage")
def list_campaigns():
    return render_template(
        "surveys/list_campaigns.html",
        campaigns=surveys.campaigns_of(current_user),
        centres=visible_centres(current_user),
    )


@bp.route("/centres/<int:centre_id>/new", methods=["GET", "POST"])
@requires("surveys.manage")
def new_campaign(centre_id: int):
    centre = scope.record_or_404(Centre, centre_id)
    form = CampaignForm()
    if form.validate_on_submit():
        save = submissions.once(
            form,
            surveys.create_campaign,
            lambda c: url_for("surveys.show_campaign", campaign_id=c.id),
        )
        try:
            campaign = run_service(
                form,
                None,
                save,
                centre,
                actor=current_user,
                audience=form.audience.data,
                title=form.title.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                paper_copies=form.paper_copies.data,
            )
        except submissions.AlreadySaved as error:
            return submissions.show_earlier_save(error)
        if campaign:
            flash(_("Saved."), "success")
            return redirect(url_for("surveys.show_campaign", campaign_id=campaign.id))
    return render_template("surveys/edit_campaign.html", form=form, centre=centre)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@requires("surveys.manage")
def edit_campaign(campaign_id: int):
    campaign = scope.record_or_404(SurveyCampaign, campaign_id)
    form = CampaignForm(obj=campaign)
    del form.audience
    if form.validate_on_submit() and run_service(
        form,
        campaign,
        surveys.update_campaign,
        campaign,
        actor=current_user,
        version=form.version.data,
        title=form.title.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        paper_copies=form.paper_copies.data,
    ):
        flash(_("Saved."), "success")
        return redirect(url_for("surveys.show_campaign", campaign_id=campaign.id))
    return render_template(
        "surveys/edit_campaign.html", form=form, centre=campaign.centre, campaign=campaign
    )


@bp.get("/<int:campaign_id>")
@requires("surveys.manage")
def show_campaign(campaign_id: int):
    campaign = scope.record_or_404(SurveyCampaign, campaign_id)
    return render_template(
        "surveys/show_campaign.html",
        campaign=campaign,
        results=_results(campaign, current_language()),
        language=current_language(),
        codes_form=CodesForm(),
        running=surveys.is_running(campaign, today()),
    )


@bp.post("/<int:campaign_id>/codes")
@requires("surveys.manage")
def issue_codes(campaign_id: int):
    """The new codes come as a PDF of slips to print and cut: the app keeps only their hashes,
    so this is the one time anybody sees them."""
    campaign = scope.record_or_404(SurveyCampaign, campaign_id)
    form = CodesForm()
    codes = (
        run_service(
            form, campaign, surveys.issue_codes, campaign, actor=current_user, count=form.count.data
        )
        if form.validate_on_submit()
        else None
    )
    if not codes:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("surveys.show_campaign", campaign_id=campaign.id))
    pdf = render_pdf(
        "surveys/codes_pdf.html",
        language=current_language(),
        campaign=campaign,
        codes=codes,
        link=url_for("surveys.enter_code", _external=True),
    )
    return download(pdf, PDF, _("One-time codes") + f" {campaign.id}.pdf")


@bp.route("/<int:campaign_id>/paper", methods=["GET", "POST"])
@requires("surveys.manage")
def enter_paper(campaign_id: int):
    campaign = scope.record_or_404(SurveyCampaign, campaign_id)
    form = answers_form(
        campaign.questionnaire, current_language(), submit_label=_("Save the answers"), paper=True
    )
    if form.validate_on_submit():
        save = submissions.once(
            form,
            surveys.enter_paper_answers,
            lambda _r: url_for("surveys.enter_paper", campaign_id=campaign.id),
        )
        try:
            response = run_service(
                form,
                None,
                save,
                campaign,
                actor=current_user,
                values=answer_values(form, campaign.questionnaire),
            )
        except submissions.AlreadySaved as error:
            return submissions.show_earlier_save(error)
        if response:
            flash(_("The answers were saved. Enter the next questionnaire."), "success")
            return redirect(url_for("surveys.enter_paper", campaign_id=campaign.id))
    return render_template("surveys/enter_paper.html", campaign=campaign, form=form)


@bp.get("/<int:campaign_id>/report-<any(ro, hu):language>.pdf")
@requires("surveys.manage")
def report_pdf(campaign_id: int, language: str):
    campaign = scope.record_or_404(SurveyCampaign, campaign_id)
    with force_locale(language):
        results = _results(campaign, language)
        pdf = render_pdf(
            "surveys/report_pdf.html", language=language, campaign=campaign, results=results
        )
    audit.record(
        audit.EXPORT,
        campaign,
        actor=current_user,
        centre_id=campaign.centre_id,
        changes={"format": "pdf", "language": language},
    )
    db.session.commit()
    return download(pdf, PDF, _("Satisfaction survey") + f" {campaign.id}.pdf")


# --- The public answer pages --------------------------------------------------------------------


def _survey_limit():
    return current_app.config["SURVEY_LIMIT_PER_ADDRESS"]


@bp.route("/answer", methods=["GET", "POST"])
@limiter.limit(_survey_limit, methods=["POST"])
def enter_code():
    """Public on purpose: a family answers with the code on their slip, without an account."""
    form = CodeForm()
    if form.validate_on_submit():
        code = surveys.normalised(form.code.data)
        if surveys.campaign_for_code(code) is not None:
            return redirect(url_for("surveys.answer", code=code))
        form.code.errors = [
            _("This code does not work: it was already used, or the survey is closed.")
        ]
    return render_template("surveys/enter_code.html", form=form)


@bp.route("/answer/<code>", methods=["GET", "POST"])
@limiter.limit(_survey_limit)
def answer(code: str):
    """Public on purpose (the one-time link): the code is the key, and it works once."""
    if len(code) > 30:
        abort(404)
    campaign = surveys.campaign_for_code(code)
    if campaign is None:
        return render_template("surveys/code_spent.html"), 404
    language = current_language()
    form = answers_form(campaign.questionnaire, language, submit_label=_("Send the answers"))
    if form.validate_on_submit() and run_service(
        form,
        None,
        surveys.answer_with_code,
        code,
        values=answer_values(form, campaign.questionnaire),
    ):
        return redirect(url_for("surveys.thanks"))
    return render_template(
        "surveys/answer.html", campaign=campaign, form=form, language=language, code=code
    )


@bp.get("/answer/thanks")
def thanks():
    return render_template("surveys/thanks.html")

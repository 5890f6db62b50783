from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from daycentre.cases.models import (
    CaseKind,
    ClosureReason,
    MeasureKind,
    PreparationFor,
    Progress,
    ProtectionBody,
    RequestChannel,
    RequestSource,
    ReturnFamily,
    ServiceKind,
)
from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.localtime import today
from daycentre.core.submissions import submission_field

LONG = 5000


def not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


class VersionForm(Form):
    version = HiddenField()


class RequestForm(Form):
    submission = submission_field()
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[InputRequired()])
    kind = SelectField(
        _l("Kind of case"),
        choices=[],
        default=CaseKind.PREVENTION.value,
        validators=[DataRequired()],
    )
    received_on = DateField(_l("Date received"), validators=[InputRequired(), not_in_future])
    source = SelectField(_l("Source"), choices=[], validators=[InputRequired()])
    channel = SelectField(_l("Received by"), choices=[], validators=[InputRequired()])
    requester = StringField(
        _l("Who made the request"), validators=[DataRequired(), Length(max=200)]
    )
    requester_address = StringField(
        _l("Requester's address (for the written answer)"), validators=[Optional(), Length(max=300)]
    )
    family_id = SelectField(_l("Family concerned"), coerce=int, choices=[], validators=[Optional()])
    children = MultiCheckboxField(_l("Children concerned"), coerce=int, choices=[])
    reported = TextAreaField(_l("What is reported"), validators=[DataRequired(), Length(max=LONG)])
    submit = SubmitField(_l("Register the request"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = CaseKind.choices()
        self.source.choices = RequestSource.choices()
        self.channel.choices = RequestChannel.choices()


class PrimaryForm(VersionForm):
    decided_on = DateField(
        _l("Date of the primary evaluation"), validators=[InputRequired(), not_in_future]
    )
    competent = RadioField(_l("Is the centre competent?"), choices=[], validators=[InputRequired()])
    manager_id = SelectField(_l("Case manager"), coerce=int, choices=[], validators=[Optional()])
    referred_to = StringField(_l("Referred to"), validators=[Optional(), Length(max=300)])
    answer = TextAreaField(
        _l("Written answer to the requester"), validators=[Optional(), Length(max=LONG)]
    )
    submit = SubmitField(_l("Save the primary evaluation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.competent.choices = [
            ("yes", _l("Yes: name a case manager")),
            ("no", _l("No: refer the case")),
        ]


class TeamForm(Form):
    user_id = SelectField(_l("Member of the case team"), coerce=int, choices=[])
    submit = SubmitField(_l("Add to the team"))


class StartEvaluationForm(Form):
    started_on = DateField(
        _l("Date of the observation sheet"), validators=[InputRequired(), not_in_future]
    )
    started_at = TimeField(_l("Hour of the observation sheet"), validators=[InputRequired()])
    submit = SubmitField(_l("Start the evaluation"))


def _text(label):
    return TextAreaField(label, validators=[Optional(), Length(max=LONG)])


class EvaluationForm(VersionForm):
    family_composition = _text(_l("Family composition"))
    housing = _text(_l("Housing"))
    income = _text(_l("Income"))
    health = _text(_l("Health"))
    education = _text(_l("Education"))
    relationships = _text(_l("Relationships in the family and community"))
    risk_factors = _text(_l("Risk factors"))
    strengths = _text(_l("Strengths"))
    child_views = _text(_l("The child's own views"))
    professionals = _text(_l("Professionals consulted (multidisciplinary team)"))
    conclusions = _text(_l("Conclusions"))
    needs = _text(_l("Needs of the child and family"))
    documents = _text(_l("Documents in the file (one per line: name, date)"))
    submit = SubmitField(_l("Save the evaluation"))


class CompleteEvaluationForm(VersionForm):
    completed_on = DateField(_l("Completed on"), validators=[InputRequired(), not_in_future])
    submit = SubmitField(_l("Complete the evaluation"))


class VisitForm(Form):
    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired(), not_in_future])
    visited_at = TimeField(_l("Hour of the visit"), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=LONG)])
    submit = SubmitField(_l("Record the home visit"))


class ObservatoryForm(VersionForm):
    registered_on = DateField(
        _l("Date of registration in the National Child Observatory"),
        validators=[InputRequired(), not_in_future],
    )
    submit = SubmitField(_l("Record the registration"))


class NewPlanForm(Form):
    starts_on = DateField(_l("The plan starts on"), validators=[InputRequired()])
    submit = SubmitField(_l("Draft the service plan"))


class PlanForm(VersionForm):
    starts_on = DateField(_l("Start"), validators=[InputRequired()])
    ends_on = DateField(_l("End"), validators=[InputRequired()])
    family_signed_on = DateField(
        _l("Signed by the family on"), validators=[Optional(), not_in_future]
    )
    submit = SubmitField(_l("Save the plan"))


class ObjectiveForm(Form):
    text = TextAreaField(_l("Objective"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Add the objective"))


class ServiceForm(Form):
    kind = SelectField(_l("Service or intervention"), choices=[], validators=[InputRequired()])
    description = StringField(_l("Description"), validators=[DataRequired(), Length(max=500)])
    provider = StringField(
        _l("Institution (for a service of another institution)"),
        validators=[Optional(), Length(max=200)],
    )
    responsible = StringField(
        _l("Person responsible"), validators=[DataRequired(), Length(max=200)]
    )
    starts_on = DateField(_l("Start"), validators=[InputRequired()])
    deadline = DateField(_l("Deadline"), validators=[InputRequired()])
    record = SelectField(
        _l("Enrolment, workshop registration or group membership that delivers it"),
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Add the service"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = ServiceKind.choices()


class LinkForm(Form):
    record = SelectField(_l("Delivered by"), choices=[], validators=[InputRequired()])
    submit = SubmitField(_l("Link"))


class ProtectionForm(VersionForm):
    body = SelectField(_l("Referred to"), choices=[], validators=[InputRequired()])
    referred_on = DateField(_l("Date of referral"), validators=[InputRequired(), not_in_future])
    submit = SubmitField(_l("Record the referral"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body.choices = ProtectionBody.choices()


class ReviewForm(Form):
    reviewed_on = DateField(_l("Date of the review"), validators=[InputRequired(), not_in_future])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=LONG)])
    submit = SubmitField(_l("Save the review"))


PROGRESS_CHOICES = Progress.choices()


class ClosureForm(VersionForm):
    reason = SelectField(_l("Reason for closure"), choices=[], validators=[InputRequired()])
    closed_on = DateField(_l("Date of closure"), validators=[InputRequired()])
    stays_in_family = BooleanField(_l("The child stays in the family"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=LONG)])
    follow_up_on = DateField(_l("Post-closure monitoring on"), validators=[Optional()])
    submit = SubmitField(_l("Propose the closure"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = ClosureReason.choices()


class ReopenForm(VersionForm):
    reason = StringField(
        _l("Why the case is reopened"), validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField(_l("Reopen the case"))


class TaskForm(Form):
    text = StringField(_l("Task"), validators=[DataRequired(), Length(max=500)])
    due_on = DateField(_l("Due on"), validators=[Optional()])
    submit = SubmitField(_l("Add the task"))


class MeasureForm(VersionForm):
    measure_kind = SelectField(
        _l("Protection measure the child leaves"), choices=[], validators=[InputRequired()]
    )
    measure_decision = StringField(
        _l("Decision number of the measure"), validators=[DataRequired(), Length(max=100)]
    )
    measure_decided_on = DateField(
        _l("Date of the measure"), validators=[InputRequired(), not_in_future]
    )
    ending_decision = StringField(
        _l("Decision number ending the measure"), validators=[DataRequired(), Length(max=100)]
    )
    measure_ends_on = DateField(_l("The measure ends on"), validators=[InputRequired()])
    family_kind = SelectField(_l("The child returns to"), choices=[], validators=[InputRequired()])
    submit = SubmitField(_l("Save the measure"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_kind.choices = MeasureKind.choices()
        self.family_kind.choices = ReturnFamily.choices()


class PreparationForm(Form):
    held_on = DateField(_l("Date of the activity"), validators=[InputRequired(), not_in_future])
    prepared = SelectField(_l("Prepared"), choices=[], validators=[InputRequired()])
    description = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=LONG)])
    submit = SubmitField(_l("Record the activity"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared.choices = PreparationFor.choices()


class ReturnForm(VersionForm):
    returned_on = DateField(
        _l("Day the child returned home"), validators=[InputRequired(), not_in_future]
    )
    submit = SubmitField(_l("Record the return"))


class ReturnVisitForm(Form):
    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired(), not_in_future])
    report = TextAreaField(_l("Short report"), validators=[DataRequired(), Length(max=LONG)])
    submit = SubmitField(_l("Record the monitoring visit"))


class OutcomeForm(VersionForm):
    months = SelectField(_l("After"), coerce=int, choices=[], validators=[InputRequired()])
    at_home = RadioField(
        _l("Is the child still at home?"), choices=[], validators=[InputRequired()]
    )
    submit = SubmitField(_l("Record the outcome"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.months.choices = [(3, _l("three months")), (6, _l("six months"))]
        self.at_home.choices = [("yes", _l("Yes")), ("no", _l("No"))]


class NewMeasureForm(VersionForm):
    decision = StringField(
        _l("Decision number of the new measure"), validators=[DataRequired(), Length(max=100)]
    )
    decided_on = DateField(
        _l("Date of the new measure"), validators=[InputRequired(), not_in_future]
    )
    submit = SubmitField(_l("Record the new measure"))


class CountsForm(Form):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[InputRequired()])
    date_to = DateField(_l("To"), validators=[InputRequired()])
    submit = SubmitField(_l("Show"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period must not be before its start."))

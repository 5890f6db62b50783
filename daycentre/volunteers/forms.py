from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daycentre.auth.forms import USERNAME_RULE, password_field
from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.volunteers.models import Skill


def _not_before(start_field: str):
    def check(form, field):
        start = form[start_field].data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end must be later than the start."))

    return check


def _later_than(start_field: str):
    def check(form, field):
        start = form[start_field].data
        if start and field.data and field.data <= start:
            raise ValidationError(_l("The end must be later than the start."))

    return check


def skill_choices():
    return Skill.choices()


class VolunteerForm(Form):
    version = HiddenField()
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[InputRequired()])
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired()])
    parental_consent_on = DateField(
        _l("Parents' consent given on (volunteers aged 15)"), validators=[Optional()]
    )
    integrity_certificate_on = DateField(
        _l("Behavioural-integrity certificate issued on"), validators=[Optional()]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid email address."))],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    skills = MultiCheckboxField(_l("Skills"), choices=[])
    languages = StringField(_l("Languages spoken"), validators=[Optional(), Length(max=200)])
    availability = TextAreaField(_l("Availability"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre_id.choices = list(centre_choices)
        self.skills.choices = skill_choices()


class NewVolunteerForm(VolunteerForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(min=3, max=64), USERNAME_RULE]
    )
    password = password_field(_l("Temporary password"))


class ContractForm(Form):
    version = HiddenField()
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(), _not_before("starts_on")])
    activities = TextAreaField(
        _l("Description of the activities"), validators=[DataRequired(), Length(max=5000)]
    )
    schedule = TextAreaField(
        _l("Time and period of the activity"), validators=[DataRequired(), Length(max=2000)]
    )
    rights_and_obligations = TextAreaField(
        _l("Rights and obligations"), validators=[DataRequired(), Length(max=10000)]
    )
    requirements = TextAreaField(
        _l("Requirements (skills, health)"), validators=[DataRequired(), Length(max=5000)]
    )
    termination_conditions = TextAreaField(
        _l("Termination conditions"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Save"))


class SignContractForm(Form):
    signed_on = DateField(_l("Signed on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the signature"))


class CloseContractForm(Form):
    # Its own id: the page shows this form beside EndContractForm, and a label finds one id.
    closed_on = DateField(_l("Date"), validators=[InputRequired()], id="terminate_closed_on")
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Terminate the contract"))


class EndContractForm(Form):
    closed_on = DateField(_l("Date"), validators=[InputRequired()], id="end_closed_on")
    submit = SubmitField(_l("End the contract"))


class ActivityForm(Form):
    version = HiddenField()
    submission = submission_field()
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    day = DateField(_l("Date"), validators=[InputRequired()])
    starts = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends = TimeField(_l("Ends at"), validators=[InputRequired(), _later_than("starts")])
    places = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(min=1, max=500)])
    skills = MultiCheckboxField(_l("Required skills"), choices=[])
    with_children = BooleanField(_l("Works with children"), default=True)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    cancelled = BooleanField(_l("Cancelled"), default=False)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre_id.choices = list(centre_choices)
        self.skills.choices = skill_choices()


class HoursForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalField(
        _l("Hours"), places=2, validators=[InputRequired(), NumberRange(min=0.25, max=24)]
    )
    description = StringField(_l("What you did"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Report the hours"))


class CertificateForm(Form):
    contract_id = SelectField(_l("Contract"), coerce=int, choices=[], validators=[InputRequired()])
    period_start = DateField(_l("From"), validators=[InputRequired()])
    period_end = DateField(_l("To"), validators=[InputRequired(), _not_before("period_start")])
    submit = SubmitField(_l("Issue the certificate"))


class PeriodForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired(), _not_before("start")])
    submit = SubmitField(_l("Show"))


class VolunteerSearchForm(Form):
    q = StringField(_l("Name"), validators=[Optional(), Length(max=100)])


class LateCancelForm(Form):
    """A volunteer cancelling inside the notice period says why; the coordinator is told."""

    reason = StringField(_l("Why you cancel"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Cancel my sign-up"))

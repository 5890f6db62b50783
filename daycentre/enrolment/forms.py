from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from daycentre.core.forms import Form
from daycentre.core.localtime import today
from daycentre.enrolment.models import EnrolmentStatus, ExitReason


def not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


class EnrolForm(Form):
    group_id = SelectField(
        _l("Centre and group"), coerce=int, choices=[], validators=[InputRequired()]
    )
    applied_on = DateField(_l("Application date"), validators=[InputRequired(), not_in_future])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Register the application"))

    def validate_group_id(self, field):
        if field.data == 0:  # the first option only asks
            raise ValidationError(_l("Choose a group."))


class ChoosePersonForm(Form):
    """The first step of an enrolment from the centre's page: whom to enrol."""

    person_id = SelectField(_l("Beneficiary"), coerce=int, choices=[], validators=[InputRequired()])
    submit = SubmitField(_l("Continue"))


class VersionForm(Form):
    """A button that changes an enrolment, carrying the version the page showed."""

    version = HiddenField()


class ActivateForm(VersionForm):
    contract_number = StringField(
        _l("Service contract number"), validators=[DataRequired(), Length(max=50)]
    )
    contract_date = DateField(_l("Contract date"), validators=[InputRequired(), not_in_future])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    submit = SubmitField(_l("Activate"))

    def validate_start_date(self, field):
        if field.data and self.contract_date.data and field.data < self.contract_date.data:
            raise ValidationError(_l("The service cannot start before the contract is signed."))


class SuspendForm(VersionForm):
    suspended_on = DateField(_l("Suspended from"), validators=[InputRequired(), not_in_future])
    submit = SubmitField(_l("Suspend"))


class ExitForm(VersionForm):
    exit_date = DateField(_l("Exit date"), validators=[InputRequired(), not_in_future])
    exit_cause = SelectField(
        _l("Why the service ends"),
        choices=[],
        default=ExitReason.OTHER.value,
        validators=[DataRequired()],
    )
    exit_reason = StringField(_l("Reason for exit"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("End the service"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exit_cause.choices = ExitReason.choices()


class RegisterFilterForm(Form):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("Any status"))] + EnrolmentStatus.choices()

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period must not be before its start."))

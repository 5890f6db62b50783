from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.registers.models import Complainant, ComplaintChannel, IncidentKind


class ComplaintForm(Form):
    version = HiddenField()
    submission = submission_field()
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    channel = SelectField(_l("Channel"), choices=[])
    complainant = SelectField(_l("From"), choices=[])
    complainant_name = StringField(
        _l("Complainant's name"), validators=[Optional(), Length(max=200)]
    )
    complainant_contact = StringField(
        _l("Where to send the answer (address, phone or e-mail)"),
        validators=[Optional(), Length(max=300)],
    )
    subject = TextAreaField(_l("What it is about"), validators=[DataRequired(), Length(max=10_000)])
    handler_id = SelectField(_l("Handled by"), coerce=int, choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = ComplaintChannel.choices()
        self.complainant.choices = Complainant.choices()
        self.handler_id.choices = [(u.id, u.full_name) for u in handlers]


class AnswerForm(Form):
    version = HiddenField()
    answer = TextAreaField(_l("Answer given"), validators=[DataRequired(), Length(max=10_000)])
    answered_on = DateField(_l("Answered on"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the answer"))


def _together(day_field: str):
    def check(form, field):
        if (form[day_field].data is None) != (field.data is None):
            raise ValidationError(_l("Enter both the date and the time."))

    return check


class IncidentForm(Form):
    version = HiddenField()
    submission = submission_field()
    occurred_on = DateField(_l("Date"), validators=[InputRequired()])
    occurred_time = TimeField(_l("Time"), validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=[])
    children = MultiCheckboxField(_l("Children involved"), coerce=int, choices=[])
    staff = MultiCheckboxField(_l("Staff involved"), coerce=int, choices=[])
    description = TextAreaField(
        _l("What happened"), validators=[DataRequired(), Length(max=10_000)]
    )
    measures = TextAreaField(
        _l("Immediate measures"), validators=[DataRequired(), Length(max=10_000)]
    )
    parents_told_on = DateField(_l("Parents told on"), validators=[Optional()])
    parents_told_time = TimeField(
        _l("Parents told at"), validators=[Optional(), _together("parents_told_on")]
    )
    parents_told_by = StringField(_l("Parents told by"), validators=[Optional(), Length(max=200)])
    directorate_told_on = DateField(_l("Directorate told on"), validators=[Optional()])
    directorate_told_time = TimeField(
        _l("Directorate told at"), validators=[Optional(), _together("directorate_told_on")]
    )
    directorate_told_by = StringField(
        _l("Directorate told by"), validators=[Optional(), Length(max=200)]
    )
    follow_up = TextAreaField(_l("Follow-up"), validators=[Optional(), Length(max=10_000)])
    handler_id = SelectField(_l("Handled by"), coerce=int, choices=[])
    closed = BooleanField(_l("Closed"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, handlers=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = IncidentKind.choices()
        self.handler_id.choices = [(u.id, u.full_name) for u in handlers]
        self.staff.choices = [(u.id, u.full_name) for u in handlers]
        self.children.choices = [(p.id, p.listed_name) for p in children]

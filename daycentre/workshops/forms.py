from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.people.models import Relationship
from daycentre.workshops.models import Audience


class WorkshopDetailsForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    audience = SelectField(_l("Audience"), choices=[], validators=[InputRequired()])
    capacity = IntegerField(
        _l("Places"), default=12, validators=[InputRequired(), NumberRange(min=1, max=200)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = Audience.choices()


class WorkshopForm(WorkshopDetailsForm):
    submission = submission_field()
    room_id = SelectField(_l("Room"), coerce=int, choices=[], validators=[InputRequired()])
    facilitator_ids = MultiCheckboxField(_l("Facilitators"), coerce=int, choices=[])
    first_day = DateField(_l("First session"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Duration (minutes)"), default=90, validators=[InputRequired(), NumberRange(15, 480)]
    )
    count = IntegerField(
        _l("Number of sessions"), default=6, validators=[InputRequired(), NumberRange(1, 52)]
    )
    interval_days = IntegerField(
        _l("Days between sessions"), default=7, validators=[InputRequired(), NumberRange(1, 90)]
    )
    submit = SubmitField(_l("Create the workshop"))


class SessionTimeForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Duration (minutes)"), default=90, validators=[InputRequired(), NumberRange(15, 480)]
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class RegisterForm(Form):
    person_id = SelectField(_l("Adult"), coerce=int, choices=[], validators=[InputRequired()])
    submit = SubmitField(_l("Register the participant"))


class NewAdultForm(Form):
    submission = submission_field()
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    relation = SelectField(_l("Relationship"), choices=[], validators=[InputRequired()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Add and register"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relation.choices = Relationship.choices()


class ButtonForm(Form):
    """A button that only needs the CSRF token."""


class AttendanceForm(Form):
    present = MultiCheckboxField(_l("Present"), coerce=int, choices=[])
    submit = SubmitField(_l("Save attendance"))


class GroupForm(Form):
    submission = submission_field()
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)])
    facilitator_id = SelectField(
        _l("Facilitator"), coerce=int, choices=[], validators=[InputRequired()]
    )
    room_id = SelectField(_l("Room"), coerce=int, choices=[], validators=[InputRequired()])
    schedule = StringField(_l("Meeting schedule"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Create the group"))


class JoinForm(Form):
    person_id = SelectField(_l("Adult"), coerce=int, choices=[], validators=[InputRequired()])
    day = DateField(_l("Joined on"), validators=[InputRequired()])
    submit = SubmitField(_l("Add member"))


class LeaveForm(Form):
    day = DateField(_l("Left on"), validators=[InputRequired()])
    submit = SubmitField(_l("Leaves the group"))


class MeetingForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Duration (minutes)"), default=90, validators=[InputRequired(), NumberRange(15, 480)]
    )
    count = IntegerField(
        _l("Number of meetings"), default=1, validators=[InputRequired(), NumberRange(1, 52)]
    )
    submit = SubmitField(_l("Add meetings"))

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daycentre.core.forms import Form
from daycentre.counselling.models import SessionStatus, SessionType

REPEAT_NONE, REPEAT_WEEKLY, REPEAT_DAYS = "", "weekly", "days"


def _type_choices():
    return SessionType.choices()


class SessionTimeFields(Form):
    session_type = SelectField(_l("Type"), choices=[], validators=[InputRequired()])
    counsellor_id = SelectField(
        _l("Counsellor"), coerce=int, choices=[], validators=[InputRequired()]
    )
    room_id = SelectField(_l("Room"), coerce=int, choices=[], validators=[InputRequired()])
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=5, max=480)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_type.choices = _type_choices()


class SessionForm(SessionTimeFields):
    beneficiary = SelectField(
        _l("Beneficiary: a person or a family"), choices=[], validators=[InputRequired()]
    )
    repeat = SelectField(_l("Repeat"), choices=[], default=REPEAT_NONE, validators=[Optional()])
    interval_days = IntegerField(
        _l("Every how many days"), validators=[Optional(), NumberRange(min=1, max=90)]
    )
    occurrences = IntegerField(
        _l("Number of sessions"), validators=[Optional(), NumberRange(min=1, max=60)]
    )
    until = DateField(_l("Until"), validators=[Optional()])
    submit = SubmitField(_l("Book"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.repeat.choices = [
            (REPEAT_NONE, _l("Once")),
            (REPEAT_WEEKLY, _l("Every week")),
            (REPEAT_DAYS, _l("Every few days")),
        ]


class EditSessionForm(SessionTimeFields):
    version = HiddenField()
    scope = RadioField(_l("Change"), choices=[], default="one", validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = [
            ("one", _l("Only this session")),
            ("following", _l("This session and the rest of the series")),
        ]


class OutcomeForm(Form):
    version = HiddenField()
    status = RadioField(_l("How it went"), choices=[], validators=[InputRequired()])
    minutes_spent = IntegerField(
        _l("Time actually spent (minutes)"), validators=[Optional(), NumberRange(min=1, max=480)]
    )
    cancel_reason = TextAreaField(
        _l("Reason for cancelling"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            (s.value, s.label)
            for s in (SessionStatus.HELD, SessionStatus.NO_SHOW, SessionStatus.CANCELLED)
        ]


class NoteForm(Form):
    version = HiddenField()
    text = TextAreaField(_l("Confidential note"), validators=[DataRequired(), Length(max=20000)])
    submit = SubmitField(_l("Save the note"))


class ShareForm(Form):
    beneficiary = SelectField(_l("Beneficiary"), choices=[], validators=[InputRequired()])
    counsellor_id = SelectField(
        _l("Share with"), coerce=int, choices=[], validators=[InputRequired()]
    )
    submit = SubmitField(_l("Share the notes"))


class ButtonForm(Form):
    """A button that only needs the CSRF token."""

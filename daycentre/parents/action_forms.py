"""The forms of what a parent does in the app: an absence reported ahead (the other actions are
buttons). Kept apart from the account's forms (invitation, password)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from daycentre.attendance.models import AbsenceReason
from daycentre.attendance.services import REPORT_NOTE_LENGTH
from daycentre.core.forms import Form
from daycentre.core.submissions import submission_field


class AbsenceReportForm(Form):
    submission = submission_field()
    child = SelectField(_l("Child"), coerce=int, choices=[], validators=[InputRequired()])
    first_day = DateField(_l("First day of absence"), validators=[InputRequired()])
    last_day = DateField(_l("Last day (for several days)"), validators=[Optional()])
    reason = SelectField(_l("Reason"), choices=[], validators=[InputRequired()])
    note = TextAreaField(
        _l("Note for the centre"), validators=[Optional(), Length(max=REPORT_NOTE_LENGTH)]
    )
    submit = SubmitField(_l("Send the report"))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.child.choices = [(c.id, c.full_name) for c in children]
        self.reason.choices = AbsenceReason.choices()

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from daycentre.core.forms import Form


class AuditFilterForm(Form):
    """Filters read from the query string; a GET form needs no CSRF token."""

    class Meta:
        csrf = False

    actor_id = SelectField(_l("User"), coerce=int, choices=[], validators=[Optional()])
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[Optional()])
    person_id = IntegerField(
        _l("Person number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class PseudonymisedExportForm(Form):
    file_format = RadioField(_l("File"), default="xlsx", validators=[InputRequired()])
    submit = SubmitField(_l("Download the pseudonymised export"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_format.choices = [
            ("xlsx", _l("One Excel workbook, a sheet per table")),
            ("csv", _l("A zip of CSV files, one per table")),
        ]

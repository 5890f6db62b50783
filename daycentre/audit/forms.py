from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from daycentre.forms import Form


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

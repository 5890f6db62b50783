from datetime import time

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
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
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daycentre.centres.models import CentreKind, ProviderType
from daycentre.core.forms import Form, MultiCheckboxField


def weekday_choices():
    """ISO weekday numbers with the locale's day names, Monday first."""
    names = get_day_names("wide", locale=get_locale())
    return [(iso, names[iso - 1].capitalize()) for iso in range(1, 8)]


class WeeklyHoursForm(Form):
    weekdays = MultiCheckboxField(_l("Days of the week"), coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekdays.choices = weekday_choices()

    def validate_weekdays(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one day."))


def _later_than(start_field: str):
    def check(form, field):
        start = form[start_field].data
        if start and field.data and field.data <= start:
            raise ValidationError(_l("The end must be later than the start."))

    return check


class CentreForm(WeeklyHoursForm):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of centre"), choices=[], validators=[InputRequired()])
    service_code = StringField(_l("Service code"), validators=[DataRequired(), Length(max=50)])
    provider_type = SelectField(
        _l("Provider type"),
        choices=[],
        default=ProviderType.PUBLIC.value,
        validators=[DataRequired()],
    )
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    city = StringField(_l("Town"), validators=[DataRequired(), Length(max=100)])
    capacity = IntegerField(
        _l("Capacity"), validators=[InputRequired(), NumberRange(min=0, max=10000)]
    )
    opens_at = TimeField(_l("Opens at"), validators=[InputRequired()])
    closes_at = TimeField(_l("Closes at"), validators=[InputRequired(), _later_than("opens_at")])
    absence_cutoff = TimeField(
        _l("Parents report an absence until"),
        default=time(9),
        validators=[Optional()],
        description=_l("On the day itself; later, the parent calls the centre."),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = CentreKind.choices()
        self.provider_type.choices = ProviderType.choices()


class GroupForm(WeeklyHoursForm):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    capacity = IntegerField(
        _l("Capacity"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    starts_at = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends at"), validators=[InputRequired(), _later_than("starts_at")])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class RoomForm(Form):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=1, max=1000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ClosureDayForm(Form):
    day = DateField(_l("Date"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add closure day"))

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.reports.measures import choices as measure_choices

REQUIRED_TEXT = [DataRequired(), Length(max=2000)]


class PlanForm(Form):
    version = HiddenField()
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    general_objective = TextAreaField(
        _l("General objective"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Save"))


class ObjectiveForm(Form):
    submission = submission_field()
    title = TextAreaField(_l("Strategic objective"), validators=REQUIRED_TEXT)
    submit = SubmitField(_l("Save"))


class ActivityForm(Form):
    submission = submission_field()
    description = TextAreaField(_l("Activity"), validators=REQUIRED_TEXT)
    responsible = StringField(_l("Responsible"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Save"))


class IndicatorForm(Form):
    submission = submission_field()
    wording = StringField(
        _l("Indicator, as the plan words it"), validators=[DataRequired(), Length(max=300)]
    )
    measure = SelectField(_l("Measure the app computes"), choices=[])
    target = DecimalField(
        _l("Target"), places=2, validators=[Optional(), NumberRange(min=0, max=100_000_000)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure.choices = measure_choices()


class PeriodForm(Form):
    """The period and the centres of the indicators page (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])
    centres = MultiCheckboxField(_l("Centres"), coerce=int, choices=[])
    directorate = BooleanField(_l("Include the directorate's own outreach records"))
    submit = SubmitField(_l("Show"))

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end cannot be before the start."))


class ReportForm(Form):
    version = HiddenField()
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=10000)])
    conclusions = TextAreaField(_l("Conclusions"), validators=[Optional(), Length(max=10000)])
    submit = SubmitField(_l("Save the commentary"))


class QuarterForm(Form):
    """Which quarter, and one centre or all those the user sees."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    quarter = SelectField(
        _l("Quarter"),
        coerce=int,
        choices=[],
        validators=[InputRequired()],
    )
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quarter.choices = [(1, "I"), (2, "II"), (3, "III"), (4, "IV")]
        self.centre_id.choices = [(0, _l("All my centres"))] + [(c.id, c.name) for c in centres]

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
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.programme.models import (
    OutingKind,
    PermissionMedium,
    PermissionState,
    Qualifier,
    SlotKind,
    Weekday,
)

LANGUAGES = [("ro", _l("Romanian")), ("hu", _l("Hungarian"))]


class ChoicesForm(Form):
    """A form whose selects take their choices when it is built (``choice_lists``: field name to
    a function giving the choices), never at import time."""

    choice_lists: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in self.choice_lists.items():
            getattr(self, name).choices = choices()


def _optional_id(value):
    return int(value) if value not in (None, "", "0") else None


class ProgrammeForm(Form):
    submission = submission_field()
    in_force_from = DateField(_l("Valid from"), validators=[InputRequired()])
    copy_current = BooleanField(_l("Start from the slots of the programme in force"), default=True)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Create the programme"))


class SlotForm(ChoicesForm):
    choice_lists = {"weekday": Weekday.choices, "kind": SlotKind.choices}
    version = HiddenField()
    weekday = SelectField(_l("Day of the week"), choices=[])
    starts_at = TimeField(_l("Starts at"), validators=[InputRequired()])
    ends_at = TimeField(_l("Ends at"), validators=[InputRequired()])
    kind = SelectField(_l("Kind of slot"), choices=[])
    title = StringField(_l("Activity"), validators=[DataRequired(), Length(max=200)])
    leader_id = SelectField(_l("Led by (staff)"), coerce=_optional_id, choices=[])
    volunteer_id = SelectField(_l("Led by (volunteer)"), coerce=_optional_id, choices=[])
    volunteer_places = IntegerField(
        _l("Open to volunteers: places"), validators=[Optional(), NumberRange(1, 50)]
    )
    room_id = SelectField(_l("Room"), coerce=_optional_id, choices=[])
    submit = SubmitField(_l("Save the slot"))

    def __init__(self, *args, staff=(), volunteers=(), rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        nobody = [("", "—")]
        self.leader_id.choices = nobody + [(u.id, u.full_name) for u in staff]
        self.volunteer_id.choices = nobody + [(v.id, v.full_name) for v in volunteers]
        self.room_id.choices = nobody + [(r.id, r.name) for r in rooms]


class SlotNoteForm(Form):
    note = StringField(_l("What was done"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save the note"))


class OpenWeekForm(Form):
    monday = DateField(_l("Week of"), validators=[InputRequired()])
    submit = SubmitField(_l("Open the week to volunteers"))


class OutingForm(ChoicesForm):
    choice_lists = {"kind": OutingKind.choices}
    version = HiddenField()
    submission = submission_field()
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    destination = StringField(_l("Destination"), validators=[DataRequired(), Length(max=300)])
    leaves_on = DateField(_l("Leaves on"), validators=[InputRequired()])
    leaves_at = TimeField(_l("Leaves at"), validators=[InputRequired()])
    returns_on = DateField(_l("Returns on"), validators=[InputRequired()])
    returns_at = TimeField(_l("Returns at"), validators=[InputRequired()])
    transport = StringField(_l("Transport"), validators=[Optional(), Length(max=200)])
    children_per_adult = IntegerField(
        _l("Children per adult at most"), validators=[InputRequired(), NumberRange(1, 30)]
    )
    staff_ids = MultiCheckboxField(_l("Staff going"), coerce=int, choices=[])
    volunteer_ids = MultiCheckboxField(_l("Volunteers going"), coerce=int, choices=[])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre_choices=(), staff=(), volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre_id.choices = list(centre_choices)
        self.staff_ids.choices = [(u.id, u.full_name) for u in staff]
        self.volunteer_ids.choices = [(v.id, v.full_name) for v in volunteers]


class ChildrenForm(Form):
    version = HiddenField()
    person_ids = MultiCheckboxField(_l("Children"), coerce=int, choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_ids.choices = [(p.id, p.full_name) for p in children]


class PermissionForm(ChoicesForm):
    choice_lists = {
        "state": PermissionState.choices,
        "medium": PermissionMedium.choices,
        "language": lambda: LANGUAGES,
    }
    state = SelectField(_l("Permission"), choices=[])
    answered_by = StringField(_l("Legal representative"), validators=[Optional(), Length(max=200)])
    answered_on = DateField(_l("Date of the answer"), validators=[Optional()])
    medium = SelectField(_l("How"), choices=[])
    language = SelectField(_l("Language of the family"), choices=[])
    submit = SubmitField(_l("Save the permission"))


class OutingActionForm(Form):
    version = HiddenField()
    submit = SubmitField(_l("Confirm"))


class SchoolLinkForm(Form):
    version = HiddenField()
    form_teacher = StringField(_l("Form teacher"), validators=[Optional(), Length(max=200)])
    teacher_phone = StringField(_l("Form teacher's phone"), validators=[Optional(), Length(max=40)])
    teacher_email = StringField(
        _l("Form teacher's email"), validators=[Optional(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Save"))


class SchoolContactForm(Form):
    submission = submission_field()
    day = DateField(_l("Date"), validators=[InputRequired()])
    with_whom = StringField(_l("With whom"), validators=[DataRequired(), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    agreed = TextAreaField(_l("What was agreed"), validators=[Optional(), Length(max=3000)])
    submit = SubmitField(_l("Add the contact"))


class SchoolResultForm(ChoicesForm):
    choice_lists = {
        "term": lambda: [(1, _l("Term 1")), (2, _l("Term 2")), (3, _l("Term 3"))],
        "qualifier": lambda: [("", "—"), *Qualifier.choices()],
    }
    school_year = SelectField(_l("School year"), coerce=int, choices=[])
    term = SelectField(_l("Term"), coerce=int, choices=[])
    average = DecimalField(
        _l("General average"), places=2, validators=[Optional(), NumberRange(1, 10)]
    )
    qualifier = SelectField(_l("Qualifier"), choices=[])
    absences = IntegerField(_l("Absences"), default=0, validators=[Optional(), NumberRange(0)])
    unexcused_absences = IntegerField(
        _l("Unexcused absences"), default=0, validators=[Optional(), NumberRange(0)]
    )
    submit = SubmitField(_l("Save the result"))

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school_year.choices = [(y, f"{y}–{y + 1}") for y in years]


class CollectorForm(Form):
    version = HiddenField()
    submission = submission_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    relation_to_child = StringField(
        _l("Relation to the child"), validators=[DataRequired(), Length(max=100)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    id_document = StringField(_l("Identity document"), validators=[Optional(), Length(max=100)])
    id_checked = BooleanField(_l("Identity document checked"))
    active = BooleanField(_l("Allowed"), default=True)
    submit = SubmitField(_l("Save"))


class LeavingAloneForm(Form):
    allowed = BooleanField(_l("May leave the centre alone"))
    consent_on = DateField(_l("Date of the parents' written consent"), validators=[Optional()])
    signed_by = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class DepartureForm(Form):
    person_id = SelectField(_l("Child"), coerce=int, choices=[])
    left_at = TimeField(_l("Time"), validators=[InputRequired()])
    collected_by = StringField(_l("Collected by"), validators=[Optional(), Length(max=200)])
    alone = BooleanField(_l("Left alone"))
    submit = SubmitField(_l("Record the departure"))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.person_id.choices = [(p.id, p.full_name) for p in children]

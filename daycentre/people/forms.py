from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from daycentre.core.countries import country_choices
from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.localtime import today
from daycentre.core.submissions import submission_field
from daycentre.people.models import (
    AbroadParent,
    ConsentPurpose,
    PersonKind,
    Relationship,
    Residence,
    Sex,
    VulnerabilityFactor,
)
from daycentre.people.services import birth_date_problem, cnp_problem


class SearchForm(Form):
    q = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Who"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Everyone"))] + PersonKind.choices()


class FamilyForm(Form):
    version = HiddenField()
    submission = submission_field()
    name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=200)])
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    city = StringField(_l("Town"), validators=[DataRequired(), Length(max=100)])
    residence = SelectField(
        _l("Residence"),
        choices=[],
        default=Residence.URBAN.value,
        validators=[DataRequired()],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    factors = MultiCheckboxField(_l("Vulnerability factors"), choices=[])
    other_factor = StringField(_l("Other factor"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.factors.choices = VulnerabilityFactor.choices()
        self.residence.choices = Residence.choices()
        self.centre_id.choices = [(c.id, c.name) for c in centres]

    def validate_other_factor(self, field):
        if (
            VulnerabilityFactor.OTHER.value in (self.factors.data or [])
            and not (field.data or "").strip()
        ):
            raise ValidationError(_l("Describe the other factor."))


def _not_in_future(form, field):
    problem = birth_date_problem(field.data)
    if problem:
        raise ValidationError(problem)


def _valid_cnp(form) -> bool:
    return bool(form.cnp.data) and cnp_problem(form.cnp.data) is None


class RequiredUnlessCnp(InputRequired):
    """Required, unless a valid CNP gives the value (the service reads it from the code)."""

    def __call__(self, form, field):
        if _valid_cnp(form) and not (field.raw_data and field.raw_data[0]):
            field.errors[:] = []
            raise StopValidation()
        super().__call__(form, field)


class PersonForm(Form):
    version = HiddenField()
    submission = submission_field()
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    given_name = StringField(_l("Given names"), validators=[DataRequired(), Length(max=100)])

    def validate_cnp(self, field):
        sex = self.sex.data or None
        problem = cnp_problem(field.data, self.birth_date.data, Sex(sex) if sex else None)
        if problem:
            raise ValidationError(problem)


def _cnp_field():
    return StringField(_l("CNP"), validators=[Optional(), Length(max=20)])


def _notes_field():
    return TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


def _confirm_field():
    return BooleanField(_l("This is a different person: save anyway"))


def _sex_choices(required: bool):
    choices = Sex.choices()
    return choices if required else [("", "—")] + choices


class ChildForm(PersonForm):
    birth_date = DateField(
        _l("Date of birth"), validators=[RequiredUnlessCnp(), Optional(), _not_in_future]
    )
    sex = SelectField(_l("Sex"), choices=[], validators=[RequiredUnlessCnp()])
    cnp = _cnp_field()
    school = StringField(_l("School"), validators=[Optional(), Length(max=200)])
    grade = StringField(_l("Grade"), validators=[Optional(), Length(max=30)])
    allergies = TextAreaField(_l("Allergies"), validators=[Optional(), Length(max=2000)])
    diet = StringField(_l("Diet"), validators=[Optional(), Length(max=200)])
    notes = _notes_field()
    confirm_duplicate = _confirm_field()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = _sex_choices(required=False)  # "—" until chosen or read from the CNP


class AdultForm(PersonForm):
    relation = SelectField(_l("Relationship"), choices=[], validators=[InputRequired()])
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), _not_in_future])
    sex = SelectField(_l("Sex"), choices=[], validators=[Optional()])
    cnp = _cnp_field()
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    notes = _notes_field()
    confirm_duplicate = _confirm_field()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = _sex_choices(required=False)
        self.relation.choices = Relationship.choices()


PERSON_FORMS = {PersonKind.CHILD: ChildForm, PersonKind.ADULT: AdultForm}


class ConsentForm(Form):
    version = HiddenField()
    purpose = SelectField(_l("Purpose"), choices=[], validators=[InputRequired()])
    given_by = StringField(
        _l("Given by (name and relationship)"), validators=[DataRequired(), Length(max=200)]
    )
    given_on = DateField(_l("Date of consent"), validators=[InputRequired()])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = ConsentPurpose.choices()

    def validate_given_on(self, field):
        if field.data and field.data > today():
            raise ValidationError(_l("The date of the consent cannot be in the future."))

    def validate_expires_on(self, field):
        if field.data and self.given_on.data and field.data <= self.given_on.data:
            raise ValidationError(_l("The expiry date must be later than the date of the consent."))


class WithdrawConsentForm(Form):
    version = HiddenField()
    withdrawn_on = DateField(_l("Withdrawn on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the withdrawal"))


def _no_later_than_today(form, field):
    if field.data and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


def _not_before_leaving(form, field):
    if field.data and form.since.data and field.data < form.since.data:
        raise ValidationError(_l("A return cannot come before the parent left."))


class ParentsAbroadForm(Form):
    version = HiddenField()
    submission = submission_field()
    who = SelectField(_l("Who works abroad"), choices=[], validators=[InputRequired()])
    country = SelectField(_l("Country"), choices=[], validators=[InputRequired()])
    since = DateField(_l("Abroad since"), validators=[InputRequired(), _no_later_than_today])
    expected_return = DateField(_l("Expected return"), validators=[Optional(), _not_before_leaving])
    returned_on = DateField(
        _l("Came back on"),
        validators=[Optional(), _no_later_than_today, _not_before_leaving],
    )
    authority_notified_on = DateField(
        _l("Local authority notified on"), validators=[Optional(), _no_later_than_today]
    )
    carer_name = StringField(
        _l("Person caring for the children"), validators=[DataRequired(), Length(max=200)]
    )
    carer_relation = StringField(
        _l("Their relationship to the children"), validators=[Optional(), Length(max=100)]
    )
    delegation_on = DateField(
        _l("Parental authority delegated on"), validators=[Optional(), _no_later_than_today]
    )
    delegation_court = StringField(
        _l("Court that delegated it"), validators=[Optional(), Length(max=200)]
    )
    manager_id = SelectField(_l("Case manager"), coerce=int, choices=[], validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.who.choices = AbroadParent.choices()
        self.country.choices = [("", "—")] + country_choices()
        self.manager_id.choices = [(0, "—")] + [(u.id, u.full_name) for u in managers]

    def validate_delegation_court(self, field):
        if bool(self.delegation_on.data) != bool((field.data or "").strip()):
            raise ValidationError(
                _l("A delegation of parental authority needs both its date and its court.")
            )


class AbroadVisitForm(Form):
    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Record the visit"))


class AbroadPeriodForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired()])
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[], validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre_id.choices = [(0, _l("All my centres"))] + [(c.id, c.name) for c in centres]

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end must not be before the start."))

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
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.submissions import submission_field
from daycentre.outreach.models import (
    AgreementKind,
    AgreementStatus,
    Channel,
    MaterialKind,
    ParticipantKind,
    TrainingAudience,
)

COUNT = [InputRequired(), NumberRange(min=0, max=10_000_000)]


def not_before(start_field: str):
    def check(form, field):
        start = form[start_field].data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end cannot be before the start."))

    return check


class OutreachForm(Form):
    version = HiddenField()
    submission = submission_field()
    centre_id = SelectField(_l("Centre"), coerce=int, choices=[])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.centre_id.choices = list(centre_choices)


class CampaignForm(OutreachForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(), not_before("starts_on")])
    channels = MultiCheckboxField(_l("Channels"), choices=[])
    audience = StringField(_l("Audience"), validators=[DataRequired(), Length(max=300)])
    people_reached = IntegerField(_l("People reached"), validators=COUNT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels.choices = Channel.choices()


class MaterialForm(OutreachForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])
    produced_on = DateField(_l("Produced on"), validators=[InputRequired()])
    languages = StringField(_l("Languages"), validators=[DataRequired(), Length(max=100)])
    copies_made = IntegerField(_l("Copies made"), validators=COUNT)
    copies_distributed = IntegerField(_l("Copies distributed"), validators=COUNT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = MaterialKind.choices()

    def validate_copies_distributed(self, field):
        if (
            self.copies_made.data is not None
            and field.data is not None
            and field.data > self.copies_made.data
        ):
            raise ValidationError(_l("More copies cannot be distributed than were made."))


class AgreementForm(OutreachForm):
    kind = SelectField(_l("Kind"), choices=[])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    parties = TextAreaField(_l("Parties"), validators=[DataRequired(), Length(max=3000)])
    institutions_involved = IntegerField(
        _l("Institutions involved"), validators=[InputRequired(), NumberRange(min=1, max=1000)]
    )
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional(), not_before("signed_on")])
    status = SelectField(_l("Status"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = AgreementKind.choices()
        self.status.choices = AgreementStatus.choices()


class TrainingForm(OutreachForm):
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=300)])
    audience = SelectField(_l("Trained"), choices=[])
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    hours = DecimalField(
        _l("Hours"), places=1, validators=[InputRequired(), NumberRange(min=0.5, max=2000)]
    )
    persons_trained = IntegerField(
        _l("Persons trained"), validators=[InputRequired(), NumberRange(min=0, max=100_000)]
    )
    trainer = StringField(_l("Trainer"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = TrainingAudience.choices()


class ParticipantForm(Form):
    kind = SelectField(_l("Took part as"), choices=[], validators=[InputRequired()])
    user_id = SelectField(_l("Staff member"), coerce=int, choices=[], validators=[Optional()])
    volunteer_id = SelectField(_l("Volunteer"), coerce=int, choices=[], validators=[Optional()])
    name = StringField(_l("Specialist's name"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the participant"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = ParticipantKind.choices()


class ResourceForm(OutreachForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    service = StringField(_l("Service"), validators=[DataRequired(), Length(max=300)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = StringField(
        _l("Email"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid email address."))],
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(message=_l("Enter a full web address."))],
    )
    eligibility = TextAreaField(_l("Who can use it"), validators=[Optional(), Length(max=3000)])
    languages = StringField(_l("Languages"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("Still offered"), default=True)

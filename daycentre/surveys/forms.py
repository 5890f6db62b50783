from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daycentre.core.forms import Form
from daycentre.core.submissions import submission_field
from daycentre.surveys.models import Audience, QuestionKind
from daycentre.surveys.services import LONGEST_TEXT, MOST_CODES_AT_ONCE


class CampaignForm(Form):
    version = HiddenField()
    submission = submission_field()
    audience = SelectField(_l("Questionnaire"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    paper_copies = IntegerField(
        _l("Questionnaires handed out on paper"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100_000)],
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience" in self:
            self.audience.choices = Audience.choices()


class CodesForm(Form):
    count = IntegerField(
        _l("How many codes"),
        default=20,
        validators=[InputRequired(), NumberRange(min=1, max=MOST_CODES_AT_ONCE)],
    )
    submit = SubmitField(_l("Make the codes"))


class CodeForm(Form):
    code = StringField(_l("Your code"), validators=[DataRequired(), Length(max=30)])
    submit = SubmitField(_l("Continue"))


def answers_form(questionnaire, language: str, *, submit_label, paper: bool = False):
    """A form with one field per question, worded in ``language``; every question may be left
    unanswered."""

    class AnswersForm(Form):
        pass

    choices = {}
    for question in questionnaire.questions:
        label = f"{question.position}. {question.text(language)}"
        name = f"q{question.id}"
        if question.kind is QuestionKind.SCALE:
            choices[name] = [(v, str(v)) for v in range(1, 6)]
            field = RadioField(label, coerce=int, choices=[], validators=[Optional()])
        elif question.kind is QuestionKind.YES_NO:
            choices[name] = [("1", _l("Yes")), ("0", _l("No"))]
            field = RadioField(label, choices=[], validators=[Optional()])
        elif question.kind is QuestionKind.CHOICE:
            choices[name] = list(enumerate(question.options(language)))
            field = RadioField(label, coerce=int, choices=[], validators=[Optional()])
        else:
            field = TextAreaField(label, validators=[Optional(), Length(max=LONGEST_TEXT)])
        setattr(AnswersForm, name, field)
    if paper:
        AnswersForm.submission = submission_field()
    AnswersForm.submit = SubmitField(submit_label)
    form = AnswersForm()
    for name, offered in choices.items():
        form[name].choices = offered
    return form


def answer_values(form, questionnaire) -> dict:
    """The answers sent, by question id, as the services take them."""
    values = {}
    for question in questionnaire.questions:
        data = form[f"q{question.id}"].data
        if question.kind is QuestionKind.YES_NO:
            data = None if data in (None, "", "None") else data == "1"
        values[question.id] = data
    return values

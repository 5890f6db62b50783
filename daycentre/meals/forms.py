from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from daycentre.core.forms import Form


class MealTypeForm(Form):
    version = HiddenField()
    name = StringField(_l("Meal"), validators=[DataRequired(), Length(max=100)])
    position = IntegerField(
        _l("Order in the day"), default=1, validators=[InputRequired(), NumberRange(1, 20)]
    )
    active = BooleanField(_l("Served"), default=True)
    submit = SubmitField(_l("Save"))


class MenuForm(Form):
    version = HiddenField()
    meal_type_id = HiddenField()
    dishes = TextAreaField(_l("Dishes"), validators=[DataRequired(), Length(max=1000)])
    allergens = StringField(
        _l("Allergens (separated by commas)"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Save the menu"))


class AllowanceForm(Form):
    valid_from = DateField(_l("In force from"), validators=[InputRequired()])
    amount = StringField(
        _l("Amount per child per day (lei)"), validators=[DataRequired(), Length(max=12)]
    )
    legal_basis = StringField(_l("Legal basis"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add"))

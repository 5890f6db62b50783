"""The base form refuses, with a translated message, every value it did not offer or that the
database cannot store; and the person forms, where a stray value once gave a 500, say so."""

from datetime import date

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.extensions import db
from daycentre.people.models import Family, Person
from tests.conftest import text_of
from tests.factories import make_adult, make_child, make_family
from tests.people.test_services import cnp_for


class SampleForm(Form):
    class Meta:
        csrf = False

    sex = SelectField(choices=[], validators=[InputRequired()])
    room = SelectField(coerce=int, choices=[], validators=[Optional()])
    days = MultiCheckboxField(coerce=int, choices=[])
    name = StringField()
    count = IntegerField(validators=[Optional(), NumberRange(min=0)])
    hours = DecimalField(validators=[Optional(), NumberRange(min=0)])
    day = DateField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sex.choices = [("female", "F"), ("male", "M")]
        self.room.choices = [(1, "A"), (2, "B")]
        self.days.choices = [(1, "Mon"), (2, "Tue")]

    def validate_name(self, field):
        # A check reading another field, as the CNP reads the sex: it never sees an unknown value.
        assert self.sex.data in (None, "female", "male")


def submitted(**values):
    fields = {"sex": "female"} | values
    return SampleForm(formdata=MultiDict(fields))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("sex", "unknown", "Alegeți una dintre opțiunile din listă."),
        ("room", "3", "Alegeți una dintre opțiunile din listă."),
        ("room", "abc", "Alegeți una dintre opțiunile din listă."),
        ("room", "99999999999999999999999", "Alegeți una dintre opțiunile din listă."),
        ("days", "7", "Alegeți una dintre opțiunile din listă."),
        ("name", "Ana\x00", "caracter care nu este permis"),
        ("count", "2147483648", "prea mare"),
        ("count", "-99999999999999999999", "prea mare"),
        ("hours", "NaN", "Introduceți un număr."),
        ("hours", "sNaN", "Introduceți un număr."),
        ("hours", "Infinity", "Introduceți un număr."),
        ("hours", "1e400", "prea mare"),
        ("day", "0001-01-01", "între anii 1900 și 2200"),
        ("day", "9999-12-31", "între anii 1900 și 2200"),
    ],
)
def test_a_value_the_form_cannot_take_is_refused_with_a_translated_message(
    app, field, value, message
):
    with app.test_request_context(), force_locale("ro"):
        form = submitted(**{field: value})
        assert not form.validate()
        assert any(message in str(error) for error in form.errors[field]), form.errors


def test_an_unknown_choice_is_cleared_before_any_other_check_reads_it(app):
    with app.test_request_context():
        form = submitted(sex="unknown", name="Ana")
        assert not form.validate()
        assert form.sex.data is None
        assert set(form.errors) == {"sex"}


def test_offered_values_pass(app):
    with app.test_request_context():
        form = SampleForm(
            formdata=MultiDict(
                [
                    ("sex", "male"),
                    ("room", "2"),
                    ("days", "1"),
                    ("days", "2"),
                    ("name", "Ștefan"),
                    ("count", "2147483647"),
                    ("hours", "2.5"),
                    ("day", "1950-06-01"),
                ]
            )
        )
        assert form.validate(), form.errors
        assert form.days.data == [1, 2]


@pytest.fixture
def family(centre):
    family = make_family(centre, name="Kovács")
    db.session.commit()
    return family


@pytest.mark.parametrize("sex", ["unknown", "FEMALE", "female\x00", "1"])
def test_the_person_forms_refuse_an_unknown_sex_and_save_nothing(client, login_as, family, sex):
    child = make_child(family, given_name="Anna")
    adult = make_adult(family, given_name="Ilona")
    db.session.commit()
    login_as("coordinator")
    person = {
        "family_name": "Kovács",
        "given_name": "Réka",
        "birth_date": "2016-03-14",
        "cnp": cnp_for(date(2016, 3, 14), "female"),
    }
    for url in (
        f"/people/{child.id}/edit",
        f"/people/{adult.id}/edit",
        f"/people/families/{family.id}/children/new",
        f"/people/families/{family.id}/adults/new",
    ):
        response = client.post(url, data=person | {"sex": sex, "relation": "mother"})
        assert response.status_code == 200, url
        assert "Alegeți una dintre opțiunile din listă." in text_of(response)
    assert {p.given_name for p in db.session.scalars(db.select(Person))} == {"Anna", "Ilona"}


def test_a_nul_character_is_told_on_the_field_and_what_was_typed_stays(client, login_as, centre):
    login_as("coordinator")
    response = client.post(
        "/people/families/new",
        data={"name": "Kovács\x00", "centre_id": str(centre.id), "address": "Str. Morii 3"},
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Textul conține un caracter care nu este permis." in page
    assert "Str. Morii 3" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Family)) == 0


def test_a_nul_character_in_a_sign_in_is_a_refused_sign_in(client, users):
    response = client.post("/auth/login", data={"username": "ad\x00min", "password": "x\x00"})
    assert response.status_code == 200
    assert "Textul conține un caracter care nu este permis." in text_of(response)

"""The form library's own messages in Romanian and Hungarian: every kind of invalid value WTForms
reports, and Flask-WTF's refusal of a form without its security code (issue 18, item 7)."""

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    URL,
    AnyOf,
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NoneOf,
    NumberRange,
    Optional,
)

from daycentre.core.errors import CSRF_REASONS
from daycentre.core.forms import Form
from tests.conftest import text_of


class EveryKindForm(Form):
    class Meta:
        csrf = False

    short = StringField(validators=[Optional(), Length(max=5)])
    long = StringField(validators=[Optional(), Length(min=3)])
    exact = StringField(validators=[Optional(), Length(min=4, max=4)])
    between = StringField(validators=[Optional(), Length(min=2, max=4)])
    required = StringField(validators=[DataRequired()])
    input_required = StringField(validators=[InputRequired()])
    email = EmailField(validators=[Optional(), Email()])
    url = StringField(validators=[Optional(), URL()])
    equal = StringField(validators=[Optional(), EqualTo("short")])
    any_of = StringField(validators=[Optional(), AnyOf(["a", "b"])])
    none_of = StringField(validators=[Optional(), NoneOf(["a", "b"])])
    at_least = IntegerField(validators=[Optional(), NumberRange(min=1)])
    at_most = IntegerField(validators=[Optional(), NumberRange(max=10)])
    in_range = DecimalField(validators=[Optional(), NumberRange(min=1, max=10)])
    integer = IntegerField(validators=[Optional()])
    decimal = DecimalField(validators=[Optional()])
    real = FloatField(validators=[Optional()])
    day = DateField(validators=[Optional()])
    moment = DateTimeLocalField(validators=[Optional()])
    hour = TimeField(validators=[Optional()])
    choice = SelectField(choices=[], validators=[Optional()])
    choices = SelectMultipleField(choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice.choices = self.choices.choices = [("a", "A")]


INVALID = {
    "short": "abcdefgh",
    "long": "ab",
    "exact": "abc",
    "between": "abcdefg",
    "required": "",
    "input_required": "",
    "email": "not-an-address",
    "url": "not a url",
    "equal": "other",
    "any_of": "c",
    "none_of": "a",
    "at_least": "0",
    "at_most": "11",
    "in_range": "12.5",
    "integer": "twelve",
    "decimal": "1,2,3",
    "real": "pi",
    "day": "31.02.2026",
    "moment": "yesterday",
    "hour": "25:99",
    "choice": "z",
    "choices": "z",
}


def _errors(language):
    with force_locale(language):
        form = EveryKindForm(formdata=MultiDict(INVALID))
        assert not form.validate()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_every_kind_of_invalid_value_is_told_in_the_users_language(app, language):
    with app.test_request_context():
        english = _errors("en")
        translated = _errors(language)
    assert set(english) == set(INVALID), set(INVALID) - set(english)
    for field, messages in translated.items():
        assert messages and all(messages), field
        for message, original in zip(messages, english[field], strict=True):
            assert message != original, f"{field}: {message!r} is in English"
            assert "%(" not in message and "{" not in message, f"{field}: {message!r}"


@pytest.mark.parametrize(
    ("language", "too_long", "not_a_number", "required", "not_a_choice"),
    [
        (
            "ro",
            "Câmpul poate avea cel mult 5 caractere.",
            "Introduceți un număr întreg.",
            "Acest câmp este obligatoriu.",
            "Alegeți una dintre opțiunile din listă.",
        ),
        (
            "hu",
            "A mező legfeljebb 5 karakter hosszú lehet.",
            "Egész számot adjon meg.",
            "Ez a mező kötelező.",
            "Válasszon a listában szereplő lehetőségek közül.",
        ),
    ],
)
def test_the_commonest_messages_read_as_reviewed(
    app, language, too_long, not_a_number, required, not_a_choice
):
    with app.test_request_context():
        errors = _errors(language)
    assert errors["short"] == [too_long]
    assert errors["integer"] == [not_a_number]
    assert errors["required"] == [required]
    assert errors["choice"] == [not_a_choice]


@pytest.mark.parametrize(
    ("language", "too_long", "not_an_address", "required"),
    [
        (
            "ro",
            "Câmpul poate avea cel mult 200 de caractere.",
            "Adresă de e-mail invalidă.",
            "Acest câmp este obligatoriu.",
        ),
        (
            "hu",
            "A mező legfeljebb 200 karakter hosszú lehet.",
            "Érvénytelen e-mail-cím.",
            "Ez a mező kötelező.",
        ),
    ],
)
def test_a_real_page_tells_each_invalid_value_in_the_users_language(
    client, login_as, users, centre, language, too_long, not_an_address, required
):
    from tests.factories import make_family

    family = make_family(centre, name="Kovács")
    users["coordinator"].locale = language
    login_as("coordinator")
    response = client.post(
        f"/people/families/{family.id}/edit",
        data={"name": "K" * 500, "centre_id": str(centre.id), "address": "", "email": "x"},
    )
    assert response.status_code == 200
    page = text_of(response)
    for message in (too_long, not_an_address, required):
        assert message in page
    assert "Field" not in page and "Invalid" not in page and "required" not in page


@pytest.mark.parametrize("language", ["ro", "hu"])
def test_every_reason_flask_wtf_gives_is_translated(app, language):
    with app.test_request_context():
        for english, message in CSRF_REASONS.items():
            with force_locale("en"):
                plain = str(message)
            with force_locale(language):
                assert str(message) not in (english, plain), english


@pytest.mark.parametrize(
    ("language", "token", "reason"),
    [
        ("ro", None, "Lipsește codul de securitate al formularului."),
        ("hu", None, "Hiányzik az űrlap biztonsági kódja."),
        ("ro", "forged", "Codul de securitate al formularului nu este valid."),
        ("hu", "forged", "Az űrlap biztonsági kódja érvénytelen."),
    ],
)
def test_a_form_without_its_security_code_is_refused_in_the_users_language(
    app, users, language, token, reason
):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    client.get("/auth/login")  # the session gets its own code
    data = {"username": users["admin"].username, "password": "x" * 12}
    if token:
        data["csrf_token"] = token
    response = client.post("/auth/login", data=data, headers={"Accept-Language": language})
    assert response.status_code == 400
    page = text_of(response)
    assert reason in page
    assert "CSRF" not in page


def test_a_signed_in_persons_refused_form_follows_their_language(app, users, login_as, client):
    users["counsellor"].locale = "hu"
    login_as("counsellor")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/password", data={"current_password": "x"})
    assert response.status_code == 400
    assert "Hiányzik az űrlap biztonsági kódja." in text_of(response)

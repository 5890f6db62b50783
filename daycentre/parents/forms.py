from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from daycentre.auth.forms import USERNAME_RULE, password_field
from daycentre.core.forms import Form
from daycentre.core.i18n import LANGUAGE_NAMES
from daycentre.core.submissions import submission_field


def language_field(label):
    return SelectField(label, choices=[], default="ro")


class _WithLanguage(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = list(LANGUAGE_NAMES.items())


class InviteByEmailForm(_WithLanguage):
    # Sent again (a reload of the page it answers with) it would replace the link just sent.
    submission = submission_field()
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    language = language_field(_l("Language of the message"))
    submit = SubmitField(_l("Create the invitation link"))


class InviteByLetterForm(_WithLanguage):
    # Sent again (a second click, a reload) it would void the code of the letter just printed.
    submission = submission_field()
    language = language_field(_l("Language of the letter"))
    submit = SubmitField(_l("Print the invitation letter"))


class ButtonForm(Form):
    """A button that only posts (revoke, close the account): the CSRF token and nothing else."""


class InvitationCodeForm(Form):
    code = StringField(
        _l("Code from the letter"),
        validators=[DataRequired(), Length(max=60)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )
    submit = SubmitField(_l("Continue"))


class AcceptInvitationForm(_WithLanguage):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=64), USERNAME_RULE],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired(),
            Length(max=200),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )
    language = language_field(_l("Language"))
    submit = SubmitField(_l("Create my account"))

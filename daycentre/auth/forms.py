from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from daycentre.auth.roles import Role
from daycentre.core.forms import Form, MultiCheckboxField

MIN_PASSWORD_LENGTH = 10


def password_field(label):
    return PasswordField(
        label,
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=lazy_ngettext(
                    "The password must have at least %(num)d character.",
                    "The password must have at least %(num)d characters.",
                    MIN_PASSWORD_LENGTH,
                ),
            ),
        ],
    )


class LoginForm(Form):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )
    submit = SubmitField(_l("Change password"))

    def validate_new_password(self, field):
        if field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))


USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9._-]+$",
    message=_l("Use only letters without accents, digits, dots, dashes and underscores."),
)


class UserForm(Form):
    version = HiddenField()
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(min=3, max=64), USERNAME_RULE]
    )
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid email address."))],
    )
    role = SelectField(_l("Role"), choices=[], validators=[InputRequired()])
    centres = MultiCheckboxField(_l("Centres"), coerce=int, choices=[])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, centre_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        self.centres.choices = list(centre_choices)

    def validate_centres(self, field):
        if self.role.data != Role.ADMIN.value and not field.data:
            raise ValidationError(_l("Choose at least one centre for this role."))


class NewUserForm(UserForm):
    password = password_field(_l("Temporary password"))


class ResetPasswordForm(Form):
    password = password_field(_l("Temporary password"))
    submit = SubmitField(_l("Reset password"))


def code_field(label, *, numeric: bool):
    render_kw = {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
    if numeric:
        render_kw["inputmode"] = "numeric"
    return StringField(label, validators=[DataRequired(), Length(max=40)], render_kw=render_kw)


class SecondFactorCodeForm(Form):
    """The second step of signing in: a code from the app, or one of the recovery codes."""

    code = code_field(_l("Code from the authenticator app, or a recovery code"), numeric=False)
    submit = SubmitField(_l("Continue"))


class EnrolSecondFactorForm(Form):
    code = code_field(_l("The 6-digit code the app shows"), numeric=True)
    submit = SubmitField(_l("Turn on the second factor"))


class RenewRecoveryCodesForm(Form):
    code = code_field(_l("The 6-digit code the app shows"), numeric=True)
    submit = SubmitField(_l("Make new recovery codes"))


class ResetSecondFactorForm(Form):
    submit = SubmitField(_l("Reset the second factor"))

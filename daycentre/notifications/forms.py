from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SubmitField

from daycentre.core.forms import Form, MultiCheckboxField
from daycentre.core.i18n import LANGUAGE_NAMES
from daycentre.notifications.services import SWITCHABLE


class PreferenceForm(Form):
    """The channels a signed-in person receives the centre's messages by."""

    email = BooleanField(_l("By e-mail"))
    sms = BooleanField(_l("By SMS"))
    submit = SubmitField(_l("Save"))


class PersonPreferenceForm(PreferenceForm):
    """A person without an account: the staff note their channels and language."""

    locale = SelectField(_l("Language of the messages"), choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language by its own name, as the language switch shows them.
        self.locale.choices = list(LANGUAGE_NAMES.items())


class SettingsForm(Form):
    events = MultiCheckboxField(_l("Messages this centre sends"), choices=[])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events.choices = [(e.value, e.label) for e in SWITCHABLE]

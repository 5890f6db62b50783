"""The base form every area uses, and the one way views run a service for a submitted form."""

import enum
from functools import cache

from flask import flash
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import get_translations as library_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.errors import Refused, StaleRecord
from daycentre.extensions import db
from daycentre.i18n import current_language

NOT_RECORD_FIELDS = frozenset({"version", "csrf_token", "submit"})


@cache
def _wtforms_translations(language: str):
    return library_translations([language])


class FormMessages:
    """WTForms' own messages from our catalogs, where ro and hu were reviewed; what they lack, from
    WTForms' catalogs. (WTForms' hu catalog leaves most plurals empty, so "Field cannot be longer
    than 200 characters." came out in English, and its ro one writes "5 de caractere".)"""

    def __init__(self, language: str):
        self.library = _wtforms_translations(language)

    def gettext(self, string: str) -> str:
        ours = get_translations().ugettext(string)
        return ours if ours != string else self.library.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ungettext(singular, plural, n)
        if ours not in (singular, plural):
            return ours
        return self.library.ngettext(singular, plural, n) or ours


class Form(FlaskForm):
    """WTForms' own messages in the user's language; after a stale save, what changed meanwhile."""

    conflicts: tuple = ()

    class Meta:
        def get_translations(self, form):
            return FormMessages(current_language())

    def show_conflicts_with(self, record) -> None:
        """List the stored values that differ from what was sent, and accept the current version.

        The person sees what someone else saved, keeps their own input, and decides by saving again.
        """
        conflicts = []
        for field in self:
            if field.name in NOT_RECORD_FIELDS or not hasattr(record, field.name):
                continue
            stored = getattr(record, field.name)
            comparable = stored.value if isinstance(stored, enum.Enum) else stored
            if isinstance(comparable, set | frozenset):
                comparable = sorted(comparable)
            if comparable != field.data:
                conflicts.append((field.label.text, getattr(stored, "label", stored)))
        self.conflicts = tuple(conflicts)
        if "version" in self:
            self.version.data = record.version


def run_service(form: Form, record, service, /, *args, **kwargs):
    """Call ``service``; commit and return its result, or flash the refusal and return None."""
    try:
        result = service(*args, **kwargs)
    except StaleRecord as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        if record is not None:
            db.session.refresh(record)
            form.show_conflicts_with(record)
        return None
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return None
    db.session.commit()
    return result


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# WTForms' built-in messages, listed so that `make translations` puts them in our catalogs (WTForms
# formats them with min, max, other_name, values or value). Never used directly.
WTFORMS_MESSAGES = (
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)

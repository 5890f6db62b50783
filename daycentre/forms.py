"""The base form every area uses, and the one way views run a service for a submitted form."""

import datetime
import enum
import math
from decimal import Decimal
from functools import cache

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields import SelectFieldBase
from wtforms.i18n import get_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.errors import Refused, StaleRecord
from daycentre.extensions import db
from daycentre.i18n import current_language

NOT_RECORD_FIELDS = frozenset({"version", "csrf_token", "submit"})

# What every column can hold: PostgreSQL's integer, and dates the app can still compute with.
LARGEST_INTEGER = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2200


@cache
def _wtforms_translations(language: str):
    return get_translations([language])


class Form(FlaskForm):
    """WTForms' own messages in the user's language; after a stale save, what changed meanwhile."""

    conflicts: tuple = ()

    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_language())

    def validate(self, extra_validators=None):
        """Check every value against what can be stored and every choice against those offered.

        This runs before any field's own checks: a check that reads another field (a CNP against
        the sex, say) and the view never see a value the form did not offer or cannot store.
        """
        for field in self:
            _refuse_unstorable(field)
            _refuse_unknown_choice(field)
        return super().validate(extra_validators)

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


def _refuse(field, message, data) -> None:
    """Say why on the field; its own checks, made for values it can take, are not run."""
    field.data = data
    field.process_errors = [message]
    field.validators = ()


def _refuse_unknown_choice(field) -> None:
    if not (
        isinstance(field, SelectFieldBase)
        and getattr(field, "validate_choice", False)
        and field.choices is not None
        and field.raw_data
    ):
        return
    offered = {field.coerce(choice.value) for choice in field.iter_choices()}
    if isinstance(field, SelectMultipleField):
        if field.process_errors or not set(field.data or ()) <= offered:
            _refuse(field, field.gettext("Not a valid choice."), [])
    elif field.process_errors or field.data not in offered:
        _refuse(field, field.gettext("Not a valid choice."), None)


def _refuse_unstorable(field) -> None:
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    problem = next(filter(None, map(_storage_problem, values)), None)
    if problem is None:
        return
    if isinstance(field.data, str):
        _refuse(field, problem, field.data.replace("\x00", ""))
    else:
        _refuse(field, problem, [] if isinstance(field.data, list | tuple) else None)


def _storage_problem(value):
    """Why the database cannot store ``value`` or the app cannot compute with it, if so."""
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL in text
        return _l("This text contains a character that is not allowed.")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            return _l("Enter a number.")  # NaN and the infinities
        if abs(value) > LARGEST_INTEGER:
            return _l("This number is too large.")
    if isinstance(value, datetime.date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        return _l(
            "Enter a date between the years %(first)d and %(last)d.",
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return None


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

"""The base form every area uses, and the one way views run a service for a submitted form."""

import datetime
import enum
import math
from decimal import Decimal
from functools import cache

from flask import flash, request
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import SelectMultipleField
from wtforms.fields import SelectFieldBase
from wtforms.i18n import get_translations as library_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.core.errors import Busy, Refused, StaleRecord, csrf_reason, is_busy
from daycentre.core.i18n import current_language
from daycentre.core.text import matches_words
from daycentre.extensions import db

NOT_RECORD_FIELDS = frozenset({"version", "csrf_token", "submit", "submission"})

# What every column can hold: PostgreSQL's integer, and dates the app can still compute with.
LARGEST_INTEGER = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2200


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
    #: Set when the last ``run_service`` found the database busy: nothing was saved.
    busy = False

    class Meta:
        def get_translations(self, form):
            return FormMessages(current_language())

    def validate(self, extra_validators=None):
        """Check every value against what can be stored and every choice against those offered.

        This runs before any field's own checks: a check that reads another field (a CNP against
        the sex, say) and the view never see a value the form did not offer or cannot store.
        """
        for field in self:
            _refuse_unstorable(field)
            _refuse_unknown_choice(field)
        valid = super().validate(extra_validators)
        if "csrf_token" in self and self.csrf_token.errors:
            self.csrf_token.errors = [csrf_reason(str(e)) for e in self.csrf_token.errors]
        return valid

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


def run_service(form: Form | None, record, service, /, *args, **kwargs):
    """Call ``service`` and commit: the one place a view saves. Returns the service's result, or
    None when it was refused, after rolling back and saying why (see ``service_done``).

    ``form`` is the form that was sent, if any: a refusal naming one of its fields is shown under
    it, and when ``record`` changed meanwhile the form shows the other person's values. A database
    that cannot be had in time (a lock wait run out, while saving or committing) is reported as a
    busy server, never as someone else's change: nothing is saved, ``form.busy`` is set and the
    form keeps what was sent.
    """
    try:
        result = service(*args, **kwargs)
        db.session.commit()
    except StaleRecord as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        if record is not None and form is not None:
            db.session.refresh(record)
            form.show_conflicts_with(record)
        return None
    except Refused as refusal:
        db.session.rollback()
        show_refusal(form, refusal)
        _set_busy(form, isinstance(refusal, Busy))
        return None
    except OperationalError as error:
        db.session.rollback()
        if not is_busy(error):
            raise
        flash(Busy().message, "error")
        _set_busy(form, True)
        return None
    return result


def service_done(form: Form | None, record, service, /, *args, **kwargs) -> bool:
    """``run_service`` for a service that returns nothing worth keeping: True when it was saved."""
    return run_service(form, record, lambda: service(*args, **kwargs) or True) is not None


def _set_busy(form: Form | None, busy: bool) -> None:
    if form is not None:
        form.busy = busy


def flash_errors(form: Form) -> None:
    """Each of the form's field errors as a message, for a form posted from a page it is not on."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def show_refusal(form: Form | None, refusal: Refused) -> None:
    """The refusal's message under the field it is about, or flashed when it names none."""
    if form is not None and refusal.field and refusal.field in form:
        field = form[refusal.field]
        field.errors = [*field.errors, refusal.message]
    else:
        flash(refusal.message, "error")


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


def picker(field, kind: str):
    """Make a select of names searchable: ``kind`` says what its values are ("person": person ids,
    "family": family ids, "beneficiary": p<id> and f<id>). The template adds a search box; with a
    script, typing asks people.pick; without, the box's button sends the form back narrowed."""
    field.render_kw = dict(field.render_kw or {}, **{"data-picker": kind})
    return field


def narrowed_by_search(form) -> bool:
    """Whether the form was sent by a picker's search button (nothing to save, no errors to show);
    if so, that picker keeps only the names matching the typed text."""
    if request.method != "POST":
        return False
    for field in form:
        if (
            field.render_kw
            and "data-picker" in field.render_kw
            and (f"{field.name}-search" in request.form)
        ):
            text = request.form.get(f"{field.name}-find", "")
            field.choices = [c for c in field.choices if matches_words(text, str(c[1]))]
            field.render_kw["data-found"] = len(field.choices)
            return True
    return False

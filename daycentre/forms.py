"""The base form every area uses, and the one way views run a service for a submitted form."""

import enum
from functools import cache

from flask import flash
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import get_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.errors import Refused, StaleRecord
from daycentre.extensions import db
from daycentre.i18n import current_language

NOT_RECORD_FIELDS = frozenset({"version", "csrf_token", "submit"})


@cache
def _wtforms_translations(language: str):
    return get_translations([language])


class Form(FlaskForm):
    """WTForms' own messages in the user's language; after a stale save, what changed meanwhile."""

    conflicts: tuple = ()

    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_language())

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
        show_refusal(form, refusal)
        return None
    db.session.commit()
    return result


def show_refusal(form: Form, refusal: Refused) -> None:
    """The refusal's message under the field it is about, or flashed when it names none."""
    if refusal.field and refusal.field in form:
        field = form[refusal.field]
        field.errors = [*field.errors, refusal.message]
    else:
        flash(refusal.message, "error")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

"""The base form every area uses, and the one way views run a service for a submitted form."""

import enum
from functools import cache

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError
from wtforms import SelectMultipleField
from wtforms.i18n import get_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.errors import Busy, Refused, StaleRecord, is_busy
from daycentre.extensions import db
from daycentre.i18n import current_language

NOT_RECORD_FIELDS = frozenset({"version", "csrf_token", "submit"})


@cache
def _wtforms_translations(language: str):
    return get_translations([language])


class Form(FlaskForm):
    """WTForms' own messages in the user's language; after a stale save, what changed meanwhile."""

    conflicts: tuple = ()
    #: Set when the last ``run_service`` found the database busy: nothing was saved.
    busy = False

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
    """Call ``service``; commit and return its result, or flash the refusal and return None.

    A database that cannot be had in time (a lock wait run out, while saving or committing) is
    reported as a busy server, never as someone else's change: nothing is saved, ``form.busy``
    is set and the form keeps what was sent.
    """
    try:
        result = service(*args, **kwargs)
        db.session.commit()
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
        form.busy = isinstance(refusal, Busy)
        return None
    except OperationalError as error:
        db.session.rollback()
        if not is_busy(error):
            raise
        flash(Busy().message, "error")
        form.busy = True
        return None
    return result


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

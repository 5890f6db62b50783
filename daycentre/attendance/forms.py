import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import HiddenField, IntegerField, SubmitField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional

from daycentre.attendance.models import AttendanceStatus
from daycentre.attendance.services import NOTE_LENGTH, Mark
from daycentre.core.errors import Refused
from daycentre.core.forms import Form

MARKED = re.compile(r"^status-(\d+)$")
SEEN = re.compile(r"^was-(\d+)$")
STATE = re.compile(r"^[0-9a-f]{0,16}$")


class RollForm(Form):
    """The whole group's roll; each child's fields are named ``status-<id>``, ``meal-<id>``,
    ``arrives-<id>``, ``leaves-<id>`` and ``note-<id>``, read by ``read_marks``."""

    version = HiddenField()
    submit = SubmitField(_l("Save the roll"))

    def show_conflicts_with(self, record) -> None:
        # The form keeps the version it was loaded with: saving again is merged child by child
        # with what was saved meanwhile (``services.record_roll``), never written over it.
        pass


def _time(text: str | None) -> time | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text[:5]) if len(text) <= 8 else None
    except ValueError:
        return None


def read_marks(formdata) -> tuple[dict, dict]:
    """The marks and meals sent, for every child with a ``status-<id>``; a meal ticked for an
    absent child is dropped (the service refuses one anyway). Bad input raises ``Refused`` with
    what to correct; whether the children and meal types are the group's is the service's rule.
    """
    person_ids = sorted(
        int(found.group(1)) for key in formdata if (found := MARKED.match(key)) is not None
    )
    marks, meals = {}, {}
    for person_id in person_ids:
        try:
            status = AttendanceStatus(formdata.get(f"status-{person_id}", ""))
        except ValueError:
            raise Refused(_l("Choose present, excused or unexcused for every child.")) from None
        times = []
        for name in ("arrives", "leaves"):
            raw = (formdata.get(f"{name}-{person_id}") or "").strip()
            value = _time(raw)
            if raw and value is None:
                raise Refused(_l("Enter times as hours and minutes, such as 13:30."))
            times.append(value)
        note = (formdata.get(f"note-{person_id}") or "").replace("\x00", "").strip()
        if len(note) > NOTE_LENGTH:
            raise Refused(
                lazy_ngettext(
                    "A note holds at most %(num)d character.",
                    "A note holds at most %(num)d characters.",
                    NOTE_LENGTH,
                )
            )
        if status.is_absence:
            times = [None, None]
        marks[person_id] = Mark(status, times[0], times[1], note or None)
        if not status.is_absence:
            chosen = set()
            for raw in formdata.getlist(f"meal-{person_id}"):
                if not str(raw).isdecimal():
                    raise Refused(_l("Choose one of the centre's meal types."))
                chosen.add(int(raw))
            meals[person_id] = chosen
    return marks, meals


def read_seen(formdata) -> tuple[dict[int, str] | None, set[int]]:
    """What each child's mark was when the page was loaded (``was-<id>``; None when the page
    sent none) and the children whose stored mark the person chose to keep (``keep-<id>``)."""
    seen = {
        int(found.group(1)): value
        for key, value in formdata.items()
        if (found := SEEN.match(key)) is not None and STATE.match(value)
    }
    keep_theirs = {
        int(key.removeprefix("keep-"))
        for key, value in formdata.items()
        if key.startswith("keep-") and key[5:].isdecimal() and value == "theirs"
    }
    return seen or None, keep_theirs


class AlertRuleForm(Form):
    version = HiddenField()
    consecutive_unexcused = IntegerField(
        _l("Unexcused absences in a row"),
        validators=[InputRequired(), NumberRange(min=1, max=60)],
    )
    unexcused_percent = IntegerField(
        _l("Unexcused absences in the month, more than (%)"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
    )
    absence_cutoff = TimeField(
        _l("Parents report an absence until"),
        validators=[Optional()],
        description=_l("On the day itself; later, the parent calls the centre."),
    )
    submit = SubmitField(_l("Save"))

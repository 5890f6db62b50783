"""How the audit trail names records and fields to a person, in their language.

A model names itself with an ``audit_label`` class attribute. A field is named by FIELD_LABELS,
else by the label its form gives it (when every form that has it agrees), else by OTHER_LABELS: the
trail never shows a column name such as ``meeting_id``.
"""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from daycentre.core.forms import Form
from daycentre.extensions import db

FIELD_LABELS = {
    "name": _l("Name"),
    "username": _l("Username"),
    "given_name": _l("Given name"),
    "family_name": _l("Family name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "role": _l("Role"),
    "centres": _l("Centres"),
    "active": _l("Active"),
    "password": _l("Password"),
    "locale": _l("Language"),
    # A parent's invitation (and an outing slip's) language; when the invitation stops working.
    "language": _l("Language"),
    "expires_at": _l("Expires on"),
    "revoked_at": _l("Revoked on"),
    "must_change_password": _l("Must change the password"),
    "enrolled_at": _l("Second factor set up on"),
    "used_at": _l("Used on"),
    "returned_on": _l("Came back on"),
    "kind": _l("Kind"),
    "service_code": _l("Service code"),
    "address": _l("Address"),
    "city": _l("Town"),
    "capacity": _l("Capacity"),
    "days": _l("Days of the week"),
    "opens_at": _l("Opens at"),
    "closes_at": _l("Closes at"),
    "starts_at": _l("Starts at"),
    "ends_at": _l("Ends at"),
    "centre_id": _l("Centre"),
    "day": _l("Date"),
    "reason": _l("Reason"),
    "notes": _l("Notes"),
    "title": _l("Title"),
    "status": _l("Status"),
}

# Columns no form names, or that forms name differently from one record to another.
OTHER_LABELS = {
    "action": _l("Action"),
    "search_key": _l("Name as searched"),
    "subject_access": _l("Subject access"),
    "part": _l("Part of the record"),
    "activity_id": _l("Activity"),
    "approved_by_id": _l("Approved by"),
    "approved_on": _l("Approved on"),
    # A complaint's; the outing permission form has its own "answered_on" (stored as permission_on).
    "answered_on": _l("Answered on"),
    "arrives_at": _l("Arrives at"),
    "at": _l("When"),
    # The outbox: a centre's switch of one kind of message, a failed message sent again.
    "attempts": _l("Attempts"),
    "enabled": _l("Turned on"),
    "event": _l("Kind of message"),
    "recipient_name": _l("Recipient"),
    "sent_at": _l("Sent at"),
    "author_id": _l("Author"),
    "booked_by_id": _l("Booked by"),
    "campaign_id": _l("Campaign"),
    "cancelled_at": _l("Cancelled at"),
    "case_id": _l("Case"),
    "situation_id": _l("Parents working abroad"),
    "certificate_requested_on": _l("Certificate requested on"),
    "changes": _l("Changes"),
    "channel_list": _l("Channels"),
    "closure_approved_by_id": _l("Closure approved by"),
    "closure_approved_on": _l("Closure approved on"),
    "closure_notes": _l("Closure notes"),
    "closure_reason": _l("Reason for closure"),
    "comment": _l("Comment"),
    "confirmed_by_id": _l("Confirmed by"),
    "coordinator_id": _l("Coordinator"),
    "created_at": _l("Created at"),
    "created_by_id": _l("Created by"),
    "decided_at": _l("Decided at"),
    "decided_by_id": _l("Decided by"),
    "detail": _l("Detail"),
    "done_by_id": _l("Done by"),
    "done_on": _l("Done on"),
    "enrolment_id": _l("Enrolment"),
    "entity": _l("Record"),
    "entity_id": _l("Record number"),
    "factor_list": _l("Risk factors"),
    "happened_on": _l("Date"),
    "id": _l("Number"),
    "indicator_id": _l("Indicator"),
    "is_reevaluation": _l("Re-evaluation"),
    "issued_on": _l("Issued on"),
    "joined_on": _l("Joined on"),
    "key": _l("Setting"),
    "last_number": _l("Last number"),
    "leaves_at": _l("Leaves at"),
    "left_on": _l("Left on"),
    "lines": _l("Activities done"),
    "meal_type_id": _l("Meal"),
    "meeting_id": _l("Meeting"),
    "membership_id": _l("Support group membership"),
    "new_stage": _l("New stage"),
    "note": _l("Note"),
    "number": _l("Number"),
    "objective_id": _l("Objective"),
    "observatory_on": _l("Date of registration in the National Child Observatory"),
    "observatory_registered": _l("Registered in the National Child Observatory"),
    "offered_on": _l("Place offered on"),
    "old_stage": _l("Previous stage"),
    "plan_id": _l("Plan"),
    "primary_due_on": _l("Primary evaluation due on"),
    "primary_on": _l("Primary evaluation"),
    "protection_body": _l("Referred for a protection measure"),
    "protection_on": _l("Date of the referral for a protection measure"),
    "queue_position": _l("Place in line"),
    "register": _l("Register"),
    "registered_at": _l("Registered at"),
    "registration_id": _l("Registration"),
    "report_id": _l("Report"),
    "review_id": _l("Review"),
    "reviewed_by_id": _l("Reviewed by"),
    "saved_at": _l("Saved at"),
    "saved_by_id": _l("Saved by"),
    "series_id": _l("Series"),
    "session_id": _l("Session"),
    "skill_codes": _l("Skills"),
    "stage": _l("Stage"),
    "termination_reason": _l("Reason for ending"),
    "total_hours": _l("Total hours"),
    "updated_at": _l("Changed at"),
    "value": _l("Value"),
    "version": _l("Version"),
    "visited_by_id": _l("Visited by"),
    "volunteer_id": _l("Volunteer"),
    "workshop_id": _l("Workshop"),
    "person_id": _l("Person"),
    "counsellor_id": _l("Counsellor"),
    "interval_days": _l("Days between sessions"),
    "text": _l("Text"),
    "audience": _l("Audience"),
    "description": _l("Description"),
    "schedule": _l("Schedule"),
    "ends_on": _l("Ends on"),
    "starts_on": _l("Starts on"),
    "closed_on": _l("Date of closure"),
    "responsible": _l("Responsible"),
    "languages": _l("Languages"),
    "user_id": _l("User"),
    "group_id": _l("Group"),
    "position": _l("Order"),
    "present": _l("Present"),
    "session_version": _l("Version"),
    "held_on": _l("Date"),
    "at_home_3_months": _l("After three months"),
    "at_home_6_months": _l("After six months"),
    "new_measure_decision": _l("Decision number of the new measure"),
    "new_measure_on": _l("Date of the new measure"),
    "recorded_by_id": _l("Recorded by"),
    "six_months_on": _l("Six months after the return"),
    "training_id": _l("Training"),
    "person_key": _l("Person"),
    # The complaints and incident registers, the surveys.
    "received_on": _l("Received on"),
    "channel": _l("Channel"),
    "subject": _l("Subject"),
    "answer": _l("Answer"),
    "occurred_at": _l("When"),
    "parents_told_at": _l("Parents told"),
    "directorate_told_at": _l("Directorate told"),
    "questionnaire_id": _l("Questionnaire"),
    "codes_issued": _l("Codes issued"),
    "children": _l("Children"),
    "count": _l("How many"),
    "answers": _l("Answers"),
    "complaints": _l("Complaints"),
    "response_id": _l("Survey response"),
    "question_id": _l("Question"),
    "scale": _l("Scale from 1 to 5"),
    "yes": _l("Yes or no"),
    "choice": _l("One choice"),
    "text_ro": _l("Text (Romanian)"),
    "text_hu": _l("Text (Hungarian)"),
    "text_en": _l("Text (English)"),
    "options_ro": _l("Options (Romanian)"),
    "options_hu": _l("Options (Hungarian)"),
    "options_en": _l("Options (English)"),
    "title_ro": _l("Title (Romanian)"),
    "title_hu": _l("Title (Hungarian)"),
    "title_en": _l("Title (English)"),
    "code_hash": _l("Code (its hash)"),
    "used": _l("Used"),
    # The children's programme, outings, the school link and who may collect a child.
    "programme_id": _l("Weekly programme"),
    "slot_id": _l("Programme slot"),
    "written_by_id": _l("Written by"),
    "outing_id": _l("Outing"),
    "departed_at": _l("Left at"),
    "returned_at": _l("Came back at"),
    "permission": _l("Permission"),
    "permission_by": _l("Legal representative"),
    "permission_on": _l("Date of the answer"),
    "permission_medium": _l("How"),
    "recorded_at": _l("Recorded on"),
    "on_final_list": _l("Final list"),
    "left": _l("Left"),
    "came_back": _l("Came back"),
    "collector_id": _l("Collected by"),
    "id_checked_by_id": _l("Identity document checked by"),
    "id_checked_on": _l("Identity document checked on"),
    "not_allowed": _l("Not on the list of people allowed"),
    # A parent's answers in the app (issue 16).
    "answered_at": _l("Answered at"),
    "first_day": _l("First day"),
    "last_day": _l("Last day"),
    "reported_by_id": _l("Reported by"),
    "reported_at": _l("Reported at"),
    "withdrawn_at": _l("Withdrawn at"),
}


def _form_classes(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _form_classes(subclass)


@cache
def _form_labels() -> dict:
    found: dict[str, set] = {}
    for form in _form_classes(Form):
        for name, field in vars(form).items():
            if isinstance(field, UnboundField):
                label = field.kwargs.get("label", field.args[0] if field.args else None)
                if label is not None:
                    found.setdefault(name, {}).setdefault(
                        str(getattr(label, "_args", [label])[0]), label
                    )
    return {name: next(iter(labels.values())) for name, labels in found.items() if len(labels) == 1}


def field_labels() -> dict:
    """Every field name the trail may show → its label in the current language (lazy)."""
    return _form_labels() | OTHER_LABELS | FIELD_LABELS


def entity_labels() -> dict:
    """Table name → the record's name for people, from every mapped model's ``audit_label``."""
    labels = {}
    for mapper in db.Model.registry.mappers:
        label = getattr(mapper.class_, "audit_label", None)
        if label is not None:
            labels[mapper.local_table.name] = label
    return labels


@cache
def hidden_columns() -> frozenset:
    """(table, column) of the columns the subject-access page leaves out (a sender's bookkeeping)."""
    return frozenset(
        (mapper.local_table.name, column.name)
        for mapper in db.Model.registry.mappers
        for column in mapper.local_table.columns
        if not column.info.get("subject_access", True)
    )


@cache
def _enum_columns() -> dict:
    """(table, column) → the enum its values belong to, for the enums that name their values."""
    found = {}
    for mapper in db.Model.registry.mappers:
        for column in mapper.local_table.columns:
            enum_class = getattr(column.type, "enum_class", None) or column.info.get("listed_enum")
            if enum_class is not None and hasattr(enum_class, "label"):
                found[(mapper.local_table.name, column.name)] = enum_class
    return found


# The parts of a case record whose reading is audited (``changes={"part": ...}``), printed or not.
CASE_PARTS = {
    "case": _l("Case"),
    "evaluation": _l("Detailed evaluation"),
    "plan": _l("Service plan"),
    "review": _l("Review"),
    "answer": _l("Letter"),
    "closure": _l("Case closure"),
}


def _case_part(value: str) -> str:
    part, printed = value.removesuffix(".pdf"), value.endswith(".pdf")
    label = CASE_PARTS.get(part)
    if label is None:
        return value
    return f"{label} (PDF)" if printed else str(label)


def describe_change(value, entity: str | None = None, field: str | None = None) -> str:
    """An audit entry's value: "old → new" for a change, else as ``describe_value``."""
    if isinstance(value, list) and len(value) == 2 and not all(isinstance(v, int) for v in value):
        return (
            f"{describe_value(value[0], entity, field)} → {describe_value(value[1], entity, field)}"
        )
    return describe_value(value, entity, field)


def describe_value(value, entity: str | None = None, field: str | None = None) -> str:
    """A stored value as text: lists joined, nothing shown as a dash, a stored enum value
    (``absent_excused``) by its label in the reader's language."""
    if field == "part" and isinstance(value, str):
        return _case_part(value)
    enum_class = _enum_columns().get((entity, field))
    if enum_class is not None and isinstance(value, str) and "," in value:
        value = value.split(",")  # a list of values kept in one column (a family's factors)
    return _plain(value, enum_class)


def _plain(value, enum_class=None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item, enum_class) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    if enum_class is not None and value in {member.value for member in enum_class}:
        return str(enum_class(value).label)
    return str(value)

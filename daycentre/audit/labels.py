"""How the audit trail names records and fields to a person, in their language.

A model names itself with an ``audit_label`` class attribute; field names common to many records
are translated here, and the rest are shown as stored.
"""

from flask_babel import lazy_gettext as _l

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
    "must_change_password": _l("Must change the password"),
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


def entity_labels() -> dict:
    """Table name → the record's name for people, from every mapped model's ``audit_label``."""
    labels = {}
    for mapper in db.Model.registry.mappers:
        label = getattr(mapper.class_, "audit_label", None)
        if label is not None:
            labels[mapper.local_table.name] = label
    return labels


def describe_value(value) -> str:
    """An audit value as text: "old → new" for a change, lists joined, nothing shown as a dash."""
    if isinstance(value, list) and len(value) == 2 and not all(isinstance(v, int) for v in value):
        return f"{_plain(value[0])} → {_plain(value[1])}"
    return _plain(value)


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    return str(value)

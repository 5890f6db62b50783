"""Imports every area's models, so that metadata, migrations and relationships see them all."""

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User, user_centres
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.counselling.models import (
    CalendarFeed,
    CounsellingSession,
    NoteShare,
    SessionNote,
    SessionSeries,
)
from daycentre.enrolment.models import Enrolment
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
)
from daycentre.people.models import Consent, Family, Person
from daycentre.settings import Setting

__all__ = [
    "Agreement",
    "AuditEntry",
    "CalendarFeed",
    "Campaign",
    "Centre",
    "ClosureDay",
    "CommunityResource",
    "Consent",
    "CounsellingSession",
    "Enrolment",
    "Family",
    "Group",
    "InformationMaterial",
    "NoteShare",
    "Person",
    "Room",
    "SessionNote",
    "SessionSeries",
    "Setting",
    "Training",
    "User",
    "user_centres",
]

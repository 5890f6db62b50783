"""Imports every area's models, so that metadata, migrations and relationships see them all."""

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User, user_centres
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.settings import Setting
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    RegisterCounter,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)

__all__ = [
    "Activity",
    "ActivitySignup",
    "AuditEntry",
    "Centre",
    "ClosureDay",
    "Group",
    "RegisterCounter",
    "Room",
    "Setting",
    "User",
    "Volunteer",
    "VolunteerCertificate",
    "VolunteerContract",
    "VolunteerHours",
    "user_centres",
]

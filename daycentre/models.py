"""Imports every area's models, so that metadata, migrations and relationships see them all."""

from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User, user_centres
from daycentre.cases.models import (
    Case,
    CaseEvent,
    CaseTask,
    Evaluation,
    HomeVisit,
    Objective,
    ObjectiveProgress,
    Plan,
    PlannedService,
    Review,
)
from daycentre.centres.models import Centre, ClosureDay, Group, Room
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
    "Campaign",
    "Case",
    "CaseEvent",
    "CaseTask",
    "Centre",
    "ClosureDay",
    "CommunityResource",
    "Consent",
    "Enrolment",
    "Evaluation",
    "Family",
    "Group",
    "HomeVisit",
    "InformationMaterial",
    "Objective",
    "ObjectiveProgress",
    "Person",
    "Plan",
    "PlannedService",
    "Review",
    "Room",
    "Setting",
    "Training",
    "User",
    "user_centres",
]

"""Imports every area's models, so that metadata, migrations and relationships see them all."""

from daycentre.attendance.models import AbsenceAlertRule, Attendance, RollCall
from daycentre.audit.models import AuditEntry
from daycentre.auth.models import User, user_centres
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.enrolment.models import Enrolment
from daycentre.meals.models import FoodAllowance, MealServed, MealType, Menu
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
    "AbsenceAlertRule",
    "Attendance",
    "FoodAllowance",
    "MealServed",
    "MealType",
    "Menu",
    "RollCall",
    "Agreement",
    "AuditEntry",
    "Campaign",
    "Centre",
    "ClosureDay",
    "CommunityResource",
    "Consent",
    "Enrolment",
    "Family",
    "Group",
    "InformationMaterial",
    "Person",
    "Room",
    "Setting",
    "Training",
    "User",
    "user_centres",
]

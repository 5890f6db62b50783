"""Imports every area's models, so that metadata, migrations and relationships see them all.

Each area adds one line; nothing else should import from here.
"""

# ruff: noqa: F401
from daycentre.attendance.models import AbsenceAlertRule, AbsenceReport, Attendance, RollCall
from daycentre.audit.models import AuditEntry
from daycentre.auth.models import RecoveryCode, SecondFactor, User, user_centres
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
from daycentre.core.settings import Setting
from daycentre.core.submissions import FormSubmission
from daycentre.counselling.models import (
    CalendarFeed,
    CounsellingSession,
    NoteShare,
    SessionNote,
    SessionSeries,
)
from daycentre.enrolment.models import Enrolment
from daycentre.meals.models import FoodAllowance, MealServed, MealType, Menu
from daycentre.moving_in.models import ColumnMapping, ImportBatch
from daycentre.notifications.models import (
    Message,
    NotificationPreference,
    NotificationSetting,
)
from daycentre.outreach.models import (
    Agreement,
    Campaign,
    CommunityResource,
    InformationMaterial,
    Training,
)
from daycentre.parents.models import ParentAccount, ParentInvitation
from daycentre.people.models import Consent, Family, Person
from daycentre.programme.models import (
    Collector,
    Departure,
    LeavingAlone,
    Outing,
    OutingChild,
    ProgrammeSlot,
    SchoolContact,
    SchoolLink,
    SchoolResult,
    SlotDay,
    WeeklyProgramme,
)
from daycentre.registers.models import Complaint, Incident, incident_children, incident_staff
from daycentre.reports.models import (
    ActivityReport,
    AttendanceMonth,
    ChildrenFed,
    DevelopmentPlan,
    MealCount,
    PlanActivity,
    PlanIndicator,
    PlanObjective,
    ReportComment,
)
from daycentre.surveys.models import (
    Question,
    Questionnaire,
    SurveyAnswer,
    SurveyCampaign,
    SurveyCode,
    SurveyResponse,
)
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    RegisterCounter,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)
from daycentre.workshops.models import (
    GroupMeeting,
    GroupMembership,
    MeetingAttendance,
    SupportGroup,
    Workshop,
    WorkshopAttendance,
    WorkshopRegistration,
    WorkshopSession,
)

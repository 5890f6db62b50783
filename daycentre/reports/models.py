"""The year's development plan (objectives, activities, indicators bound to a measure) and the
yearly activity report of a centre with its commentary."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, utcnow
from daycentre.extensions import db
from daycentre.reports.figures import keep_figures


class DevelopmentPlan(db.Model):
    """The municipality's plan for preventing the separation of children from their families."""

    __tablename__ = "development_plans"
    audit_label = _l("Development plan")

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    general_objective: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    objectives: Mapped[list["PlanObjective"]] = relationship(
        back_populates="plan", order_by="PlanObjective.position", cascade="all, delete-orphan"
    )
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="plausible_year"),)

    @property
    def indicators(self) -> list["PlanIndicator"]:
        return [i for o in self.objectives for a in o.activities for i in a.indicators]


class PlanObjective(db.Model):
    __tablename__ = "plan_objectives"
    audit_label = _l("Strategic objective")

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plans.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="objectives")
    activities: Mapped[list["PlanActivity"]] = relationship(
        back_populates="objective", order_by="PlanActivity.id", cascade="all, delete-orphan"
    )


class PlanActivity(db.Model):
    __tablename__ = "plan_activities"
    audit_label = _l("Plan activity")

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(300))

    objective: Mapped[PlanObjective] = relationship(back_populates="activities")
    indicators: Mapped[list["PlanIndicator"]] = relationship(
        back_populates="activity", order_by="PlanIndicator.id", cascade="all, delete-orphan"
    )


class PlanIndicator(db.Model):
    """What the plan counts, as the plan words it, and the measure that counts it."""

    __tablename__ = "plan_indicators"
    audit_label = _l("Plan indicator")

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("plan_activities.id"), index=True)
    wording: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str] = mapped_column(String(40))
    target: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    activity: Mapped[PlanActivity] = relationship(back_populates="indicators")
    __table_args__ = (CheckConstraint("target IS NULL OR target >= 0", name="target_not_negative"),)


class ActivityReport(db.Model):
    """The yearly activity report of a centre: its commentary, one text per plan indicator."""

    __tablename__ = "activity_reports"
    audit_label = _l("Activity report")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("development_plans.id"), index=True)
    introduction: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    plan: Mapped[DevelopmentPlan] = relationship()
    comments: Mapped[list["ReportComment"]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("centre_id", "plan_id"),)

    def comment_on(self, indicator_id: int) -> str:
        return next((c.text for c in self.comments if c.indicator_id == indicator_id), "")


class ReportComment(db.Model):
    __tablename__ = "report_comments"
    audit_label = _l("Report commentary")

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("activity_reports.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("plan_indicators.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)

    report: Mapped[ActivityReport] = relationship(back_populates="comments")
    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)


# ---- Running totals of the roll, kept by the database (see ``reports.figures``) -------------------
# Written by triggers, never by a person: nothing here is an audited change.
NOT_AUDITED = {"audit": False}


class AttendanceMonth(db.Model):
    """A child's marks in a group in a month, and how many of them are present."""

    __tablename__ = "attendance_months"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True, info=NOT_AUDITED)  # its first day
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    marks: Mapped[int] = mapped_column(info=NOT_AUDITED)
    present: Mapped[int] = mapped_column(info=NOT_AUDITED)


class MealCount(db.Model):
    """The meals of one type served at a centre on a day."""

    __tablename__ = "meal_counts"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    meal_type_id: Mapped[int] = mapped_column(ForeignKey("meal_types.id"), primary_key=True)
    meals: Mapped[int] = mapped_column(info=NOT_AUDITED)


class ChildrenFed(db.Model):
    """How many children had at least one meal at a centre on a day."""

    __tablename__ = "children_fed"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    children: Mapped[int] = mapped_column(info=NOT_AUDITED)


@event.listens_for(db.metadata, "after_create")
def _keep_figures_of_new_tables(target, connection, **kw):
    if {"attendances", "meals_served", "children_fed"} <= set(target.tables):
        keep_figures(connection)


# ---- The quarterly statistical report, as submitted --------------------------------------------


class QuarterlyReport(db.Model):
    """A centre's quarterly statistics as submitted to the directorate: the figures are kept
    (``QuarterlyFigure``) so that later corrections to the records never change them silently."""

    __tablename__ = "quarterly_reports"
    audit_label = _l("Quarterly report")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    # The centre's settings on the day it was submitted.
    service_code: Mapped[str] = mapped_column(String(50))
    provider_type: Mapped[str] = mapped_column(String(10))
    # The trail's entry of the submission already says who and when.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=NOT_AUDITED)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=NOT_AUDITED)

    centre = relationship("Centre")
    submitted_by = relationship("User")
    figures: Mapped[list["QuarterlyFigure"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="QuarterlyFigure.id"
    )
    __table_args__ = (
        UniqueConstraint("centre_id", "year", "quarter"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_of_a_year"),
    )


class QuarterlyFigure(db.Model):
    """One record behind one cell of a submitted report's table (the cell's figure is the number
    of its records): the page the record opens and its id, never a copy of its personal data."""

    __tablename__ = "quarterly_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("quarterly_reports.id", ondelete="CASCADE"), index=True
    )
    # Written once when the report is submitted, never changed: the report's entry is the trail.
    table: Mapped[str] = mapped_column(String(40), info=NOT_AUDITED)
    row: Mapped[str] = mapped_column(String(40), info=NOT_AUDITED)
    col: Mapped[str] = mapped_column(String(40), info=NOT_AUDITED)
    page: Mapped[str] = mapped_column(String(20), info=NOT_AUDITED)
    ref: Mapped[int] = mapped_column(info=NOT_AUDITED)

    report: Mapped[QuarterlyReport] = relationship(back_populates="figures")

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.extensions import db


class MealType(db.Model):
    """A meal a centre serves (breakfast, hot meal, snack), in the order of the day."""

    __tablename__ = "meal_types"
    audit_label = _l("Meal type")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")

    __table_args__ = (UniqueConstraint("centre_id", "name"),)
    __mapper_args__ = {"version_id_col": version}


class Menu(db.Model):
    """What one meal of one day is, with its allergens (comma-separated, as the kitchen writes them)."""

    __tablename__ = "menus"
    audit_label = _l("Menu")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    meal_type_id: Mapped[int] = mapped_column(ForeignKey("meal_types.id"))
    day: Mapped[date]
    dishes: Mapped[str] = mapped_column(Text)
    allergens: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    meal_type = relationship("MealType")

    __table_args__ = (UniqueConstraint("meal_type_id", "day"),)
    __mapper_args__ = {"version_id_col": version}


class MealServed(db.Model):
    """One meal served to one child on one day; only ever for a child marked present."""

    __tablename__ = "meals_served"
    audit_label = _l("Meal served")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    meal_type_id: Mapped[int] = mapped_column(ForeignKey("meal_types.id"))
    day: Mapped[date] = mapped_column(index=True)

    __table_args__ = (
        UniqueConstraint("person_id", "meal_type_id", "day"),
        # A centre's meals of a month (the meal report), and of one child on a day.
        Index("ix_meals_served_centre_day", "centre_id", "day", "person_id"),
    )


class FoodAllowance(db.Model):
    """The food allowance per child per day, in lei, in force from a date until the next one."""

    __tablename__ = "food_allowances"
    audit_label = _l("Food allowance")

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    __mapper_args__ = {"version_id_col": version}

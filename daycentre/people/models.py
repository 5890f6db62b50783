from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.auth.roles import Role
from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.i18n import listed_name, person_name
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class VulnerabilityFactor(LabelledEnum):
    LOW_INCOME = "low_income", _l("Low income")
    SINGLE_PARENT = "single_parent", _l("Single parent")
    PARENTS_ABROAD = "parents_abroad", _l("Parents working abroad")
    DISABILITY = "disability", _l("Disability")
    HOUSING = "housing", _l("Housing problems")
    OTHER = "other", _l("Other")


class PersonKind(LabelledEnum):
    CHILD = "child", _l("Child")
    ADULT = "adult", _l("Adult")


class Sex(LabelledEnum):
    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")


class Relationship(LabelledEnum):
    """How an adult stands to the family's children."""

    MOTHER = "mother", _l("Mother")
    FATHER = "father", _l("Father")
    GUARDIAN = "guardian", _l("Legal guardian")
    GRANDPARENT = "grandparent", _l("Grandparent")
    FOSTER_PARENT = "foster_parent", _l("Foster parent")
    FUTURE_PARENT = "future_parent", _l("Future parent")
    OTHER = "other", _l("Other relative or carer")

    @property
    def is_legal_representative(self) -> bool:
        return self in LEGAL_REPRESENTATIVES


# Who represents the children: signs their service contract, may have a parent account. A
# grandparent or another carer is not one unless a court made them guardian (then recorded as
# guardian); a foster parent (asistent maternal) represents the child in day-to-day matters.
LEGAL_REPRESENTATIVES = frozenset(
    {Relationship.MOTHER, Relationship.FATHER, Relationship.GUARDIAN, Relationship.FOSTER_PARENT}
)


class Residence(LabelledEnum):
    """Where the family lives, as the directorate's statistics split it."""

    URBAN = "urban", _l("Urban")
    RURAL = "rural", _l("Rural")


class AbroadParent(LabelledEnum):
    """Who of the children's parents works abroad."""

    MOTHER = "mother", _l("The mother")
    FATHER = "father", _l("The father")
    BOTH = "both", _l("Both parents")
    SINGLE_PARENT = "single_parent", _l("The single parent")


class ConsentPurpose(LabelledEnum):
    DATA_PROCESSING = "data_processing", _l("Processing of personal data")
    PHOTOS = "photos", _l("Photos")
    SCHOOL_SHARING = "school_sharing", _l("Sharing with the school")
    SPAS_SHARING = "spas_sharing", _l("Sharing with SPAS/DGASPC")
    # The centre's messages (reminders, an absence, a permission asked) by e-mail and SMS.
    MESSAGES = "messages", _l("Messages by e-mail and SMS")


class Family(db.Model):
    """A household; its vulnerability factors are recorded once, for every member."""

    __tablename__ = "families"
    audit_label = _l("Family")

    id: Mapped[int] = mapped_column(primary_key=True)
    # The centre that registered the family or to which it was referred; its staff see the family.
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100))
    residence: Mapped[Residence] = mapped_column(
        stored_enum(Residence, 10), default=Residence.URBAN, server_default=Residence.URBAN.value
    )
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    # Vulnerability factors as a comma-separated list of VulnerabilityFactor values.
    factor_list: Mapped[str] = mapped_column(
        String(200), default="", server_default="", info={"listed_enum": VulnerabilityFactor}
    )
    other_factor: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    search_key: Mapped[str] = mapped_column(String(200), index=True, info={"audit": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    members: Mapped[list["Person"]] = relationship(
        back_populates="family", order_by=lambda: (Person.kind, Person.birth_date, Person.id)
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def factors(self) -> list[VulnerabilityFactor]:
        return [VulnerabilityFactor(v) for v in (self.factor_list or "").split(",") if v]

    @factors.setter
    def factors(self, values) -> None:
        chosen = {VulnerabilityFactor(v) for v in values}
        self.factor_list = ",".join(f.value for f in VulnerabilityFactor if f in chosen)

    @property
    def children(self) -> list["Person"]:
        return [m for m in self.members if m.kind is PersonKind.CHILD]

    @property
    def legal_representatives(self) -> list["Person"]:
        return [m for m in self.adults if m.relation and m.relation.is_legal_representative]

    @property
    def adults(self) -> list["Person"]:
        return [m for m in self.members if m.kind is PersonKind.ADULT]


class Person(db.Model):
    """A child or an adult (parent, guardian, future parent) of one family."""

    __tablename__ = "people"
    audit_label = _l("Person")

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    kind: Mapped[PersonKind] = mapped_column(stored_enum(PersonKind, 10))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    sex: Mapped[Sex | None] = mapped_column(stored_enum(Sex, 10))
    # Romanian personal numeric code; one person per code.
    cnp: Mapped[str | None] = mapped_column(String(13), unique=True)
    # How an adult stands to the family's children ("relationship" would hide SQLAlchemy's).
    relation: Mapped[Relationship | None] = mapped_column(stored_enum(Relationship, 20))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    school: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(30))
    allergies: Mapped[str | None] = mapped_column(Text)
    diet: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # fold("family given"): what the name search matches, kept by the services.
    search_key: Mapped[str] = mapped_column(String(210), index=True, info={"audit": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    family: Mapped[Family] = relationship(back_populates="members")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="person", order_by=lambda: (Consent.purpose, Consent.given_on.desc())
    )
    enrolments = relationship(
        "Enrolment", back_populates="person", order_by="Enrolment.applied_on.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.kind}>"

    @property
    def full_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def listed_name(self) -> str:
        """The name as official lists and documents print it: family name first."""
        return listed_name(self.family_name, self.given_name)

    @property
    def is_child(self) -> bool:
        return self.kind is PersonKind.CHILD


class Consent(db.Model):
    """Consent for one purpose, given on a date by someone, possibly until an expiry date; it may
    be withdrawn from a date on (a withdrawal is its own action, never an edit)."""

    __tablename__ = "consents"
    audit_label = _l("Consent")

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(stored_enum(ConsentPurpose, 30))
    given_by: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date]
    expires_on: Mapped[date | None]
    # The first day the consent no longer holds.
    withdrawn_on: Mapped[date | None]
    # Who recorded the withdrawal and when: a parent withdrawing in the app, or the staff. The
    # withdrawal's audit entry names them already (its actor and time).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), info={"audit": False}
    )
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    person: Mapped[Person] = relationship(back_populates="consents")
    withdrawn_by_user = relationship("User")

    __table_args__ = (
        UniqueConstraint("person_id", "purpose", "given_on"),
        CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= given_on", name="withdrawn_after_given"
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    def is_valid_on(self, day: date) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )

    @property
    def withdrawn_in_app(self) -> bool:
        """Withdrawn by a parent (legal representative) in the app, not recorded by the staff."""
        return self.withdrawn_by_user is not None and self.withdrawn_by_user.role is Role.PARENT

    def withdrawn_by(self, day: date) -> bool:
        return self.withdrawn_on is not None and self.withdrawn_on <= day


class ParentsAbroad(db.Model):
    """A time when a family's parent (or both, or the single parent) works abroad: the children
    stay in the care of someone the court may have delegated parental authority to, and the
    service visits them at the interval the monitoring procedure sets."""

    __tablename__ = "parents_abroad"
    audit_label = _l("Parents working abroad")

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    who: Mapped[AbroadParent] = mapped_column(stored_enum(AbroadParent, 20))
    country: Mapped[str] = mapped_column(
        String(2)
    )  # ISO 3166 alpha-2, named in the reader's language
    since: Mapped[date]
    expected_return: Mapped[date | None]
    # The day the parent came back for good: the situation ends.
    returned_on: Mapped[date | None]
    authority_notified_on: Mapped[date | None]
    carer_name: Mapped[str] = mapped_column(String(200))
    carer_relation: Mapped[str | None] = mapped_column(String(100))
    delegation_on: Mapped[date | None]
    delegation_court: Mapped[str | None] = mapped_column(String(200))
    # Who follows the children (the case manager); their home page lists the visits due.
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    family: Mapped[Family] = relationship()
    manager = relationship("User")
    visits: Mapped[list["AbroadVisit"]] = relationship(
        back_populates="situation",
        order_by=lambda: (AbroadVisit.visited_on.desc(), AbroadVisit.id.desc()),
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint(
            "expected_return IS NULL OR expected_return >= since", name="returns_after_leaving"
        ),
        CheckConstraint("returned_on IS NULL OR returned_on >= since", name="back_after_leaving"),
        CheckConstraint(
            "(delegation_on IS NULL) = (delegation_court IS NULL)", name="delegation_by_a_court"
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    def in_force_on(self, day: date) -> bool:
        return self.since <= day and (self.returned_on is None or day < self.returned_on)


class AbroadVisit(db.Model):
    """A monitoring visit to the children of a family whose parents work abroad."""

    __tablename__ = "abroad_visits"
    audit_label = _l("Monitoring visit")

    id: Mapped[int] = mapped_column(primary_key=True)
    situation_id: Mapped[int] = mapped_column(ForeignKey("parents_abroad.id"), index=True)
    visited_on: Mapped[date]
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    findings: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})

    situation: Mapped[ParentsAbroad] = relationship(back_populates="visits")
    visited_by = relationship("User")

"""Records of the prevention plan that no other area keeps: campaigns, materials, partnerships,
trainings and the directory of community resources."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from daycentre.core.database import stored_enum
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class Channel(LabelledEnum):
    PRESS = "press", _l("Press")
    RADIO_TV = "radio_tv", _l("Radio and television")
    SOCIAL_MEDIA = "social_media", _l("Social media")
    LEAFLETS = "leaflets", _l("Leaflets and posters")
    SCHOOLS = "schools", _l("Meetings in schools")
    COMMUNITY_EVENTS = "community_events", _l("Community events")
    DOOR_TO_DOOR = "door_to_door", _l("Door-to-door visits")


class MaterialKind(LabelledEnum):
    BROCHURE = "brochure", _l("Brochure")
    LEAFLET = "leaflet", _l("Leaflet")
    POSTER = "poster", _l("Poster")
    VIDEO = "video", _l("Video")
    OTHER = "other_material", _l("Other material")


class AgreementKind(LabelledEnum):
    PARTNERSHIP = "partnership", _l("Partnership")
    PROTOCOL = "protocol", _l("Collaboration protocol")


class AgreementStatus(LabelledEnum):
    NEGOTIATING = "negotiating", _l("Being negotiated")
    ACTIVE = "active", _l("In force")
    ENDED = "ended", _l("Ended")


class ParticipantKind(LabelledEnum):
    STAFF = "staff", _l("Staff member")
    PARTNER = "partner", _l("Partner's specialist")
    VOLUNTEER = "volunteer", _l("Volunteer")


class TrainingAudience(LabelledEnum):
    STAFF = "staff", _l("Staff")
    VOLUNTEERS = "volunteers", _l("Volunteers")


class OutreachRecord:
    """Columns every outreach record shares: the centre it belongs to (none: the directorate)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Campaign(OutreachRecord, db.Model):
    __tablename__ = "campaigns"
    audit_label = _l("Information campaign")

    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    channel_list: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(300))
    people_reached: Mapped[int] = mapped_column(default=0)

    centre = relationship("Centre")
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="starts_before_end"),
        CheckConstraint("people_reached >= 0", name="reached_not_negative"),
    )

    @property
    def channels(self) -> list[Channel]:
        return [Channel(value) for value in (self.channel_list or "").split(",") if value]

    @channels.setter
    def channels(self, values) -> None:
        chosen = {Channel(value) for value in values}
        self.channel_list = ",".join(channel.value for channel in Channel if channel in chosen)


class InformationMaterial(OutreachRecord, db.Model):
    __tablename__ = "information_materials"
    audit_label = _l("Information material")

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MaterialKind] = mapped_column(stored_enum(MaterialKind, 20))
    produced_on: Mapped[date]
    languages: Mapped[str] = mapped_column(String(100))
    copies_made: Mapped[int] = mapped_column(default=0)
    copies_distributed: Mapped[int] = mapped_column(default=0)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))

    centre = relationship("Centre")
    campaign = relationship("Campaign")
    __table_args__ = (
        CheckConstraint("copies_made >= 0 AND copies_distributed >= 0", name="copies_not_negative"),
        CheckConstraint("copies_distributed <= copies_made", name="distributed_within_made"),
    )


class Agreement(OutreachRecord, db.Model):
    """A partnership or protocol with NGOs and institutions."""

    __tablename__ = "agreements"
    audit_label = _l("Partnership or protocol")

    kind: Mapped[AgreementKind] = mapped_column(stored_enum(AgreementKind, 20))
    subject: Mapped[str] = mapped_column(String(300))
    parties: Mapped[str] = mapped_column(Text)
    institutions_involved: Mapped[int] = mapped_column(default=1)
    signed_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[AgreementStatus] = mapped_column(stored_enum(AgreementStatus, 20))

    centre = relationship("Centre")
    __table_args__ = (CheckConstraint("institutions_involved >= 1", name="some_institution"),)


class Training(OutreachRecord, db.Model):
    __tablename__ = "trainings"
    audit_label = _l("Training")

    topic: Mapped[str] = mapped_column(String(300))
    audience: Mapped[TrainingAudience] = mapped_column(stored_enum(TrainingAudience, 20))
    held_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    persons_trained: Mapped[int]
    trainer: Mapped[str | None] = mapped_column(String(200))

    centre = relationship("Centre")
    participants: Mapped[list["TrainingParticipant"]] = relationship(
        back_populates="training",
        order_by="TrainingParticipant.id",
        cascade="all, delete-orphan",
    )
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("persons_trained >= 0", name="persons_not_negative"),
    )


class TrainingParticipant(db.Model):
    """Someone who took part in a training: a staff member's account, a volunteer's record, or
    a partner's specialist by name and organisation.

    ``person_key`` says who the person is across trainings (``staff:12``, ``volunteer:3``,
    ``partner:<folded name>|<folded organisation>``), so the persons trained in a period count
    each of them once. A training with nobody named keeps the number typed on it
    (``Training.persons_trained``), listed as not named."""

    __tablename__ = "training_participants"
    audit_label = _l("Training participant")

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ParticipantKind] = mapped_column(stored_enum(ParticipantKind, 20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    person_key: Mapped[str] = mapped_column(String(450), index=True, info={"audit": False})

    training: Mapped[Training] = relationship(back_populates="participants")
    user = relationship("User")
    volunteer = relationship("Volunteer")

    __table_args__ = (UniqueConstraint("training_id", "person_key"),)

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.full_name
        if self.volunteer is not None:
            return self.volunteer.full_name
        return f"{self.name} ({self.organisation})" if self.organisation else self.name or ""


class CommunityResource(OutreachRecord, db.Model):
    """An organisation's service a family in difficulty can turn to."""

    __tablename__ = "community_resources"
    audit_label = _l("Community resource")

    organisation: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    eligibility: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    search_key: Mapped[str] = mapped_column(Text, default="", info={"audit": False})

    centre = relationship("Centre")

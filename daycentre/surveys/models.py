"""Satisfaction surveys: questionnaires in three languages, a campaign per centre and period, and
the answers, given on paper or anonymously through a one-time code."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.labels import LabelledEnum
from daycentre.extensions import db


class Audience(LabelledEnum):
    PARENTS = "parents", _l("Parents")
    CHILDREN = "children", _l("Children")


class QuestionKind(LabelledEnum):
    SCALE = "scale", _l("Scale from 1 to 5")
    YES_NO = "yes_no", _l("Yes or no")
    CHOICE = "choice", _l("One choice")
    TEXT = "text", _l("Free text")


class AnswerSource(LabelledEnum):
    PAPER = "paper", _l("Entered from paper")
    ONLINE = "online", _l("Answered with a code")


class Questionnaire(db.Model):
    __tablename__ = "questionnaires"
    audit_label = _l("Questionnaire")

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    audience: Mapped[Audience] = mapped_column(stored_enum(Audience))
    title_ro: Mapped[str] = mapped_column(String(200))
    title_hu: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))

    questions: Mapped[list["Question"]] = relationship(
        back_populates="questionnaire", order_by="Question.position"
    )

    def title(self, language: str) -> str:
        return getattr(self, f"title_{language}", None) or self.title_ro


class Question(db.Model):
    __tablename__ = "questions"
    audit_label = _l("Question")

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(stored_enum(QuestionKind))
    text_ro: Mapped[str] = mapped_column(Text)
    text_hu: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    # A choice question's options, one a line, the same number in each language.
    options_ro: Mapped[str | None] = mapped_column(Text)
    options_hu: Mapped[str | None] = mapped_column(Text)
    options_en: Mapped[str | None] = mapped_column(Text)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    __table_args__ = (UniqueConstraint("questionnaire_id", "position"),)

    def text(self, language: str) -> str:
        return getattr(self, f"text_{language}", None) or self.text_ro

    def options(self, language: str) -> list[str]:
        raw = getattr(self, f"options_{language}", None) or self.options_ro or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]


class SurveyCampaign(db.Model):
    """One centre's survey over a period, with one questionnaire."""

    __tablename__ = "survey_campaigns"
    audit_label = _l("Satisfaction survey")

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Questionnaires handed out on paper; with the codes issued, the base of the response rate.
    paper_copies: Mapped[int] = mapped_column(default=0)
    codes_issued: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centre = relationship("Centre")
    questionnaire: Mapped[Questionnaire] = relationship()
    responses: Mapped[list["SurveyResponse"]] = relationship(
        back_populates="campaign", order_by="SurveyResponse.id"
    )

    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="starts_before_end"),
        CheckConstraint("paper_copies >= 0 AND codes_issued >= 0", name="copies_not_negative"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def invited(self) -> int:
        return self.paper_copies + self.codes_issued


class SurveyCode(db.Model):
    """A one-time code handed to a family: only its hash is kept, and whether it was used.

    Nothing ties a code to the answer it gave (no link, no time): the answers stay anonymous."""

    __tablename__ = "survey_codes"
    audit_label = _l("One-time codes")

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)


class SurveyResponse(db.Model):
    """One filled-in questionnaire. No time and no author for an online answer."""

    __tablename__ = "survey_responses"
    audit_label = _l("Survey response")

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[AnswerSource] = mapped_column(stored_enum(AnswerSource))

    campaign: Mapped[SurveyCampaign] = relationship(back_populates="responses")
    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    scale: Mapped[int | None]
    yes: Mapped[bool | None]
    choice: Mapped[int | None]  # the option's position, from 0
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("scale IS NULL OR scale BETWEEN 1 AND 5", name="scale_one_to_five"),
    )

"""Satisfaction surveys: the campaigns, the one-time codes, the answers and what they add up to.

An answer given with a code is anonymous by construction: only a code's hash is stored, with
whether it was used; the answer keeps no link to the code, no time and no author."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.centres.models import Centre
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.surveys.models import (
    AnswerSource,
    Audience,
    Question,
    QuestionKind,
    Questionnaire,
    SurveyAnswer,
    SurveyCampaign,
    SurveyCode,
    SurveyResponse,
)
from daycentre.surveys.questionnaires import STANDARD, STANDARD_FOR

# Letters and digits nobody confuses on a slip of paper (no 0/O, 1/I/L, 5/S, 2/Z).
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 10
MOST_CODES_AT_ONCE = 300
LONGEST_TEXT = 2000


# --- Questionnaires -----------------------------------------------------------------------------


def questionnaire_for(audience) -> Questionnaire:
    """The standard questionnaire for ``audience``, written to the database on first use."""
    key = STANDARD_FOR[Audience(audience)]
    found = db.session.scalar(select(Questionnaire).where(Questionnaire.key == key))
    if found is not None:
        return found
    seed = STANDARD[key]
    questionnaire = Questionnaire(
        key=key,
        audience=seed["audience"],
        **{f"title_{lang}": text for lang, text in seed["title"].items()},
    )
    for position, (kind, texts, *options) in enumerate(seed["questions"], start=1):
        question = Question(
            position=position, kind=kind, **{f"text_{lang}": t for lang, t in texts.items()}
        )
        if options:
            for lang, lines in options[0].items():
                setattr(question, f"options_{lang}", lines)
        questionnaire.questions.append(question)
    try:
        with db.session.begin_nested():
            db.session.add(questionnaire)
    except IntegrityError:  # written meanwhile by another request
        return db.session.scalar(select(Questionnaire).where(Questionnaire.key == key))
    return questionnaire


# --- Campaigns ----------------------------------------------------------------------------------


def _check_campaign(title, starts_on, ends_on, paper_copies) -> str:
    title = (title or "").strip()
    if not title:
        raise Refused(_l("Give the survey a title."), "title")
    if not starts_on or not ends_on:
        raise Refused(_l("Enter when the survey starts and ends."), "ends_on")
    if ends_on < starts_on:
        raise Refused(_l("The end cannot be before the start."), "ends_on")
    if paper_copies is None or paper_copies < 0:
        raise Refused(_l("Enter how many questionnaires were handed out on paper."), "paper_copies")
    return title


def create_campaign(
    centre: Centre,
    *,
    actor,
    audience,
    title: str,
    starts_on: date,
    ends_on: date,
    paper_copies: int = 0,
) -> SurveyCampaign:
    if not actor.sees_centre(centre.id):
        raise Refused(_l("Choose one of your centres."))
    title = _check_campaign(title, starts_on, ends_on, paper_copies)
    campaign = SurveyCampaign(
        centre_id=centre.id,
        questionnaire=questionnaire_for(audience),
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        paper_copies=paper_copies,
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        audit.CREATE, campaign, actor=actor, centre_id=centre.id, changes=audit.snapshot(campaign)
    )
    return campaign


def update_campaign(
    campaign: SurveyCampaign,
    *,
    actor,
    version=None,
    title: str,
    starts_on: date,
    ends_on: date,
    paper_copies: int,
) -> SurveyCampaign:
    ensure_current(campaign, version)
    campaign.title = _check_campaign(title, starts_on, ends_on, paper_copies)
    campaign.starts_on, campaign.ends_on = starts_on, ends_on
    campaign.paper_copies = paper_copies
    changes = audit.pending_changes(campaign)
    db.session.flush()
    if changes:
        audit.record(
            audit.UPDATE, campaign, actor=actor, centre_id=campaign.centre_id, changes=changes
        )
    return campaign


def campaigns_of(user) -> list[SurveyCampaign]:
    query = scope.select_visible(SurveyCampaign, user).order_by(
        SurveyCampaign.starts_on.desc(), SurveyCampaign.id.desc()
    )
    return list(db.session.scalars(query))


def is_running(campaign: SurveyCampaign, day: date) -> bool:
    return campaign.starts_on <= day <= campaign.ends_on


# --- One-time codes -----------------------------------------------------------------------------


def normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def shown(code: str) -> str:
    """A code as printed: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def issue_codes(campaign: SurveyCampaign, *, actor, count: int) -> list[str]:
    """``count`` new one-time codes for the campaign. They are returned once, to be printed and
    handed out; only their hashes are kept, so nobody can later say which family got which."""
    if not count or not 1 <= count <= MOST_CODES_AT_ONCE:
        raise Refused(
            _l("Ask for between 1 and %(most)d codes at a time.", most=MOST_CODES_AT_ONCE), "count"
        )
    codes = []
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in codes:
            codes.append(code)
    db.session.add_all(SurveyCode(campaign_id=campaign.id, code_hash=code_hash(c)) for c in codes)
    campaign.codes_issued += count
    db.session.flush()
    audit.record(
        audit.CREATE,
        entity=SurveyCode.__tablename__,
        actor=actor,
        centre_id=campaign.centre_id,
        changes={"campaign_id": campaign.id, "count": count},
    )
    return [shown(code) for code in codes]


def campaign_for_code(code: str) -> SurveyCampaign | None:
    """The running campaign an unused code opens, else None (unknown, used or not running)."""
    if len(normalised(code)) != CODE_LENGTH:
        return None
    campaign = db.session.scalar(
        select(SurveyCampaign)
        .join(SurveyCode, SurveyCode.campaign_id == SurveyCampaign.id)
        .where(SurveyCode.code_hash == code_hash(code), SurveyCode.used.is_(False))
    )
    if campaign is None or not is_running(campaign, today()):
        return None
    return campaign


# --- Answers ------------------------------------------------------------------------------------


def _answers(questionnaire: Questionnaire, values: dict) -> list[SurveyAnswer]:
    """The answers given, one per question answered; a value outside what was asked is refused."""
    answers = []
    for question in questionnaire.questions:
        value = values.get(question.id)
        if value is None or value == "":
            continue
        answer = SurveyAnswer(question_id=question.id)
        if question.kind is QuestionKind.SCALE:
            if value not in (1, 2, 3, 4, 5):
                raise Refused(_l("Choose a value from 1 to 5."), f"q{question.id}")
            answer.scale = value
        elif question.kind is QuestionKind.YES_NO:
            answer.yes = bool(value)
        elif question.kind is QuestionKind.CHOICE:
            if not 0 <= value < len(question.options("ro")):
                raise Refused(_l("Not a valid choice."), f"q{question.id}")
            answer.choice = value
        else:
            text = value.strip()
            if len(text) > LONGEST_TEXT:
                raise Refused(_l("The text is too long."), f"q{question.id}")
            if not text:
                continue
            answer.text = text
        answers.append(answer)
    if not answers:
        raise Refused(_l("Answer at least one question."))
    return answers


def enter_paper_answers(campaign: SurveyCampaign, *, actor, values: dict) -> SurveyResponse:
    """Type in a questionnaire filled in on paper."""
    response = SurveyResponse(
        campaign=campaign,
        source=AnswerSource.PAPER,
        answers=_answers(campaign.questionnaire, values),
    )
    db.session.add(response)
    db.session.flush()
    audit.record(
        audit.CREATE,
        response,
        actor=actor,
        centre_id=campaign.centre_id,
        changes={"campaign_id": campaign.id, "answers": len(response.answers)},
    )
    return response


def answer_with_code(code: str, *, values: dict) -> SurveyResponse:
    """Save an anonymous answer and spend the code, in one transaction: a code works once, even
    when it is sent twice at the same moment (the second finds it already used)."""
    campaign = campaign_for_code(code)
    if campaign is None:
        raise Refused(_l("This code does not work: it was already used, or the survey is closed."))
    answers = _answers(campaign.questionnaire, values)
    spent = db.session.execute(
        update(SurveyCode)
        .where(SurveyCode.code_hash == code_hash(code), SurveyCode.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise Refused(_l("This code does not work: it was already used, or the survey is closed."))
    response = SurveyResponse(campaign=campaign, source=AnswerSource.ONLINE, answers=answers)
    db.session.add(response)
    db.session.flush()
    return response


# --- Results ------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    # (label, count) per option: 1–5, yes/no, or the choice's options.
    bars: list = field(default_factory=list)
    mean: Decimal | None = None
    texts: list = field(default_factory=list)

    @property
    def most(self) -> int:
        return max((count for _, count in self.bars), default=0)


@dataclass
class Results:
    campaign: SurveyCampaign
    responses: int
    invited: int
    questions: list
    score: Decimal | None  # the mean of every 1–5 answer

    @property
    def response_rate(self) -> Decimal | None:
        if not self.invited:
            return None
        return (Decimal(self.responses) * 100 / self.invited).quantize(Decimal("0.1"))


def _mean(total: int, count: int) -> Decimal | None:
    return (Decimal(total) / count).quantize(Decimal("0.01")) if count else None


def results(campaign: SurveyCampaign, *, language: str, yes: str, no: str) -> Results:
    """Each question's answers counted, with the mean of the scales and the free texts listed."""
    answers = db.session.scalars(
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.campaign_id == campaign.id)
        .order_by(SurveyAnswer.id)
    ).all()
    by_question: dict[int, list[SurveyAnswer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    out, scale_total, scale_count = [], 0, 0
    for question in campaign.questionnaire.questions:
        given = by_question.get(question.id, [])
        result = QuestionResult(question, answered=len(given))
        if question.kind is QuestionKind.SCALE:
            values = [a.scale for a in given]
            result.bars = [(str(v), values.count(v)) for v in range(1, 6)]
            result.mean = _mean(sum(values), len(values))
            scale_total, scale_count = scale_total + sum(values), scale_count + len(values)
        elif question.kind is QuestionKind.YES_NO:
            result.bars = [(yes, sum(a.yes for a in given)), (no, sum(not a.yes for a in given))]
        elif question.kind is QuestionKind.CHOICE:
            chosen = [a.choice for a in given]
            result.bars = [
                (label, chosen.count(i)) for i, label in enumerate(question.options(language))
            ]
        else:
            result.texts = [a.text for a in given]
        out.append(result)
    responses = db.session.scalar(
        select(func.count(SurveyResponse.id)).where(SurveyResponse.campaign_id == campaign.id)
    )
    return Results(campaign, responses, campaign.invited, out, _mean(scale_total, scale_count))

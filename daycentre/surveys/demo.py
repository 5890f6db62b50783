"""Demo surveys of the after-school centre: this term's parents' survey (answers from paper and
two given online with a code) and last term's children's survey, ended."""

from datetime import timedelta

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.surveys import services as surveys
from daycentre.surveys.models import Audience, QuestionKind

PARENTS = [
    (5, True, 0, "Mai multe excursii."),
    (4, True, 1, None),
    (5, True, 0, "Köszönjük a segítséget!"),
    (3, False, 2, "Programul să țină până la ora 18."),
    (4, True, 3, None),
    (5, True, 1, None),
]


def _values(questionnaire, scale, yes, choice, text):
    values = {}
    for question in questionnaire.questions:
        values[question.id] = {
            QuestionKind.SCALE: scale,
            QuestionKind.YES_NO: yes,
            QuestionKind.CHOICE: choice,
            QuestionKind.TEXT: text,
        }[question.kind]
    return values


def load_surveys() -> None:
    centre = db.session.scalars(
        db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL).order_by(Centre.id)
    ).first()
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    day = today()
    parents = surveys.create_campaign(
        centre,
        actor=coordinator,
        audience=Audience.PARENTS,
        title="Satisfacția părinților – semestrul I",
        starts_on=day - timedelta(days=10),
        ends_on=day + timedelta(days=20),
        paper_copies=15,
    )
    for answers in PARENTS:
        values = _values(parents.questionnaire, *answers)
        surveys.enter_paper_answers(parents, actor=coordinator, values=values)
    codes = surveys.issue_codes(parents, actor=coordinator, count=10)
    for code, answers in zip(codes[:2], PARENTS[:2], strict=True):
        surveys.answer_with_code(code, values=_values(parents.questionnaire, *answers))

    children = surveys.create_campaign(
        centre,
        actor=coordinator,
        audience=Audience.CHILDREN,
        title="Ce părere au copiii – anul trecut",
        starts_on=day - timedelta(days=120),
        ends_on=day - timedelta(days=90),
        paper_copies=20,
    )
    for scale, yes, choice, text in [
        (5, True, 0, None),
        (4, True, 3, "Mai mult sport."),
        (4, True, 0, None),
    ]:
        values = _values(children.questionnaire, scale, yes, choice, text)
        surveys.enter_paper_answers(children, actor=coordinator, values=values)

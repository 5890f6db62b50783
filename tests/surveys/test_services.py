from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select

from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.surveys import services as surveys
from daycentre.surveys.models import (
    AnswerSource,
    Audience,
    QuestionKind,
    SurveyCode,
    SurveyResponse,
)


@pytest.fixture
def campaign(users, centre):
    return surveys.create_campaign(
        centre,
        actor=users["coordinator"],
        audience=Audience.PARENTS,
        title="Părinți 2026",
        starts_on=today() - timedelta(days=1),
        ends_on=today() + timedelta(days=10),
        paper_copies=8,
    )


def _values(campaign, scale=4, yes=True, choice=0, text=None):
    by_kind = {
        QuestionKind.SCALE: scale,
        QuestionKind.YES_NO: yes,
        QuestionKind.CHOICE: choice,
        QuestionKind.TEXT: text,
    }
    return {q.id: by_kind[q.kind] for q in campaign.questionnaire.questions}


def test_standard_questionnaires_speak_three_languages(campaign):
    questionnaire = campaign.questionnaire
    assert questionnaire.audience is Audience.PARENTS
    kinds = {q.kind for q in questionnaire.questions}
    assert kinds == set(QuestionKind)
    for question in questionnaire.questions:
        assert question.text("ro") and question.text("hu") and question.text("en")
        if question.kind is QuestionKind.CHOICE:
            assert len(question.options("ro")) == len(question.options("hu")) == 4
    children = surveys.questionnaire_for(Audience.CHILDREN)
    assert children.id != questionnaire.id
    assert surveys.questionnaire_for(Audience.PARENTS).id == questionnaire.id


def test_a_code_works_once_and_its_answer_is_not_linked_to_it(users, campaign):
    [code] = surveys.issue_codes(campaign, actor=users["coordinator"], count=1)
    stored = db.session.scalar(select(SurveyCode))
    assert code.replace("-", "") not in stored.code_hash  # only a hash is kept
    response = surveys.answer_with_code(code.lower(), values=_values(campaign, text="Bine"))
    assert response.source is AnswerSource.ONLINE
    columns = {c.key for c in inspect(SurveyResponse).mapper.column_attrs}
    assert columns == {"id", "campaign_id", "source"}  # no code, no time, no author
    with pytest.raises(Refused):
        surveys.answer_with_code(code, values=_values(campaign))
    assert surveys.campaign_for_code(code) is None


def test_a_code_works_only_while_the_survey_runs(users, campaign):
    [code] = surveys.issue_codes(campaign, actor=users["coordinator"], count=1)
    campaign.ends_on = today() - timedelta(days=1)
    campaign.starts_on = today() - timedelta(days=5)
    with pytest.raises(Refused):
        surveys.answer_with_code(code, values=_values(campaign))
    assert surveys.campaign_for_code("AAAAA-AAAAA") is None


def test_answers_out_of_range_or_empty_are_refused(users, campaign):
    coordinator = users["coordinator"]
    with pytest.raises(Refused):
        surveys.enter_paper_answers(campaign, actor=coordinator, values=_values(campaign, scale=6))
    with pytest.raises(Refused):
        surveys.enter_paper_answers(campaign, actor=coordinator, values=_values(campaign, choice=9))
    empty = {q.id: None for q in campaign.questionnaire.questions}
    with pytest.raises(Refused):
        surveys.enter_paper_answers(campaign, actor=coordinator, values=empty)


def test_results_count_each_question_with_the_response_rate_and_score(users, campaign):
    coordinator = users["coordinator"]
    surveys.issue_codes(campaign, actor=coordinator, count=2)
    for scale, yes, text in ((5, True, "Mulțumim"), (3, False, None), (4, True, "Mai mult sport")):
        values = _values(campaign, scale=scale, yes=yes, text=text)
        surveys.enter_paper_answers(campaign, actor=coordinator, values=values)
    results = surveys.results(campaign, language="ro", yes="Da", no="Nu")
    assert results.responses == 3
    assert results.invited == 10  # 8 on paper, 2 codes
    assert results.response_rate == Decimal("30.0")
    assert results.score == Decimal("4.00")
    first = results.questions[0]
    assert dict(first.bars) == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    yes_no = next(r for r in results.questions if r.question.kind is QuestionKind.YES_NO)
    assert yes_no.bars == [("Da", 2), ("Nu", 1)]
    text = next(r for r in results.questions if r.question.kind is QuestionKind.TEXT)
    assert text.texts == ["Mulțumim", "Mai mult sport"]


def test_at_most_a_few_hundred_codes_at_once(users, campaign):
    with pytest.raises(Refused):
        surveys.issue_codes(campaign, actor=users["coordinator"], count=1000)

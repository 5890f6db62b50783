from datetime import timedelta

import pytest
from sqlalchemy import func, select

from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.surveys import services as surveys
from daycentre.surveys.models import Audience, QuestionKind, SurveyResponse
from tests.conftest import text_of
from tests.factories import make_centre, make_user


@pytest.fixture
def campaign(users, centre):
    campaign = surveys.create_campaign(
        centre,
        actor=users["coordinator"],
        audience=Audience.PARENTS,
        title="Părinți 2026",
        starts_on=today() - timedelta(days=1),
        ends_on=today() + timedelta(days=10),
        paper_copies=4,
    )
    db.session.commit()
    return campaign


def _form(campaign, scale="5", text="Foarte bine"):
    data = {}
    for question in campaign.questionnaire.questions:
        name = f"q{question.id}"
        if question.kind is QuestionKind.SCALE:
            data[name] = scale
        elif question.kind is QuestionKind.YES_NO:
            data[name] = "1"
        elif question.kind is QuestionKind.CHOICE:
            data[name] = "2"
        else:
            data[name] = text
    return data


def test_a_parent_answers_in_hungarian_with_a_one_time_link(app, client, users, campaign):
    [code] = surveys.issue_codes(campaign, actor=users["coordinator"], count=1)
    db.session.commit()
    client.post("/auth/language", data={"language": "hu", "next": "/"})
    page = client.get(f"/surveys/answer/{code}")
    assert page.status_code == 200
    assert "Elégedettségi kérdőív szülőknek" in text_of(page)
    response = client.post(f"/surveys/answer/{code}", data=_form(campaign))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/surveys/answer/thanks")
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1
    again = client.get(f"/surveys/answer/{code}")
    assert again.status_code == 404  # a code works once


def test_the_code_page_sends_a_valid_code_to_its_questionnaire(client, users, campaign):
    [code] = surveys.issue_codes(campaign, actor=users["coordinator"], count=1)
    db.session.commit()
    wrong = client.post("/surveys/answer", data={"code": "ABCDE-FGHJK"})
    assert wrong.status_code == 200 and "field-error" in wrong.get_data(as_text=True)
    right = client.post("/surveys/answer", data={"code": code.lower()})
    assert right.status_code == 302


def test_staff_enter_paper_answers_and_see_the_results_with_a_chart(client, login_as, campaign):
    login_as("coordinator")
    response = client.post(f"/surveys/{campaign.id}/paper", data=_form(campaign, scale="4"))
    assert response.status_code == 302
    page = client.get(f"/surveys/{campaign.id}")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "Foarte bine" in html
    assert "25" in text_of(page)  # 1 of 4 handed out


def test_codes_are_given_once_as_a_pdf_of_slips(client, login_as, campaign):
    login_as("coordinator")
    response = client.post(f"/surveys/{campaign.id}/codes", data={"count": "3"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"%PDF")
    db.session.refresh(campaign)
    assert campaign.codes_issued == 3


def test_the_analysis_report_is_a_pdf_in_romanian_and_hungarian(client, login_as, campaign):
    login_as("coordinator")
    for language in ("ro", "hu"):
        response = client.get(f"/surveys/{campaign.id}/report-{language}.pdf")
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF")


def test_another_centres_survey_answers_404(client, login_as, users):
    elsewhere = make_centre(name="Alt centru")
    campaign = surveys.create_campaign(
        elsewhere,
        actor=make_user("admin"),
        audience=Audience.CHILDREN,
        title="Copii",
        starts_on=today(),
        ends_on=today(),
    )
    db.session.commit()
    login_as("coordinator")
    assert client.get(f"/surveys/{campaign.id}").status_code == 404


@pytest.mark.parametrize(
    "odd",
    [{"scale": "9"}, {"scale": "-1"}, {"scale": "abc"}, {"text": "x" * 2001}, {"text": "a\x00b"}],
)
def test_odd_answers_save_nothing_and_keep_the_code(client, users, campaign, odd):
    [code] = surveys.issue_codes(campaign, actor=users["coordinator"], count=1)
    db.session.commit()
    response = client.post(f"/surveys/answer/{code}", data=_form(campaign, **odd))
    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyResponse.id))) == 0
    assert surveys.campaign_for_code(code) is not None


def test_odd_codes_answer_without_an_error(client):
    for code in ("", "x" * 40, "%00", "ABCDE-FGHJK", "' OR 1=1 --"):
        assert client.post("/surveys/answer", data={"code": code}).status_code == 200
    assert client.get("/surveys/answer/" + "x" * 40).status_code == 404

"""Retention: expired beneficiaries are anonymised, the counts stay, the file forgets the names."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import String, Text, make_url

from daycentre.audit import services as audit
from daycentre.audit.models import AuditEntry
from daycentre.audit.retention import (
    KEPT,
    PERSONAL,
    anonymise,
    expired_beneficiaries,
    wipe_freed_space,
)
from daycentre.audit.subject_access import tables_about_people
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Consent, ConsentPurpose, Family, Person
from tests.factories import make_case, make_child, make_enrolment, make_family, make_group

TODAY = date(2026, 11, 23)


def test_every_text_column_about_people_is_classified(app):
    for table in [*tables_about_people(), Family.__table__]:
        text_columns = {c.name for c in table.columns if isinstance(c.type, String | Text)}
        classified = set(PERSONAL.get(table.name, {})) | KEPT.get(table.name, set())
        assert text_columns <= classified, (
            f"{table.name}: classify {sorted(text_columns - classified)}"
        )


@pytest.fixture
def households(centre):
    group = make_group(centre)
    gone = make_family(centre, name="Xylander", phone="+40 744 999 111")
    left_long_ago = make_child(
        gone,
        family_name="Xylander",
        given_name="Zsigmondka",
        birth_date=date(2010, 3, 3),
        cnp=None,
        allergies="alune",
    )
    make_enrolment(
        left_long_ago,
        group,
        status="exited",
        applied_on=date(2015, 8, 20),
        start_date=date(2015, 9, 1),
        exit_date=date(2020, 6, 30),
        exit_reason="S-a mutat la Brașov",
    )
    db.session.add(
        Consent(
            person=left_long_ago,
            purpose=ConsentPurpose.PHOTOS,
            given_by="Xylander Réka",
            given_on=date(2015, 9, 1),
        )
    )
    audit.record(
        audit.CREATE,
        left_long_ago,
        actor=None,
        person_id=left_long_ago.id,
        changes=audit.snapshot(left_long_ago),
    )
    staying = make_family(centre, name="Popescu")
    still_here = make_child(
        staying, family_name="Popescu", given_name="Ana", birth_date=date(2016, 1, 1)
    )
    make_enrolment(
        still_here, group, status="active", applied_on=date(2019, 8, 1), start_date=date(2019, 9, 1)
    )
    recent = make_child(
        staying, family_name="Popescu", given_name="Radu", birth_date=date(2012, 1, 1)
    )
    make_enrolment(
        recent,
        group,
        status="exited",
        applied_on=date(2019, 8, 1),
        start_date=date(2019, 9, 1),
        exit_date=date(2024, 6, 30),
        exit_reason="Absolvent",
    )
    db.session.commit()
    return left_long_ago, still_here, recent


def test_only_services_ended_before_the_period_are_due(app, households):
    left_long_ago, still_here, recent = households
    due = expired_beneficiaries(on=TODAY)
    assert [item.person_id for item in due] == [left_long_ago.id]
    assert due[0].services_ended == date(2020, 6, 30)


def test_anonymising_keeps_counts_and_removes_personal_data(app, households, database_url):
    left_long_ago, still_here, recent = households
    counts_before = [
        db.session.scalar(db.select(db.func.count(m.id)))
        for m in (Person, Enrolment, Consent, Family)
    ]
    anonymise(expired_beneficiaries(on=TODAY))
    db.session.commit()
    wipe_freed_space()

    person = db.session.get(Person, left_long_ago.id)
    assert (person.family_name, person.given_name, person.allergies) == (
        "Anonim",
        f"#{person.id}",
        None,
    )
    assert (person.birth_date, person.sex) == (date(2010, 3, 3), left_long_ago.sex)
    family = db.session.get(Family, person.family_id)
    assert (family.name, family.phone, family.city) == ("Anonim", None, "Târgu Secuiesc")
    enrolment = db.session.scalars(
        db.select(Enrolment).where(Enrolment.person_id == person.id)
    ).one()
    assert (enrolment.exit_date, enrolment.exit_reason) == (date(2020, 6, 30), "—")
    assert db.session.get(Person, still_here.id).given_name == "Ana"
    assert counts_before == [
        db.session.scalar(db.select(db.func.count(m.id)))
        for m in (Person, Enrolment, Consent, Family)
    ]
    trail = db.session.scalars(db.select(AuditEntry).where(AuditEntry.person_id == person.id)).all()
    assert [entry.changes for entry in trail] == [{"anonymised": True}]
    assert trail[0].action == "create"  # who did what, and when, stays

    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in ("Zsigmondka", "Xylander", "999 111", "Brașov", "alune"):
            assert secret.encode() not in stored, f"{secret!r} is still in the database file"


def test_the_command_lists_first_and_changes_nothing_in_a_dry_run(app, runner, households):
    left_long_ago, *_ = households
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"person #{left_long_ago.id}" in result.output
    assert db.session.get(Person, left_long_ago.id).given_name == "Zsigmondka"
    result = runner.invoke(args=["retention", "run"])
    assert "Anonymised 1 people" in result.output
    db.session.expire_all()
    assert db.session.get(Person, left_long_ago.id).family_name == "Anonim"


def test_a_registration_never_followed_by_services_expires_from_its_date(app, centre):
    family = make_family(centre)
    person = make_child(family, birth_date=date(2015, 1, 1))
    person.created_at = datetime(2019, 1, 10, tzinfo=UTC)
    db.session.commit()
    assert [item.person_id for item in expired_beneficiaries(on=TODAY)] == [person.id]


def test_a_closed_case_expires_with_the_child_and_an_open_one_keeps_them(app, centre, users):
    from daycentre.cases.models import CaseStage, Evaluation

    case = make_case(centre, actor=users["admin"], received_on=date(2018, 1, 10))
    child = case.children[0]
    db.session.add(
        Evaluation(
            case=case, started_on=date(2018, 1, 15), housing="Casa bunicii, str. Morii nr. 4"
        )
    )
    child.created_at = datetime(2018, 1, 10, tzinfo=UTC)
    db.session.commit()
    assert expired_beneficiaries(on=TODAY) == []  # the case is still open

    case.stage, case.closed_on = CaseStage.CLOSED, date(2019, 5, 31)
    db.session.commit()
    due = expired_beneficiaries(on=TODAY)
    assert [(item.person_id, item.services_ended) for item in due] == [
        (child.id, date(2019, 5, 31))
    ]
    anonymise(due)
    db.session.commit()
    evaluation = db.session.scalars(db.select(Evaluation)).one()
    assert evaluation.housing is None
    assert db.session.get(type(case), case.id).reported == "—"

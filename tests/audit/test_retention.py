"""Retention: expired beneficiaries are anonymised, the counts stay, the file forgets the names."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, make_url

from daycentre.audit import services as audit
from daycentre.audit.models import SCRUBBED, AuditEntry
from daycentre.audit.retention import (
    KEPT,
    PERSONAL,
    Expired,
    anonymise,
    expired_beneficiaries,
    expired_volunteers,
    wipe_freed_space,
)
from daycentre.audit.subject_access import (
    tables_about,
    tables_about_people,
    tables_about_volunteers,
)
from daycentre.auth.models import User
from daycentre.enrolment.models import Enrolment
from daycentre.extensions import db
from daycentre.people.models import Consent, ConsentPurpose, Family, Person
from daycentre.people.services import record_read
from daycentre.volunteers.models import (
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    SignupStatus,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)
from tests.factories import (
    make_activity,
    make_adult,
    make_case,
    make_child,
    make_contract,
    make_enrolment,
    make_family,
    make_group,
    make_parent,
    make_room,
    make_session,
    make_user,
    make_volunteer,
    make_workshop,
    years_ago,
)

TODAY = date(2026, 11, 23)


def test_every_text_column_about_people_and_volunteers_is_classified(app):
    tables = [*tables_about_people(), *tables_about("families"), *tables_about_volunteers()]
    assert "volunteer_certificates" in {table.name for table in tables}
    for table in tables:
        text_columns = {c.name for c in table.columns if isinstance(c.type, String | Text | JSON)}
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
    # Someone once opened the child's file: a read, which records no values.
    record_read(left_long_ago, actor=None)
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
    trail = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.person_id == person.id).order_by(AuditEntry.id)
    ).all()
    assert [set(entry.changes.values()) for entry in trail if entry.changes] == [{SCRUBBED}]
    assert [entry.action for entry in trail if not entry.changes] == ["read"]
    assert trail[0].action == "create"  # who did what, and when, stays
    assert "allergies" in trail[0].changes  # and which fields it recorded

    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in ("Zsigmondka", "Xylander", "999 111", "Brașov", "alune"):
            assert secret.encode() not in stored, f"{secret!r} is still in the database file"


def test_a_parents_own_account_is_closed_with_their_record(app, centre):
    family = make_family(centre, name="Xantus")
    mother = make_adult(family, given_name="Zelma", family_name="Xantus", email="zelma@example.ro")
    user = make_parent(family, adult=mother, username="zelma.x", email="zelma@example.ro")
    audit.record(audit.UPDATE, user, actor=user, changes={"locale": ["ro", "hu"]})
    db.session.commit()
    signed_in_as = user.session_version

    anonymise([Expired(mother.id, family.id, None)])
    db.session.commit()

    account = db.session.get(User, user.id)
    assert (account.username, account.family_name, account.email, account.active) == (
        f"anonim-{user.id}",
        "Anonim",
        None,
        False,
    )
    assert account.session_version == signed_in_as + 1  # signed out everywhere
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.entity == "users", AuditEntry.entity_id == user.id)
    )
    assert set(entry.changes.values()) == {SCRUBBED}


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


def _years_ago(years: int, day: date | None = None) -> date:
    """The same day `years` ago, as the retention period counts it."""
    return years_ago(years, day)


@pytest.fixture
def volunteers(centre, users):
    """Gone: last contract ended seven years ago, with an account, hours and a sign-up.
    Kept: a contract still in force although it started long ago; an old contract but a sign-up
    for an activity next week; a contract ended two years ago."""
    gone_account = make_user(
        "volunteer",
        username="xaver.quintus",
        given_name="Xaver",
        family_name="Quintus",
        email="xaver@example.org",
    )
    gone = make_volunteer(
        centre,
        user=gone_account,
        given_name="Xaver",
        family_name="Quintus",
        phone="0744 555 777",
        email="xaver@example.org",
        address="Str. Gábor Áron nr. 9",
        availability="Sâmbăta dimineața",
        active=False,
    )
    old_contract = make_contract(
        gone,
        starts_on=_years_ago(8),
        ends_on=_years_ago(7),
        signed_on=_years_ago(8),
        status=ContractStatus.ENDED,
        closed_on=_years_ago(7),
        activities="Ateliere de pictură cu Xaver",
    )
    past = make_activity(centre, starts_at=datetime.combine(_years_ago(7), time(12), tzinfo=UTC))
    db.session.add(
        ActivitySignup(
            activity_id=past.id,
            volunteer_id=gone.id,
            status=SignupStatus.ATTENDED,
            hours=Decimal("3"),
        )
    )
    db.session.add(
        VolunteerHours(
            volunteer_id=gone.id,
            centre_id=centre.id,
            day=_years_ago(7),
            hours=Decimal("4.5"),
            description="Pregătirea serbării de Crăciun cu Xaver",
            status=HoursStatus.APPROVED,
        )
    )
    db.session.add(
        VolunteerCertificate(
            centre_id=centre.id,
            number=1,
            issued_on=_years_ago(7),
            volunteer_id=gone.id,
            contract_id=old_contract.id,
            coordinator_id=users["coordinator"].id,
            period_start=_years_ago(8),
            period_end=_years_ago(7),
            total_hours=Decimal("4.5"),
            lines=[[_years_ago(7).isoformat(), "Serbare cu Xaver", "4.5"]],
        )
    )
    audit.record(
        audit.CREATE,
        gone,
        actor=users["coordinator"],
        centre_id=centre.id,
        changes=audit.snapshot(gone),
    )

    in_force = make_volunteer(centre, given_name="Ilona", family_name="Bíró")
    # Her first contract ended long ago, but the one in force now keeps her.
    make_contract(in_force, starts_on=_years_ago(9), ends_on=_years_ago(8), signed_on=_years_ago(9))
    make_contract(
        in_force, starts_on=_years_ago(1), ends_on=_years_ago(-1), signed_on=_years_ago(1)
    )
    forgotten = make_volunteer(centre, given_name="Zsolt", family_name="Major")
    # Nobody closed this contract, but its end date is past the period too: it no longer holds.
    make_contract(
        forgotten, starts_on=_years_ago(9), ends_on=_years_ago(8), signed_on=_years_ago(9)
    )
    coming = make_volunteer(centre, given_name="Dorin", family_name="Vlad")
    make_contract(
        coming,
        starts_on=_years_ago(9),
        ends_on=_years_ago(8),
        signed_on=_years_ago(9),
        status=ContractStatus.ENDED,
    )
    next_week = make_activity(centre, starts_in=timedelta(days=7))
    db.session.add(
        ActivitySignup(
            activity_id=next_week.id, volunteer_id=coming.id, status=SignupStatus.SIGNED_UP
        )
    )
    recent = make_volunteer(centre, given_name="Emese", family_name="Pál")
    make_contract(
        recent,
        starts_on=_years_ago(3),
        ends_on=_years_ago(2),
        signed_on=_years_ago(3),
        status=ContractStatus.ENDED,
    )
    db.session.commit()
    return gone, old_contract, in_force, coming, recent, forgotten


def _hours_total() -> Decimal:
    reported = db.select(db.func.coalesce(db.func.sum(VolunteerHours.hours), 0))
    signed = db.select(db.func.coalesce(db.func.sum(ActivitySignup.hours), 0))
    return Decimal(db.session.scalar(reported)) + Decimal(db.session.scalar(signed))


def test_only_volunteers_past_the_period_and_with_nothing_open_are_due(app, volunteers):
    gone, _contract, in_force, coming, recent, forgotten = volunteers
    due = expired_volunteers()
    assert [(item.volunteer_id, item.contract_ended) for item in due] == [
        (gone.id, _years_ago(7)),
        (forgotten.id, _years_ago(8)),
    ]


def test_the_volunteers_period_is_configurable(app, volunteers):
    gone, _contract, in_force, coming, recent, forgotten = volunteers
    app.config["RETENTION_YEARS"] = {**app.config["RETENTION_YEARS"], "volunteers": 1}
    assert [item.volunteer_id for item in expired_volunteers()] == [
        gone.id,
        forgotten.id,
        recent.id,
    ]
    app.config["RETENTION_YEARS"] = {**app.config["RETENTION_YEARS"], "volunteers": 8}
    assert expired_volunteers() == []


def test_a_volunteer_never_contracted_expires_from_registration_once_inactive(app, centre):
    volunteer = make_volunteer(centre, given_name="Tünde", family_name="Lőrincz")
    volunteer.created_at = datetime.combine(_years_ago(6), time(10), tzinfo=UTC)
    db.session.commit()
    assert expired_volunteers() == []  # still active
    volunteer.active = False
    db.session.commit()
    assert [(item.volunteer_id, item.contract_ended) for item in expired_volunteers()] == [
        (volunteer.id, None)
    ]


def test_the_dry_run_lists_volunteers_and_the_real_run_forgets_them(
    app, runner, volunteers, database_url
):
    gone, old_contract, in_force, coming, recent, forgotten = volunteers
    hours_before = _hours_total()
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"volunteer #{gone.id}, last contract ended: {_years_ago(7).isoformat()}" in (
        result.output
    )
    assert f"volunteer #{forgotten.id}, last contract ended: {_years_ago(8).isoformat()}" in (
        result.output
    )
    for kept in (in_force, coming, recent):
        assert f"volunteer #{kept.id}," not in result.output
    db.session.expire_all()
    assert db.session.get(Volunteer, gone.id).family_name == "Quintus"

    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 0 people and 2 volunteers" in result.output
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, gone.id)
    assert (volunteer.family_name, volunteer.given_name) == ("Anonim", f"#{gone.id}")
    assert (volunteer.phone, volunteer.email, volunteer.address, volunteer.availability) == (
        None,
        None,
        None,
        None,
    )
    assert volunteer.birth_date == date(2000, 5, 17)
    contract = db.session.get(VolunteerContract, old_contract.id)
    assert (contract.number, contract.starts_on, contract.closed_on, contract.activities) == (
        old_contract.number,
        _years_ago(8),
        _years_ago(7),
        "—",
    )
    assert _hours_total() == hours_before == Decimal("7.5")
    certificate = db.session.scalars(db.select(VolunteerCertificate)).one()
    assert (certificate.number, certificate.total_hours, certificate.lines) == (
        1,
        Decimal("4.5"),
        [[_years_ago(7).isoformat(), "—", "4.5"]],
    )
    account = db.session.get(User, gone.user_id)
    assert (account.username, account.email, account.active) == (
        f"anonim-{account.id}",
        None,
        False,
    )
    trail = db.session.scalars(
        db.select(AuditEntry).where(
            AuditEntry.entity == "volunteers", AuditEntry.entity_id == gone.id
        )
    ).all()
    assert [set(entry.changes.values()) for entry in trail] == [{SCRUBBED}]
    for kept, name in ((in_force, "Ilona"), (coming, "Dorin"), (recent, "Emese")):
        assert db.session.get(Volunteer, kept.id).given_name == name

    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in ("Quintus", "Xaver", "0744 555 777", "xaver@example", "Gábor Áron"):
            assert secret.encode() not in stored, f"{secret!r} is still in the database file"


def test_an_open_case_keeps_only_its_own_children(app, households, centre, users):
    left_long_ago, *_ = households
    make_case(centre, actor=users["admin"])  # another family's child, the case still open
    db.session.commit()
    assert [item.person_id for item in expired_beneficiaries(on=TODAY)] == [left_long_ago.id]


def test_a_parent_counselled_or_in_a_workshop_or_group_within_the_period_is_kept(
    app, centre, users
):
    from daycentre.core.localtime import BUCHAREST
    from daycentre.counselling.models import SessionStatus
    from daycentre.workshops import services as workshops

    parent = make_adult(make_family(centre, name="Ursu"), given_name="Maria")
    parent.created_at = datetime(2015, 1, 5, tzinfo=UTC)
    room = make_room(centre)
    db.session.commit()

    def due():
        db.session.flush()
        return [item.person_id for item in expired_beneficiaries(on=TODAY)]

    assert due() == [parent.id]  # registered long ago, never served
    session = make_session(
        users["counsellor"],
        room,
        person=parent,
        start=datetime(2024, 5, 6, 10, tzinfo=BUCHAREST),
        status=SessionStatus.HELD,
    )
    assert due() == []
    session.starts_at = datetime(2019, 5, 6, 10, tzinfo=BUCHAREST)
    session.ends_at = session.starts_at + timedelta(hours=1)
    assert due() == [parent.id]
    workshop = make_workshop(centre, room, [users["counsellor"]])  # sessions this November
    registration = workshops.register(workshop, parent, actor=users["coordinator"])
    assert due() == []
    workshops.cancel_registration(registration, actor=users["coordinator"])
    assert due() == [parent.id]
    group = workshops.create_group(
        centre, actor=users["coordinator"], topic="Mame", facilitator=users["counsellor"], room=room
    )
    workshops.join_group(group, parent, actor=users["coordinator"], on=date(2018, 2, 1))
    assert due() == []

"""Retention forgets everywhere: rows, the audit trail, the database file and its WAL; the trail
cannot be rewritten in any other way; a subject-access export names nobody else."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, make_url, select, update
from sqlalchemy.exc import DBAPIError

from daycentre.audit import services as audit
from daycentre.audit.models import SCRUBBED, AuditEntry
from daycentre.audit.subject_access import OTHER_PERSON, subject_data
from daycentre.cases.models import CaseStage, PlannedService
from daycentre.counselling.models import SessionNote
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import ConsentPurpose, Family, Person
from tests.factories import (
    make_case,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_room,
    make_session,
)

# Every value typed about the household; none may survive the retention run anywhere.
SECRETS = (
    "Xylander",
    "Zsigmondka",
    "Strada Zorilor 17",
    "Zorilor 18",
    "744 999 111",
    "xylander@example.org",
    "lucrează în Germania",
    "alune de pădure",
    "Quirina",
    "0745 123 987",
    "Bunica Réka",
    "S-a mutat la Brașov",
    "vecina Ildikó",
    "neglijare suspectată",
    "Familia a anulat",
    "Nota ședinței de familie",
)


@pytest.fixture
def household(centre, users):
    """A family entered through the forms' services, changed once, with a child served until
    2020 and a mother never served, both registered in 2015; a case about the child closed."""
    admin = users["admin"]
    family = people.save_family(
        None,
        actor=admin,
        centre_id=centre.id,
        name="Xylander",
        address="Strada Zorilor 17",
        city="Târgu Secuiesc",
        phone="+40 744 999 111",
        email="xylander@example.org",
        notes="Tatăl lucrează în Germania",
    )
    people.save_family(
        family,
        actor=admin,
        version=family.version,
        centre_id=centre.id,
        name="Xylander",
        address="Strada Zorilor 18",
        city="Târgu Secuiesc",
        phone="+40 744 999 111",
        email="xylander@example.org",
        notes="Tatăl lucrează în Germania",
    )
    child = people.save_person(
        None,
        family=family,
        kind="child",
        actor=admin,
        family_name="Xylander",
        given_name="Zsigmondka",
        birth_date=date(2010, 3, 3),
        sex="male",
        allergies="alune de pădure",
    )
    mother = people.save_person(
        None,
        family=family,
        kind="adult",
        actor=admin,
        family_name="Xylander",
        given_name="Quirina",
        relation="mother",
        phone="0745 123 987",
    )
    people.save_consent(
        None,
        person=child,
        actor=admin,
        purpose=ConsentPurpose.PHOTOS,
        given_by="Bunica Réka",
        given_on=date(2015, 9, 1),
    )
    enrolment = make_enrolment(
        child,
        make_group(centre),
        status="exited",
        applied_on=date(2015, 8, 20),
        start_date=date(2015, 9, 1),
        exit_date=date(2020, 6, 30),
        exit_reason="S-a mutat la Brașov",
    )
    audit.record(
        audit.CREATE,
        enrolment,
        actor=admin,
        person_id=child.id,
        changes=audit.snapshot(enrolment),
    )
    case = make_case(
        centre,
        actor=admin,
        family=family,
        children=[child],
        received_on=date(2018, 1, 10),
        requester="vecina Ildikó",
        reported="neglijare suspectată",
    )
    case.stage, case.closed_on = CaseStage.CLOSED, date(2019, 5, 31)
    # A session with the whole household: about the family, not about one member.
    family_session = make_session(
        users["counsellor"],
        make_room(centre),
        family=family,
        start=datetime(2019, 3, 4, 10, tzinfo=UTC),
        cancel_reason="Familia a anulat",
    )
    db.session.add(
        SessionNote(
            session_id=family_session.id,
            author_id=users["counsellor"].id,
            text="Nota ședinței de familie",
        )
    )
    audit.record(
        audit.UPDATE,
        family_session,
        actor=users["counsellor"],
        changes={"cancel_reason": [None, "Familia a anulat"]},
    )
    for person in (child, mother):
        person.created_at = datetime(2015, 8, 20, tzinfo=UTC)
    db.session.commit()
    return family, child, mother


def _everything_stored() -> str:
    """Every value of every table, audit trail included, as one text."""
    rows = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            rows.append(json.dumps([*row], default=str, ensure_ascii=False))
    return "\n".join(rows)


def test_the_household_is_in_the_trail_before_the_run(app, household):
    stored = _everything_stored()
    assert all(secret in stored for secret in SECRETS)
    family, *_ = household
    created = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "families", AuditEntry.action == "create")
    ).one()
    assert created.person_id is None  # found by its record, not by a person


def test_a_retention_run_leaves_no_value_of_the_household_anywhere(
    app, runner, household, database_url
):
    family, child, mother = household
    result = runner.invoke(args=["retention", "run"])
    if "another transaction" in result.output:  # PostgreSQL shared with a long transaction
        pytest.skip("a transaction elsewhere in the cluster kept old row versions alive")
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 people" in result.output
    db.session.expire_all()

    stored = _everything_stored()
    for secret in SECRETS:
        assert secret not in stored, f"{secret!r} is still stored"
    # The trail still says who did what to which record, and when, and which fields it held.
    family_entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "families", AuditEntry.entity_id == family.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in family_entries] == ["create", "update"]
    assert family_entries[0].changes["phone"] == SCRUBBED
    assert family_entries[1].changes == {"address": SCRUBBED}
    assert family_entries[0].actor is not None
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "cases")):
        assert set(entry.changes.values()) <= {SCRUBBED}

    for secret in SECRETS:
        for encoded in (secret.encode(), json.dumps(secret)[1:-1].encode()):
            assert encoded not in _database_files(database_url), f"{secret!r} is in the files"


def _database_files(database_url) -> bytes:
    """The bytes on disk: SQLite's file with its WAL; PostgreSQL's files of every table (and
    its TOAST table) after a checkpoint, dead row versions included."""
    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("CHECKPOINT")
        files = connection.exec_driver_sql(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 't')"
        ).scalars()
        return b"".join(
            connection.exec_driver_sql("SELECT pg_read_binary_file(%s)", (name,)).scalar_one()
            for name in files
            if name
        )


def test_a_household_with_a_member_still_served_keeps_its_record(app, runner, household, centre):
    family, child, mother = household
    sister = make_child(family, given_name="Ottília", birth_date=date(2016, 1, 1))
    make_enrolment(sister, make_group(centre, name="Grupa mică"), status="active")
    db.session.commit()
    runner.invoke(args=["retention", "run"])
    db.session.expire_all()
    assert db.session.get(Family, family.id).phone == "+40 744 999 111"
    created = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "families", AuditEntry.action == "create")
    ).one()
    assert created.changes["phone"] == "+40 744 999 111"
    assert db.session.get(Person, child.id).given_name == f"#{child.id}"


# --- The guard: only the scrub gets through -------------------------------------------------------


@pytest.fixture
def entry(app, users):
    entries = AuditEntry.__table__
    entry_id = db.session.execute(
        insert(entries)
        .values(
            action="create",
            entity="families",
            entity_id=7,
            actor_id=users["coordinator"].id,
            at=datetime(2026, 1, 5, tzinfo=UTC),
            changes={"name": "Xylander", "phone": "0744"},
        )
        .returning(entries.c.id)
    ).scalar_one()
    db.session.commit()
    return entry_id


def _refused(statement) -> bool:
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
    except DBAPIError as error:
        assert "append-only" in str(error)
        return True
    return False


@pytest.mark.parametrize(
    "values",
    [
        {"changes": {"name": "Someone else", "phone": "0744"}},
        {"changes": {"name": SCRUBBED, "phone": "0744"}},  # half scrubbed is a change
        {"changes": {"name": SCRUBBED}},  # a key removed
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED, "extra": SCRUBBED}},
        {"changes": {"name": SCRUBBED, "phone": [SCRUBBED]}},
        {"changes": None},
        {"changes": ["name", "phone"]},
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED}, "actor_id": None},
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED}, "action": "read"},
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED}, "entity_id": 8},
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED}, "person_id": 3},
        {"changes": {"name": SCRUBBED, "phone": SCRUBBED}, "at": datetime(2026, 2, 1, tzinfo=UTC)},
        {"action": "delete"},
        {"centre_id": 1},
    ],
)
def test_the_database_refuses_every_change_but_the_scrub(app, entry, values):
    entries = AuditEntry.__table__
    assert _refused(update(entries).where(entries.c.id == entry).values(**values))
    stored = db.session.execute(select(entries).where(entries.c.id == entry)).one()
    assert stored.changes == {"name": "Xylander", "phone": "0744"}
    assert stored.action == "create"


def test_the_database_refuses_removing_entries_even_scrubbed_ones(app, entry):
    entries = AuditEntry.__table__
    assert _refused(entries.delete().where(entries.c.id == entry))
    scrub = {"name": SCRUBBED, "phone": SCRUBBED}
    assert not _refused(update(entries).where(entries.c.id == entry).values(changes=scrub))
    assert _refused(entries.delete().where(entries.c.id == entry))
    # Scrubbed once, an entry stays scrubbed: the values cannot come back.
    assert _refused(
        update(entries).where(entries.c.id == entry).values(changes={"name": "X", "phone": "0"})
    )
    assert db.session.execute(select(entries.c.changes).where(entries.c.id == entry)).scalar() == (
        scrub
    )


def test_an_entry_without_recorded_values_cannot_be_given_any(app, users):
    entries = AuditEntry.__table__
    entry_id = db.session.execute(
        insert(entries)
        .values(action="read", entity="people", entity_id=1, actor_id=users["admin"].id)
        .returning(entries.c.id)
    ).scalar_one()
    db.session.commit()
    assert _refused(update(entries).where(entries.c.id == entry_id).values(changes={}))


# --- Subject access names nobody else ---------------------------------------------------------------


def test_a_childs_export_leaves_a_siblings_ids_out(app, centre, users):
    family = make_family(centre, name="Kovács")
    anna = make_child(family, given_name="Anna")
    bence = make_child(family, given_name="Bence", birth_date=date(2014, 2, 2))
    bence_enrolment = make_enrolment(bence, make_group(centre))
    case = make_case(centre, actor=users["admin"], family=family, children=[anna, bence])
    db.session.commit()
    _plan_a_service_delivered_by(case, bence_enrolment, users)

    data = subject_data(anna)
    links = data["tables"]["case_children"]
    assert links == [{"case_id": case.id, "person_id": anna.id}]
    services = data["tables"]["case_services"]
    assert [service["enrolment_id"] for service in services] == [OTHER_PERSON]
    flat = json.dumps(data["tables"], default=str)
    assert f'"person_id": {bence.id}' not in flat
    assert f'"enrolment_id": {bence_enrolment.id}' not in flat

    # Bence's own export names his enrolment: it is his.
    theirs = subject_data(bence)
    assert [s["enrolment_id"] for s in theirs["tables"]["case_services"]] == [bence_enrolment.id]


def _plan_a_service_delivered_by(case, enrolment, users):
    """A plan with one objective and one after-school service delivered by ``enrolment``."""
    from daycentre.cases.models import Objective, Plan, PlanStatus, ServiceKind

    plan = Plan(
        case=case,
        number=1,
        status=PlanStatus.DRAFT,
        starts_on=date(2026, 3, 10),
        ends_on=date(2027, 3, 9),
    )
    objective = Objective(plan=plan, position=1, text="Frecventă școlară")
    db.session.add_all([plan, objective])
    db.session.flush()
    db.session.add(
        PlannedService(
            objective=objective,
            kind=ServiceKind.AFTER_SCHOOL,
            description="Program after-school",
            responsible="Coordonator",
            starts_on=date(2026, 3, 10),
            deadline=date(2027, 3, 9),
            enrolment_id=enrolment.id,
        )
    )
    db.session.commit()

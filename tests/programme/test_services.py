"""The rules of the children's programme, outings, the school link and who may collect a child."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.core.localtime import local_instant, today, week_start
from daycentre.extensions import db
from daycentre.programme import services as programme
from daycentre.programme.models import (
    OutingStatus,
    PermissionState,
    SlotKind,
    Weekday,
)
from daycentre.registers.models import Incident, IncidentKind
from daycentre.volunteers.models import Activity
from tests.factories import (
    make_centre,
    make_group,
    make_group_of_children,
    make_outing,
    make_room,
    make_user,
    make_volunteer,
)


@pytest.fixture
def group(centre):
    return make_group(centre)


def _slot(prog, actor, weekday="1", **fields):
    values = {
        "weekday": weekday,
        "starts_at": time(14),
        "ends_at": time(15),
        "kind": SlotKind.HOMEWORK,
        "title": "Ora de teme",
    } | fields
    return programme.save_slot(None, programme=prog, actor=actor, **values)


# --- The weekly programme ------------------------------------------------------------------------


def test_a_new_programme_starts_from_the_last_and_the_old_one_stays_in_the_record(group, users):
    coordinator = users["coordinator"]
    autumn = programme.create_programme(group, actor=coordinator, valid_from=date(2026, 9, 1))
    _slot(autumn, coordinator)
    spring = programme.create_programme(group, actor=coordinator, valid_from=date(2027, 2, 1))

    assert [s.title for s in spring.slots] == ["Ora de teme"]
    assert programme.programme_on(group.id, date(2026, 10, 5)) is autumn
    assert programme.programme_on(group.id, date(2027, 2, 1)) is spring
    assert programme.valid_until(autumn) == date(2027, 1, 31)
    with pytest.raises(Refused):
        programme.create_programme(group, actor=coordinator, valid_from=date(2027, 2, 1))


def test_a_slot_has_one_leader_and_ends_after_it_starts(group, users, centre):
    coordinator = users["coordinator"]
    prog = programme.create_programme(group, actor=coordinator, valid_from=date(2026, 9, 1))
    volunteer = make_volunteer(centre)
    with pytest.raises(Refused):
        _slot(prog, coordinator, starts_at=time(15), ends_at=time(14))
    with pytest.raises(Refused):
        _slot(prog, coordinator, leader_id=coordinator.id, volunteer_id=volunteer.id)
    elsewhere = make_room(make_centre(name="Alt centru"))
    with pytest.raises(Refused):
        _slot(prog, coordinator, room_id=elsewhere.id)
    slot = _slot(prog, coordinator, volunteer_id=volunteer.id)
    assert slot.volunteer is volunteer


def test_the_days_programme_and_its_note(group, users):
    coordinator = users["coordinator"]
    prog = programme.create_programme(group, actor=coordinator, valid_from=date(2026, 9, 1))
    day = today()
    weekday = str(day.isoweekday())
    slot = _slot(prog, coordinator, weekday=weekday)
    _slot(prog, coordinator, weekday=str(day.isoweekday() % 7 + 1), title="Alt joc")

    listed = programme.day_programme(group.id, day)
    assert [item.slot.title for item in listed] == ["Ora de teme"]
    programme.write_slot_note(slot, day, actor=coordinator, note="Fișe de matematică")
    assert programme.day_programme(group.id, day)[0].day.note == "Fișe de matematică"
    with pytest.raises(Refused):
        programme.write_slot_note(slot, day + timedelta(days=1), actor=coordinator, note="x")
    assert db.session.query(AuditEntry).filter_by(entity="programme_slot_days").count() >= 1


def test_a_slot_opened_to_volunteers_becomes_an_activity_of_the_week(group, users):
    coordinator = users["coordinator"]
    prog = programme.create_programme(group, actor=coordinator, valid_from=date(2026, 9, 1))
    _slot(prog, coordinator, weekday="3", title="Atelier de desen", volunteer_places=2)
    _slot(prog, coordinator, weekday="4")
    monday = week_start(today()) + timedelta(days=7)

    opened = programme.open_week_to_volunteers(prog, monday, actor=coordinator)

    assert len(opened) == 1
    activity = db.session.get(Activity, opened[0].id)
    assert activity.places == 2
    assert activity.starts_at == local_instant(monday + timedelta(days=2), time(14))
    with pytest.raises(Refused):  # the same week twice
        programme.open_week_to_volunteers(prog, monday, actor=coordinator)


# --- Outings --------------------------------------------------------------------------------------


def _outing(centre, actor, *, staff=(), ratio=8):
    start = local_instant(today() + timedelta(days=10), time(9))
    return make_outing(centre, actor, start, staff=staff, children_per_adult=ratio)


def _permit(child, actor, state="given"):
    programme.record_permission(
        child,
        actor=actor,
        state=state,
        given_by="Ana Pop",
        given_on=today(),
        medium="paper",
    )


def test_a_child_without_a_given_permission_is_refused_from_the_final_list_by_name(
    centre, group, users
):
    coordinator = users["coordinator"]
    ana, bogdan = make_group_of_children(group, 2)
    outing = _outing(centre, coordinator, staff=[coordinator])
    first, second = programme.invite(outing, [ana.id, bogdan.id], actor=coordinator)
    _permit(first, coordinator)
    _permit(second, coordinator, state="refused")

    with pytest.raises(Refused) as refusal:
        programme.set_final_list(outing, [ana.id, bogdan.id], actor=coordinator)
    assert bogdan.full_name in str(refusal.value.message)

    programme.set_final_list(outing, [ana.id], actor=coordinator)
    programme.confirm_outing(outing, actor=coordinator)
    assert outing.status is OutingStatus.CONFIRMED
    assert second.permission is PermissionState.REFUSED and second.permission_by == "Ana Pop"


def test_an_answer_names_who_gave_it_and_when(centre, group, users):
    coordinator = users["coordinator"]
    (ana,) = make_group_of_children(group, 1)
    outing = _outing(centre, coordinator, staff=[coordinator])
    (child,) = programme.invite(outing, [ana.id], actor=coordinator)
    with pytest.raises(Refused):
        programme.record_permission(
            child, actor=coordinator, state="given", given_by="", given_on=today(), medium="paper"
        )
    with pytest.raises(Refused):
        programme.record_permission(
            child,
            actor=coordinator,
            state="given",
            given_by="Ana Pop",
            given_on=today() + timedelta(days=1),
            medium="paper",
        )


def test_an_outing_below_the_children_per_adult_ratio_cannot_be_confirmed(centre, group, users):
    coordinator = users["coordinator"]
    children = make_group_of_children(group, 3)
    outing = _outing(centre, coordinator, staff=[coordinator], ratio=2)
    for child in programme.invite(outing, [c.id for c in children], actor=coordinator):
        _permit(child, coordinator)
    programme.set_final_list(outing, [c.id for c in children], actor=coordinator)

    with pytest.raises(Refused) as refusal:
        programme.confirm_outing(outing, actor=coordinator)
    assert "2" in str(refusal.value.message)
    assert outing.status is OutingStatus.PLANNED

    programme.save_outing(
        outing,
        centre=centre,
        actor=coordinator,
        version=outing.version,
        staff_ids=[coordinator.id, users["counsellor"].id],
        kind=outing.kind,
        title=outing.title,
        destination=outing.destination,
        starts_at=outing.starts_at,
        ends_at=outing.ends_at,
        transport=outing.transport,
        children_per_adult=2,
        notes=None,
    )
    programme.confirm_outing(outing, actor=coordinator)
    assert outing.status is OutingStatus.CONFIRMED


def test_a_child_missing_at_return_is_written_in_the_serious_incident_register(
    centre, group, users
):
    coordinator = users["coordinator"]
    ana, bogdan = make_group_of_children(group, 2)
    outing = _outing(centre, coordinator, staff=[coordinator])
    for child in programme.invite(outing, [ana.id, bogdan.id], actor=coordinator):
        _permit(child, coordinator)
    programme.set_final_list(outing, [ana.id, bogdan.id], actor=coordinator)
    programme.confirm_outing(outing, actor=coordinator)
    programme.count_departure(outing, [ana.id, bogdan.id], actor=coordinator)
    missing = programme.count_return(outing, [ana.id], actor=coordinator)

    assert [c.person for c in missing] == [bogdan]
    (incident,) = db.session.scalars(db.select(Incident))
    assert incident.kind is IncidentKind.CHILD_MISSING
    assert incident.centre_id == centre.id and incident.handler_id == coordinator.id
    assert [child.id for child in incident.children] == [bogdan.id]
    assert outing.destination in incident.description
    assert outing.status is OutingStatus.RETURNED
    assert programme.missing_children(outing)[0].person is bogdan


def test_the_headcounts_follow_the_outings_state(centre, group, users):
    coordinator = users["coordinator"]
    (ana,) = make_group_of_children(group, 1)
    outing = _outing(centre, coordinator, staff=[coordinator])
    with pytest.raises(Refused):
        programme.count_departure(outing, [ana.id], actor=coordinator)
    with pytest.raises(Refused):
        programme.confirm_outing(outing, actor=coordinator)  # nobody on the final list
    other = make_user("coordinator", centres=[make_centre(name="Alt centru")])
    with pytest.raises(Refused):
        programme.invite(outing, [ana.id], actor=other)


# --- The school -----------------------------------------------------------------------------------


def test_the_indicator_counts_children_whose_results_improved_over_the_year(group, users):
    counsellor = users["counsellor"]
    ana, bogdan, carla = make_group_of_children(group, 3)
    year = programme.school_year_of(today())

    def result(person, term, average=None, qualifier=None):
        programme.record_school_result(
            person,
            actor=counsellor,
            school_year=year,
            term=term,
            average=Decimal(average) if average else None,
            qualifier=qualifier,
            absences=2,
            unexcused_absences=1,
        )

    result(ana, 1, "7.50")
    result(ana, 2, "8.10")
    result(bogdan, 1, qualifier="fb")
    result(bogdan, 2, qualifier="b")
    result(carla, 1, "9")  # one term only: not counted

    rows = programme.results_over_year([ana.id, bogdan.id, carla.id], year)
    assert [(r.person, r.improved) for r in rows] == [(ana, True), (bogdan, False)]


def test_a_result_is_refused_without_a_figure_or_out_of_range(group, users):
    counsellor = users["counsellor"]
    (ana,) = make_group_of_children(group, 1)
    year = programme.school_year_of(today())
    for average, qualifier, absences, unexcused in [
        (None, None, 0, 0),
        (Decimal("11"), None, 0, 0),
        (Decimal("8"), None, 1, 2),
    ]:
        with pytest.raises(Refused):
            programme.record_school_result(
                ana,
                actor=counsellor,
                school_year=year,
                term=1,
                average=average,
                qualifier=qualifier,
                absences=absences,
                unexcused_absences=unexcused,
            )


def test_school_contacts_are_logged_and_audited(group, users):
    counsellor = users["counsellor"]
    (ana,) = make_group_of_children(group, 1)
    programme.save_school_link(
        ana,
        actor=counsellor,
        form_teacher="Maria Ionescu",
        teacher_phone="0740 000 000",
        teacher_email=None,
    )
    programme.record_school_contact(
        ana,
        actor=counsellor,
        day=today(),
        with_whom="Maria Ionescu",
        subject="Absențe la matematică",
        agreed="Temele se fac la centru",
    )
    assert programme.school_contacts(ana)[0].subject == "Absențe la matematică"
    assert db.session.query(AuditEntry).filter_by(person_id=ana.id).count() == 2


# --- Who may collect a child ---------------------------------------------------------------------


def _departure(group, child, actor, **fields):
    values = {"left_at": time(16, 30), "collected_by": None, "alone": False} | fields
    return programme.record_departure(group, child, today(), actor=actor, **values)


def test_a_person_on_the_list_collects_the_child(group, users):
    coordinator = users["coordinator"]
    (ana,) = make_group_of_children(group, 1)
    programme.save_collector(
        None,
        person=ana,
        actor=coordinator,
        name="Ioana Pop",
        relation="mamă",
        phone=None,
        id_document="CI KX 123456",
        id_checked=True,
    )
    departure = _departure(group, ana, coordinator, collected_by="  ioana POP ")
    assert not departure.not_allowed
    assert departure.collector.id_checked_by is coordinator
    assert departure.collected_by == "Ioana Pop"


def test_a_person_not_on_the_list_is_written_down_and_flagged(group, users):
    coordinator = users["coordinator"]
    (ana,) = make_group_of_children(group, 1)
    departure = _departure(group, ana, coordinator, collected_by="Vecinul Ion")
    assert departure.not_allowed and departure.collected_by == "Vecinul Ion"
    assert db.session.query(AuditEntry).filter_by(entity="departures").count() == 1


def test_leaving_alone_needs_the_written_consent(group, users):
    coordinator = users["coordinator"]
    (ana,) = make_group_of_children(group, 1)
    assert _departure(group, ana, coordinator, alone=True).not_allowed
    programme.save_leaving_alone(
        ana, actor=coordinator, allowed=True, consent_on=today(), given_by="Ioana Pop"
    )
    assert not _departure(group, ana, coordinator, alone=True).not_allowed
    with pytest.raises(Refused):
        _departure(group, ana, coordinator)  # neither a name nor alone


def test_a_departure_needs_a_child_of_the_group(group, centre, users):
    coordinator = users["coordinator"]
    other_group = make_group(centre, name="Grupa mare")
    (ana,) = make_group_of_children(other_group, 1)
    with pytest.raises(Refused):
        _departure(group, ana, coordinator, collected_by="Ioana Pop")


def test_weekdays_are_iso(group):
    assert Weekday(str(date(2026, 11, 30).isoweekday())) is Weekday.MONDAY

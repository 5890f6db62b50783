"""The programme's pages: the weekly programme and its PDF, outings from planning to return, the
child's school and pick-up page, and the day's programme and departures on the roll page."""

from datetime import date, time, timedelta

from daycentre.audit.models import AuditEntry
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.programme import services as programme
from daycentre.programme.models import (
    Departure,
    Outing,
    OutingChild,
    OutingStatus,
    PermissionState,
    SchoolResult,
    SlotKind,
    WeeklyProgramme,
)
from tests.attendance.helpers import operating_days_back
from tests.conftest import text_of
from tests.factories import make_centre, make_group, make_group_of_children


def _programme_with_a_slot_on(day, group, actor):
    prog = programme.create_programme(group, actor=actor, valid_from=date(2026, 9, 1))
    programme.save_slot(
        None,
        programme=prog,
        actor=actor,
        weekday=str(day.isoweekday()),
        starts_at=time(14),
        ends_at=time(15),
        kind=SlotKind.HOMEWORK,
        title="Ora de teme",
    )
    db.session.commit()
    return prog


def test_coordinator_creates_a_programme_adds_a_slot_and_prints_it(client, login_as, centre):
    login_as("coordinator")
    group = make_group(centre)
    db.session.commit()
    response = client.post(
        f"/programme/groups/{group.id}",
        data={"in_force_from": "2026-09-01", "copy_current": "y"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    prog = db.session.scalars(db.select(WeeklyProgramme)).one()
    response = client.post(
        f"/programme/{prog.id}",
        data={
            "weekday": "2",
            "starts_at": "14:00",
            "ends_at": "13:00",
            "kind": "homework",
            "title": "Ora de teme",
        },
    )
    assert "field-error" in response.get_data(as_text=True) or response.status_code == 200
    assert not prog.slots
    client.post(
        f"/programme/{prog.id}",
        data={
            "weekday": "2",
            "starts_at": "14:00",
            "ends_at": "15:00",
            "kind": "homework",
            "title": "Ora de teme",
        },
    )
    db.session.expire_all()
    assert [s.title for s in db.session.get(WeeklyProgramme, prog.id).slots] == ["Ora de teme"]
    pdf = client.get(f"/programme/{prog.id}/programme.pdf?language=hu")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_roll_page_shows_the_days_programme_and_records_a_departure(
    client, login_as, centre, users
):
    coordinator = login_as("coordinator")
    group = make_group(centre)
    (ana,) = make_group_of_children(group, 1)
    on = operating_days_back(centre, 1)[0]
    _programme_with_a_slot_on(on, group, coordinator)
    day = on.isoformat()

    page = client.get(f"/attendance/groups/{group.id}/roll?day={day}")
    assert "Ora de teme" in text_of(page)
    assert f"/programme/groups/{group.id}/days/{day}/departures" in page.get_data(as_text=True)

    response = client.post(
        f"/programme/groups/{group.id}/days/{day}/departures",
        data={"person_id": ana.id, "left_at": "16:30", "collected_by": "Vecinul Ion"},
        follow_redirects=True,
    )
    assert "Vecinul Ion" in text_of(response)
    assert "departure-warning" in response.get_data(as_text=True)
    departure = db.session.scalars(db.select(Departure)).one()
    assert departure.not_allowed and departure.left_at == time(16, 30)


def test_a_note_of_what_was_done_is_saved_from_the_roll(client, login_as, centre):
    coordinator = login_as("coordinator")
    group = make_group(centre)
    make_group_of_children(group, 1)
    on = operating_days_back(centre, 1)[0]
    prog = _programme_with_a_slot_on(on, group, coordinator)
    slot = prog.slots[0]
    client.post(
        f"/programme/slots/{slot.id}/days/{on.isoformat()}/note", data={"note": "Fișe de lectură"}
    )
    assert programme.day_programme(group.id, on)[0].day.note == "Fișe de lectură"
    # The roll page reads the slot and its note of the day with the roll's own rows.
    page = client.get(f"/attendance/groups/{group.id}/roll?day={on.isoformat()}")
    assert 'value="Fișe de lectură"' in page.get_data(as_text=True)
    earlier = next(
        day
        for day in operating_days_back(centre, 15, on - timedelta(days=1))
        if day.isoweekday() == on.isoweekday()
    )
    page = client.get(f"/attendance/groups/{group.id}/roll?day={earlier.isoformat()}")
    assert "Ora de teme" in text_of(page) and "Fișe de lectură" not in text_of(page)


def _outing_form(centre, staff, **fields):
    day = today() + timedelta(days=14)
    return {
        "centre_id": centre.id,
        "kind": "outing",
        "title": "Muzeul Satului",
        "destination": "Sibiu",
        "leaves_on": day.isoformat(),
        "leaves_at": "09:00",
        "returns_on": day.isoformat(),
        "returns_at": "17:00",
        "transport": "Autocar",
        "children_per_adult": "8",
        "staff_ids": [u.id for u in staff],
    } | fields


def test_an_outing_from_planning_to_the_missing_child_at_return(client, login_as, centre, users):
    coordinator = login_as("coordinator")
    group = make_group(centre)
    ana, bogdan, carla = make_group_of_children(group, 3)
    db.session.commit()
    client.post("/programme/outings/new", data=_outing_form(centre, [coordinator]))
    outing = db.session.scalars(db.select(Outing)).one()
    base = f"/programme/outings/{outing.id}"
    client.post(f"{base}/invite", data={"invite-person_ids": [ana.id, bogdan.id, carla.id]})
    children = {c.person_id: c for c in db.session.scalars(db.select(OutingChild))}
    for person, state in ((ana, "given"), (bogdan, "refused"), (carla, "given")):
        client.post(
            f"{base}/children/{children[person.id].id}/permission",
            data={
                "state": state,
                "answered_by": "Ioana Pop",
                "answered_on": today().isoformat(),
                "medium": "paper",
                "language": "hu",
            },
        )
    db.session.expire_all()
    assert children[bogdan.id].permission is PermissionState.REFUSED

    refused = client.post(
        f"{base}/final-list",
        data={"final-person_ids": [ana.id, bogdan.id]},
        follow_redirects=True,
    )
    assert bogdan.full_name in text_of(refused)
    client.post(f"{base}/final-list", data={"final-person_ids": [ana.id, carla.id]})
    client.post(f"{base}/confirm", data={"version": outing.version})
    db.session.expire_all()
    assert outing.status is OutingStatus.CONFIRMED

    slip = client.get(f"{base}/children/{children[ana.id].id}/permission.pdf")
    assert slip.data.startswith(b"%PDF")

    client.post(
        f"{base}/departure",
        data={"count-person_ids": [ana.id, carla.id], "count-version": outing.version},
    )
    db.session.expire_all()
    back = client.post(
        f"{base}/return",
        data={"count-person_ids": [ana.id], "count-version": outing.version},
        follow_redirects=True,
    )
    assert carla.full_name in text_of(back)
    db.session.expire_all()
    assert outing.status is OutingStatus.RETURNED
    assert [c.person_id for c in programme.missing_children(outing)] == [carla.id]


def test_another_centres_outing_and_child_answer_404(client, login_as, users):
    login_as("coordinator")
    elsewhere = make_centre(name="Centrul din Miercurea Ciuc")
    group = make_group(elsewhere)
    (child,) = make_group_of_children(group, 1)
    outing = Outing(
        centre_id=elsewhere.id,
        kind="outing",
        title="Lacul Sfânta Ana",
        destination="Tușnad",
        starts_at=programme.local_instant(today(), time(9)),
        ends_at=programme.local_instant(today(), time(15)),
        children_per_adult=8,
        status=OutingStatus.PLANNED,
    )
    db.session.add(outing)
    prog = WeeklyProgramme(centre_id=elsewhere.id, group_id=group.id, valid_from=date(2026, 9, 1))
    db.session.add(prog)
    db.session.commit()
    assert client.get(f"/programme/outings/{outing.id}").status_code == 404
    assert client.get(f"/programme/children/{child.id}").status_code == 404
    assert client.get(f"/programme/{prog.id}").status_code == 404
    assert client.post(f"/programme/outings/{outing.id}/confirm").status_code in (400, 404)


def test_counsellors_read_outings_but_do_not_plan_them(client, login, users):
    login(users["counsellor"])
    assert client.get("/programme/outings").status_code == 200
    assert client.get("/programme/outings/new").status_code == 403
    client.post("/auth/logout")
    login(users["volunteer"])
    assert client.get("/programme/outings").status_code == 403


def test_the_childs_school_and_pick_up_page_is_audited_and_refuses_bad_results(
    client, login_as, centre
):
    login_as("counsellor")
    group = make_group(centre)
    (ana,) = make_group_of_children(group, 1)
    db.session.commit()
    page = client.get(f"/programme/children/{ana.id}")
    assert page.status_code == 200
    assert db.session.scalar(
        db.select(AuditEntry.id).where(AuditEntry.action == "read", AuditEntry.person_id == ana.id)
    )
    year = programme.school_year_of(today())
    response = client.post(
        f"/programme/children/{ana.id}/school-results",
        data={"school_year": year, "term": 1, "average": "", "qualifier": "", "absences": "0"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert db.session.scalar(db.select(SchoolResult.id)) is None
    saved = client.post(
        f"/programme/children/{ana.id}/school-results",
        data={"school_year": year, "term": 1, "average": "8.5", "qualifier": "", "absences": "3"},
        follow_redirects=True,
    )
    assert "Rezultatul școlar a fost salvat." in text_of(saved)
    assert db.session.scalar(db.select(SchoolResult.average)) == 8.5
    indicator = client.get(f"/programme/school-results?year={year}")
    assert indicator.status_code == 200

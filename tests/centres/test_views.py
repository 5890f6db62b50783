"""The admin manages centres, groups, rooms and closure days; others see only their own centres."""

from datetime import date

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.centres.models import Centre, ClosureDay, Group, Room
from daycentre.extensions import db
from tests.conftest import text_of
from tests.factories import make_group, make_room

CENTRE_FORM = {
    "name": "Centrul de zi „Csipike”",
    "kind": "after_school",
    "service_code": "8891 CZ-C-II",
    "address": "Strada Kossuth Lajos nr. 7",
    "city": "Târgu Secuiesc",
    "capacity": "30",
    "opens_at": "12:00",
    "closes_at": "18:00",
    "weekdays": ["1", "2", "3", "4", "5"],
    "active": "y",
}


def test_admin_creates_a_centre_and_it_is_audited(client, login_as, users):
    login_as("admin")
    response = client.post("/centres/new", data=CENTRE_FORM)
    assert response.status_code == 302
    centre = db.session.scalars(db.select(Centre).where(Centre.name == CENTRE_FORM["name"])).one()
    assert centre.weekdays == {1, 2, 3, 4, 5}
    assert response.headers["Location"] == f"/centres/{centre.id}"
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity == "centres")).one()
    assert entry.action == "create"
    assert entry.actor_id == users["admin"].id
    assert entry.changes["name"] == [None, CENTRE_FORM["name"]]


def test_bad_centre_input_gets_translated_messages_and_saves_nothing(client, login_as):
    login_as("admin")
    data = CENTRE_FORM | {"capacity": "-3", "closes_at": "11:00", "weekdays": [], "name": ""}
    response = client.post("/centres/new", data=data)
    page = text_of(response)
    assert response.status_code == 200
    assert "Sfârșitul trebuie să fie după început." in page
    assert "Alegeți cel puțin o zi." in page
    assert "Acest câmp este obligatoriu." in page  # WTForms' own message, in Romanian
    assert db.session.scalar(db.select(db.func.count(Centre.id))) == 1  # only the fixture's


def test_non_numeric_capacity_is_a_form_error_not_a_crash(client, login_as):
    login_as("admin")
    response = client.post("/centres/new", data=CENTRE_FORM | {"capacity": "thirty"})
    assert response.status_code == 200
    assert "Introduceți un număr întreg." in text_of(response)


def test_a_duplicate_centre_name_is_refused_plainly(client, login_as, centre):
    login_as("admin")
    response = client.post(
        "/centres/new", data=CENTRE_FORM | {"name": centre.name}, follow_redirects=True
    )
    assert "Există deja un centru cu acest nume." in text_of(response)


def test_stale_edit_is_refused_and_keeps_the_newer_values(client, login_as, centre):
    login_as("admin")
    seen_version = centre.version
    first = client.post(
        f"/centres/{centre.id}/edit",
        data=CENTRE_FORM | {"name": "Numele nou", "version": seen_version},
    )
    assert first.status_code == 302
    second = client.post(
        f"/centres/{centre.id}/edit",
        data=CENTRE_FORM | {"name": "Numele vechi", "version": seen_version},
    )
    assert "Altcineva a modificat această înregistrare" in text_of(second)
    assert db.session.get(Centre, centre.id).name == "Numele nou"


def test_deactivated_centre_leaves_the_list(client, login_as, centre):
    login_as("admin")
    client.post(
        f"/centres/{centre.id}/edit",
        data=CENTRE_FORM | {"active": "", "version": centre.version},
        follow_redirects=True,  # the flash names the centre; read the list afterwards
    )
    assert centre.name not in text_of(client.get("/centres/"))
    assert centre.name in text_of(client.get("/centres/?inactive=1"))


def test_coordinator_sees_own_centres_only(client, login_as, centre, other_centre):
    login_as("coordinator")
    page = text_of(client.get("/centres/"))
    assert centre.name in page
    assert other_centre.name not in page
    assert client.get(f"/centres/{other_centre.id}").status_code == 404
    assert client.get(f"/centres/{centre.id}").status_code == 200


def test_coordinator_cannot_manage(client, login_as, centre):
    login_as("coordinator")
    assert client.post(f"/centres/{centre.id}/edit", data=CENTRE_FORM).status_code == 403
    assert client.post("/centres/new", data=CENTRE_FORM).status_code == 403


def test_admin_adds_and_edits_a_group(client, login_as, centre):
    login_as("admin")
    data = {
        "name": "Clasele I–IV",
        "capacity": "25",
        "starts_at": "12:00",
        "ends_at": "17:00",
        "weekdays": ["1", "2", "3", "4", "5"],
        "active": "y",
    }
    assert client.post(f"/centres/{centre.id}/groups/new", data=data).status_code == 302
    group = db.session.scalars(db.select(Group).where(Group.centre_id == centre.id)).one()
    assert (group.capacity, group.weekdays) == (25, {1, 2, 3, 4, 5})

    response = client.post(
        f"/centres/{centre.id}/groups/{group.id}/edit",
        data=data | {"capacity": "20", "version": group.version},
    )
    assert response.status_code == 302
    assert db.session.get(Group, group.id).capacity == 20
    again = client.post(f"/centres/{centre.id}/groups/new", data=data, follow_redirects=True)
    assert "Centrul are deja o grupă cu acest nume." in text_of(again)


def test_a_group_of_another_centre_answers_404(client, login_as, centre, other_centre):
    login_as("admin")
    group = make_group(other_centre)
    room = make_room(other_centre)
    db.session.commit()
    assert client.get(f"/centres/{centre.id}/groups/{group.id}/edit").status_code == 404
    assert client.get(f"/centres/{centre.id}/rooms/{room.id}/edit").status_code == 404


def test_admin_adds_a_room(client, login_as, centre):
    login_as("admin")
    response = client.post(
        f"/centres/{centre.id}/rooms/new", data={"name": "Cabinet psihologic", "capacity": "4"}
    )
    assert response.status_code == 302
    room = db.session.scalars(db.select(Room).where(Room.centre_id == centre.id)).one()
    assert (room.name, room.capacity, room.active) == ("Cabinet psihologic", 4, False)


def test_closure_days_are_added_once_and_removed(client, login_as, centre):
    login_as("admin")
    data = {"day": "2026-12-31", "reason": "Inventar"}
    client.post(f"/centres/{centre.id}/closures", data=data)
    response = client.post(f"/centres/{centre.id}/closures", data=data, follow_redirects=True)
    assert "Centrul este deja închis în această zi." in text_of(response)
    closure = db.session.scalars(db.select(ClosureDay)).one()
    assert closure.day == date(2026, 12, 31)
    assert "joi, 31 decembrie 2026" in text_of(client.get(f"/centres/{centre.id}"))

    client.post(f"/centres/{centre.id}/closures/{closure.id}/delete")
    assert db.session.scalar(db.select(db.func.count(ClosureDay.id))) == 0
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.entity == "closure_days")
    ).all()
    assert sorted(actions) == ["create", "delete"]


def test_hungarian_page_shows_hungarian_day_names(client, login_as, centre, users):
    users["coordinator"].locale = "hu"
    db.session.commit()
    login_as("coordinator")
    page = text_of(client.get("/centres/"))
    assert "H, K, Sze, Cs, P" in page
    assert "Iskola utáni nappali központ" in page


def test_id_zero_is_not_a_new_record(client, login_as, centre):
    login_as("admin")
    assert client.get("/centres/0/edit").status_code == 404
    assert client.get(f"/centres/{centre.id}/groups/0/edit").status_code == 404


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "ro",
            [
                "Acest câmp este obligatoriu.",
                "Câmpul poate avea cel mult 50 de caractere.",
                "Câmpul poate avea cel mult 300 de caractere.",
                "Alegeți una dintre opțiunile din listă.",
                "Introduceți un număr întreg.",
                "Oră invalidă.",
            ],
        ),
        (
            "hu",
            [
                "Ez a mező kötelező.",
                "A mező legfeljebb 50 karakter hosszú lehet.",
                "A mező legfeljebb 300 karakter hosszú lehet.",
                "Válasszon a listában szereplő lehetőségek közül.",
                "Egész számot adjon meg.",
                "Érvénytelen időpont.",
            ],
        ),
    ],
)
def test_the_form_librarys_own_messages_speak_the_users_language(
    client, login_as, users, language, messages
):
    users["admin"].locale = language
    db.session.commit()
    login_as("admin")
    data = CENTRE_FORM | {
        "name": "",
        "service_code": "x" * 51,
        "address": "x" * 301,
        "kind": "castle",
        "capacity": "thirty",
        "opens_at": "25:99",
    }
    page = text_of(client.post("/centres/new", data=data))
    for message in messages:
        assert message in page
    for english in ("This field is required", "Field cannot be longer", "Not a valid"):
        assert english not in page
    page = text_of(client.post("/centres/new", data=CENTRE_FORM | {"capacity": "-3"}))
    assert {"ro": "Numărul trebuie să fie între 0 și 10000.", "hu": "0 és 10000 között"}[
        language
    ] in page
    assert db.session.scalar(db.select(db.func.count(Centre.id))) == 1  # only the fixture's

"""The admin reads the audit trail in their language, filtered by user, centre, person, period."""

from datetime import UTC, datetime

from daycentre.audit.models import AuditEntry
from daycentre.audit.services import record
from daycentre.extensions import db
from tests.conftest import text_of


def test_entries_are_named_and_described_in_romanian(client, login_as, centre, users):
    login_as("admin")
    client.post(
        f"/centres/{centre.id}/rooms/new",
        data={"name": "Cabinet psihologic", "capacity": "4", "active": "y"},
    )
    page = text_of(client.get("/audit/"))
    assert "a creat" in page
    assert "Sală #" in page
    assert "Nume — → Cabinet psihologic" in page


def test_filters_by_user_centre_person_and_period(client, login_as, centre, other_centre, users):
    coordinator = users["coordinator"]
    for centre_id, person_id, when in (
        (centre.id, 7, datetime(2026, 3, 10, 9, tzinfo=UTC)),
        (other_centre.id, 8, datetime(2026, 4, 10, 9, tzinfo=UTC)),
    ):
        entry = record(
            "read",
            actor=coordinator,
            entity="people",
            entity_id=person_id,
            centre_id=centre_id,
            person_id=person_id,
        )
        entry.at = when
    db.session.commit()
    login_as("admin")

    def shown(**filters):
        page = text_of(client.get("/audit/", query_string=filters))
        return sorted(int(n) for n in ("7", "8") if f"#{n}" in page)

    assert shown(person_id=7) == [7]
    assert shown(centre_id=other_centre.id) == [8]
    assert shown(actor_id=coordinator.id) == [7, 8]
    assert shown(date_from="2026-04-01", date_to="2026-04-30") == [8]
    assert shown(date_from="2026-03-10", date_to="2026-03-10") == [7]  # both ends included


def test_only_the_admin_reads_the_trail(client, login_as):
    login_as("coordinator")
    assert client.get("/audit/").status_code == 403
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) >= 1  # the sign-in itself


def test_enum_values_read_as_their_labels_in_the_readers_language(client, login_as, users):
    """A change of an attendance from present to excused reads as words, not `absent_excused`."""
    record(
        "update",
        entity="attendances",
        entity_id=1,
        actor=users["coordinator"],
        changes={"status": ["present", "absent_excused"], "note": [None, "present"]},
    )
    db.session.commit()
    login_as("admin")
    page = text_of(client.get("/audit/"))
    assert "Prezent → Absență motivată" in page
    assert "absent_excused" not in page
    assert "— → present" in page  # free text stays as typed
    users["admin"].locale = "hu"
    db.session.commit()
    page = text_of(client.get("/audit/"))
    assert "Jelen → Igazolt hiányzás" in page


def test_a_changed_choice_is_shown_by_its_label(client, login_as, centre, users):
    record(
        "update",
        centre,
        actor=users["admin"],
        changes={"kind": ["after_school", "parent_counselling"], "name": ["A", "B"]},
    )
    db.session.commit()
    login_as("admin")
    page = text_of(client.get("/audit/"))
    assert "Centru de zi de tip școală după școală → Centru de zi pentru consiliere" in page
    assert "A → B" in page  # a value of a field without a list of choices stays as it is


def test_the_subject_access_page_names_enum_values(app):
    from flask_babel import force_locale

    from daycentre.audit.labels import describe_value

    with app.test_request_context(), force_locale("ro"):
        assert describe_value("female", "people", "sex") == "Feminin"
        assert describe_value("female", "people", "given_name") == "female"
        assert describe_value(["waiting", "registered"], "workshop_registrations", "status") != (
            "waiting → registered"
        )

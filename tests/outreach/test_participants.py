"""Who took part in a training, and the persons trained counted once each per period."""

from datetime import date
from decimal import Decimal

from daycentre.audit.models import AuditEntry
from daycentre.extensions import db
from daycentre.outreach.models import ParticipantKind, Training, TrainingAudience
from daycentre.outreach.services import add_participant
from daycentre.reports.measures import MEASURES, Scope
from tests.conftest import text_of
from tests.factories import make_user, make_volunteer

PERIOD = (date(2026, 1, 1), date(2026, 3, 31))


def _training(centre, day, persons=0, topic="Prevenirea separării"):
    training = Training(
        centre_id=centre.id if centre else None,
        topic=topic,
        audience=TrainingAudience.STAFF,
        held_on=day,
        hours=Decimal(4),
        persons_trained=persons,
    )
    db.session.add(training)
    db.session.flush()
    return training


def _scope(centre):
    return Scope(frozenset({centre.id}), *PERIOD)


def test_the_same_five_people_trained_twice_count_as_five(app, centre, users):
    staff = [make_user("counsellor", centres=[centre], given_name=n) for n in ("Ana", "Réka")]
    volunteer = make_volunteer(centre)
    for day in (date(2026, 2, 3), date(2026, 3, 10)):
        training = _training(centre, day, persons=5)
        for user in staff:
            add_participant(training, actor=users["admin"], kind=ParticipantKind.STAFF, user=user)
        add_participant(
            training, actor=users["admin"], kind=ParticipantKind.VOLUNTEER, volunteer=volunteer
        )
        for name in ("Maria Pop", "Szabó Éva"):
            add_participant(
                training,
                actor=users["admin"],
                kind=ParticipantKind.PARTNER,
                name=name.upper() if day.month == 3 else name,
                organisation="DGASPC Covasna",
            )
        assert training.persons_trained == 5  # the number becomes the people named
    measure = MEASURES["persons_trained"]
    assert measure.value(_scope(centre)) == 5
    names = sorted(record.item for record in measure.records(_scope(centre)))
    assert len(names) == 5 and "maria pop (dgaspc covasna)" in [n.lower() for n in names]


def test_a_training_with_only_a_typed_number_counts_as_before_listed_as_not_named(
    app, centre, users
):
    _training(centre, date(2026, 2, 3), persons=12, topic="Instruire veche")
    named = _training(centre, date(2026, 2, 4), persons=30)
    add_participant(named, actor=users["admin"], kind=ParticipantKind.STAFF, user=users["admin"])
    measure = MEASURES["persons_trained"]
    assert measure.value(_scope(centre)) == 13
    with app.test_request_context():
        items = {record.item: record.amount for record in measure.records(_scope(centre))}
    assert items["Instruire veche · nenominalizate"] == 12


def test_naming_the_same_person_twice_on_a_training_is_refused(client, login_as, centre):
    user = login_as("coordinator")
    training = _training(centre, date(2026, 2, 3), persons=3)
    db.session.commit()
    url = f"/outreach/trainings/{training.id}/participants"
    assert "nimeni nu este nominalizat" in text_of(client.get(url)).lower()
    data = {"kind": "staff", "user_id": user.id, "volunteer_id": 0}
    assert client.post(url, data=data).status_code == 302
    response = client.post(url, data=data)
    assert "Această persoană este deja trecută la instruire." in text_of(response)
    response = client.post(url, data={"kind": "partner", "name": "Maria Pop"})
    assert "Introduceți numele specialistului și organizația sa." in text_of(response)
    db.session.refresh(training)
    assert len(training.participants) == 1 and training.persons_trained == 1
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity == "training_participants")
    ).one()
    assert entry.action == "create" and entry.centre_id == centre.id


def test_participants_are_removed_and_the_count_follows(client, login_as, centre, users):
    login_as("coordinator")
    training = _training(centre, date(2026, 2, 3), persons=3)
    participant = add_participant(
        training, actor=users["admin"], kind=ParticipantKind.PARTNER, name="Ion", organisation="X"
    )
    db.session.commit()
    response = client.post(f"/outreach/participants/{participant.id}/remove")
    assert response.status_code == 302
    db.session.refresh(training)
    assert training.participants == [] and training.persons_trained == 0


def test_another_centres_training_answers_404(client, login, centre, other_centre, users):
    training = _training(other_centre, date(2026, 2, 3), persons=3)
    participant = add_participant(
        training, actor=users["admin"], kind=ParticipantKind.PARTNER, name="Ion", organisation="X"
    )
    db.session.commit()
    login(users["coordinator"])
    assert client.get(f"/outreach/trainings/{training.id}/participants").status_code == 404
    assert client.post(f"/outreach/participants/{participant.id}/remove").status_code == 404
    assert db.session.get(type(participant), participant.id) is not None


def test_a_typed_number_gives_way_to_the_people_named(client, login_as, centre, users):
    login_as("coordinator")
    training = _training(centre, date(2026, 2, 3), persons=3)
    add_participant(training, actor=users["admin"], kind=ParticipantKind.STAFF, user=users["admin"])
    db.session.commit()
    response = client.post(
        f"/outreach/trainings/{training.id}/edit",
        data={
            "version": training.version,
            "centre_id": centre.id,
            "topic": training.topic,
            "audience": "staff",
            "held_on": "2026-02-03",
            "hours": "4",
            "persons_trained": "25",
        },
    )
    assert response.status_code == 302
    db.session.refresh(training)
    assert training.persons_trained == 1

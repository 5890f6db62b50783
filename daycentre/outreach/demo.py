"""Demo trainings at the after-school centre: one from before participants were named (only the
number typed on it, counted as persons not named) and two naming who took part, with the same
people at both, so that the persons trained count each of them once."""

from datetime import timedelta
from decimal import Decimal

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.outreach.models import ParticipantKind, Training, TrainingAudience
from daycentre.outreach.services import add_participant
from daycentre.volunteers.models import Volunteer


def _training(centre, topic, days_ago, persons=0, trainer=None):
    training = Training(
        centre_id=centre.id,
        topic=topic,
        audience=TrainingAudience.STAFF,
        held_on=today() - timedelta(days=days_ago),
        hours=Decimal(4),
        persons_trained=persons,
        trainer=trainer,
    )
    db.session.add(training)
    db.session.flush()
    return training


def load_trainings() -> None:
    centre = db.session.scalar(db.select(Centre).filter_by(kind=CentreKind.AFTER_SCHOOL))
    coordinator = db.session.scalar(db.select(User).filter_by(username="coordinator"))
    counsellor = db.session.scalar(db.select(User).filter_by(username="counsellor"))
    volunteer = db.session.scalar(
        db.select(Volunteer).filter_by(centre_id=centre.id).order_by(Volunteer.id)
    )
    _training(centre, "Legislația protecției copilului (înainte de lista participanților)", 200, 9)
    for topic, days_ago in (
        ("Prevenirea separării copilului de familie", 60),
        ("Monitorizarea după reintegrarea în familie", 20),
    ):
        training = _training(centre, topic, days_ago, trainer="DGASPC Covasna")
        for user in (coordinator, counsellor):
            add_participant(training, actor=coordinator, kind=ParticipantKind.STAFF, user=user)
        if volunteer is not None:
            add_participant(
                training, actor=coordinator, kind=ParticipantKind.VOLUNTEER, volunteer=volunteer
            )
        add_participant(
            training,
            actor=coordinator,
            kind=ParticipantKind.PARTNER,
            name="Maria Pop",
            organisation="SPAS Târgu Secuiesc",
        )

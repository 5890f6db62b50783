"""Demo registers of the after-school centre: complaints answered, due soon and overdue, one
anonymous from the box; an accident closed and a suspicion of neglect reported to the
directorate (which raises a task or a case request)."""

from datetime import time, timedelta

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.core.localtime import local_instant, today
from daycentre.extensions import db
from daycentre.registers import services as registers
from daycentre.registers.models import Complainant, ComplaintChannel, IncidentKind


def load_registers() -> None:
    centre = db.session.scalars(
        db.select(Centre).where(Centre.kind == CentreKind.AFTER_SCHOOL).order_by(Centre.id)
    ).first()
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    counsellor = db.session.scalar(db.select(User).where(User.username == "counsellor"))
    day = today()

    answered = registers.record_complaint(
        centre,
        actor=coordinator,
        received_on=day - timedelta(days=45),
        channel=ComplaintChannel.WRITTEN,
        complainant=Complainant.PARENT,
        complainant_name="Kovács Erzsébet",
        complainant_contact="Strada Gábor Áron nr. 4, Târgu Secuiesc",
        subject="Copilul a primit o porție mai mică la masa caldă.",
        handler=coordinator,
    )
    registers.answer_complaint(
        answered,
        actor=coordinator,
        version=answered.version,
        answer="Am verificat gramajele cu furnizorul; porțiile sunt acum cântărite zilnic.",
        answered_on=day - timedelta(days=30),
    )
    registers.record_complaint(
        centre,
        actor=coordinator,
        received_on=day - timedelta(days=40),
        channel=ComplaintChannel.BOX,
        complainant=Complainant.ANONYMOUS,
        complainant_contact="parinte.anonim@example.org",
        subject="Curtea nu este supravegheată după ora 16.",
        handler=coordinator,
    )
    registers.record_complaint(
        centre,
        actor=coordinator,
        received_on=day - timedelta(days=26),
        channel=ComplaintChannel.IN_PERSON,
        complainant=Complainant.CHILD,
        complainant_name="Bartha Ákos",
        subject="Un coleg îi ia gustarea în fiecare zi.",
        handler=counsellor,
    )

    registers.record_incident(
        centre,
        actor=coordinator,
        occurred_at=local_instant(day - timedelta(days=20), time(15, 10)),
        kind=IncidentKind.ACCIDENT,
        description="A căzut de pe bancă în curte și s-a lovit la genunchi.",
        measures="Primul ajutor dat de educator; gheață; supraveghere până la plecare.",
        handler=coordinator,
        staff=[coordinator],
        parents_told_at=local_instant(day - timedelta(days=20), time(15, 30)),
        parents_told_by="Ioana Mureșan",
        follow_up="Banca a fost fixată.",
        closed=True,
    )
    registers.record_incident(
        centre,
        actor=coordinator,
        occurred_at=local_instant(day - timedelta(days=3), time(13, 0)),
        kind=IncidentKind.ABUSE_SUSPECTED,
        description="Copilul vine de mai multe zile flămând și fără haine potrivite vremii.",
        measures="Masă și haine de schimb la centru; discuție cu copilul în prezența "
        "consilierului.",
        handler=counsellor,
        children=registers.children_of_centre(centre.id)[:1],
        staff=[coordinator, counsellor],
        directorate_told_at=local_instant(day - timedelta(days=3), time(16, 0)),
        directorate_told_by="Ioana Mureșan",
    )

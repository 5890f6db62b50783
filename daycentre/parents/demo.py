"""Demo parents: two accounts linked to a mother of a demo family, and one open invitation.

``parent`` is Kovács Erzsébet (Hungarian), mother of Anna and Bence at the after-school centre;
``parinte`` is Nagy Zsuzsanna (Romanian). Nagy Attila, the father, has a printed invitation not yet
used, whose code the README gives (the demo's one published code; never in production).
"""

from datetime import timedelta

from sqlalchemy import select

from daycentre.auth.models import User
from daycentre.core.database import utcnow
from daycentre.extensions import db
from daycentre.parents.invitations import code_hash, valid_for
from daycentre.parents.models import InvitationKind, ParentAccount, ParentInvitation
from daycentre.people.models import Family, Person

DEMO_INVITATION_CODE = "DEMPARENTS"  # printed as DEMPA-RENTS
# username: (family name, given name of the adult)
DEMO_PARENTS = {"parent": ("Kovács", "Erzsébet"), "parinte": ("Nagy", "Zsuzsanna")}


def _adult(family_name: str, given_name: str) -> Person:
    return db.session.scalar(
        select(Person)
        .join(Family, Family.id == Person.family_id)
        .where(Family.name == family_name, Person.given_name == given_name)
        .order_by(Person.id)
        .limit(1)
    )


def load_parents() -> None:
    for username, (family_name, given_name) in DEMO_PARENTS.items():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.add(ParentAccount(user_id=user.id, person_id=_adult(family_name, given_name).id))
    father = _adult("Nagy", "Attila")
    coordinator = db.session.scalar(select(User).where(User.username == "coordinator"))
    created = utcnow() - timedelta(days=1)
    db.session.add(
        ParentInvitation(
            person_id=father.id,
            centre_id=father.family.centre_id,
            kind=InvitationKind.LETTER,
            secret_hash=code_hash(DEMO_INVITATION_CODE),
            language="ro",
            created_by_id=coordinator.id,
            created_at=created,
            expires_at=created + valid_for(),
        )
    )
    db.session.flush()

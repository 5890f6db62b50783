"""Whose children a parent sees: their own family's, read from the parent's account.

Every parent page starts here rather than from the staff's scope table (``auth.scope``): a parent
has no centres, so the staff's rules already show them nothing, and this module is the one place
that opens a family to its parent. Another family's child answers 404.
"""

from flask import abort
from sqlalchemy import select

from daycentre.extensions import db
from daycentre.parents.models import ParentAccount
from daycentre.people.models import LEGAL_REPRESENTATIVES, Family, Person, PersonKind


def account_of(user) -> ParentAccount | None:
    return db.session.scalar(select(ParentAccount).where(ParentAccount.user_id == user.id))


def _family_id(user):
    """The family whose children the account's adult represents: none once the staff record
    them as no longer a legal representative (a court's decision), whatever the account."""
    return (
        select(Person.family_id)
        .join(ParentAccount, ParentAccount.person_id == Person.id)
        .where(
            ParentAccount.user_id == user.id,
            Person.kind == PersonKind.ADULT,
            Person.relation.in_(LEGAL_REPRESENTATIVES),
        )
        .scalar_subquery()
    )


def family_of(user) -> Family | None:
    return db.session.scalar(select(Family).where(Family.id == _family_id(user)))


def children_query(user):
    """The parent's own children, as a query other reads filter further."""
    return (
        select(Person)
        .where(Person.family_id == _family_id(user), Person.kind == PersonKind.CHILD)
        .order_by(Person.birth_date, Person.given_name, Person.id)
    )


def children_of(user) -> list[Person]:
    return list(db.session.scalars(children_query(user)))


def child_or_404(user, child_id: int) -> Person:
    child = db.session.scalar(children_query(user).where(Person.id == child_id))
    if child is None:
        abort(404)
    return child


# --- What a parent does in the app: the records of their own family, or 404 ------------------


def own_person(user) -> Person | None:
    """The adult the parent's account acts as."""
    account = account_of(user)
    return account.person if account is not None else None


def family_people(user) -> list[Person]:
    """The parent themselves, then their children: whose records they see. Another adult of
    the family (the other parent, a grandmother) keeps their own sessions and papers."""
    own = own_person(user)
    return ([own] if own is not None else []) + children_of(user)


def of_family_or_404(user, model, record_id: int, *, person_ids=None):
    """A record of ``model`` about one of the family's people (``person_id``), else 404."""
    ids = person_ids if person_ids is not None else [p.id for p in family_people(user)]
    record = db.session.get(model, record_id)
    if record is None or record.person_id not in ids:
        abort(404)
    return record

"""Counted places (a workshop's, a volunteer activity's): a ``taken_places`` counter beside the
capacity, changed only by conditional UPDATEs so that two people racing for the last place
never both get it."""

from sqlalchemy import update

from daycentre.extensions import db


def take_place(capacity, record_id: int) -> bool:
    """Take a place of the record whose ``capacity`` column is given, only while one is free."""
    model = capacity.class_
    taken = db.session.execute(
        update(model)
        .where(model.id == record_id, model.taken_places < capacity)
        .values(taken_places=model.taken_places + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def free_place(model, record_id: int) -> None:
    db.session.execute(
        update(model)
        .where(model.id == record_id, model.taken_places > 0)
        .values(taken_places=model.taken_places - 1)
        .execution_options(synchronize_session=False)
    )

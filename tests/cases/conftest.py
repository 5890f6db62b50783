import pytest

from daycentre.extensions import db
from tests.factories import make_user


@pytest.fixture
def staff(app, centre):
    people = {
        "admin": make_user("admin"),
        "coordinator": make_user("coordinator", centres=[centre]),
        "manager": make_user("counsellor", centres=[centre], given_name="Tünde"),
        "colleague": make_user("counsellor", centres=[centre], given_name="Réka"),
        "volunteer": make_user("volunteer", centres=[centre]),
    }
    db.session.flush()
    return people

"""The flask commands: demo data, the first administrator, the translation check.

The commands speak English (the operator's console), whatever the default language.
"""

from daycentre.auth.models import User
from daycentre.centres.models import Centre, CentreKind
from daycentre.demo import DEMO_PASSWORD
from daycentre.extensions import db
from tests.factories import make_centre


def test_demo_loads_once_into_an_empty_database(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    # The counselling demo adds a second counsellor, a psychologist.
    assert set(users) == {
        "admin",
        "coordinator",
        "counsellor",
        "psiholog",
        "volunteer",
        "parent",
        "parinte",
    }
    assert users["parent"].role.value == "parent"
    assert all(
        u.check_password(DEMO_PASSWORD) and not u.must_change_password for u in users.values()
    )
    kinds = {c.kind for c in db.session.scalars(db.select(Centre))}
    assert kinds == {CentreKind.AFTER_SCHOOL, CentreKind.PARENT_COUNSELLING}
    assert all(
        c.city == "Târgu Secuiesc" and c.groups and c.rooms
        for c in db.session.scalars(db.select(Centre))
    )

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "Demo data already loaded." in again.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 7


def test_demo_is_refused_when_real_data_exist(runner):
    make_centre(name="Centrul real")
    db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "the demo was not loaded" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0


def test_create_admin_prints_a_random_password_once(runner):
    result = runner.invoke(args=["users", "create-admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    admin = db.session.scalars(db.select(User)).one()
    assert admin.username == "admin"
    assert admin.is_admin and admin.must_change_password
    assert admin.check_password(password)
    assert len(password) >= 16

    assert "Administrator admin created." in result.output
    second = runner.invoke(args=["users", "create-admin", "--username", "other"])
    assert second.exit_code == 1
    assert "Users already exist" in second.output  # success and refusal in one language
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_i18n_check_passes_on_the_committed_catalogs(runner):
    result = runner.invoke(args=["i18n", "check"])
    assert result.exit_code == 0, result.output


def test_demo_is_never_loaded_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "never loaded in production" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_every_command_speaks_english_whatever_the_default_language(app, runner):
    app.config["BABEL_DEFAULT_LOCALE"] = "hu"
    result = runner.invoke(args=["users", "create-admin"])
    assert "Administrator admin created." in result.output, result.output
    refused = runner.invoke(args=["users", "create-admin", "--username", "other"])
    assert "Users already exist" in refused.output, refused.output

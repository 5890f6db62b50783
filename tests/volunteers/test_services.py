"""The rules: age, contract register, sign-ups and places, hours, certificates and counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from daycentre.audit.models import AuditEntry
from daycentre.auth.roles import Role
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.core.localtime import today
from daycentre.extensions import db
from daycentre.reports.measures import Scope, figures
from daycentre.volunteers import services as volunteering
from daycentre.volunteers.models import (
    Activity,
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    SignupStatus,
    Skill,
    Volunteer,
    VolunteerContract,
)
from tests.concurrency import race, refused
from tests.factories import make_activity, make_contract, make_user, make_volunteer, years_ago

CONTRACT_FIELDS = {
    "activities": "Sprijin la teme",
    "schedule": "Marți, 14:00–17:00",
    "rights_and_obligations": "Conform legii",
    "requirements": "Certificat de integritate",
    "termination_conditions": "Preaviz de 15 zile",
}


@pytest.fixture
def coordinator(centre):
    return make_user("coordinator", centres=[centre])


@pytest.fixture
def ready(centre):
    """A volunteer with a contract in force and a valid integrity certificate."""
    volunteer = make_volunteer(centre)
    make_contract(volunteer)
    return volunteer


def _years_ago(years: int, days: int = 0) -> date:
    return years_ago(years) - timedelta(days=days)


def _register(centre, actor, **fields):
    return volunteering.register_volunteer(
        actor=actor,
        centre=centre,
        today=today(),
        given_name=fields.pop("given_name", "Anna"),
        family_name=fields.pop("family_name", "Kovács"),
        **fields,
    )


def test_a_volunteer_gets_an_account_of_their_centre(centre, coordinator):
    volunteer = _register(
        centre,
        coordinator,
        birth_date=_years_ago(20),
        username="anna.kovacs",
        password="temporary-pass-1",
        skills=["homework", "music"],
    )
    assert volunteer.user.role is Role.VOLUNTEER
    assert volunteer.user.centre_ids == {centre.id}
    assert volunteer.skills == {Skill.HOMEWORK, Skill.MUSIC}
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity == "volunteers")).one()
    assert entry.action == "create"
    assert entry.actor_id == coordinator.id


@pytest.mark.parametrize(
    ("age_years", "age_days", "consent", "allowed"),
    [
        (16, 0, None, True),
        (15, 364, None, False),
        (15, 0, date(2026, 1, 1), True),
        (14, 364, date(2026, 1, 1), False),
    ],
)
def test_minimum_age_is_16_or_15_with_consent(
    centre, coordinator, age_years, age_days, consent, allowed
):
    birth = _years_ago(age_years, age_days)
    if allowed:
        _register(centre, coordinator, birth_date=birth, parental_consent_on=consent)
        return
    with pytest.raises(Refused) as refusal:
        _register(centre, coordinator, birth_date=birth, parental_consent_on=consent)
    assert "15" in str(refusal.value) or "14" in str(refusal.value)
    assert db.session.scalar(db.select(db.func.count(Volunteer.id))) == 0


def test_contract_numbers_are_per_centre_and_never_reused(centre, other_centre, coordinator):
    here = make_volunteer(centre)
    there = make_volunteer(other_centre)
    start = today()

    def contract(volunteer, offset):
        return volunteering.create_contract(
            volunteer,
            actor=coordinator,
            starts_on=start + timedelta(days=offset),
            ends_on=start + timedelta(days=offset + 10),
            **CONTRACT_FIELDS,
        )

    first = contract(here, 0)
    draft = contract(here, 20)
    assert (first.number, draft.number) == (1, 2)
    assert contract(there, 0).number == 1  # the other centre has its own register
    volunteering.delete_draft(draft, actor=coordinator)
    volunteering.sign_contract(first, actor=coordinator, signed_on=start)
    volunteering.terminate_contract(first, actor=coordinator, on=start, reason="Plecat din oraș")
    assert contract(here, 40).number == 3
    numbers = db.session.scalars(
        db.select(VolunteerContract.number).where(VolunteerContract.centre_id == centre.id)
    ).all()
    assert sorted(numbers) == [1, 3]
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.entity == "volunteer_contracts")
    ).all()
    assert sorted(actions) == ["create", "create", "create", "create", "delete", "update", "update"]


def test_contract_life_and_its_refusals(centre, coordinator):
    volunteer = make_volunteer(centre)
    start = today() + timedelta(days=5)
    contract = volunteering.create_contract(
        volunteer,
        actor=coordinator,
        starts_on=start,
        ends_on=start + timedelta(days=90),
        **CONTRACT_FIELDS,
    )
    assert contract.status is ContractStatus.DRAFT
    with pytest.raises(Refused):  # overlapping period
        volunteering.create_contract(
            volunteer, actor=coordinator, starts_on=start, ends_on=start, **CONTRACT_FIELDS
        )
    with pytest.raises(Refused):  # signed after the start
        volunteering.sign_contract(contract, actor=coordinator, signed_on=start + timedelta(days=1))
    with pytest.raises(Refused):  # not yet signed
        volunteering.activate_contract(contract, actor=coordinator)
    volunteering.sign_contract(contract, actor=coordinator, signed_on=today())
    with pytest.raises(Refused):
        volunteering.update_contract(
            contract,
            actor=coordinator,
            version=contract.version,
            starts_on=start,
            ends_on=start,
            **CONTRACT_FIELDS,
        )
    volunteering.activate_contract(contract, actor=coordinator)
    with pytest.raises(Refused):
        volunteering.terminate_contract(contract, actor=coordinator, on=today(), reason=" ")
    volunteering.end_contract(contract, actor=coordinator, on=today())
    assert (contract.status, contract.closed_on) == (ContractStatus.ENDED, today())


def test_contracts_ending_within_30_days_are_flagged(centre, other_centre, coordinator):
    soon = make_contract(make_volunteer(centre), ends_on=today() + timedelta(days=20))
    make_contract(make_volunteer(centre), ends_on=today() + timedelta(days=40))
    make_contract(make_volunteer(other_centre), ends_on=today() + timedelta(days=10))
    assert volunteering.contracts_ending_soon(coordinator, today()) == [soon]


def test_sign_up_takes_a_place_then_the_waiting_list(centre, ready):
    other = make_volunteer(centre, given_name="Ilona")
    make_contract(other)
    activity = make_activity(centre, places=1)
    first = volunteering.sign_up(activity, ready, actor=None, now=utcnow())
    second = volunteering.sign_up(activity, other, actor=None, now=utcnow())
    assert (first.status, second.status) == (SignupStatus.SIGNED_UP, SignupStatus.WAITING)
    assert activity.taken_places == 1
    with pytest.raises(Refused):
        volunteering.sign_up(activity, ready, actor=None, now=utcnow())

    volunteering.cancel_signup(first, actor=None, now=utcnow())
    assert (first.status, second.status) == (SignupStatus.CANCELLED, SignupStatus.SIGNED_UP)
    assert activity.taken_places == 1


def test_no_sign_up_without_contract_or_valid_certificate(centre, app):
    activity = make_activity(centre)
    no_contract = make_volunteer(centre)
    assert "contract" in str(volunteering.signup_refusal(no_contract, activity, utcnow()))
    expired = make_volunteer(centre, integrity_certificate_on=today() - timedelta(days=200))
    make_contract(expired)
    reason = volunteering.signup_refusal(expired, activity, utcnow())
    assert "integritate" in str(reason)
    with pytest.raises(Refused):
        volunteering.sign_up(activity, expired, actor=None, now=utcnow())
    app.config["VOLUNTEER_INTEGRITY_VALID_MONTHS"] = 12  # the validity is configurable
    assert volunteering.signup_refusal(expired, activity, utcnow()) is None
    assert db.session.scalar(db.select(db.func.count(ActivitySignup.id))) == 0


def test_a_draft_or_ended_contract_does_not_allow_sign_up(centre):
    activity = make_activity(centre)
    draft = make_volunteer(centre)
    make_contract(draft, status=ContractStatus.DRAFT, signed_on=None)
    ended = make_volunteer(centre)
    make_contract(ended, ends_on=today() + timedelta(days=1))  # ends before the activity
    for volunteer in (draft, ended):
        assert "contract" in str(volunteering.signup_refusal(volunteer, activity, utcnow()))


def test_no_overlapping_sign_ups(centre, ready):
    first = make_activity(centre, starts_in=timedelta(days=3), hours=3)
    overlapping = make_activity(centre, starts_at=first.starts_at + timedelta(hours=2))
    after = make_activity(centre, starts_at=first.ends_at)
    volunteering.sign_up(first, ready, actor=None, now=utcnow())
    with pytest.raises(Refused, match=first.title):
        volunteering.sign_up(overlapping, ready, actor=None, now=utcnow())
    assert (
        volunteering.sign_up(after, ready, actor=None, now=utcnow()).status
        is SignupStatus.SIGNED_UP
    )


def test_required_skills_must_fit(centre, ready):
    activity = make_activity(centre, skills=["driving"])
    assert "Permis de conducere" in str(volunteering.signup_refusal(ready, activity, utcnow()))
    ready.skills = ["driving", "homework"]
    assert volunteering.signup_refusal(ready, activity, utcnow()) is None


def test_cancelling_is_refused_after_the_notice(centre, ready, app):
    activity = make_activity(centre, starts_in=timedelta(hours=30))
    signup = volunteering.sign_up(activity, ready, actor=None, now=utcnow())
    with pytest.raises(Refused, match="24"):
        volunteering.cancel_signup(signup, actor=None, now=utcnow() + timedelta(hours=7))
    app.config["VOLUNTEER_CANCEL_NOTICE_HOURS"] = 2
    volunteering.cancel_signup(signup, actor=None, now=utcnow() + timedelta(hours=7))
    assert signup.status is SignupStatus.CANCELLED
    assert activity.taken_places == 0


def test_the_last_place_goes_to_one_of_two_racing_sessions(app, centre):
    """Two sessions sign up at the same moment for the last place: one gets it, one waits."""
    racers = []
    for name in ("Ana", "Béla"):
        volunteer = make_volunteer(centre, given_name=name)
        make_contract(volunteer)
        racers.append(volunteer.id)
    activity_id = make_activity(centre, places=1).id
    db.session.commit()

    def sign_up(volunteer_id):
        volunteer = db.session.get(Volunteer, volunteer_id)
        activity = db.session.get(Activity, activity_id)
        volunteer.contracts  # noqa: B018 - loaded before the race, as a request would
        return lambda: volunteering.sign_up(activity, volunteer, actor=None, now=utcnow())

    assert refused(race(app, sign_up, racers)) == 0
    statuses = sorted(s.value for s in db.session.scalars(db.select(ActivitySignup.status)).all())
    assert statuses == ["signed_up", "waiting"]
    assert db.session.get(Activity, activity_id).taken_places == 1


def test_hours_count_once_confirmed_or_approved(centre, ready, coordinator):
    activity = make_activity(centre, starts_in=timedelta(days=1), hours=3)
    signup = volunteering.sign_up(activity, ready, actor=None, now=utcnow())
    with pytest.raises(Refused):  # not before it happened
        volunteering.confirm_attendance(signup, actor=coordinator, attended=True, now=utcnow())
    later = utcnow() + timedelta(days=2)
    volunteering.confirm_attendance(signup, actor=coordinator, attended=True, now=later)
    assert signup.hours == Decimal("3.00")

    yesterday = today() - timedelta(days=1)
    approved = volunteering.report_hours(
        ready,
        actor=None,
        day=yesterday,
        hours="2.5",
        description="Pregătire serbare",
        today=today(),
    )
    rejected = volunteering.report_hours(
        ready, actor=None, day=yesterday, hours="4", description="Altceva", today=today()
    )
    with pytest.raises(Refused):
        volunteering.report_hours(
            ready,
            actor=None,
            day=today() + timedelta(days=1),
            hours="1",
            description="x",
            today=today(),
        )
    volunteering.decide_hours(approved, actor=coordinator, approve=True, now=utcnow())
    volunteering.decide_hours(rejected, actor=coordinator, approve=False, now=utcnow())
    assert rejected.status is HoursStatus.REJECTED
    with pytest.raises(Refused):
        volunteering.decide_hours(rejected, actor=coordinator, approve=True, now=utcnow())

    end = today() + timedelta(days=5)
    rows, total = volunteering.hours_done(ready, today() - timedelta(days=10), end)
    assert total == Decimal("5.5")
    assert [row[1] for row in rows] == ["Pregătire serbare", activity.title]


def test_certificate_states_the_total_and_gets_its_own_number(centre, ready, coordinator):
    contract = ready.contracts[0]
    volunteering.report_hours(
        ready,
        actor=None,
        day=today() - timedelta(days=2),
        hours="3",
        description="Teme",
        today=today(),
    )
    start = contract.starts_on
    with pytest.raises(Refused):  # nothing approved yet
        volunteering.issue_certificate(
            ready,
            actor=coordinator,
            contract=contract,
            period_start=start,
            period_end=today(),
            today=today(),
        )
    entry = volunteering.reported_hours(ready)[0]
    volunteering.decide_hours(entry, actor=coordinator, approve=True, now=utcnow())
    first = volunteering.issue_certificate(
        ready,
        actor=coordinator,
        contract=contract,
        period_start=start,
        period_end=today(),
        today=today(),
    )
    second = volunteering.issue_certificate(
        ready,
        actor=coordinator,
        contract=contract,
        period_start=start,
        period_end=today(),
        today=today(),
    )
    assert (first.number, second.number, first.total_hours) == (1, 2, Decimal("3"))
    assert contract.number == 1  # the contracts' register is separate
    late = volunteering.report_hours(
        ready,
        actor=None,
        day=today() - timedelta(days=3),
        hours="4",
        description="Serbare",
        today=today(),
    )
    volunteering.decide_hours(late, actor=coordinator, approve=True, now=utcnow())
    assert first.rows == [(today() - timedelta(days=2), "Teme", Decimal("3.00"))]  # as issued


def test_counts_for_a_period(centre, other_centre, ready, coordinator):
    make_contract(make_volunteer(other_centre))
    make_contract(make_volunteer(centre), status=ContractStatus.DRAFT, signed_on=None)
    volunteering.report_hours(
        ready,
        actor=None,
        day=today() - timedelta(days=1),
        hours="2",
        description="Teme",
        today=today(),
    )
    volunteering.decide_hours(
        volunteering.reported_hours(ready)[0], actor=coordinator, approve=True, now=utcnow()
    )
    scope = Scope(frozenset(coordinator.centre_ids), today() - timedelta(days=40), today())
    assert {key: figure.value for key, figure in figures("volunteers", scope).items()} == {
        "contracts_in_force": 1,
        "volunteer_contracts": 1,
        "active_volunteers": 1,
        "volunteer_hours": Decimal("2"),
    }


def test_the_demo_shows_the_volunteer_journey_and_the_refusals(app):
    from daycentre.auth.models import User
    from daycentre.demo import load_demo

    assert load_demo()
    db.session.commit()
    names = db.session.scalars(db.select(Volunteer.family_name)).all()
    assert sorted(names) == ["Benedek", "Ionescu", "Molnár", "Pop"]  # Bence (14) was refused
    stefan_user = db.session.scalar(db.select(User).where(User.username == "volunteer"))
    stefan = volunteering.volunteer_of(stefan_user)
    assert (stefan.given_name, stefan.family_name) == ("Ștefan", "Ionescu")
    assert volunteering.general_refusal(stefan, today()) is None
    assert len(volunteering.upcoming_signups(stefan, utcnow())) == 2
    assert volunteering.certificates_of(stefan)
    zoltan = db.session.scalar(db.select(Volunteer).where(Volunteer.family_name == "Molnár"))
    assert not volunteering.integrity_valid_on(zoltan, today())
    coordinator = db.session.scalar(db.select(User).where(User.username == "coordinator"))
    ending = volunteering.contracts_ending_soon(coordinator, today())
    assert [c.volunteer.family_name for c in ending] == ["Benedek"]


def test_terminating_a_contract_frees_the_places_held_after_that_day(centre, ready, coordinator):
    other = make_volunteer(centre, given_name="Ilona")
    make_contract(other)
    activity = make_activity(centre, places=1, starts_in=timedelta(days=5))
    volunteering.sign_up(activity, ready, actor=None, now=utcnow())
    waiting = volunteering.sign_up(activity, other, actor=None, now=utcnow())
    volunteering.terminate_contract(
        ready.contracts[0], actor=coordinator, on=today(), reason="Se mută în alt oraș"
    )
    assert waiting.status is SignupStatus.SIGNED_UP
    assert activity.taken_places == 1


def test_two_sessions_drafting_contracts_at_once_get_different_numbers(app, centre):
    coordinator_id = make_user("coordinator", centres=[centre]).id
    volunteer_ids = [make_volunteer(centre, given_name=name).id for name in ("Ana", "Béla")]
    db.session.commit()

    def draft(volunteer_id):
        from daycentre.auth.models import User

        volunteer = db.session.get(Volunteer, volunteer_id)
        actor = db.session.get(User, coordinator_id)
        return lambda: volunteering.create_contract(
            volunteer,
            actor=actor,
            starts_on=today(),
            ends_on=today() + timedelta(days=30),
            **CONTRACT_FIELDS,
        )

    assert refused(race(app, draft, volunteer_ids)) == 0
    numbers = db.session.scalars(db.select(VolunteerContract.number)).all()
    assert sorted(numbers) == [1, 2]


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ro", 1, "1 loc liber"),
        ("ro", 2, "2 locuri libere"),
        ("ro", 20, "20 de locuri libere"),
        ("hu", 1, "1 szabad hely"),
        ("hu", 20, "20 szabad hely"),
        ("en", 20, "20 free places"),
    ],
)
def test_free_places_plural_forms(app, language, count, expected):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(language):
        assert ngettext("%(num)d free place", "%(num)d free places", count) == expected

"""The rules for volunteers: age, contracts and their register, sign-ups, hours and certificates."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.roles import Role
from daycentre.auth.services import create_user
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import add_months, day_bounds, local_date
from daycentre.core.places import free_place, take_place
from daycentre.extensions import db
from daycentre.notifications import services as notify
from daycentre.notifications.models import Event
from daycentre.volunteers.models import (
    HOLDING_STATUSES,
    OPEN_CONTRACT_STATUSES,
    Activity,
    ActivitySignup,
    ContractStatus,
    HoursStatus,
    RegisterCounter,
    SignupStatus,
    Volunteer,
    VolunteerCertificate,
    VolunteerContract,
    VolunteerHours,
)

MINIMUM_AGE = 16
MINIMUM_AGE_WITH_CONSENT = 15
CONTRACTS_REGISTER = "volunteer_contracts"
CERTIFICATES_REGISTER = "volunteer_certificates"


# --- Small facts ---


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def integrity_valid_until(volunteer: Volunteer) -> date | None:
    if volunteer.integrity_certificate_on is None:
        return None
    months = current_app.config["VOLUNTEER_INTEGRITY_VALID_MONTHS"]
    return add_months(volunteer.integrity_certificate_on, months)


def integrity_valid_on(volunteer: Volunteer, day: date) -> bool:
    until = integrity_valid_until(volunteer)
    return until is not None and volunteer.integrity_certificate_on <= day <= until


def ensure_old_enough(birth_date: date, parental_consent_on: date | None, day: date) -> None:
    """At least 16, or 15 with the parents' consent on file (Legea 78/2014)."""
    age = age_on(birth_date, day)
    if age >= MINIMUM_AGE:
        return
    if age >= MINIMUM_AGE_WITH_CONSENT and parental_consent_on is not None:
        return
    if age >= MINIMUM_AGE_WITH_CONSENT:
        raise Refused(
            _l(
                "A volunteer aged 15 needs the parents' written consent on file; "
                "enter the date of the consent."
            )
        )
    raise Refused(
        lazy_ngettext(
            "A volunteer must be at least 16 years old, or 15 with the parents' consent; "
            "this person is %(num)d year old.",
            "A volunteer must be at least 16 years old, or 15 with the parents' consent; "
            "this person is %(num)d years old.",
            age,
        )
    )


def next_number(centre_id: int, register: str) -> int:
    """The next number of a centre's register, never given twice, even when records go away.

    The conditional UPDATE locks the counter row until the transaction ends (PostgreSQL) or
    takes the database's write lock (SQLite), so two sessions never read the same number.
    """
    bump = (
        update(RegisterCounter)
        .where(RegisterCounter.centre_id == centre_id, RegisterCounter.register == register)
        .values(last_number=RegisterCounter.last_number + 1)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(bump).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(
                    RegisterCounter(centre_id=centre_id, register=register, last_number=1)
                )
            return 1
        except IntegrityError:  # another session created the counter meanwhile
            db.session.execute(bump)
    return db.session.scalar(
        db.select(RegisterCounter.last_number).where(
            RegisterCounter.centre_id == centre_id, RegisterCounter.register == register
        )
    )


def _apply(record, fields: dict) -> dict:
    """Set the fields (text stripped, empty text as None); the changes for the audit trail."""
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip() or None
        setattr(record, name, value)
    return audit.pending_changes(record)


# --- Volunteers ---


def visible_volunteers(user, *, include_inactive: bool = False) -> list[Volunteer]:
    query = scope.select_visible(Volunteer, user).order_by(
        Volunteer.family_name, Volunteer.given_name
    )
    if not include_inactive:
        query = query.where(Volunteer.active.is_(True))
    return list(db.session.scalars(query))


def volunteer_of(user) -> Volunteer | None:
    return db.session.scalar(db.select(Volunteer).where(Volunteer.user_id == user.id))


def register_volunteer(
    *, actor, centre, username=None, password=None, skills=(), today: date, **fields
) -> Volunteer:
    """Register a volunteer of ``centre``; with a username, also give them an account."""
    ensure_old_enough(fields["birth_date"], fields.get("parental_consent_on"), today)
    volunteer = Volunteer(centre_id=centre.id, centre=centre)
    volunteer.skills = skills
    _apply(volunteer, fields)
    if username:
        volunteer.user = create_user(
            actor=actor,
            username=username,
            given_name=volunteer.given_name,
            family_name=volunteer.family_name,
            email=volunteer.email,
            role=Role.VOLUNTEER,
            centre_ids=[centre.id],
            password=password,
        )
    db.session.add(volunteer)
    db.session.flush()
    audit.record(
        audit.CREATE, volunteer, actor=actor, centre_id=centre.id, changes=audit.snapshot(volunteer)
    )
    return volunteer


def update_volunteer(
    volunteer: Volunteer, *, actor, centre, version, skills, today: date, **fields
) -> Volunteer:
    ensure_current(volunteer, version)
    ensure_old_enough(fields["birth_date"], fields.get("parental_consent_on"), today)
    volunteer.skills = skills
    changes = _apply(volunteer, fields | {"centre_id": centre.id})
    if changes:
        audit.record(
            audit.UPDATE, volunteer, actor=actor, centre_id=volunteer.centre_id, changes=changes
        )
    if volunteer.user is not None:
        _follow_on_account(volunteer, centre, actor=actor, moved="centre_id" in changes)
    return volunteer


def _follow_on_account(volunteer: Volunteer, centre, *, actor, moved: bool) -> None:
    """The volunteer's account keeps their name, centre and whether they may sign in."""
    account = volunteer.user
    account.given_name = volunteer.given_name
    account.family_name = volunteer.family_name
    account.active = volunteer.active
    changes = audit.pending_changes(account)
    if moved:
        changes["centres"] = [sorted(account.centre_ids), [centre.id]]
        account.centres = [centre]
    if "active" in changes and not account.active:
        account.end_all_sessions()
    if changes:
        audit.record(audit.UPDATE, account, actor=actor, changes=changes)


# --- Contracts ---


def _ensure_no_overlapping_contract(volunteer_id, centre_id, starts_on, ends_on, exclude=None):
    clash = db.session.scalar(
        db.select(VolunteerContract.id).where(
            VolunteerContract.volunteer_id == volunteer_id,
            VolunteerContract.centre_id == centre_id,
            VolunteerContract.id != (exclude or 0),
            VolunteerContract.status.in_(OPEN_CONTRACT_STATUSES),
            VolunteerContract.starts_on <= ends_on,
            VolunteerContract.ends_on >= starts_on,
        )
    )
    if clash:
        raise Refused(_l("This volunteer already has a contract for part of this period."))


def keep_number(centre_id: int, register: str, number: int) -> int:
    """A number a register already gave on paper, kept when the register moves in: never given
    twice, and the numbers given next follow it."""
    next_number(centre_id, register)  # the counter row exists and is locked from here on
    db.session.execute(
        update(RegisterCounter)
        .where(
            RegisterCounter.centre_id == centre_id,
            RegisterCounter.register == register,
            RegisterCounter.last_number < number,
        )
        .values(last_number=number)
        .execution_options(synchronize_session=False)
    )
    return number


def create_contract(
    volunteer: Volunteer, *, actor, number: int | None = None, **fields
) -> VolunteerContract:
    """A draft contract, numbered in the centre's register (``number``: one given on paper
    before the register moved in)."""
    if not volunteer.active:
        raise Refused(_l("This volunteer is no longer active."))
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused(_l("The end must be later than the start."))
    ensure_old_enough(volunteer.birth_date, volunteer.parental_consent_on, fields["starts_on"])
    _ensure_no_overlapping_contract(
        volunteer.id, volunteer.centre_id, fields["starts_on"], fields["ends_on"]
    )
    if number is None:
        number = next_number(volunteer.centre_id, CONTRACTS_REGISTER)
    else:
        clash = db.session.scalar(
            db.select(VolunteerContract.id).where(
                VolunteerContract.centre_id == volunteer.centre_id,
                VolunteerContract.number == number,
            )
        )
        if clash:
            raise Refused(_l("The centre already has a contract with this number."))
        keep_number(volunteer.centre_id, CONTRACTS_REGISTER, number)
    contract = VolunteerContract(
        volunteer=volunteer, centre_id=volunteer.centre_id, coordinator_id=actor.id, number=number
    )
    db.session.add(contract)
    _apply(contract, fields)
    db.session.flush()
    audit.record(
        audit.CREATE,
        contract,
        actor=actor,
        centre_id=contract.centre_id,
        changes=audit.snapshot(contract),
    )
    return contract


def update_contract(contract: VolunteerContract, *, actor, version, **fields) -> VolunteerContract:
    ensure_current(contract, version)
    if contract.status is not ContractStatus.DRAFT:
        raise Refused(_l("Only a draft contract can be changed."))
    if fields["starts_on"] > fields["ends_on"]:
        raise Refused(_l("The end must be later than the start."))
    _ensure_no_overlapping_contract(
        contract.volunteer_id,
        contract.centre_id,
        fields["starts_on"],
        fields["ends_on"],
        contract.id,
    )
    changes = _apply(contract, fields)
    if changes:
        audit.record(
            audit.UPDATE, contract, actor=actor, centre_id=contract.centre_id, changes=changes
        )
    return contract


def _move(contract: VolunteerContract, *, actor, allowed_from, to, **fields) -> None:
    if contract.status not in allowed_from:
        raise Refused(
            _l(
                "A contract that is %(status)s cannot become %(new)s.",
                status=contract.status.label,
                new=to.label,
            )
        )
    contract.status = to
    changes = _apply(contract, fields)
    audit.record(audit.UPDATE, contract, actor=actor, centre_id=contract.centre_id, changes=changes)


def sign_contract(contract: VolunteerContract, *, actor, signed_on: date) -> None:
    if signed_on > contract.starts_on:
        raise Refused(_l("The contract must be signed before the activity starts."))
    _move(
        contract,
        actor=actor,
        allowed_from={ContractStatus.DRAFT},
        to=ContractStatus.SIGNED,
        signed_on=signed_on,
    )


def activate_contract(contract: VolunteerContract, *, actor) -> None:
    _move(contract, actor=actor, allowed_from={ContractStatus.SIGNED}, to=ContractStatus.ACTIVE)


def end_contract(contract: VolunteerContract, *, actor, on: date) -> None:
    _move(
        contract,
        actor=actor,
        allowed_from={ContractStatus.ACTIVE},
        to=ContractStatus.ENDED,
        closed_on=on,
    )
    _release_signups_after(contract, on, actor=actor)


def terminate_contract(contract: VolunteerContract, *, actor, on: date, reason: str) -> None:
    if not reason.strip():
        raise Refused(_l("Give the reason for the termination."))
    _move(
        contract,
        actor=actor,
        allowed_from={ContractStatus.SIGNED, ContractStatus.ACTIVE},
        to=ContractStatus.TERMINATED,
        closed_on=on,
        termination_reason=reason,
    )
    _release_signups_after(contract, on, actor=actor)


def delete_draft(contract: VolunteerContract, *, actor) -> None:
    """A draft may go; its number stays used (the register's counter never goes back)."""
    if contract.status is not ContractStatus.DRAFT:
        raise Refused(_l("Only a draft contract can be deleted."))
    audit.record(
        audit.DELETE,
        contract,
        actor=actor,
        centre_id=contract.centre_id,
        changes=audit.snapshot(contract),
    )
    db.session.delete(contract)
    db.session.flush()


def contracts_ending_soon(user, today: date) -> list[VolunteerContract]:
    days = current_app.config["VOLUNTEER_CONTRACT_ENDING_DAYS"]
    query = (
        scope.select_visible(
            VolunteerContract, user, options=(joinedload(VolunteerContract.volunteer),)
        )
        .where(
            VolunteerContract.status.in_((ContractStatus.SIGNED, ContractStatus.ACTIVE)),
            VolunteerContract.ends_on >= today,
            VolunteerContract.ends_on <= today + timedelta(days=days),
        )
        .order_by(VolunteerContract.ends_on)
    )
    return list(db.session.scalars(query))


def contracts_register(user, centre_id: int | None = None) -> list[VolunteerContract]:
    query = db.select(VolunteerContract).order_by(
        VolunteerContract.centre_id, VolunteerContract.number
    )
    if not user.is_admin:
        query = query.where(VolunteerContract.centre_id.in_(user.centre_ids or {0}))
    if centre_id:
        query = query.where(VolunteerContract.centre_id == centre_id)
    return list(db.session.scalars(query))


def contract_on(volunteer: Volunteer, centre_id: int, day: date) -> VolunteerContract | None:
    return next(
        (c for c in volunteer.contracts if c.centre_id == centre_id and c.covers(day)), None
    )


# --- Activities and sign-ups ---


def visible_activities(user, *, since: datetime | None = None) -> list[Activity]:
    query = scope.select_visible(Activity, user).order_by(Activity.starts_at)
    if since is not None:
        query = query.where(Activity.ends_at >= since)
    return list(db.session.scalars(query))


def save_activity(activity: Activity | None, *, actor, centre, version=None, skills, **fields):
    creating = activity is None
    if fields["starts_at"] >= fields["ends_at"]:
        raise Refused(_l("The end must be later than the start."))
    if creating:
        activity = Activity(centre_id=centre.id, centre=centre)
        db.session.add(activity)
    else:
        ensure_current(activity, version)
        if fields["places"] < activity.taken_places:
            raise Refused(
                lazy_ngettext(
                    "%(num)d volunteer is already signed up; there cannot be fewer places.",
                    "%(num)d volunteers are already signed up; there cannot be fewer places.",
                    activity.taken_places,
                )
            )
    activity.skills = skills
    changes = _apply(activity, fields)
    db.session.flush()
    if creating:
        changes = audit.snapshot(activity)
    if changes:
        action = audit.CREATE if creating else audit.UPDATE
        audit.record(action, activity, actor=actor, centre_id=centre.id, changes=changes)
    return activity


def _holding_signups(volunteer: Volunteer):
    return (
        db.select(ActivitySignup)
        .join(Activity)
        .where(
            ActivitySignup.volunteer_id == volunteer.id,
            ActivitySignup.status.in_(HOLDING_STATUSES),
            Activity.cancelled.is_(False),
        )
    )


def overlapping_signup(volunteer: Volunteer, activity: Activity) -> ActivitySignup | None:
    return db.session.scalar(
        _holding_signups(volunteer).where(
            Activity.id != activity.id,
            Activity.starts_at < activity.ends_at,
            Activity.ends_at > activity.starts_at,
        )
    )


def signup_refusal(volunteer: Volunteer, activity: Activity, now: datetime):
    """Why this volunteer cannot sign up for this activity, or None when they can."""
    day = local_date(activity.starts_at)
    if activity.cancelled:
        return _l("This activity was cancelled.")
    if activity.starts_at <= now:
        return _l("This activity has already started.")
    if not volunteer.active or volunteer.centre_id != activity.centre_id:
        return _l("This activity is not at your centre.")
    if contract_on(volunteer, activity.centre_id, day) is None:
        return _l("You need a volunteer contract in force on the day of the activity.")
    if activity.with_children and not integrity_valid_on(volunteer, day):
        return _l(
            "Working with children needs a valid behavioural-integrity certificate "
            "on the day of the activity; bring a new one to the coordinator."
        )
    missing = activity.skills - volunteer.skills
    if missing:
        return _l(
            "This activity needs: %(skills)s.",
            skills=", ".join(str(skill.label) for skill in sorted(missing)),
        )
    clash = overlapping_signup(volunteer, activity)
    if clash is not None:
        return _l(
            "You are already signed up for %(title)s at the same time.",
            title=clash.activity.title,
        )
    return None


def sign_up(activity: Activity, volunteer: Volunteer, *, actor, now: datetime) -> ActivitySignup:
    """A place if one is free, else a place on the waiting list."""
    refusal = signup_refusal(volunteer, activity, now)
    if refusal is not None:
        raise Refused(refusal)
    signup = db.session.scalar(
        db.select(ActivitySignup).where(
            ActivitySignup.activity_id == activity.id, ActivitySignup.volunteer_id == volunteer.id
        )
    )
    if signup is not None and signup.status in HOLDING_STATUSES:
        raise Refused(_l("You are already signed up for this activity."))
    status = (
        SignupStatus.SIGNED_UP if take_place(Activity.places, activity.id) else SignupStatus.WAITING
    )
    if signup is None:
        signup = ActivitySignup(activity_id=activity.id, volunteer_id=volunteer.id)
        db.session.add(signup)
    signup.status = status
    signup.created_at = now  # the waiting list is first come, first served
    signup.cancelled_at = None
    try:
        db.session.flush()
    except IntegrityError:  # the same volunteer's other request got there first
        raise Refused(_l("You are already signed up for this activity.")) from None
    db.session.refresh(activity)
    audit.record(
        audit.CREATE,
        signup,
        actor=actor,
        centre_id=activity.centre_id,
        changes={"activity_id": activity.id, "status": status.value},
    )
    return signup


def cancel_deadline(activity: Activity) -> datetime:
    hours = current_app.config["VOLUNTEER_CANCEL_NOTICE_HOURS"]
    return activity.starts_at - timedelta(hours=hours)


def _promote_first_waiting(activity: Activity, *, actor) -> ActivitySignup | None:
    waiting = db.session.scalar(
        db.select(ActivitySignup)
        .where(
            ActivitySignup.activity_id == activity.id,
            ActivitySignup.status == SignupStatus.WAITING,
        )
        .order_by(ActivitySignup.created_at, ActivitySignup.id)
        .limit(1)
        .with_for_update()
    )
    if waiting is None or not take_place(Activity.places, activity.id):
        return None
    waiting.status = SignupStatus.SIGNED_UP
    audit.record(
        audit.UPDATE,
        waiting,
        actor=actor,
        centre_id=activity.centre_id,
        changes={"status": [SignupStatus.WAITING.value, SignupStatus.SIGNED_UP.value]},
    )
    return waiting


def _release(signup: ActivitySignup, *, actor, now: datetime) -> None:
    held_a_place = signup.status is SignupStatus.SIGNED_UP
    old = signup.status
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now
    db.session.flush()
    audit.record(
        audit.UPDATE,
        signup,
        actor=actor,
        centre_id=signup.activity.centre_id,
        changes={"status": [old.value, SignupStatus.CANCELLED.value]},
    )
    if held_a_place:
        free_place(Activity, signup.activity_id)
        _promote_first_waiting(signup.activity, actor=actor)
    db.session.flush()
    db.session.refresh(signup.activity)


def cancel_signup(
    signup: ActivitySignup,
    *,
    actor,
    now: datetime,
    on_behalf: bool = False,
    reason: str | None = None,
) -> None:
    """The volunteer cancels online until the start: inside the notice period only with a
    reason, and the centre's coordinators are told at once. The coordinator cancels on the
    volunteer's behalf until the start."""
    if signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.WAITING):
        raise Refused(_l("This sign-up cannot be cancelled any more."))
    if signup.activity.starts_at <= now:
        raise Refused(_l("This activity has already started."))
    late = (
        not on_behalf
        and signup.status is SignupStatus.SIGNED_UP
        and now > cancel_deadline(signup.activity)
    )
    reason = (reason or "").strip()[:500]
    if late and not reason:
        raise Refused(
            lazy_ngettext(
                "Inside the last %(num)d hour before the start, say why you cancel: "
                "the coordinator is told at once.",
                "Inside the last %(num)d hours before the start, say why you cancel: "
                "the coordinator is told at once.",
                current_app.config["VOLUNTEER_CANCEL_NOTICE_HOURS"],
            ),
            "reason",
        )
    if late:
        signup.cancel_reason = reason
    _release(signup, actor=actor, now=now)
    if late:
        _tell_coordinators_of_late_cancel(signup)


def _tell_coordinators_of_late_cancel(signup: ActivitySignup) -> None:
    activity, volunteer = signup.activity, signup.volunteer
    notify.queue(
        Event.SIGNUP_CANCELLED,
        centre_id=activity.centre_id,
        record=signup,
        recipients=lambda: notify.coordinators_of(activity.centre_id),
        template="signup_cancelled",
        context={
            "volunteer_family": volunteer.family_name,
            "volunteer_given": volunteer.given_name,
            "title": activity.title,
            "starts_at": activity.starts_at,
            "reason": signup.cancel_reason,
            "link": notify.absolute_url("volunteers.show_activity", activity_id=activity.id),
        },
    )


def _volunteer_recipients(volunteer: Volunteer) -> list:
    """A volunteer through their account as they chose, else at the e-mail they registered."""
    if volunteer.user is not None:
        return notify.recipients_for_user(volunteer.user, phone=volunteer.phone)
    return notify.recipient_at_address(volunteer.full_name, email=volunteer.email)


@notify.collecting_due_messages.connect
def queue_reminders(_sender, *, today: date, **_kw) -> None:
    """The day before an activity, its signed-up volunteers are reminded; a contract ending
    within the flagged days is announced once to its volunteer and the centre's coordinators."""
    tomorrow = today + timedelta(days=1)
    start, end = day_bounds(tomorrow, tomorrow)
    activities = db.session.scalars(
        db.select(Activity).where(
            Activity.starts_at >= start, Activity.starts_at < end, Activity.cancelled.is_(False)
        )
    )
    for activity in activities:
        place = ", ".join(p for p in (activity.centre.name, activity.centre.address) if p)
        for signup in activity.signups:
            if signup.status is not SignupStatus.SIGNED_UP:
                continue
            notify.queue(
                Event.ACTIVITY_REMINDER,
                centre_id=activity.centre_id,
                record=signup,
                recipients=lambda signup=signup: _volunteer_recipients(signup.volunteer),
                template="activity_reminder",
                context={
                    "title": activity.title,
                    "starts_at": activity.starts_at,
                    "place": place,
                    "link": notify.absolute_url("volunteers.my_volunteering"),
                },
                day=tomorrow,
            )
    days = current_app.config["VOLUNTEER_CONTRACT_ENDING_DAYS"]
    ending = db.session.scalars(
        db.select(VolunteerContract).where(
            VolunteerContract.status.in_((ContractStatus.SIGNED, ContractStatus.ACTIVE)),
            VolunteerContract.ends_on >= today,
            VolunteerContract.ends_on <= today + timedelta(days=days),
        )
    )
    for contract in ending:
        volunteer = contract.volunteer
        notify.queue(
            Event.CONTRACT_ENDING,
            centre_id=contract.centre_id,
            record=contract,
            recipients=lambda contract=contract, volunteer=volunteer: (
                _volunteer_recipients(volunteer) + notify.coordinators_of(contract.centre_id)
            ),
            template="contract_ending",
            context={
                "volunteer_family": volunteer.family_name,
                "volunteer_given": volunteer.given_name,
                "number": contract.number,
                "ends_on": contract.ends_on,
                "centre_name": contract.centre.name,
            },
        )


def _release_signups_after(contract: VolunteerContract, day: date, *, actor) -> None:
    """A contract that closes early frees the places its volunteer held after that day."""
    now = utcnow()
    signups = db.session.scalars(
        _holding_signups(contract.volunteer).where(
            Activity.centre_id == contract.centre_id,
            Activity.starts_at > now,
            ActivitySignup.status != SignupStatus.ATTENDED,
        )
    ).all()
    for signup in signups:
        if local_date(signup.activity.starts_at) > day:
            _release(signup, actor=actor, now=now)


def confirm_attendance(signup: ActivitySignup, *, actor, attended: bool, now: datetime) -> None:
    if signup.status not in (SignupStatus.SIGNED_UP, SignupStatus.ATTENDED, SignupStatus.ABSENT):
        raise Refused(_l("Only a volunteer who had a place can be marked."))
    if signup.activity.starts_at > now:
        raise Refused(_l("Attendance can be confirmed once the activity has started."))
    old = signup.status
    signup.status = SignupStatus.ATTENDED if attended else SignupStatus.ABSENT
    signup.hours = signup.activity.duration_hours if attended else None
    signup.confirmed_by_id = actor.id
    audit.record(
        audit.UPDATE,
        signup,
        actor=actor,
        centre_id=signup.activity.centre_id,
        changes={"status": [old.value, signup.status.value], "hours": str(signup.hours or 0)},
    )


def upcoming_signups(volunteer: Volunteer, now: datetime, limit: int | None = None):
    query = (
        _holding_signups(volunteer)
        .where(Activity.ends_at > now, ActivitySignup.status != SignupStatus.ATTENDED)
        .order_by(Activity.starts_at)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def signups_of(volunteer: Volunteer) -> list[ActivitySignup]:
    return list(
        db.session.scalars(
            db.select(ActivitySignup)
            .join(Activity)
            .where(ActivitySignup.volunteer_id == volunteer.id)
            .order_by(Activity.starts_at.desc())
        )
    )


def open_activities(volunteer: Volunteer, now: datetime):
    """The centre's coming activities, each with this volunteer's sign-up and why not, if not."""
    activities = db.session.scalars(
        db.select(Activity)
        .where(
            Activity.centre_id == volunteer.centre_id,
            Activity.starts_at > now,
            Activity.cancelled.is_(False),
        )
        .order_by(Activity.starts_at)
    ).all()
    mine = {
        s.activity_id: s
        for s in db.session.scalars(
            db.select(ActivitySignup).where(ActivitySignup.volunteer_id == volunteer.id)
        )
    }
    rows = []
    for activity in activities:
        signup = mine.get(activity.id)
        if signup is not None and signup.status in HOLDING_STATUSES:
            rows.append((activity, signup, None))
        else:
            rows.append((activity, None, signup_refusal(volunteer, activity, now)))
    return rows


def general_refusal(volunteer: Volunteer | None, today: date):
    """Why this volunteer cannot sign up for anything at all today, or None."""
    if volunteer is None:
        return _l("Your account is not linked to a volunteer record yet. Ask the coordinator.")
    if not any(
        c.status is ContractStatus.ACTIVE and c.ends_on >= today for c in volunteer.contracts
    ):
        return _l("You have no volunteer contract in force, so you cannot sign up yet.")
    if not integrity_valid_on(volunteer, today):
        return _l(
            "Your behavioural-integrity certificate is missing or expired: "
            "you cannot sign up for activities with children."
        )
    return None


# --- Hours ---


def report_hours(volunteer: Volunteer, *, actor, day: date, hours, description, today: date):
    if day > today:
        raise Refused(_l("Hours can be reported once they are done."))
    covered = any(
        c.status is not ContractStatus.DRAFT
        and c.signed_on is not None
        and c.starts_on <= day <= (c.closed_on or c.ends_on)
        for c in volunteer.contracts
    )
    if not covered:
        raise Refused(_l("Hours count only within the period of a signed contract."))
    entry = VolunteerHours(
        volunteer_id=volunteer.id,
        centre_id=volunteer.centre_id,
        day=day,
        hours=Decimal(hours),
        description=description.strip(),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(
        audit.CREATE, entry, actor=actor, centre_id=entry.centre_id, changes=audit.snapshot(entry)
    )
    return entry


def decide_hours(entry: VolunteerHours, *, actor, approve: bool, now: datetime) -> None:
    if entry.status is not HoursStatus.REPORTED:
        raise Refused(_l("These hours were already decided."))
    entry.status = HoursStatus.APPROVED if approve else HoursStatus.REJECTED
    entry.decided_by_id = actor.id
    entry.decided_at = now
    audit.record(
        audit.UPDATE,
        entry,
        actor=actor,
        centre_id=entry.centre_id,
        changes=audit.pending_changes(entry),
    )


def pending_hours(user) -> list[VolunteerHours]:
    query = (
        db.select(VolunteerHours)
        .where(VolunteerHours.status == HoursStatus.REPORTED)
        .order_by(VolunteerHours.day)
    )
    if not user.is_admin:
        query = query.where(VolunteerHours.centre_id.in_(user.centre_ids or {0}))
    return list(db.session.scalars(query))


def hours_done(volunteer: Volunteer, start: date, end: date):
    """(day, what, hours) of attended activities and approved hours in the period; the total."""
    first, after = day_bounds(start, end)
    rows = [
        (local_date(s.activity.starts_at), s.activity.title, s.hours or Decimal(0))
        for s in db.session.scalars(
            db.select(ActivitySignup)
            .join(Activity)
            .where(
                ActivitySignup.volunteer_id == volunteer.id,
                ActivitySignup.status == SignupStatus.ATTENDED,
                Activity.starts_at >= first,
                Activity.starts_at < after,
            )
        )
    ]
    rows += [
        (h.day, h.description, h.hours)
        for h in db.session.scalars(
            db.select(VolunteerHours).where(
                VolunteerHours.volunteer_id == volunteer.id,
                VolunteerHours.status == HoursStatus.APPROVED,
                VolunteerHours.day >= start,
                VolunteerHours.day <= end,
            )
        )
    ]
    rows.sort(key=lambda row: row[0])
    return rows, sum((row[2] for row in rows), Decimal(0))


def reported_hours(volunteer: Volunteer) -> list[VolunteerHours]:
    return list(
        db.session.scalars(
            db.select(VolunteerHours)
            .where(VolunteerHours.volunteer_id == volunteer.id)
            .order_by(VolunteerHours.day.desc())
        )
    )


# --- Certificates ---


def issue_certificate(
    volunteer: Volunteer, *, actor, contract: VolunteerContract, period_start, period_end, today
) -> VolunteerCertificate:
    if contract.volunteer_id != volunteer.id or contract.signed_on is None:
        raise Refused(_l("Choose a signed contract of this volunteer."))
    if period_start > period_end:
        raise Refused(_l("The end must be later than the start."))
    if period_start < contract.starts_on or period_end > (contract.closed_on or contract.ends_on):
        raise Refused(_l("The period must fall within the contract's period."))
    if period_end > today:
        raise Refused(
            _l("A certificate covers hours already done: the period cannot end later than today.")
        )
    rows, total = hours_done(volunteer, period_start, period_end)
    if total <= 0:
        raise Refused(_l("There are no confirmed hours in this period."))
    certificate = VolunteerCertificate(
        centre_id=volunteer.centre_id,
        number=next_number(volunteer.centre_id, CERTIFICATES_REGISTER),
        issued_on=today,
        volunteer_id=volunteer.id,
        contract_id=contract.id,
        coordinator_id=actor.id,
        period_start=period_start,
        period_end=period_end,
        total_hours=total,
        lines=[[day.isoformat(), what, str(hours)] for day, what, hours in rows],
    )
    db.session.add(certificate)
    volunteer.certificate_requested_on = None
    db.session.flush()
    audit.record(
        audit.CREATE,
        certificate,
        actor=actor,
        centre_id=certificate.centre_id,
        changes=audit.snapshot(certificate),
    )
    return certificate


def request_certificate(volunteer: Volunteer, *, actor, today: date) -> None:
    """The volunteer asks for a certificate of the hours done (Legea 78/2014)."""
    if volunteer.certificate_requested_on is not None:
        raise Refused(
            _l("You have already asked for a certificate; the coordinator will issue it.")
        )
    volunteer.certificate_requested_on = today
    audit.record(
        audit.UPDATE,
        volunteer,
        actor=actor,
        centre_id=volunteer.centre_id,
        changes=audit.pending_changes(volunteer),
    )


def certificates_of(volunteer: Volunteer) -> list[VolunteerCertificate]:
    return list(
        db.session.scalars(
            db.select(VolunteerCertificate)
            .where(VolunteerCertificate.volunteer_id == volunteer.id)
            .order_by(VolunteerCertificate.issued_on.desc())
        )
    )

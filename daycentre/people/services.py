"""Families, children, adults and consent: the rules, the scope of what a user sees, and search."""

from dataclasses import dataclass
from datetime import date

from blinker import Namespace
from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ro import cnp as cnp_codes

from daycentre.audit import services as audit
from daycentre.auth import scope
from daycentre.auth.models import User
from daycentre.auth.roles import roles_with
from daycentre.core.countries import country_codes
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused, ensure_current
from daycentre.core.localtime import add_months, today
from daycentre.core.text import fold, sort_key
from daycentre.extensions import db
from daycentre.people.models import (
    AbroadParent,
    AbroadVisit,
    Consent,
    ConsentPurpose,
    Family,
    ParentsAbroad,
    Person,
    PersonKind,
    Relationship,
    Residence,
    Sex,
    VulnerabilityFactor,
)

SEARCH_RESULTS = 200

_signals = Namespace()
#: Sent with the family or the person about to be deleted; an area whose records keep them (the
#: cases area, which people does not import) refuses by raising ``Refused``.
deleting_family = _signals.signal("deleting-family")
deleting_person = _signals.signal("deleting-person")


# --- Checks shared by the forms (field errors) and the services (the last word) -----------------


def cnp_problem(cnp: str | None, birth_date: date | None = None, sex: Sex | None = None):
    """Why ``cnp`` cannot be this person's code, or None when it can (or is empty)."""
    if not cnp:
        return None
    try:
        number = cnp_codes.validate(cnp)
    except StdnumError:
        return _l("This CNP is not valid: check the 13 digits.")
    if cnp_birth_date(number, birth_date) != birth_date and birth_date is not None:
        return _l("The CNP does not match the date of birth.")
    if sex is not None and cnp_sex(number) not in (None, Sex(sex)):
        return _l("The CNP does not match the sex.")
    return None


def cnp_birth_date(number: str, birth_date: date | None = None) -> date | None:
    """The birth date the code encodes; residents' codes (7, 8, 9) do not say the century."""
    encoded = cnp_codes.get_birth_date(number)
    if number[0] in "123456":
        return encoded
    if birth_date and birth_date.strftime("%y%m%d") == number[1:7]:
        return birth_date
    return None


def cnp_sex(number: str) -> Sex | None:
    if number[0] == "9":
        return None
    return Sex.MALE if int(number[0]) % 2 else Sex.FEMALE


def birth_date_problem(birth_date: date | None):
    if birth_date and birth_date > today():
        return _l("The date of birth cannot be in the future.")
    if birth_date and birth_date.year < 1900:
        return _l("Check the date of birth.")
    return None


def _refuse_if(problem) -> None:
    if problem:
        raise Refused(problem)


# --- What a user may see ------------------------------------------------------------------------


def visible_people(user):
    return scope.visible(Person, user)


def visible_families(user):
    return scope.visible(Family, user)


def person_visible(user, person: Person) -> bool:
    return scope.sees(user, person)


def family_visible(user, family: Family) -> bool:
    return scope.sees(user, family)


# --- Search and sorted lists --------------------------------------------------------------------


def _like_escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches_words(column, text: str):
    """Every word of ``text``, folded, begins a word of the folded ``column`` ("sza" finds "Szabó")."""
    conditions = []
    for word in fold(text).split():
        pattern = _like_escaped(word)
        conditions.append(
            or_(column.like(f"{pattern}%", escape="\\"), column.like(f"% {pattern}%", escape="\\"))
        )
    return and_(true(), *conditions)  # "--" folds to no word at all: it matches everyone


def by_family_name(people, language: str | None = None) -> list[Person]:
    """Sorted by family name, then given name, in the locale's alphabet."""
    return sorted(
        people,
        key=lambda p: (sort_key(p.family_name, language), sort_key(p.given_name, language), p.id),
    )


def search_people(user, text: str = "", *, kind: PersonKind | None = None) -> list[Person]:
    query = db.select(Person).options(joinedload(Person.family)).where(visible_people(user))
    if text.strip():
        query = query.where(_matches_words(Person.search_key, text))
    if kind:
        query = query.where(Person.kind == kind)
    return by_family_name(
        db.session.scalars(query.order_by(Person.search_key).limit(SEARCH_RESULTS))
    )


def search_families(user, text: str = "") -> list[Family]:
    query = db.select(Family).where(visible_families(user))
    if text.strip():
        query = query.where(
            or_(
                _matches_words(Family.search_key, text),
                Family.members.any(_matches_words(Person.search_key, text)),
            )
        )
    families = db.session.scalars(query.order_by(Family.search_key).limit(SEARCH_RESULTS))
    return sorted(families, key=lambda f: (sort_key(f.name), f.id))


@dataclass
class Duplicate:
    person: Person
    same_cnp: bool
    visible: bool


def likely_duplicates(
    user,
    *,
    family_name: str,
    given_name: str,
    birth_date: date | None,
    cnp: str | None,
    exclude_id=None,
) -> list[Duplicate]:
    """People already registered with the same CNP, or the same names and date of birth."""
    conditions = []
    if cnp:
        conditions.append(Person.cnp == cnp)
    if birth_date:
        conditions.append(
            and_(
                Person.search_key == fold(f"{family_name} {given_name}"),
                Person.birth_date == birth_date,
            )
        )
    if not conditions:
        return []
    query = db.select(Person).where(or_(*conditions))
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    return [
        Duplicate(person=p, same_cnp=bool(cnp) and p.cnp == cnp, visible=person_visible(user, p))
        for p in db.session.scalars(query)
    ]


# --- Families -----------------------------------------------------------------------------------


def _apply(record, fields: dict) -> dict:
    for name, value in fields.items():
        setattr(record, name, value)
    return audit.pending_changes(record)


def _clean(value):
    return value.strip() or None if isinstance(value, str) else value


def save_family(family: Family | None, *, actor, version=None, factors=(), **fields) -> Family:
    creating = family is None
    if not creating:
        ensure_current(family, version)
    fields = {name: _clean(value) for name, value in fields.items()}
    if not fields.get("name") or not fields.get("address") or not fields.get("city"):
        raise Refused(_l("The family needs a name and an address."))
    if not actor.sees_centre(fields.get("centre_id")):
        raise Refused(_l("Choose one of your centres."))
    if "residence" in fields:
        if fields["residence"] not in set(Residence):
            raise Refused(_l("Choose whether the family lives in a town or in a village."))
        fields["residence"] = Residence(fields["residence"])
    if creating:
        family = Family()
        db.session.add(family)
    with db.session.no_autoflush:
        family.factors = factors
        if VulnerabilityFactor.OTHER not in family.factors:
            fields["other_factor"] = None
        family.search_key = fold(fields["name"])
        changes = _apply(family, fields)
    db.session.flush()
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(
        action,
        family,
        actor=actor,
        centre_id=family.centre_id,
        changes=audit.snapshot(family) if creating else changes,
    )
    return family


def delete_family(family: Family, *, actor) -> None:
    if db.session.scalar(db.select(Person.id).where(Person.family_id == family.id).limit(1)):
        raise Refused(_l("Remove the family's members first."))
    if db.session.scalar(
        db.select(ParentsAbroad.id).where(ParentsAbroad.family_id == family.id).limit(1)
    ):
        raise Refused(_l("The family's parents working abroad are on record: it is kept."))
    deleting_family.send(family)
    audit.record(
        audit.DELETE,
        family,
        actor=actor,
        centre_id=family.centre_id,
        changes=audit.snapshot(family),
    )
    db.session.delete(family)
    db.session.flush()


# --- People -------------------------------------------------------------------------------------


PERSON_TEXT_FIELDS = (
    "family_name",
    "given_name",
    "cnp",
    "phone",
    "email",
    "school",
    "grade",
    "allergies",
    "diet",
    "notes",
)


def _check_person(person: Person) -> None:
    if not person.family_name or not person.given_name:
        raise Refused(_l("Enter the family name and the given name."))
    _refuse_if(birth_date_problem(person.birth_date))
    if person.kind is PersonKind.CHILD and (person.birth_date is None or person.sex is None):
        raise Refused(_l("A child's record needs the date of birth and the sex."))
    if person.kind is PersonKind.ADULT and person.relation is None:
        raise Refused(_l("Choose how the adult is related to the family."))
    _refuse_if(cnp_problem(person.cnp, person.birth_date, person.sex))


def save_person(
    person: Person | None,
    *,
    family: Family,
    kind: PersonKind | str | None = None,
    actor,
    version=None,
    birth_date: date | None = None,
    sex: Sex | str | None = None,
    relation: Relationship | str | None = None,
    **fields,
) -> Person:
    """Create or change a child's or an adult's record; the CNP fills in what it encodes."""
    creating = person is None
    if creating:
        person = Person(family=family, kind=PersonKind(kind))
        db.session.add(person)
    else:
        ensure_current(person, version)
        person.family = family
    values = {name: _clean(fields.get(name)) for name in PERSON_TEXT_FIELDS if name in fields}
    if values.get("cnp"):
        values["cnp"] = cnp_codes.compact(values["cnp"])
    values["birth_date"] = birth_date
    values["sex"] = Sex(sex) if sex else None
    values["relation"] = (
        Relationship(relation) if relation and person.kind is PersonKind.ADULT else None
    )
    # A child's contact is the family's; school and diet are only asked for a child.
    not_for_kind = (
        ("phone", "email")
        if person.kind is PersonKind.CHILD
        else ("school", "grade", "allergies", "diet")
    )
    for name in not_for_kind:
        values.pop(name, None)
    if values.get("cnp") and cnp_codes.is_valid(values["cnp"]):
        values["birth_date"] = values["birth_date"] or cnp_birth_date(values["cnp"])
        values["sex"] = values["sex"] or cnp_sex(values["cnp"])
    with db.session.no_autoflush:
        changes = _apply(person, values)
        person.search_key = fold(f"{person.family_name} {person.given_name}")
        _check_person(person)
        if person.cnp:
            clash = db.session.scalar(
                db.select(Person.id).where(Person.cnp == person.cnp, Person.id != (person.id or 0))
            )
            if clash:
                raise Refused(_l("A person with this CNP is already registered."))
    try:
        db.session.flush()
    except IntegrityError:
        raise Refused(_l("A person with this CNP is already registered.")) from None
    action = audit.CREATE if creating else audit.UPDATE
    audit.record(
        action,
        person,
        actor=actor,
        person_id=person.id,
        centre_id=family.centre_id,
        changes=audit.snapshot(person) if creating else changes,
    )
    return person


def delete_person(person: Person, *, actor) -> None:
    """Only a record entered by mistake is deleted; one in the register is kept (exit it instead)."""
    if person.enrolments:
        raise Refused(_l("This person is in the beneficiary register and cannot be deleted."))
    deleting_person.send(person)
    for consent in list(person.consents):
        _delete_consent(consent, actor=actor)
    audit.record(
        audit.DELETE,
        person,
        actor=actor,
        person_id=person.id,
        centre_id=person.family.centre_id,
        changes=audit.snapshot(person),
    )
    db.session.delete(person)
    db.session.flush()


def record_read(person: Person, *, actor) -> None:
    audit.record(
        audit.READ, person, actor=actor, person_id=person.id, centre_id=person.family.centre_id
    )


# --- Consent ------------------------------------------------------------------------------------


def _check_consent(consent: Consent) -> None:
    if not consent.given_by:
        raise Refused(_l("Say who gave the consent."))
    if consent.given_on > today():
        raise Refused(_l("The date of the consent cannot be in the future."))
    if consent.expires_on and consent.expires_on <= consent.given_on:
        raise Refused(_l("The expiry date must be later than the date of the consent."))


def save_consent(
    consent: Consent | None,
    *,
    person: Person,
    actor,
    version=None,
    purpose,
    given_by: str,
    given_on: date,
    expires_on: date | None = None,
    notes: str | None = None,
) -> Consent:
    creating = consent is None
    if creating:
        consent = Consent(person=person)
        db.session.add(consent)
    else:
        ensure_current(consent, version)
        _refuse_if_withdrawn(consent)
    with db.session.no_autoflush:
        changes = _apply(
            consent,
            {
                "purpose": ConsentPurpose(purpose),
                "given_by": _clean(given_by),
                "given_on": given_on,
                "expires_on": expires_on,
                "notes": _clean(notes),
            },
        )
        _check_consent(consent)
    try:
        db.session.flush()
    except IntegrityError:
        raise Refused(_l("This consent is already recorded for that date.")) from None
    audit.record(
        audit.CREATE if creating else audit.UPDATE,
        consent,
        actor=actor,
        person_id=person.id,
        centre_id=person.family.centre_id,
        changes=audit.snapshot(consent) if creating else changes,
    )
    return consent


def _refuse_if_withdrawn(consent: Consent) -> None:
    if consent.withdrawn_on is not None:
        raise Refused(
            _l(
                "This consent was withdrawn; it is kept as the record of the withdrawal. "
                "Record a new consent if it is given again."
            )
        )


def withdraw_consent(consent: Consent, *, actor, on: date, version=None) -> Consent:
    """The consent no longer holds from ``on``: its own action and its own audit entry."""
    if version is not None:  # sent by a form: refuse one opened before someone else's change
        ensure_current(consent, version)
    _refuse_if_withdrawn(consent)
    if on > today():
        raise Refused(
            _l("The date of the withdrawal cannot be in the future."), field="withdrawn_on"
        )
    if on < consent.given_on:
        raise Refused(
            _l(
                "A consent is withdrawn on or after the day it was given (%(day)s).",
                day=format_date(consent.given_on, "short"),
            ),
            field="withdrawn_on",
        )
    if consent.expires_on is not None and on > consent.expires_on:
        raise Refused(
            _l(
                "This consent had already expired on %(day)s; there is nothing to withdraw.",
                day=format_date(consent.expires_on, "short"),
            ),
            field="withdrawn_on",
        )
    # Read before any change: loading an expired actor would flush the change unaudited.
    actor_id = actor.id if actor is not None else None
    consent.withdrawn_on = on
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = actor_id
    changes = audit.pending_changes(consent)
    db.session.flush()
    audit.record(
        audit.WITHDRAW,
        consent,
        actor=actor,
        person_id=consent.person_id,
        centre_id=consent.person.family.centre_id,
        changes=changes,
    )
    return consent


def withdraw_consent_in_app(consent: Consent, *, actor) -> Consent:
    """A parent withdraws a consent of their own or of their child in the app, from today (the
    parent's pages check the person is of their family)."""
    return withdraw_consent(consent, actor=actor, on=today())


def consents_of(people) -> list[tuple[Person, list["ConsentState"]]]:
    """Each person's consent per purpose, for the people of a family as a parent sees them."""
    return [(person, consent_states(person)) for person in people]


def delete_consent(consent: Consent, *, actor) -> None:
    """Only a consent recorded by mistake is deleted; a withdrawn one stays as the record of it."""
    _refuse_if_withdrawn(consent)
    _delete_consent(consent, actor=actor)


def _delete_consent(consent: Consent, *, actor) -> None:
    audit.record(
        audit.DELETE,
        consent,
        actor=actor,
        person_id=consent.person_id,
        centre_id=consent.person.family.centre_id,
        changes=audit.snapshot(consent),
    )
    db.session.delete(consent)
    db.session.flush()


GIVEN, EXPIRED, WITHDRAWN, MISSING = "given", "expired", "withdrawn", "missing"


@dataclass
class ConsentState:
    purpose: ConsentPurpose
    state: str
    consent: Consent | None


def consent_states(person: Person, day: date | None = None) -> list[ConsentState]:
    """For every purpose: the consent in force, else the latest one, withdrawn or expired, else
    nothing."""
    day = day or today()
    states = []
    for purpose in ConsentPurpose:
        records = sorted(
            (c for c in person.consents if c.purpose is purpose),
            key=lambda c: c.given_on,
            reverse=True,
        )
        valid = next((c for c in records if c.is_valid_on(day)), None)
        if valid:
            states.append(ConsentState(purpose, GIVEN, valid))
        elif records:
            latest = records[0]
            state = WITHDRAWN if latest.withdrawn_by(day) else EXPIRED
            states.append(ConsentState(purpose, state, latest))
        else:
            states.append(ConsentState(purpose, MISSING, None))
    return states


# --- Children whose parents work abroad -------------------------------------------------------


ABROAD_FIELDS = (
    "who",
    "country",
    "since",
    "expected_return",
    "returned_on",
    "authority_notified_on",
    "carer_name",
    "carer_relation",
    "delegation_on",
    "delegation_court",
    "manager_id",
    "notes",
)


def _abroad_problem(family: Family, fields: dict):
    """Why these facts cannot stand, or None."""
    day = today()
    since = fields.get("since")
    if fields.get("who") not in set(AbroadParent) or not since:
        return _l("Say who works abroad and since when.")
    if fields.get("country") not in country_codes():
        return _l("Choose the country from the list.")
    if not fields.get("carer_name"):
        return _l("Enter the person who cares for the children.")
    if since > day or any(
        (fields.get(name) or since) > day
        for name in ("returned_on", "authority_notified_on", "delegation_on")
    ):
        return _l("Only the expected return can be in the future.")
    if (fields.get("expected_return") or since) < since or (
        fields.get("returned_on") or since
    ) < since:
        return _l("A return cannot come before the parent left.")
    if bool(fields.get("delegation_on")) != bool(fields.get("delegation_court")):
        return _l("A delegation of parental authority needs both its date and its court.")
    return None


def save_parents_abroad(
    situation: ParentsAbroad | None, *, family: Family, actor, version=None, **fields
) -> ParentsAbroad:
    """Record (or correct) that a family's parent works abroad, who cares for the children and
    the court's delegation of parental authority."""
    creating = situation is None
    if not creating:
        ensure_current(situation, version)
    fields = {name: _clean(fields.get(name)) for name in ABROAD_FIELDS}
    if fields["country"]:
        fields["country"] = fields["country"].upper()
    _refuse_if(_abroad_problem(family, fields))
    fields["who"] = AbroadParent(fields["who"])
    if fields["manager_id"] is not None and not _may_manage(fields["manager_id"], family):
        raise Refused(_l("Choose a case manager of the family's centre."))
    if creating:
        situation = ParentsAbroad(family=family)
        db.session.add(situation)
    changes = _apply(situation, fields)
    db.session.flush()
    audit.record(
        audit.CREATE if creating else audit.UPDATE,
        situation,
        actor=actor,
        centre_id=family.centre_id,
        changes=audit.snapshot(situation) if creating else changes,
    )
    return situation


def _may_manage(user_id: int, family: Family) -> bool:
    return any(user.id == user_id for user in abroad_managers(family))


def abroad_managers(family: Family) -> list[User]:
    """The staff who may follow the family's children: those of its centre who carry cases."""
    users = db.session.scalars(
        db.select(User)
        .where(User.active.is_(True), User.role.in_(roles_with("cases.carry")))
        .order_by(User.family_name, User.given_name)
    )
    return [user for user in users if family.centre_id in user.centre_ids]


def record_abroad_visit(
    situation: ParentsAbroad, *, actor, visited_on: date | None, findings: str
) -> AbroadVisit:
    """A monitoring visit to the children, while the parent is abroad."""
    findings = (findings or "").strip()
    if not visited_on or not findings:
        raise Refused(_l("Enter the day of the visit and what was found."))
    if visited_on > today():
        raise Refused(_l("A visit cannot be recorded before it happens."))
    if visited_on < situation.since or (
        situation.returned_on and visited_on >= situation.returned_on
    ):
        raise Refused(_l("A monitoring visit falls while the parent is abroad."))
    visit = AbroadVisit(situation=situation, visited_on=visited_on, findings=findings)
    visit.visited_by_id = actor.id
    db.session.add(visit)
    db.session.flush()
    audit.record(
        audit.CREATE,
        visit,
        actor=actor,
        centre_id=situation.family.centre_id,
        changes=audit.snapshot(visit),
    )
    return visit


def visit_interval_months() -> int:
    return current_app.config["PARENTS_ABROAD_VISIT_MONTHS"]


def next_visit_due(situation: ParentsAbroad) -> date | None:
    """When the children are next to be visited: an interval after the last visit (after the
    parent left, before the first); None once the parent is back."""
    if situation.returned_on is not None:
        return None
    last = max((v.visited_on for v in situation.visits), default=situation.since)
    return add_months(last, visit_interval_months())


@dataclass(frozen=True)
class VisitDue:
    situation: ParentsAbroad
    due: date
    overdue: bool


def visits_due(user, day: date, *, supervised_centres=()) -> list[VisitDue]:
    """The visits due within the notice or overdue: the user's own families, and for a
    supervisor every family of ``supervised_centres``."""
    notice = current_app.config["PARENTS_ABROAD_VISIT_NOTICE_DAYS"]
    query = (
        db.select(ParentsAbroad)
        .join(Family, Family.id == ParentsAbroad.family_id)
        .options(selectinload(ParentsAbroad.visits), joinedload(ParentsAbroad.family))
        .where(
            scope.visible(Family, user),
            or_(ParentsAbroad.returned_on.is_(None), ParentsAbroad.returned_on > day),
            or_(
                ParentsAbroad.manager_id == user.id,
                Family.centre_id.in_(set(supervised_centres) or {0}),
            ),
        )
    )
    due = []
    for situation in db.session.scalars(query).unique():
        when = next_visit_due(situation)
        if when is not None and (when - day).days <= notice:
            due.append(VisitDue(situation, when, when < day))
    return sorted(due, key=lambda item: (item.due, item.situation.id))


@dataclass(frozen=True)
class ChildAbroad:
    """A child of a family whose parent works abroad during a period."""

    child: Person
    situation: ParentsAbroad


def children_with_parents_abroad(centre_ids, start: date, end: date) -> list[ChildAbroad]:
    """The children of the centres' families whose parent worked abroad on a day of the period
    (both ends included), by family name."""
    situations = db.session.scalars(
        db.select(ParentsAbroad)
        .join(Family, Family.id == ParentsAbroad.family_id)
        .options(
            joinedload(ParentsAbroad.family).selectinload(Family.members),
            selectinload(ParentsAbroad.visits),
        )
        .where(
            Family.centre_id.in_(set(centre_ids) or {0}),
            ParentsAbroad.since <= end,
            or_(ParentsAbroad.returned_on.is_(None), ParentsAbroad.returned_on > start),
        )
    ).unique()
    rows = [
        ChildAbroad(child, situation)
        for situation in situations
        for child in situation.family.children
    ]
    keys = {
        id(row): (sort_key(row.child.family_name), sort_key(row.child.given_name)) for row in rows
    }
    return sorted(rows, key=lambda row: (keys[id(row)], row.child.id, row.situation.since))

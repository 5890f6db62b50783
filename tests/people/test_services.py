"""Refusals are checked in Romanian, the default language services speak outside a request."""

from datetime import date, timedelta

import pytest
from stdnum.ro.cnp import calc_check_digit

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused, StaleRecord
from daycentre.core.localtime import today
from daycentre.core.text import fold, sort_key
from daycentre.extensions import db
from daycentre.people import services as people
from daycentre.people.models import ConsentPurpose, Person, PersonKind, Sex
from tests.factories import (
    make_adult,
    make_child,
    make_enrolment,
    make_family,
    make_group,
    make_user,
)


def cnp_for(birth: date, sex: str = "female", serial: str = "14123") -> str:
    """A valid CNP (county 14, Covasna) for someone born in the 2000s."""
    first = (
        {"male": "5", "female": "6"}[sex]
        if birth.year >= 2000
        else {"male": "1", "female": "2"}[sex]
    )
    body = f"{first}{birth:%y%m%d}{serial}"
    return body + calc_check_digit(body)


def entries(**filters):
    return db.session.scalars(
        db.select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)
    ).all()


# --- Search and sorting ------------------------------------------------------------------------


def test_folding_ignores_case_accents_and_cedilla_or_comma():
    assert fold("Ştefan") == fold("Ștefan") == fold("STEFAN") == "stefan"
    assert fold("Ionuț") == "ionut"
    assert fold("Szabó  Ödön") == "szabo odon"


def test_search_ignores_accents_and_finds_both_spellings_of_s_comma(users, centre):
    family = make_family(centre, name="Popescu")
    ionut = make_child(family, given_name="Ionuț")
    stefan_cedilla = make_child(family, family_name="Ştefan", given_name="Maria")
    stefan_comma = make_child(family, family_name="Ștefan", given_name="Ilie")
    szabo = make_child(make_family(centre, name="Szabó"), given_name="Réka")
    admin = users["admin"]

    assert people.search_people(admin, "Ionut") == [ionut]
    assert people.search_people(admin, "szabo") == [szabo]
    assert set(people.search_people(admin, "Stefan")) == {stefan_cedilla, stefan_comma}
    assert people.search_people(admin, "ionut popescu") == [ionut]
    assert people.search_people(admin, "100%") == []


def test_romanian_alphabet_puts_letters_with_diacritics_after_their_base():
    names = ["Țepeș", "Tudor", "Ștefan", "Sima", "Szabó", "Ănescu", "Albu", "Zamfir"]
    assert sorted(names, key=lambda n: sort_key(n, "ro")) == [
        "Albu",
        "Ănescu",
        "Sima",
        "Szabó",
        "Ștefan",
        "Tudor",
        "Țepeș",
        "Zamfir",
    ]


def test_hungarian_alphabet_has_its_double_letters():
    names = [
        "Cseke",
        "Czirják",
        "Gyárfás",
        "Gál",
        "Ördög",
        "Ortutay",
        "Szabó",
        "Sánta",
        "Zsigmond",
        "Zoltán",
    ]
    assert sorted(names, key=lambda n: sort_key(n, "hu")) == [
        "Czirják",
        "Cseke",
        "Gál",
        "Gyárfás",
        "Ortutay",
        "Ördög",
        "Sánta",
        "Szabó",
        "Zoltán",
        "Zsigmond",
    ]


def test_lists_are_sorted_by_family_name_in_the_locale(users, centre):
    family = make_family(centre)
    for family_name in ("Szabó", "Sánta", "Csiki", "Czakó"):
        make_child(family, family_name=family_name)
    hungarian = [p.family_name for p in people.by_family_name(family.members, "hu")]
    romanian = [p.family_name for p in people.by_family_name(family.members, "ro")]
    assert hungarian == ["Czakó", "Csiki", "Sánta", "Szabó"]
    assert romanian == ["Csiki", "Czakó", "Sánta", "Szabó"]


# --- Scope --------------------------------------------------------------------------------------


def test_staff_see_people_of_their_centres_and_those_enrolled_there(users, centre, other_centre):
    ours = make_child(make_family(centre, name="Kovács"))
    theirs = make_child(make_family(other_centre, name="Bíró"))
    coordinator = users["coordinator"]
    elsewhere = make_user("coordinator", centres=[other_centre])

    assert people.search_people(coordinator) == [ours]
    assert not people.person_visible(coordinator, theirs)
    assert people.search_people(elsewhere) == [theirs]

    sibling = make_child(theirs.family, given_name="Bence")
    mother = make_adult(theirs.family, given_name="Mária")
    assert not people.person_visible(coordinator, mother)

    make_enrolment(theirs, make_group(centre))
    assert people.person_visible(coordinator, theirs)
    assert people.family_visible(coordinator, theirs.family)
    # The enrolled child's parents are reached from here (telephone, contract, parent account);
    # a brother enrolled nowhere here is not.
    assert people.person_visible(coordinator, mother)
    assert not people.person_visible(coordinator, sibling)


# --- Records, validation and audit --------------------------------------------------------------


def _save_child(family, actor, **fields):
    values = {
        "family_name": "Kovács",
        "given_name": "Anna",
        "birth_date": date(2016, 3, 14),
        "sex": "female",
        "cnp": "",
    } | fields
    return people.save_person(None, family=family, kind="child", actor=actor, **values)


def test_creating_a_child_writes_an_audit_entry_with_person_and_centre(users, centre):
    family = make_family(centre, name="Kovács")
    child = _save_child(family, users["coordinator"], cnp=cnp_for(date(2016, 3, 14)))
    (entry,) = entries(action="create", entity="people")
    assert entry.person_id == child.id
    assert entry.centre_id == centre.id
    assert entry.actor_id == users["coordinator"].id
    assert entry.changes["given_name"] == "Anna"
    assert entry.changes["cnp"] == cnp_for(date(2016, 3, 14))


def test_updating_records_old_and_new_values_and_refuses_stale_edits(users, centre):
    child = _save_child(make_family(centre), users["coordinator"])
    db.session.commit()
    seen = child.version
    people.save_person(
        child,
        family=child.family,
        actor=users["coordinator"],
        version=seen,
        family_name="Kovács",
        given_name="Anna Réka",
        birth_date=child.birth_date,
        sex="female",
    )
    db.session.commit()
    (entry,) = entries(action="update", entity="people")
    assert entry.changes["given_name"] == ["Anna", "Anna Réka"]
    assert entry.person_id == child.id

    with pytest.raises(StaleRecord):
        people.save_person(
            child,
            family=child.family,
            actor=users["counsellor"],
            version=seen,
            family_name="Kovács",
            given_name="Anna",
            birth_date=child.birth_date,
            sex="female",
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cnp": "6160314141235"}, "nu este valid"),
        ({"cnp": cnp_for(date(2015, 3, 14))}, "datei nașterii"),
        ({"cnp": cnp_for(date(2016, 3, 14), "male")}, "sexului"),
        ({"birth_date": today() + timedelta(days=1)}, "viitor"),
        ({"given_name": "  "}, "prenumele"),
    ],
)
def test_invalid_child_records_are_refused_and_nothing_is_saved(users, centre, fields, message):
    family = make_family(centre)
    db.session.commit()
    with pytest.raises(Refused) as refusal:
        _save_child(family, users["coordinator"], **fields)
    assert message in str(refusal.value.message)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 0
    assert entries() == []


def test_an_adults_cnp_fills_in_birth_date_and_sex(users, centre):
    adult = people.save_person(
        None,
        family=make_family(centre),
        kind="adult",
        actor=users["counsellor"],
        family_name="Kovács",
        given_name="Éva",
        relation="mother",
        cnp=cnp_for(date(1988, 7, 2)),
    )
    assert adult.birth_date == date(1988, 7, 2)
    assert adult.sex is Sex.FEMALE
    assert adult.kind is PersonKind.ADULT


def test_one_person_per_cnp_and_likely_duplicates_are_found(users, centre, other_centre):
    code = cnp_for(date(2016, 3, 14))
    first = _save_child(
        make_family(other_centre), users["admin"], family_name="Ștefănescu", cnp=code
    )
    db.session.commit()
    with pytest.raises(Refused, match="deja înregistrată"):
        _save_child(make_family(centre), users["coordinator"], cnp=code)
    db.session.rollback()

    found = people.likely_duplicates(
        users["coordinator"],
        family_name="Stefanescu",
        given_name="anna",
        birth_date=date(2016, 3, 14),
        cnp=None,
    )
    assert [d.person for d in found] == [first]
    assert not found[0].visible  # registered at another centre: not shown to this coordinator
    assert not found[0].same_cnp


def test_a_person_in_the_register_cannot_be_deleted_others_can(users, centre):
    family = make_family(centre)
    enrolled, mistaken = make_child(family), make_child(family, given_name="Bence")
    make_enrolment(enrolled, make_group(centre))
    with pytest.raises(Refused):
        people.delete_person(enrolled, actor=users["coordinator"])
    people.delete_person(mistaken, actor=users["coordinator"])
    (entry,) = entries(action="delete")
    assert entry.person_id == mistaken.id and entry.changes["given_name"] == "Bence"


def test_family_vulnerability_factors_are_recorded_once_and_audited(users, centre):
    family = people.save_family(
        None,
        actor=users["coordinator"],
        name="Kovács",
        centre_id=centre.id,
        address="Str. Gábor Áron 3",
        city="Târgu Secuiesc",
        phone="",
        email="",
        other_factor="ignored",
        notes="",
        factors=["parents_abroad", "low_income"],
    )
    assert [f.value for f in family.factors] == ["low_income", "parents_abroad"]
    assert family.other_factor is None
    (entry,) = entries(entity="families")
    assert (
        entry.centre_id == centre.id and entry.changes["factor_list"] == "low_income,parents_abroad"
    )


def test_a_coordinator_cannot_register_a_family_at_another_centre(users, other_centre):
    with pytest.raises(Refused):
        people.save_family(
            None,
            actor=users["coordinator"],
            name="Kovács",
            centre_id=other_centre.id,
            address="Str. Gábor Áron 3",
            city="Târgu Secuiesc",
        )


# --- Consent ------------------------------------------------------------------------------------


def test_consent_states_show_given_expired_and_missing(users, centre):
    child = make_child(make_family(centre))
    day = today()
    people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose="data_processing",
        given_by="Kovács Éva (mother)",
        given_on=day - timedelta(days=30),
    )
    people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose="photos",
        given_by="Kovács Éva",
        given_on=day - timedelta(days=400),
        expires_on=day - timedelta(days=35),
    )
    states = {s.purpose: s.state for s in people.consent_states(child)}
    assert states == {
        ConsentPurpose.DATA_PROCESSING: people.GIVEN,
        ConsentPurpose.PHOTOS: people.EXPIRED,
        ConsentPurpose.SCHOOL_SHARING: people.MISSING,
        ConsentPurpose.SPAS_SHARING: people.MISSING,
        ConsentPurpose.MESSAGES: people.MISSING,
    }
    created = entries(entity="consents", action="create")
    assert len(created) == 2 and all(
        e.person_id == child.id and e.centre_id == centre.id for e in created
    )


def test_consent_dates_must_make_sense(users, centre):
    child = make_child(make_family(centre))
    with pytest.raises(Refused, match="viitor"):
        people.save_consent(
            None,
            person=child,
            actor=users["coordinator"],
            purpose="photos",
            given_by="Éva",
            given_on=today() + timedelta(days=1),
        )
    db.session.rollback()
    with pytest.raises(Refused, match="expirării"):
        people.save_consent(
            None,
            person=child,
            actor=users["coordinator"],
            purpose="photos",
            given_by="Éva",
            given_on=date(2026, 1, 10),
            expires_on=date(2026, 1, 9),
        )


def test_deleting_a_consent_is_audited(users, centre):
    child = make_adult(make_family(centre))
    consent = people.save_consent(
        None,
        person=child,
        actor=users["coordinator"],
        purpose="photos",
        given_by="Éva",
        given_on=date(2026, 1, 10),
    )
    people.delete_consent(consent, actor=users["coordinator"])
    (entry,) = entries(entity="consents", action="delete")
    assert entry.person_id == child.id and entry.changes["purpose"] == "photos"


def test_changing_and_deleting_a_family_and_changing_a_consent_are_audited(users, centre):
    actor = users["coordinator"]
    family = make_family(centre, name="Kovács", address="Str. Kanta 1")
    people.save_family(
        family,
        actor=actor,
        version=family.version,
        name="Kovács",
        centre_id=centre.id,
        address="Str. Kanta 41",
        city="Târgu Secuiesc",
        factors=["housing"],
    )
    (changed,) = entries(entity="families", action="update")
    assert changed.changes["address"] == ["Str. Kanta 1", "Str. Kanta 41"]
    assert changed.changes["factor_list"] == ["", "housing"]

    child = make_child(family)
    consent = people.save_consent(
        None,
        person=child,
        actor=actor,
        purpose="photos",
        given_by="Éva",
        given_on=date(2026, 1, 10),
    )
    people.save_consent(
        consent,
        person=child,
        actor=actor,
        version=consent.version,
        purpose="photos",
        given_by="Kovács Éva",
        given_on=date(2026, 1, 10),
        expires_on=date(2026, 12, 31),
    )
    (consent_change,) = entries(entity="consents", action="update")
    assert consent_change.changes["given_by"] == ["Éva", "Kovács Éva"]
    assert consent_change.person_id == child.id

    with pytest.raises(Refused):
        people.delete_family(family, actor=actor)
    people.delete_person(child, actor=actor)
    people.delete_family(family, actor=actor)
    (deleted,) = entries(entity="families", action="delete")
    assert deleted.centre_id == centre.id and deleted.changes["name"] == "Kovács"


def test_search_matches_the_beginning_of_each_part_of_a_name(users, centre):
    family = make_family(centre, name="Pop-Ionescu")
    pop_ionescu = make_child(family, given_name="Ana-Maria")
    make_child(make_family(centre, name="Lukács"), given_name="Eszter")
    admin = users["admin"]
    assert people.search_people(admin, "ionescu maria") == [pop_ionescu]
    assert people.search_people(admin, "sz") == []  # "Eszter" has "sz" inside, not at the start

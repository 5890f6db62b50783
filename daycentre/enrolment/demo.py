"""Demo beneficiaries: 25 families of Târgu Secuiesc / Kézdivásárhely, 40 children, their parents,
consent and enrolments at the two demo centres (some on the waiting list, some who have left)."""

from datetime import date, timedelta

from stdnum.ro.cnp import calc_check_digit

from daycentre.centres.models import Centre, CentreKind, Group
from daycentre.core.text import fold
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.people.models import (
    Consent,
    ConsentPurpose,
    Family,
    Person,
    PersonKind,
    Relationship,
    Sex,
    VulnerabilityFactor,
)

F, M = Sex.FEMALE, Sex.MALE
V = VulnerabilityFactor

# (family name, street, factors, adults: (given name, relationship, sex, birth), children: (given name, sex, birth))
FAMILIES = [
    (
        "Kovács",
        "Strada Gábor Áron nr. 14",
        [V.LOW_INCOME, V.SINGLE_PARENT],
        [("Erzsébet", Relationship.MOTHER, F, date(1988, 4, 12))],
        [("Anna", F, date(2017, 3, 14)), ("Bence", M, date(2014, 9, 2))],
    ),
    (
        "Szabó",
        "Strada Petőfi Sándor nr. 7",
        [V.PARENTS_ABROAD],
        [("Ilona", Relationship.GRANDPARENT, F, date(1961, 1, 30))],
        [("Réka", F, date(2018, 6, 21)), ("Levente", M, date(2016, 11, 5))],
    ),
    (
        "Nagy",
        "Strada Curtea nr. 22",
        [V.LOW_INCOME, V.HOUSING],
        [
            ("Zsuzsanna", Relationship.MOTHER, F, date(1990, 8, 8)),
            ("Attila", Relationship.FATHER, M, date(1986, 2, 17)),
        ],
        [("Botond", M, date(2019, 1, 9)), ("Emese", F, date(2017, 7, 27))],
    ),
    (
        "Popescu",
        "Strada Fabricilor nr. 31",
        [V.LOW_INCOME],
        [("Mihaela", Relationship.MOTHER, F, date(1991, 5, 3))],
        [("Ionuț", M, date(2016, 4, 18)), ("Andreea", F, date(2013, 12, 1))],
    ),
    (
        "Molnár",
        "Strada Molnár Józsiás nr. 3",
        [V.DISABILITY],
        [
            ("Katalin", Relationship.MOTHER, F, date(1984, 10, 10)),
            ("Gábor", Relationship.FATHER, M, date(1982, 6, 25)),
        ],
        [("Csongor", M, date(2018, 2, 2))],
    ),
    (
        "Kelemen",
        "Strada Bem József nr. 19",
        [V.PARENTS_ABROAD, V.LOW_INCOME],
        [("Rozália", Relationship.GRANDPARENT, F, date(1958, 12, 24))],
        [("Zsófia", F, date(2017, 10, 30)), ("Hunor", M, date(2015, 3, 11))],
    ),
    (
        "Munteanu",
        "Strada Turia nr. 5",
        [V.SINGLE_PARENT],
        [("Cristina", Relationship.MOTHER, F, date(1993, 9, 14))],
        [("Ștefan", M, date(2018, 8, 19)), ("Bianca", F, date(2016, 1, 25))],
    ),
    (
        "Bíró",
        "Strada Kanta nr. 41",
        [V.LOW_INCOME, V.HOUSING],
        [
            ("Mária", Relationship.MOTHER, F, date(1989, 3, 3)),
            ("Sándor", Relationship.FATHER, M, date(1985, 7, 7)),
        ],
        [("Boglárka", F, date(2019, 5, 6)), ("Gergő", M, date(2017, 12, 12))],
    ),
    (
        "Székely",
        "Strada Ady Endre nr. 8",
        [V.SINGLE_PARENT, V.LOW_INCOME],
        [("László", Relationship.FATHER, M, date(1983, 11, 2))],
        [("Nóra", F, date(2014, 2, 20))],
    ),
    (
        "Mureșan",
        "Strada Fabricilor nr. 12",
        [V.PARENTS_ABROAD],
        [("Elena", Relationship.GUARDIAN, F, date(1970, 4, 4))],
        [("Alexandru", M, date(2016, 6, 30)), ("Ioana", F, date(2018, 9, 9))],
    ),
    (
        "Gál",
        "Strada Gábor Áron nr. 52",
        [V.LOW_INCOME],
        [("Enikő", Relationship.MOTHER, F, date(1992, 1, 15))],
        [("Ákos", M, date(2017, 4, 4)), ("Dóra", F, date(2013, 8, 16))],
    ),
    (
        "Ferencz",
        "Strada Petőfi Sándor nr. 28",
        [V.DISABILITY, V.LOW_INCOME],
        [("Judit", Relationship.MOTHER, F, date(1987, 6, 6))],
        [("Szabolcs", M, date(2016, 9, 23))],
    ),
    (
        "Ștefănescu",
        "Strada Curtea nr. 4",
        [V.HOUSING],
        [
            ("Gabriela", Relationship.MOTHER, F, date(1990, 12, 30)),
            ("Marian", Relationship.FATHER, M, date(1988, 3, 21)),
        ],
        [("Răzvan", M, date(2018, 11, 11)), ("Teodora", F, date(2015, 5, 5))],
    ),
    (
        "Incze",
        "Strada Bem József nr. 2",
        [V.PARENTS_ABROAD],
        [("Piroska", Relationship.GRANDPARENT, F, date(1959, 9, 1))],
        [("Kinga", F, date(2019, 3, 17)), ("Csaba", M, date(2015, 10, 8))],
    ),
    (
        "Orbán",
        "Strada Kanta nr. 15",
        [V.LOW_INCOME, V.SINGLE_PARENT],
        [("Tímea", Relationship.MOTHER, F, date(1994, 7, 19))],
        [("Dániel", M, date(2017, 1, 3))],
    ),
    (
        "Țurcanu",
        "Strada Turia nr. 18",
        [V.LOW_INCOME],
        [
            ("Florina", Relationship.MOTHER, F, date(1989, 10, 22)),
            ("Costel", Relationship.FATHER, M, date(1984, 4, 9)),
        ],
        [("Darius", M, date(2016, 12, 19)), ("Ștefania", F, date(2012, 6, 2))],
    ),
    (
        "Lukács",
        "Strada Ady Endre nr. 33",
        [V.SINGLE_PARENT],
        [("Ágnes", Relationship.MOTHER, F, date(1991, 2, 28))],
        [("Eszter", F, date(2018, 4, 26)), ("Márton", M, date(2014, 7, 14))],
    ),
    (
        "Oprea",
        "Strada Fabricilor nr. 7",
        [V.HOUSING, V.LOW_INCOME],
        [("Daniela", Relationship.MOTHER, F, date(1995, 8, 31))],
        [("Cătălina", F, date(2017, 8, 8))],
    ),
    (
        "Deák",
        "Strada Molnár Józsiás nr. 26",
        [V.PARENTS_ABROAD, V.LOW_INCOME],
        [("Irén", Relationship.GRANDPARENT, F, date(1957, 5, 20))],
        [("Balázs", M, date(2016, 2, 14)), ("Lilla", F, date(2019, 6, 1))],
    ),
    (
        "Fülöp",
        "Strada Gábor Áron nr. 9",
        [V.LOW_INCOME],
        [
            ("Melinda", Relationship.MOTHER, F, date(1990, 3, 12)),
            ("Zoltán", Relationship.FATHER, M, date(1987, 11, 29)),
        ],
        [("Noémi", F, date(2017, 11, 17))],
    ),
    (
        "Lăcătuș",
        "Strada Kanta nr. 60",
        [V.LOW_INCOME, V.HOUSING],
        [("Maria", Relationship.MOTHER, F, date(1992, 6, 16))],
        [("Denisa", F, date(2018, 1, 28)), ("Marius", M, date(2013, 3, 30))],
    ),
    (
        "Csiki",
        "Strada Petőfi Sándor nr. 45",
        [V.SINGLE_PARENT],
        [("Gyöngyi", Relationship.MOTHER, F, date(1986, 12, 5))],
        [("Krisztián", M, date(2016, 10, 10))],
    ),
    (
        "Gyárfás",
        "Strada Bem József nr. 37",
        [V.DISABILITY],
        [("Erika", Relationship.FOSTER_PARENT, F, date(1975, 2, 8))],
        [("Panna", F, date(2018, 7, 4)), ("Áron", M, date(2012, 9, 18))],
    ),
    (
        "Dumitrescu",
        "Strada Turia nr. 2",
        [V.PARENTS_ABROAD],
        [("Viorica", Relationship.GRANDPARENT, F, date(1960, 7, 23))],
        [("Mihai", M, date(2017, 5, 29))],
    ),
    (
        "Major",
        "Strada Curtea nr. 10",
        [V.LOW_INCOME],
        [
            ("Andrea", Relationship.FUTURE_PARENT, F, date(1999, 4, 1)),
            ("Róbert", Relationship.FUTURE_PARENT, M, date(1997, 10, 19)),
        ],
        [],
    ),
]

EXIT_REASONS = (
    "Absolvirea clasei a VIII-a",
    "Familia s-a mutat în altă localitate",
    "La cererea familiei",
)


def _cnp(sex: Sex, birth: date, serial: int) -> str:
    first = ("5" if sex is M else "6") if birth.year >= 2000 else ("1" if sex is M else "2")
    body = f"{first}{birth:%y%m%d}14{serial:03d}"
    return body + calc_check_digit(body)


def _grade(birth: date) -> str:
    """The 2026/2027 school year: six-year-olds are in the preparatory class."""
    year = 2026 - birth.year - 6
    if year <= 0:
        return "clasa pregătitoare"
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][min(year, 8) - 1]
    return "clasa I" if roman == "I" else f"clasa a {roman}-a"


SCHOOLS = (
    "Școala Gimnazială „Molnár Józsiás”",
    "Școala Gimnazială „Petőfi Sándor”",
    "Școala Gimnazială „Kós Károly”",
)


def _person(
    family: Family, kind: PersonKind, given: str, sex: Sex, birth: date, **fields
) -> Person:
    person = Person(
        family=family,
        kind=kind,
        family_name=family.name,
        given_name=given,
        sex=sex,
        birth_date=birth,
        search_key=fold(f"{family.name} {given}"),
        **fields,
    )
    db.session.add(person)
    return person


def _families(after_school: Centre, counselling: Centre):
    children, adults = [], []
    for index, (name, street, factors, grown_ups, kids) in enumerate(FAMILIES):
        family = Family(
            centre_id=(counselling if name in ("Major", "Molnár", "Ferencz") else after_school).id,
            name=name,
            address=street,
            city="Târgu Secuiesc",
            phone=f"07{index % 4 + 22}{index * 7919 % 1000000:06d}",
            search_key=fold(name),
        )
        family.factors = factors
        db.session.add(family)
        for given, relation, sex, birth in grown_ups:
            adults.append(
                _person(
                    family,
                    PersonKind.ADULT,
                    given,
                    sex,
                    birth,
                    relation=relation,
                    phone=family.phone,
                )
            )
        for number, (given, sex, birth) in enumerate(kids):
            child = _person(
                family,
                PersonKind.CHILD,
                given,
                sex,
                birth,
                cnp=_cnp(sex, birth, 100 + index * 3 + number)
                if (index + number) % 2 == 0
                else None,
                school=SCHOOLS[index % len(SCHOOLS)],
                grade=_grade(birth),
                allergies="arahide" if index % 7 == 3 else ("lactoză" if index % 9 == 5 else None),
                diet="fără lactoză" if index % 9 == 5 else None,
            )
            children.append(child)
    return children, adults


RELATION_WORDS = {
    Relationship.MOTHER: "mama",
    Relationship.FATHER: "tatăl",
    Relationship.GUARDIAN: "tutore",
    Relationship.GRANDPARENT: "bunica",
    Relationship.FOSTER_PARENT: "asistent maternal",
    Relationship.FUTURE_PARENT: "viitor părinte",
    Relationship.OTHER: "rudă",
}


def _consents(children: list[Person]) -> None:
    for index, child in enumerate(children):
        parent = child.family.adults[0]
        given_by = f"{parent.family_name} {parent.given_name} ({RELATION_WORDS[parent.relation]})"
        if index % 10 == 9:  # a few records still lack the consent for data processing
            continue
        signed = date(2025, 9, 1) + timedelta(days=index * 5)
        db.session.add(
            Consent(
                person=child,
                purpose=ConsentPurpose.DATA_PROCESSING,
                given_by=given_by,
                given_on=signed,
            )
        )
        if index % 3 == 0:
            db.session.add(
                Consent(
                    person=child,
                    purpose=ConsentPurpose.PHOTOS,
                    given_by=given_by,
                    given_on=signed,
                    expires_on=date(2026, 6, 30) if index % 6 == 0 else date(2027, 6, 30),
                )
            )
        if index % 4 == 1:
            db.session.add(
                Consent(
                    person=child,
                    purpose=ConsentPurpose.SCHOOL_SHARING,
                    given_by=given_by,
                    given_on=signed,
                )
            )


def _enrol(entries: list, centre: Centre) -> None:
    """Number the centre's applications in order of application."""
    entries.sort(key=lambda e: e.applied_on)
    for number, entry in enumerate(entries, start=1):
        entry.centre_id = centre.id
        entry.number = number
        if entry.status in (
            EnrolmentStatus.ACTIVE,
            EnrolmentStatus.SUSPENDED,
            EnrolmentStatus.EXITED,
        ):
            entry.contract_number = f"{number}/{entry.contract_date:%Y}"
        db.session.add(entry)


def _entry(
    person: Person, group: Group, status: EnrolmentStatus, applied_on: date, **fields
) -> Enrolment:
    if status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED, EnrolmentStatus.EXITED):
        fields.setdefault("contract_date", applied_on + timedelta(days=5))
        fields.setdefault("start_date", applied_on + timedelta(days=7))
    return Enrolment(
        person=person, group_id=group.id, status=status, applied_on=applied_on, **fields
    )


def load_beneficiaries() -> None:
    centres = {c.kind: c for c in db.session.scalars(db.select(Centre))}
    after_school, counselling = (
        centres[CentreKind.AFTER_SCHOOL],
        centres[CentreKind.PARENT_COUNSELLING],
    )
    groups = {g.name: g for g in db.session.scalars(db.select(Group))}
    primary, secondary = groups["Clasele I–IV"], groups["Clasele V–VIII"]
    parents_group, children_support = (
        groups["Consiliere pentru părinți"],
        groups["Sprijin pentru copii"],
    )

    children, adults = _families(after_school, counselling)
    db.session.flush()
    _consents(children)

    S = EnrolmentStatus
    young = sorted((c for c in children if c.birth_date.year >= 2016), key=lambda c: c.birth_date)
    older = [c for c in children if c.birth_date.year < 2016]
    start = date(2025, 9, 1)
    school_entries = []
    # The primary group is full (25 places); three more wait in order of application.
    for index, child in enumerate(young[: primary.capacity]):
        school_entries.append(
            _entry(child, primary, S.ACTIVE, start - timedelta(days=20 - index % 10))
        )
    for index, child in enumerate(young[primary.capacity :]):
        school_entries.append(
            _entry(child, primary, S.WAITING, date(2026, 9, 15) + timedelta(days=7 * index))
        )
    for index, child in enumerate(older):
        if index < 2:  # left at the end of the last school year, or moved away
            school_entries.append(
                _entry(
                    child,
                    secondary,
                    S.EXITED,
                    date(2025, 1, 10) + timedelta(days=index),
                    exit_date=date(2026, 6, 19),
                    exit_reason=EXIT_REASONS[index],
                )
            )
        elif index == 2:
            school_entries.append(
                _entry(
                    child,
                    secondary,
                    S.SUSPENDED,
                    start - timedelta(days=10),
                    suspended_on=date(2026, 10, 20),
                    notes="Spitalizare",
                )
            )
        elif index == 3:
            school_entries.append(
                _entry(
                    child,
                    secondary,
                    S.EXITED,
                    start - timedelta(days=12),
                    exit_date=date(2026, 3, 6),
                    exit_reason=EXIT_REASONS[2],
                )
            )
        else:
            school_entries.append(
                _entry(child, secondary, S.ACTIVE, start - timedelta(days=8 - index))
            )
    _enrol(school_entries, after_school)

    counselling_entries = []
    for index, adult in enumerate(adults[:12]):
        status = S.EXITED if index == 5 else (S.APPLIED if index == 11 else S.ACTIVE)
        applied = date(2026, 1, 12) + timedelta(days=9 * index)
        extra = (
            {"exit_date": date(2026, 7, 31), "exit_reason": EXIT_REASONS[2]}
            if status is S.EXITED
            else {}
        )
        counselling_entries.append(_entry(adult, parents_group, status, applied, **extra))
    for adult in (a for a in adults if a.relation is Relationship.FUTURE_PARENT):
        counselling_entries.append(_entry(adult, parents_group, S.ACTIVE, date(2026, 10, 1)))
    for index, child in enumerate(
        c for c in children if c.family.factors and V.DISABILITY in c.family.factors
    ):
        counselling_entries.append(
            _entry(child, children_support, S.ACTIVE, date(2026, 2, 2) + timedelta(days=index))
        )
    _enrol(counselling_entries, counselling)
    db.session.flush()

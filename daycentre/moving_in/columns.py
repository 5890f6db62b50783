"""The columns of an import: their names in every language, and reading a cell's text as a value.

A file's header is matched to a column by its name in any of the app's languages, by the
column's key, or by the mapping the centre chose for its own spreadsheet.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from daycentre.attendance.models import AttendanceStatus
from daycentre.core.localtime import today
from daycentre.core.text import fold
from daycentre.people.models import ConsentPurpose, Relationship, Sex

BENEFICIARIES, VOLUNTEERS, ATTENDANCE = "beneficiaries", "volunteers", "attendance"
KINDS = {
    BENEFICIARIES: _l("Beneficiary register"),
    VOLUNTEERS: _l("Register of volunteers"),
    ATTENDANCE: _l("Attendance of the current month"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    example: str = ""
    required: bool = False
    # Another column that can stand in for this required one (a full name for the two names).
    instead: str = ""


BENEFICIARY_COLUMNS = (
    Column("family_name", _l("Family name"), "Popescu", required=True),
    Column("given_name", _l("Given name"), "Ana", required=True),
    Column("birth_date", _l("Date of birth"), "2016-03-14"),
    Column("sex", _l("Sex"), "F"),
    Column("cnp", _l("CNP"), "6160314141237"),
    Column("school", _l("School"), "Școala Gimnazială nr. 1"),
    Column("grade", _l("Grade"), "IV"),
    Column("allergies", _l("Allergies")),
    Column("diet", _l("Diet")),
    Column("address", _l("Family's address"), "Strada Gábor Áron nr. 5", required=True),
    Column("city", _l("Town"), "Târgu Secuiesc", required=True),
    Column("family_phone", _l("Family's phone")),
    Column("family_email", _l("Family's email")),
    Column("parent1_family_name", _l("Parent 1: family name"), "Popescu"),
    Column("parent1_given_name", _l("Parent 1: given name"), "Maria"),
    Column("parent1_relation", _l("Parent 1: relationship"), Relationship.MOTHER.label),
    Column("parent1_cnp", _l("Parent 1: CNP")),
    Column("parent1_phone", _l("Parent 1: phone"), "0740 123 456"),
    Column("parent1_email", _l("Parent 1: email")),
    Column("parent2_family_name", _l("Parent 2: family name")),
    Column("parent2_given_name", _l("Parent 2: given name")),
    Column("parent2_relation", _l("Parent 2: relationship")),
    Column("parent2_cnp", _l("Parent 2: CNP")),
    Column("parent2_phone", _l("Parent 2: phone")),
    Column("parent2_email", _l("Parent 2: email")),
    Column("consent_given_by", _l("Consent given by"), "Popescu Maria"),
    Column("consent_data_processing", _l("Consent to data processing: date"), "2026-09-01"),
    Column("consent_photos", _l("Consent to photos: date")),
    Column("consent_school_sharing", _l("Consent to sharing with the school: date")),
    Column("consent_spas_sharing", _l("Consent to sharing with SPAS/DGASPC: date")),
    Column("group", _l("Group"), "Clasele I-IV", required=True),
    Column("applied_on", _l("Application date"), "2026-09-01", required=True),
    Column("contract_number", _l("Service contract number"), "CF-12/2026"),
    Column("contract_date", _l("Contract date"), "2026-09-01"),
    Column("start_date", _l("Start date"), "2026-09-02"),
    Column("notes", _l("Notes")),
)

VOLUNTEER_COLUMNS = (
    Column("family_name", _l("Family name"), "Ionescu", required=True),
    Column("given_name", _l("Given name"), "Ștefan", required=True),
    Column("birth_date", _l("Date of birth"), "2004-05-17", required=True),
    Column("phone", _l("Phone"), "0745 111 222"),
    Column("email", _l("Email")),
    Column("address", _l("Address")),
    Column("parental_consent_on", _l("Parents' consent: date")),
    Column("integrity_certificate_on", _l("Integrity certificate: date"), "2026-08-20"),
    Column("contract_number", _l("Contract number"), "12"),
    Column("contract_starts_on", _l("Contract start"), "2026-09-01"),
    Column("contract_ends_on", _l("Contract end"), "2027-06-30"),
    Column("contract_signed_on", _l("Contract signed on"), "2026-08-28"),
    Column("contract_activities", _l("Activities")),
)

# A centre's roll: one row per child, one column per day of the month, a letter in each cell.
DAY_PREFIX = "day_"
OTHER_MONTH_PREFIX = "date_"
ATTENDANCE_COLUMNS = (
    Column("family_name", _l("Family name"), "Popescu", required=True, instead="name"),
    Column("given_name", _l("Given name"), "Ana", required=True, instead="name"),
    Column("name", _l("Name")),
    Column("birth_date", _l("Date of birth"), "2016-03-14"),
    Column("cnp", _l("CNP")),
    Column("group", _l("Group"), "Clasele I-IV"),
    *(Column(f"{DAY_PREFIX}{n}", str(n)) for n in range(1, 32)),
)

COLUMNS = {
    BENEFICIARIES: BENEFICIARY_COLUMNS,
    VOLUNTEERS: VOLUNTEER_COLUMNS,
    ATTENDANCE: ATTENDANCE_COLUMNS,
}

PHONE_COLUMNS = frozenset({"phone", "family_phone", "parent1_phone", "parent2_phone"})
EMAIL_COLUMNS = frozenset({"email", "family_email", "parent1_email", "parent2_email"})

CONSENT_COLUMNS = {
    "consent_data_processing": ConsentPurpose.DATA_PROCESSING,
    "consent_photos": ConsentPurpose.PHOTOS,
    "consent_school_sharing": ConsentPurpose.SCHOOL_SHARING,
    "consent_spas_sharing": ConsentPurpose.SPAS_SHARING,
}

DATE_COLUMNS = frozenset(
    {
        "birth_date",
        "applied_on",
        "contract_date",
        "start_date",
        *CONSENT_COLUMNS,
        "parental_consent_on",
        "integrity_certificate_on",
        "contract_starts_on",
        "contract_ends_on",
        "contract_signed_on",
    }
)


# The longest text each column can store (the register's own columns); 200 for the others.
LONGEST = {
    "family_name": 100,
    "given_name": 100,
    "phone": 30,
    "family_phone": 40,
    "parent1_phone": 40,
    "parent2_phone": 40,
    "grade": 30,
    "city": 100,
    "address": 300,
    "contract_number": 50,
    "parent1_family_name": 100,
    "parent1_given_name": 100,
    "parent2_family_name": 100,
    "parent2_given_name": 100,
    "email": 254,
    "family_email": 254,
    "parent1_email": 254,
    "parent2_email": 254,
    "allergies": 2000,
    "notes": 2000,
    "contract_activities": 2000,
}


def columns_of(kind: str) -> dict[str, Column]:
    return {column.key: column for column in COLUMNS[kind]}


def _in_every_language(label) -> list[str]:
    names = []
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            names.append(str(label))
    return names


@cache
def _names(kind: str, app_name: str) -> dict[str, str]:
    names = {}
    for column in COLUMNS[kind]:
        names[fold(column.key.replace("_", " "))] = column.key
        for name in _in_every_language(column.label):
            names[fold(name)] = column.key
    return names


def header_key(header: str) -> str:
    """The form under which a header is matched and remembered."""
    return fold(header)


def match_headers(kind: str, headers: list[str], remembered: dict[str, str]) -> list[str | None]:
    """The column each header stands for: the centre's choice first, then the names the app
    gives its columns; None for a header that matches nothing (or was chosen to be ignored)."""
    names = _names(kind, current_app.name)
    matched: list[str | None] = []
    for header in headers:
        key = header_key(header)
        if key in remembered:
            matched.append(remembered[key] or None)
        elif kind == ATTENDANCE and key not in names:
            matched.append(_day_of(header))
        else:
            matched.append(names.get(key))
    return matched


def _day_of(header: str) -> str | None:
    """A roll's day column headed by a date rather than the day's number: a day of the current
    month is that day's column; a day of another month keeps its date, to be named a problem."""
    try:
        day = read_date(header)
    except ValueError:
        return None
    current = today()
    if (day.year, day.month) == (current.year, current.month):
        return f"{DAY_PREFIX}{day.day}"
    return f"{OTHER_MONTH_PREFIX}{day.isoformat()}"


def day_number(key: str) -> int | None:
    """The day of the month a roll's column holds (``day_5``: 5), None for another column."""
    return int(key[len(DAY_PREFIX) :]) if key.startswith(DAY_PREFIX) else None


# --- Reading values -----------------------------------------------------------------------------

_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})\.?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[./-]\s?(\d{1,2})[./-]\s?(\d{1,2})\.?(?: 00:00(?::00)?)?$")


def read_date(text: str) -> date | None:
    """ISO and Hungarian dates (2026-09-01, 2026. 09. 01.), Romanian ones (01.09.2026, 01/09/2026).

    Raises ValueError for text that is not a date.
    """
    text = text.strip()
    if match := _YEAR_FIRST.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


@cache
def _choice_names(enum_type, app_name: str) -> dict[str, str]:
    names = {}
    for member in enum_type:
        names[fold(member.value.replace("_", " "))] = member.value
        for name in _in_every_language(member.label):
            names[fold(name)] = member.value
    return names


SEX_WORDS = {
    "f": Sex.FEMALE.value,
    "m": Sex.MALE.value,
    "n": Sex.FEMALE.value,  # nő
    "ffi": Sex.MALE.value,
    "feminin": Sex.FEMALE.value,
    "masculin": Sex.MALE.value,
    "fata": Sex.FEMALE.value,
    "baiat": Sex.MALE.value,
    "lany": Sex.FEMALE.value,
    "fiu": Sex.MALE.value,
}

RELATION_WORDS = {
    "mama": Relationship.MOTHER.value,
    "tata": Relationship.FATHER.value,
    "anya": Relationship.MOTHER.value,
    "apa": Relationship.FATHER.value,
    "tutore": Relationship.GUARDIAN.value,
    "gyam": Relationship.GUARDIAN.value,
    "bunica": Relationship.GRANDPARENT.value,
    "bunic": Relationship.GRANDPARENT.value,
    "nagymama": Relationship.GRANDPARENT.value,
    "nagyapa": Relationship.GRANDPARENT.value,
}


def read_sex(text: str) -> str:
    key = fold(text)
    found = SEX_WORDS.get(key) or _choice_names(Sex, current_app.name).get(key)
    if not found:
        raise ValueError(text)
    return found


def read_relation(text: str) -> str:
    key = fold(text)
    found = RELATION_WORDS.get(key) or _choice_names(Relationship, current_app.name).get(key)
    if not found:
        raise ValueError(text)
    return found


# --- Roll marks, phone numbers, e-mail addresses ------------------------------------------------

NO_MARK = frozenset({"", "-", "–", "—"})


@cache
def _mark_names(app_name: str) -> dict[str, AttendanceStatus]:
    """A roll's marks as the centres write them: the sheet's letters in any of the app's
    languages (ro P/M/N, hu J/I/H, en P/E/U), which never clash, and the statuses' names."""
    names = {}
    for status in AttendanceStatus:
        names[fold(status.value.replace("_", " "))] = status
        for text in (*_in_every_language(status.letter), *_in_every_language(status.label)):
            names[fold(text)] = status
    return names


def read_mark(text: str) -> AttendanceStatus | None:
    """None for a cell without a mark (empty, or the sheet's dash of a day without activity);
    raises ValueError for a mark that is none of the roll's."""
    text = text.strip()
    if text in NO_MARK:
        return None
    found = _mark_names(current_app.name).get(fold(text))
    if found is None:
        raise ValueError(text)
    return found


_PHONE_PUNCTUATION = re.compile(r"[\s./()-]")


def read_phone(text: str) -> str:
    """A Romanian number written the usual way (0740 123 456, 0267 123 456); the leading zero a
    spreadsheet's number cell dropped (740123456) is put back, +40 and 0040 become 0. A foreign
    number (+36 ...) is kept as written. Raises ValueError for what is no phone number."""
    digits = _PHONE_PUNCTUATION.sub("", text.strip())
    if digits.startswith("+") and not digits.startswith("+40"):
        if digits[1:].isdigit() and 7 <= len(digits) <= 16:
            return text.strip()
        raise ValueError(text)
    for prefix in ("+40", "0040"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
    if len(digits) == 9 and digits[0] in "237":  # the zero a number cell dropped
        digits = "0" + digits
    if len(digits) != 10 or not digits.isdigit() or digits[:2] not in ("02", "03", "07", "08"):
        raise ValueError(text)
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def read_email(text: str) -> str:
    """The address as given, if it is one (its domain is not looked up); ValueError if not."""
    try:
        validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(text) from None
    return text.strip()

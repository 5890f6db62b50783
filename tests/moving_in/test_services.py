from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from daycentre.audit.models import AuditEntry
from daycentre.core.errors import Refused
from daycentre.enrolment.models import Enrolment, EnrolmentStatus
from daycentre.extensions import db
from daycentre.moving_in import services as moving_in
from daycentre.moving_in.models import ImportBatch, ImportStatus
from daycentre.people.models import Consent, Family, Person, PersonKind
from tests.factories import make_child, make_enrolment, make_family, make_group, make_user
from tests.moving_in.files import HEADERS_RO, child_row, cnp_for, csv_bytes, xlsx


@pytest.fixture
def group(centre):
    return make_group(centre, name="Clasele I-IV", capacity=30)


@pytest.fixture
def coordinator(centre):
    return make_user("coordinator", centres=[centre])


def csv_zip() -> bytes:
    import io
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    return stream.getvalue()


def upload(centre, actor, content, name="registru.xlsx"):
    return moving_in.read_upload(
        centre, kind="beneficiaries", file_name=name, content=content, actor=actor
    )


def problems_of(rows):
    with force_locale("en"):
        return {row.number: [(p.column, str(p.message)) for p in row.problems] for row in rows}


def test_siblings_share_a_family_and_parent_and_everything_is_stored(centre, group, coordinator):
    birth = date(2016, 3, 14)
    content = xlsx(
        HEADERS_RO,
        [
            child_row(
                given="Ana",
                cnp=cnp_for(birth),
                contract="CF-1/2026",
                contract_date="01.09.2026",
                start="02.09.2026",
            ),  # fmt: skip
            child_row(given="Ion", birth="2018-05-02", sex="M"),
        ],
    )
    batch = upload(centre, coordinator, content)
    rows = moving_in.check_rows(batch, actor=coordinator)
    assert problems_of(rows) == {2: [], 3: []}
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 0  # the preview saves nothing

    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    db.session.commit()
    family = db.session.scalars(db.select(Family)).one()
    assert sorted(p.given_name for p in family.children) == ["Ana", "Ion"]
    assert [(a.given_name, a.relation.value) for a in family.adults] == [("Maria", "mother")]
    ana = next(p for p in family.children if p.given_name == "Ana")
    assert ana.cnp == cnp_for(birth)
    assert [c.purpose.value for c in ana.consents] == ["data_processing"]
    assert ana.consents[0].given_by == "Popescu Maria"
    statuses = {e.person.given_name: e.status for e in db.session.scalars(db.select(Enrolment))}
    assert statuses == {"Ana": EnrolmentStatus.ACTIVE, "Ion": EnrolmentStatus.APPLIED}
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.changes["rows"] == 2
    assert batch.rows is None  # the file's personal data are not kept once imported


def test_every_kind_of_bad_row_is_named_on_its_column(centre, group, coordinator):
    registered = make_child(centre=centre, family_name="Kovács", given_name="Ádám",
                            birth_date=date(2015, 1, 2))  # fmt: skip
    db.session.commit()
    birth = date(2016, 3, 14)
    content = xlsx(
        HEADERS_RO,
        [
            child_row(given="Bad", cnp="6160314141230"),  # checksum fails
            child_row(given="Other", cnp=cnp_for(date(2017, 1, 1))),  # not the birth date
            child_row(given="Late", birth="31.02.2016"),
            child_row(given="Lost", group="Grupa mare"),
            child_row(family="Kovacs", given="Adam", birth="02.01.2015"),  # accents aside
            child_row(given=""),
            child_row(given="Twin", cnp=cnp_for(birth)),
            child_row(given="Twin", cnp=cnp_for(birth)),  # the same child twice in the file
            child_row(given="x" * 101),
            child_row(given="Solo", parent_family="", parent_given=""),
        ],
    )
    rows = moving_in.check_rows(upload(centre, coordinator, content), actor=coordinator)
    found = problems_of(rows)
    assert found[2] == [("cnp", "This CNP is not valid: check the 13 digits.")]
    assert found[3] == [("cnp", "The CNP does not match the date of birth.")]
    assert found[4] == [("birth_date", "This date cannot be read: 31.02.2016")]
    assert found[5] == [("group", "The centre has no group named Grupa mare.")]
    assert found[6] == [
        ("given_name", "A child with this name and date of birth is already in the register.")
    ]
    assert found[7] == [("given_name", "This value is required.")]
    assert found[8] == []
    assert found[9] == [("cnp", "A person with this CNP is already registered.")]
    assert found[10] == [("given_name", "At most 100 characters fit here.")]
    assert found[11] == [("consent_given_by", "Say who gave the consent.")]
    assert registered.id


def test_only_the_accepted_rows_are_imported(centre, group, coordinator):
    content = xlsx(HEADERS_RO, [child_row(given="Ana"), child_row(given="X", group="Nope")])
    batch = upload(centre, coordinator, content)
    assert moving_in.confirm_import(batch, actor=coordinator) == 1
    assert [p.given_name for p in db.session.scalars(db.select(Person).where(
        Person.kind == PersonKind.CHILD))] == ["Ana"]  # fmt: skip


def test_a_refusal_at_confirmation_leaves_nothing(centre, group, coordinator, monkeypatch):
    content = xlsx(HEADERS_RO, [child_row(given="Ana"), child_row(given="Ion")])
    batch = upload(centre, coordinator, content)
    db.session.commit()
    real = moving_in._store_beneficiary
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    rules = moving_in.KIND_RULES["beneficiaries"]
    monkeypatch.setitem(moving_in.KIND_RULES, "beneficiaries", replace(rules, store=failing))
    with pytest.raises(RuntimeError):
        moving_in.confirm_import(batch, actor=coordinator)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Person.id))) == 0
    assert db.session.get(ImportBatch, batch.id).status is ImportStatus.PREVIEWED


def test_cp1250_semicolon_csv_as_libreoffice_saves_it(centre, group, coordinator):
    content = csv_bytes(
        HEADERS_RO,
        # Windows-1250 has only the old cedilla forms of ș and ț.
        [child_row(family="Kovács", given="Ştefan", sex="M", address="Strada Şcolii nr. 3")],
        encoding="cp1250",
    )
    batch = upload(centre, coordinator, content, name="registru.csv")
    assert batch.rows[0][1][:2] == ["Kovács", "Ştefan"]
    assert moving_in.confirm_import(batch, actor=coordinator) == 1
    stefan = db.session.scalars(db.select(Person).where(Person.kind == PersonKind.CHILD)).one()
    assert stefan.search_key == "kovacs stefan"  # found as "Ștefan" and "Stefan" alike


def test_utf8_comma_csv(centre, group, coordinator):
    content = csv_bytes(HEADERS_RO, [child_row(given="Ionuț")], encoding="utf-8", delimiter=",")
    batch = upload(centre, coordinator, content, name="registru.csv")
    assert batch.rows[0][1][1] == "Ionuț"


def test_formulas_read_as_values_merged_cells_fill_their_range_hidden_sheets_left_out(
    centre, group, coordinator
):
    rows = [child_row(given="Ana"), child_row(family=None, given="Ion", birth="=DATE(2018,5,2)")]
    content = xlsx(HEADERS_RO, rows, merged=["A2:A3"], hidden_sheet=True,
                   cached={"C3": "02.05.2018"})  # fmt: skip
    batch = upload(centre, coordinator, content)
    assert batch.notices == ["Ascuns"]
    checked = moving_in.check_rows(batch, actor=coordinator)
    assert [row.values["family_name"] for row in checked] == ["Popescu", "Popescu"]
    assert checked[1].values["birth_date"] == "02.05.2018"
    assert all(row.accepted for row in checked)


def test_limits_are_named(app, centre, group, coordinator):
    app.config["IMPORT_MAX_BYTES"] = 1024 * 1024
    with force_locale("en"), pytest.raises(Refused, match="larger than 1 MB"):
        upload(centre, coordinator, b"x" * (1024 * 1024 + 1), name="big.csv")
    app.config["IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    app.config["IMPORT_MAX_ROWS"] = 3
    with force_locale("en"), pytest.raises(Refused, match="more than 3 rows"):
        upload(centre, coordinator, csv_bytes(HEADERS_RO, [child_row()] * 4), name="r.csv")
    with pytest.raises(Refused):
        upload(centre, coordinator, b"MZ\x90\x00", name="virus.exe")
    with pytest.raises(Refused):  # a zip, but no workbook inside
        upload(centre, coordinator, csv_zip(), name="r.xlsx")


def test_a_file_with_its_own_column_names_is_mapped_and_remembered(centre, group, coordinator):
    headers = ["Numele", *HEADERS_RO[1:]]
    batch = upload(centre, coordinator, xlsx(headers, [child_row()]))
    assert [c.key for c in moving_in.missing_columns(batch)] == ["family_name"]
    chosen = moving_in.matched_columns(batch)
    chosen[0] = "family_name"
    moving_in.remember_columns(batch, chosen, actor=coordinator)
    again = upload(centre, coordinator, xlsx(headers, [child_row()]))
    assert moving_in.missing_columns(again) == []


def test_undo_removes_what_the_import_created(centre, group, coordinator):
    batch = upload(centre, coordinator, xlsx(HEADERS_RO, [child_row(), child_row(given="Ion")]))
    moving_in.confirm_import(batch, actor=coordinator)
    db.session.commit()
    moving_in.undo_import(batch, actor=coordinator)
    db.session.commit()
    for model in (Family, Person, Consent, Enrolment):
        assert db.session.scalar(db.select(db.func.count(model.id))) == 0
    assert batch.status is ImportStatus.UNDONE
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry))]
    assert actions.count("import_undone") == 1


def test_undo_is_refused_once_a_record_changed_or_was_added_to(centre, group, coordinator):
    batch = upload(centre, coordinator, xlsx(HEADERS_RO, [child_row()]))
    moving_in.confirm_import(batch, actor=coordinator)
    db.session.commit()
    family = db.session.scalars(db.select(Family)).one()
    make_child(family, given_name="Nou")
    db.session.commit()
    with force_locale("en"), pytest.raises(Refused, match="changed or added to"):
        moving_in.undo_import(batch, actor=coordinator)
    db.session.rollback()
    child = db.session.scalars(db.select(Person).where(Person.given_name == "Ana")).one()
    child.school = "Școala nr. 2"
    db.session.commit()
    with force_locale("en"), pytest.raises(Refused, match="changed or added to"):
        moving_in.undo_import(batch, actor=coordinator)


def test_undo_is_refused_after_seven_days(centre, group, coordinator):
    batch = upload(centre, coordinator, xlsx(HEADERS_RO, [child_row()]))
    moving_in.confirm_import(batch, actor=coordinator)
    batch.imported_at -= timedelta(days=8)
    db.session.commit()
    with force_locale("en"), pytest.raises(Refused, match="within 7 days"):
        moving_in.undo_import(batch, actor=coordinator)


def test_another_centres_coordinator_cannot_import(centre, other_centre, group):
    outsider = make_user("coordinator", centres=[other_centre])
    with pytest.raises(Refused):
        upload(centre, outsider, xlsx(HEADERS_RO, [child_row()]))


def test_an_existing_family_elsewhere_is_not_touched(centre, group, coordinator):
    make_family(centre, name="Popescu")
    batch = upload(centre, coordinator, xlsx(HEADERS_RO, [child_row()]))
    assert moving_in.confirm_import(batch, actor=coordinator) == 1


def test_a_title_above_the_header_is_skipped(centre, group, coordinator):
    rows = [["Centrul de zi"], HEADERS_RO, child_row()]
    content = xlsx(["Registrul de evidență a beneficiarilor"], rows, merged=["A1:F1"])
    batch = upload(centre, coordinator, content)
    assert batch.headers == HEADERS_RO
    assert batch.rows == [[4, child_row()]]


VOLUNTEER_HEADERS = [
    "Family name",
    "Given name",
    "Date of birth",
    "Parents' consent: date",
    "Integrity certificate: date",
    "Contract number",
    "Contract start",
    "Contract end",
    "Contract signed on",
]


def volunteer_upload(centre, actor, rows):
    return moving_in.read_upload(
        centre,
        kind="volunteers",
        file_name="voluntari.csv",
        content=csv_bytes(VOLUNTEER_HEADERS, rows, delimiter=","),
        actor=actor,
    )


def test_volunteers_with_their_contract_numbers_and_the_age_rule(centre, coordinator):
    from daycentre.volunteers.models import ContractStatus, Volunteer, VolunteerContract
    from daycentre.volunteers.services import CONTRACTS_REGISTER, next_number
    from tests.factories import years_ago

    adult, fifteen = years_ago(20), years_ago(15) + timedelta(days=-30)
    started = (date.today() - timedelta(days=30)).isoformat()
    ends = (date.today() + timedelta(days=200)).isoformat()
    signed = (date.today() - timedelta(days=31)).isoformat()
    rows = [
        ["Ionescu", "Ștefan", adult.isoformat(), "", "2026-08-20", "12", started, ends, signed],
        ["Pop", "Andreea", fifteen.isoformat(), "", "", "", "", "", ""],
        ["Pop", "Ioana", fifteen.isoformat(), "2026-08-01", "", "", "", "", ""],
        ["Ionescu", "Stefan", adult.isoformat(), "", "", "", "", "", ""],
    ]
    batch = volunteer_upload(centre, coordinator, rows)
    found = problems_of(moving_in.check_rows(batch, actor=coordinator))
    assert found[2] == [] and found[4] == []
    assert found[3][0][0] == "parental_consent_on"
    assert "consent" in found[3][0][1]
    assert found[5] == [
        ("given_name", "A volunteer with this name and date of birth is already registered.")
    ]
    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    contract = db.session.scalars(db.select(VolunteerContract)).one()
    assert contract.number == 12 and contract.status is ContractStatus.ACTIVE
    assert next_number(centre.id, CONTRACTS_REGISTER) == 13  # the register goes on after it
    db.session.commit()
    moving_in.undo_import(batch, actor=coordinator)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Volunteer.id))) == 0


def _register_of(count: int) -> bytes:
    rows = []
    for n in range(count):
        birth = date(2014, 1, 1) + timedelta(days=17 * n)
        rows.append(
            child_row(
                family=f"Familia{n // 2}",
                given=f"Copil{n}",
                birth=birth.isoformat(),
                cnp=cnp_for(birth, serial=f"{n:03d}"),
                address=f"Strada Morii nr. {n // 2}",
                contract=f"CF-{n}/2026",
                contract_date="01.09.2026",
                start="02.09.2026",
            )
        )
    return xlsx(HEADERS_RO, rows)


def _counting_queries(action, *args, **kwargs):
    """What ``action`` returns, and how many statements it sent to the database."""
    from sqlalchemy import event

    counted = []

    def count(*_):
        counted.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = action(*args, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(counted)


@pytest.mark.parametrize("kind", ["beneficiaries", "volunteers", "attendance"])
def test_the_preview_costs_the_same_queries_for_10_rows_as_for_100(centre, coordinator, kind):
    """The rows are checked against the register read once for the whole file (people by CNP
    and name, families, groups, places, volunteers, contracts, rolls), never row by row."""
    from tests.moving_in.files import roll_headers, roll_row

    group = make_group(centre, name="Clasele I-IV", capacity=200)
    for n in range(3):  # a few rows find their child, the others do not
        make_enrolment(make_child(centre=centre, family_name=f"Familia{n}"), group)
    db.session.commit()
    batches = {}
    for count in (10, 100):
        if kind == "attendance":
            marks = dict.fromkeys((1, 2, 3), "P")
            rows = [roll_row(f"Familia{n}", "Ana", "2016-03-14", marks=marks) for n in range(count)]
            content = xlsx(roll_headers(), rows)
        elif kind == "volunteers":
            rows = [
                [
                    f"Ionescu{n}",
                    "Ștefan",
                    "2000-01-01",
                    "",
                    "2026-08-20",
                    str(n + 1),
                    "2026-09-01",
                    "2027-06-30",
                    "2026-08-28",
                ]  # fmt: skip
                for n in range(count)
            ]
            content = xlsx(VOLUNTEER_HEADERS, rows)
        else:
            content = _register_of(count)
        batches[count] = moving_in.read_upload(
            centre, kind=kind, file_name="r.xlsx", content=content, actor=coordinator
        )
    db.session.commit()
    moving_in.check_rows(batches[10], actor=coordinator)  # the process's calendar, once
    costs = {}
    for count, batch in batches.items():
        db.session.expire_all()
        rows, costs[count] = _counting_queries(moving_in.check_rows, batch, actor=coordinator)
        assert len(rows) == count
    assert costs[10] == costs[100] <= 10


def test_a_sibling_joins_the_family_already_in_the_register(centre, group, coordinator):
    from tests.factories import make_adult

    family = make_family(centre, name="Popescu")  # Strada Gábor Áron nr. 5, Târgu Secuiesc
    make_child(family, given_name="Ana")
    mother = make_adult(family, given_name="Maria", cnp="2850101141230"[:12] + "0")
    db.session.commit()
    content = xlsx(
        HEADERS_RO,
        [
            # The same address, accents aside, and the same mother: Ion joins Ana's family.
            child_row(given="Ion", birth="2018-05-02", sex="M", address="Strada Gabor Aron nr. 5"),
            # Another address, but the same family name and no known parent: a family of its own.
            child_row(
                given="Dan",
                birth="2019-05-02",
                sex="M",
                address="Strada Lungă 1",
                parent_given="Elena",
            ),  # fmt: skip
        ],
    )
    batch = upload(centre, coordinator, content)
    rows = moving_in.check_rows(batch, actor=coordinator)
    with force_locale("en"):
        assert [str(note) for note in rows[0].notes] == [
            "Joins the family Popescu already in the register (Ana)."
        ]
        assert rows[1].notes == []
    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    db.session.commit()
    db.session.refresh(family)
    assert sorted(c.given_name for c in family.children) == ["Ana", "Ion"]
    assert [a.id for a in family.adults] == [mother.id]  # Maria is not registered twice
    assert db.session.scalar(db.select(db.func.count(Family.id))) == 2
    # Undone, the import takes Ion away and leaves Ana's family as it was.
    moving_in.undo_import(batch, actor=coordinator)
    db.session.commit()
    db.session.refresh(family)
    assert [c.given_name for c in family.children] == ["Ana"]


def test_a_parents_cnp_finds_the_family_whatever_the_address(centre, group, coordinator):
    from tests.factories import make_adult

    family = make_family(centre, name="Kiss", address="Str. Fabricii 3")
    make_child(family, family_name="Kiss", given_name="Anna")
    father_cnp = "1800101141238"
    from stdnum.ro.cnp import calc_check_digit

    father_cnp = father_cnp[:12] + calc_check_digit(father_cnp[:12])
    make_adult(family, family_name="Kiss", given_name="Péter", cnp=father_cnp,
               relation="father")  # fmt: skip
    db.session.commit()
    headers = [*HEADERS_RO, "Părinte 1: CNP"]
    row = child_row(family="Kiss", given="Bence", birth="2019-01-01", sex="M",
                    address="Strada Fabricii nr. 3", parent_family="Kiss", parent_given="Péter",
                    relation="tată")  # fmt: skip
    batch = upload(centre, coordinator, xlsx(headers, [[*row, father_cnp]]))
    rows = moving_in.check_rows(batch, actor=coordinator)
    assert rows[0].accepted and rows[0].parsed["family"].id == family.id


def test_phone_numbers_keep_their_leading_zero_and_emails_are_checked(centre, group, coordinator):
    headers = [*HEADERS_RO, "Părinte 1: telefon", "Părinte 1: e-mail"]
    rows = [
        [*child_row(given="Ana"), 740123456, "maria.popescu@example.ro"],  # a number cell
        [*child_row(given="Ion", family="Ionescu", parent_family="Ionescu"), "+40 745-111-222", ""],
        [*child_row(given="Dan", family="Dobre"), "12345", "maria@"],
    ]
    batch = upload(centre, coordinator, xlsx(headers, rows))
    checked = moving_in.check_rows(batch, actor=coordinator)
    assert problems_of(checked)[4] == [
        ("parent1_phone", "This phone number cannot be read: 12345"),
        ("parent1_email", "This email address is not valid: maria@"),
    ]
    with force_locale("ro"):
        assert (
            str(checked[2].problems[1].message) == "Această adresă de e-mail nu este validă: maria@"
        )
    assert checked[0].values["parent1_phone"] == "0740 123 456"  # the preview shows it so
    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    phones = dict(db.session.execute(db.select(Person.family_name, Person.phone).where(
        Person.kind == PersonKind.ADULT)).all())  # fmt: skip
    assert phones == {"Popescu": "0740 123 456", "Ionescu": "0745 111 222"}
    family = db.session.scalars(db.select(Family).where(Family.name == "Popescu")).one()
    assert family.phone == "0740 123 456"


def test_read_phone_restores_and_normalises_romanian_numbers(app):
    from daycentre.moving_in.columns import read_phone

    assert read_phone("740123456") == "0740 123 456"
    assert read_phone("0267.123.456") == "0267 123 456"
    assert read_phone("0040 740 123 456") == "0740 123 456"
    assert read_phone("+36 30 123 4567") == "+36 30 123 4567"  # a Hungarian number, as written
    for wrong in ("12345", "0740 123", "telefon", "0940123456"):
        with pytest.raises(ValueError):
            read_phone(wrong)


def test_the_preview_names_what_the_services_would_refuse(centre, coordinator):
    """The preview no longer stores each row to find out: the register's rules are checked on
    the rows themselves, and the import then stores exactly the rows the preview accepted."""
    make_group(centre, name="Clasele I-IV", capacity=1)
    contract = {"contract": "CF-1/2026", "contract_date": "01.09.2026", "start": "02.09.2026"}
    rows = [
        child_row(given="Ana", **contract),
        child_row(given="Ion", birth="2018-05-02", sex="M", **contract),  # no place left
        child_row(given="Dan", birth="2018-06-02", sex="", cnp=""),  # no sex, no CNP to say it
        child_row(given="Eva", consent="01.09.2099"),
        child_row(given="Ada", applied="01.09.2015"),  # before her birth
        child_row(given="Lia", birth="2017-01-01", **(contract | {"start": "31.08.2026"})),
        child_row(given="Mia", birth="2017-02-01"),  # applies: the group is full, she waits
    ]
    batch = upload(centre, coordinator, xlsx(HEADERS_RO, rows))
    checked = moving_in.check_rows(batch, actor=coordinator)
    found = problems_of(checked)
    assert found[2] == []
    assert found[3] == [
        ("contract_number", "The group has no free place. Put the application on the waiting list.")
    ]
    assert found[4] == [("sex", "A child's record needs the date of birth and the sex.")]
    assert found[5] == [
        ("consent_data_processing", "The date of the consent cannot be in the future.")
    ]
    assert found[6] == [("applied_on", "The application cannot be dated before the date of birth.")]
    assert found[7] == [
        ("contract_date", "The contract and the start cannot be dated before the application.")
    ]
    assert found[8] == []
    with force_locale("en"):
        assert [str(note) for note in checked[6].notes] == [
            "On the waiting list",
            "Joins the family of row 2.",
        ]
    assert moving_in.confirm_import(batch, actor=coordinator) == 2
    statuses = {e.person.given_name: e.status for e in db.session.scalars(db.select(Enrolment))}
    assert statuses == {"Ana": EnrolmentStatus.ACTIVE, "Mia": EnrolmentStatus.WAITING}

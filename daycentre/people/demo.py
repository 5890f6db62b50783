"""Demo children whose parents work abroad: the five demo families with that factor, a mother in
Italy whose children are visited every quarter (the last visit overdue), parents in Germany, a
single parent in Spain, a father gone this summer and not visited yet, a mother back from the UK."""

from datetime import date

from daycentre.auth.models import User
from daycentre.extensions import db
from daycentre.people.models import AbroadParent, AbroadVisit, Family, ParentsAbroad, Residence

COURT = "Judecătoria Târgu Secuiesc"

# family: (who, country, since, expected return, came back, notified, carer, delegation, manager)
SITUATIONS = {
    "Szabó": (
        AbroadParent.MOTHER,
        "IT",
        date(2024, 3, 1),
        date(2027, 6, 30),
        None,
        date(2024, 2, 12),
        ("Szabó Ilona", "bunica"),
        date(2024, 4, 10),
        "counsellor",
    ),
    "Kelemen": (
        AbroadParent.BOTH,
        "DE",
        date(2025, 5, 1),
        None,
        None,
        date(2025, 4, 22),
        ("Kelemen Margit", "bunica"),
        date(2025, 6, 20),
        "coordinator",
    ),
    "Mureșan": (
        AbroadParent.SINGLE_PARENT,
        "ES",
        date(2023, 9, 1),
        date(2026, 12, 20),
        None,
        None,
        ("Mureșan Victoria", "mătușa, tutore"),
        date(2023, 11, 15),
        "counsellor",
    ),
    "Incze": (
        AbroadParent.FATHER,
        "HU",
        date(2026, 8, 1),
        date(2027, 2, 1),
        None,
        date(2026, 7, 20),
        ("Incze Rozália", "bunica"),
        None,
        "coordinator",
    ),
    "Dumitrescu": (
        AbroadParent.MOTHER,
        "GB",
        date(2025, 1, 15),
        date(2026, 6, 1),
        date(2026, 6, 15),
        date(2025, 1, 10),
        ("Dumitrescu Elena", "bunica"),
        None,
        "coordinator",
    ),
}

VISITS = {
    "Szabó": [
        (date(2026, 2, 25), "Copiii sunt îngrijiți de bunică; mama sună zilnic."),
        (
            date(2026, 5, 27),
            "Réka are rezultate bune la școală; Levente are nevoie de sprijin la matematică.",
        ),
        (date(2026, 8, 28), "Vară liniștită; mama a fost acasă două săptămâni în august."),
    ],
    "Kelemen": [(date(2026, 9, 10), "Bunica face față; locuința este curată și încălzită.")],
    "Mureșan": [(date(2026, 10, 5), "Mătușa cere sprijin pentru rechizite.")],
    "Dumitrescu": [(date(2026, 4, 2), "Mama anunță întoarcerea în iunie.")],
}

# Families living in the villages of the municipality (Lunga, Tinoasa, Săsăuși).
RURAL = ("Incze", "Deák", "Lăcătuș")


def load_parents_abroad() -> None:
    families = {f.name: f for f in db.session.scalars(db.select(Family))}
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    for name in RURAL:
        families[name].residence = Residence.RURAL
    for name, facts in SITUATIONS.items():
        who, country, since, expected, back, notified, carer, delegated, manager = facts
        situation = ParentsAbroad(
            family=families[name],
            who=who,
            country=country,
            since=since,
            expected_return=expected,
            returned_on=back,
            authority_notified_on=notified,
            carer_name=carer[0],
            carer_relation=carer[1],
            delegation_on=delegated,
            delegation_court=COURT if delegated else None,
            manager_id=users[manager].id,
        )
        situation.visits = [
            AbroadVisit(visited_on=day, findings=text, visited_by_id=users[manager].id)
            for day, text in VISITS.get(name, ())
        ]
        db.session.add(situation)
    db.session.flush()

"""A county's records, built in bulk on the app's own schema and with the services' invariants.

What the services guarantee, the builder keeps:
- a child is marked only on an operating day of the centre (weekdays, no Romanian public holiday,
  no closure day) on which an enrolment of theirs in that group is active, once per centre and day;
- a meal is recorded only for a child marked present;
- a roll call exists for each group and day that has marks, saved by the centre's coordinator;
- enrolment numbers follow the order of application in each centre's register; a waiting
  application has no start date; an exit comes after the start;
- a counsellor, a room and a beneficiary are never booked twice at the same time;
- a workshop never has more registered participants than places (the rest wait);
- every record written by a person has its audit entry (see ``AUDITED_MARK_DAYS`` for marks).

``CountySpec`` sets the size; the benchmark uses the defaults (50 after-school centres, 200
groups, 5,000 children, roll-calls since 1 September three years ago), the tests a tiny county.
Everything is drawn from ``random.Random(seed)``: the same spec builds the same records.
"""

import hashlib
from bisect import bisect_left
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

import holidays

from benchmarks import names
from benchmarks.loader import Loader, as_json, iso_day, iso_instant, iso_time
from daycentre.core.localtime import BUCHAREST, today

# Bump when the builder changes what it writes, so that a cached database is rebuilt.
BUILDER_VERSION = 1


@dataclass(frozen=True)
class CountySpec:
    after_school_centres: int = 50
    counselling_centres: int = 2
    groups_per_centre: int = 4
    # The first centre's groups hold ``bench_group_size`` children each: the 30-child roll.
    bench_group_size: int = 30
    group_sizes: tuple[int, int] = (18, 29)
    children: int = 5_000
    waiting: int = 150  # applications on the waiting lists
    departures: int = 230  # children who left during the period (their place taken by another)
    counsellors_per_centre: int = 4
    counselling_sessions: int = 15_000
    counselling_families: int = 600
    workshops_per_centre_year: int = 4
    volunteers_per_centre: int = 6
    cases_per_centre_year: int = 3
    # Audit entries for marks and meals are written for this many last days of the period (the
    # rest of the trail is complete); a full trail of 7 M rows would not fit the build budget.
    audited_mark_days: int = 92
    first_day: date | None = None  # default: 1 September three years before the last day
    last_day: date | None = None  # default: yesterday
    seed: int = 14

    def period(self) -> tuple[date, date]:
        last = self.last_day or today() - timedelta(days=1)
        first = self.first_day or date(last.year - 3 if last.month >= 9 else last.year - 4, 9, 1)
        return first, last

    def key(self) -> str:
        """What a cached database must match: the spec without its dates, and the builder."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("first_day", "last_day")}
        fields["first_day"] = str(self.first_day)
        fields["builder"] = BUILDER_VERSION
        return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:12]


TINY = CountySpec(
    after_school_centres=2,
    counselling_centres=1,
    groups_per_centre=2,
    bench_group_size=6,
    group_sizes=(4, 6),
    children=30,
    waiting=3,
    departures=4,
    counsellors_per_centre=2,
    counselling_sessions=40,
    counselling_families=8,
    workshops_per_centre_year=1,
    volunteers_per_centre=2,
    cases_per_centre_year=1,
    audited_mark_days=3,
)

PASSWORD = "county-bench"  # noqa: S105 - the benchmark's own throwaway accounts


@dataclass
class Ids:
    """The next id of each table: the builder assigns ids itself, so rows refer to each other."""

    last: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


@dataclass
class CentreRec:
    id: int
    kind: str
    name: str
    city: str
    closures: set[date]
    groups: list[int] = field(default_factory=list)
    rooms: list[int] = field(default_factory=list)
    coordinator: int = 0
    meal_type: int = 0
    days: list[date] = field(default_factory=list)  # operating days in the period


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BUCHAREST)


def _public_holidays(first: date, last: date) -> set[date]:
    found = set()
    for year in range(first.year, last.year + 2):
        found.update(holidays.country_holidays("RO", years=year))
    return found


def _cnp(rng: Random, birth: date, female: bool, taken: set[str]) -> str:
    """A well-formed CNP (the checksum of the Romanian personal numeric code), unique here."""
    sex = ("6" if female else "5") if birth.year >= 2000 else ("2" if female else "1")
    while True:
        body = f"{sex}{birth:%y%m%d}14{rng.randint(1, 999):03d}"
        total = sum(int(d) * int(w) for d, w in zip(body, "279146358279", strict=True)) % 11
        number = body + ("1" if total == 10 else str(total))
        if number not in taken:
            taken.add(number)
            return number


class CountyBuilder:
    def __init__(self, loader: Loader, spec: CountySpec, password_hash: str):
        self.load = loader
        self.spec = spec
        self.rng = Random(spec.seed)
        self.ids = Ids()
        self.password_hash = password_hash
        self.first, self.last = spec.period()
        self.holidays = _public_holidays(self.first, self.last)
        self.centres: list[CentreRec] = []
        self.admin = 0
        self.counsellors: dict[int, list[int]] = {}
        self.cnps: set[str] = set()
        self.audit_rows: list[tuple] = []
        self.parents: dict[int, list[int]] = defaultdict(list)  # centre -> adult ids
        self.children_of_family: dict[int, list[int]] = defaultdict(list)
        self.family_centre: dict[int, int] = {}
        self.enrolled: dict[int, list[tuple]] = defaultdict(list)  # centre -> enrolments

    # --- audit ----------------------------------------------------------------------------------

    AUDIT_COLUMNS = (
        "id", "at", "actor_id", "action", "entity", "entity_id", "centre_id", "person_id", "changes"
    )  # fmt: skip

    def audit(self, at: datetime, actor, entity, entity_id, changes, centre=None, person=None):
        self.audit_rows.append(
            (
                self.ids.next("audit_entries"),
                iso_instant(at),
                actor,
                "create",
                entity,
                entity_id,
                centre,
                person,
                as_json(changes),
            )
        )
        if len(self.audit_rows) >= 20_000:
            self.flush_audit()

    def flush_audit(self) -> None:
        self.load.insert("audit_entries", self.AUDIT_COLUMNS, self.audit_rows)
        self.audit_rows = []

    # --- the whole county -----------------------------------------------------------------------

    def build(self) -> dict:
        self.centres_and_staff()
        self.allowances_and_plans()
        self.families_and_enrolments()
        self.rolls()
        self.counselling()
        self.workshops()
        self.volunteers()
        self.cases()
        self.flush_audit()
        self.load.reset_sequences(self.ids.last)
        return {"first_day": iso_day(self.first), "last_day": iso_day(self.last)}

    def operating(self, centre: CentreRec, day: date) -> bool:
        return day.isoweekday() <= 5 and day not in self.holidays and day not in centre.closures

    def centres_and_staff(self) -> None:
        spec, rng = self.spec, self.rng
        created = _at(self.first - timedelta(days=30), 9)
        admin = self.admin = self.ids.next("users")
        users = [(admin, "admin", "Levente", "Bartha", "admin", None)]
        centre_rows, group_rows, room_rows, closure_rows, user_centres = [], [], [], [], []
        meal_types = []
        kinds = ["after_school"] * spec.after_school_centres + [
            "parent_counselling"
        ] * spec.counselling_centres
        for index, kind in enumerate(kinds, start=1):
            city = names.CITIES[(index - 1) % len(names.CITIES)]
            centre = CentreRec(self.ids.next("centres"), kind, "", city, set())
            if kind == "after_school":
                centre.name = f"Centrul de zi nr. {index} „Școală după școală” {city}"
            else:
                centre.name = f"Centrul de consiliere pentru părinți nr. {index} {city}"
            self.centres.append(centre)
            for year in range(self.first.year, self.last.year + 1):
                # A training day a year, never in the last month (the benchmark's save window).
                for _ in range(20):
                    day = date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if (
                        self.first <= day < self.last - timedelta(days=31)
                        and day.isoweekday() <= 5
                        and day not in self.holidays
                    ):
                        centre.closures.add(day)
                        break
            for day in sorted(centre.closures):
                closure_rows.append(
                    (
                        self.ids.next("closure_days"),
                        centre.id,
                        iso_day(day),
                        "Instruirea personalului",
                    )
                )
            coordinator = self.ids.next("users")
            centre.coordinator = coordinator
            given = rng.choice(names.GIRLS)
            users.append((coordinator, f"coord{index:02d}", given, rng.choice(names.FAMILY_NAMES),
                          "coordinator", None))  # fmt: skip
            user_centres.append((coordinator, centre.id))
            if kind == "after_school":
                opens, closes = time(12), time(18)
                for number in range(spec.groups_per_centre):
                    group = self.ids.next("groups")
                    centre.groups.append(group)
                    group_rows.append((
                        group, centre.id, names.GROUP_NAMES[number % len(names.GROUP_NAMES)]
                        + ("" if number < len(names.GROUP_NAMES) else f" {number}"),
                        30, "12345", iso_time(time(12)), iso_time(time(17)), True, 1,
                    ))  # fmt: skip
                rooms = ["Sala de studiu 1", "Sala de studiu 2", "Sala de mese"]
                meal_type = centre.meal_type = self.ids.next("meal_types")
                meal_types.append((meal_type, centre.id, "Masă caldă", 1, True, 1))
            else:
                opens, closes = time(8), time(18)
                group = self.ids.next("groups")
                centre.groups.append(group)
                group_rows.append((group, centre.id, "Consiliere pentru părinți", 40, "12345",
                                   iso_time(time(8)), iso_time(time(18)), True, 1))  # fmt: skip
                rooms = [
                    f"Cabinet de consiliere {n}" for n in range(1, spec.counsellors_per_centre + 1)
                ]
                rooms.append("Sala de grup")
                staff = []
                for number in range(spec.counsellors_per_centre):
                    counsellor = self.ids.next("users")
                    staff.append(counsellor)
                    users.append((counsellor, f"consilier{index:02d}{number + 1}",
                                  rng.choice(names.GIRLS + names.BOYS),
                                  rng.choice(names.FAMILY_NAMES), "counsellor", None))  # fmt: skip
                    user_centres.append((counsellor, centre.id))
                self.counsellors[centre.id] = staff
            for room_name in rooms:
                room = self.ids.next("rooms")
                centre.rooms.append(room)
                room_rows.append((room, centre.id, room_name, 20 if "Sala" in room_name else 4,
                                  None, True, 1))  # fmt: skip
            capacity = 30 * len(centre.groups) if kind == "after_school" else 60
            centre_rows.append((
                centre.id, centre.name, kind, "8891 CZ-C-II" if kind == "after_school"
                else "8899 CZ-PC-I", f"{rng.choice(names.STREETS)} nr. {rng.randint(1, 90)}",
                city, capacity, "12345", iso_time(opens), iso_time(closes), True, 1,
            ))  # fmt: skip
            centre.days = [
                self.first + timedelta(days=n)
                for n in range((self.last - self.first).days + 1)
                if self.operating(centre, self.first + timedelta(days=n))
            ]
        L = self.load
        L.insert("centres", ("id", "name", "kind", "service_code", "address", "city", "capacity",
                             "days", "opens_at", "closes_at", "active", "version"), centre_rows)  # fmt: skip
        L.insert("groups", ("id", "centre_id", "name", "capacity", "days", "starts_at", "ends_at",
                            "active", "version"), group_rows)  # fmt: skip
        L.insert("rooms", ("id", "centre_id", "name", "capacity", "notes", "active", "version"),
                 room_rows)  # fmt: skip
        L.insert("closure_days", ("id", "centre_id", "day", "reason"), closure_rows)
        L.insert("users", ("id", "username", "given_name", "family_name", "role", "email",
                           "password_hash", "must_change_password", "active", "locale",
                           "session_version", "created_at", "version"),
                 [(i, u, g, f, r, e, self.password_hash, False, True, "ro", 1,
                   iso_instant(created), 1) for i, u, g, f, r, e in users])  # fmt: skip
        L.insert("user_centres", ("user_id", "centre_id"), user_centres)
        L.insert("meal_types", ("id", "centre_id", "name", "position", "active", "version"),
                 meal_types)  # fmt: skip
        for row in centre_rows:
            self.audit(created, admin, "centres", row[0], {"name": row[1], "kind": row[2]}, row[0])
        for row in group_rows:
            self.audit(
                created, admin, "groups", row[0], {"name": row[2], "capacity": row[3]}, row[1]
            )
        for row in users[1:]:
            self.audit(created, admin, "users", row[0], {"username": row[1], "role": row[4]})

    def allowances_and_plans(self) -> None:
        from daycentre.reports.demo import GENERAL_OBJECTIVE, PLAN

        L = self.load
        L.insert("food_allowances", ("id", "valid_from", "amount", "legal_basis", "version"), [
            (self.ids.next("food_allowances"), "2022-09-01", "22.00", "Legea nr. 143/2022", 1),
            (self.ids.next("food_allowances"), "2026-02-01", "32.00", "Actualizare 2026", 1),
        ])  # fmt: skip
        plans, objectives, activities, indicators = [], [], [], []
        created = iso_instant(_at(self.first, 9))
        for year in range(self.first.year, self.last.year + 1):
            plan = self.ids.next("development_plans")
            plans.append((plan, year, f"Planul județean de prevenire a separării copilului de "
                          f"familie pentru anul {year}", GENERAL_OBJECTIVE, created, 1))  # fmt: skip
            for position, (title, acts) in enumerate(PLAN, start=1):
                objective = self.ids.next("plan_objectives")
                objectives.append((objective, plan, position, title))
                for description, responsible, wordings in acts:
                    activity = self.ids.next("plan_activities")
                    activities.append((activity, objective, description, responsible))
                    for wording, measure in wordings:
                        target = str(self.rng.choice((50, 100, 200, 500, 1000)))
                        indicators.append((self.ids.next("plan_indicators"), activity, wording,
                                           measure, target))  # fmt: skip
        L.insert("development_plans", ("id", "year", "title", "general_objective", "created_at",
                                       "version"), plans)  # fmt: skip
        L.insert("plan_objectives", ("id", "plan_id", "position", "title"), objectives)
        L.insert(
            "plan_activities", ("id", "objective_id", "description", "responsible"), activities
        )
        L.insert(
            "plan_indicators", ("id", "activity_id", "wording", "measure", "target"), indicators
        )

    # --- families, children, enrolments -----------------------------------------------------------

    def _person_row(self, family, family_name, kind, given, birth, female, relation, created,
                    **extra):  # fmt: skip
        from daycentre.core.text import fold

        person = self.ids.next("people")
        row = (
            person, family, kind, family_name, given, iso_day(birth) if birth else None,
            "female" if female else "male",
            _cnp(self.rng, birth, female, self.cnps) if birth else None,
            relation, extra.get("phone"), None, extra.get("school"), extra.get("grade"),
            extra.get("allergies"), None, None, fold(f"{family_name} {given}"), created, 1,
        )  # fmt: skip
        self.people_rows.append(row)
        return person

    PEOPLE_COLUMNS = (
        "id", "family_id", "kind", "family_name", "given_name", "birth_date", "sex", "cnp",
        "relation", "phone", "email", "school", "grade", "allergies", "diet", "notes",
        "search_key", "created_at", "version",
    )  # fmt: skip

    def _family(self, centre: CentreRec, created_on: date, adults_only=False) -> tuple[int, str]:
        from daycentre.core.text import fold

        rng = self.rng
        family = self.ids.next("families")
        self.family_centre[family] = centre.id
        family_name = rng.choice(names.FAMILY_NAMES)
        factors = ",".join(
            sorted(rng.sample(["low_income", "single_parent", "parents_abroad", "housing"],
                              rng.randint(0, 2)))
        )  # fmt: skip
        created = iso_instant(_at(created_on, 10))
        self.family_rows.append((
            family, centre.id, family_name, f"{rng.choice(names.STREETS)} nr. {rng.randint(1, 120)}",
            centre.city, f"07{rng.randint(20, 79)}{rng.randint(0, 999999):06d}", None, factors,
            None, None, fold(family_name), created, 1,
        ))  # fmt: skip
        mother = self._person_row(
            family, family_name, "adult", rng.choice(names.GIRLS),
            date(rng.randint(1975, 1995), rng.randint(1, 12), rng.randint(1, 28)), True,
            "mother", created, phone=f"07{rng.randint(20, 79)}{rng.randint(0, 999999):06d}",
        )  # fmt: skip
        self.parents[centre.id].append(mother)
        if rng.random() < 0.6:
            father = self._person_row(
                family, family_name, "adult", rng.choice(names.BOYS),
                date(rng.randint(1972, 1993), rng.randint(1, 12), rng.randint(1, 28)), False,
                "father", created,
            )  # fmt: skip
            self.parents[centre.id].append(father)
        self.audit(_at(created_on, 10), centre.coordinator, "families", family,
                   {"name": family_name}, centre.id)  # fmt: skip
        return family, family_name

    def _child(self, centre, family, family_name, created_on) -> int:
        rng = self.rng
        female = rng.random() < 0.5
        age = rng.randint(6, 13)
        birth = date(created_on.year - age, rng.randint(1, 12), rng.randint(1, 28))
        child = self._person_row(
            family, family_name, "child", rng.choice(names.GIRLS if female else names.BOYS), birth,
            female, None, iso_instant(_at(created_on, 10)), school=rng.choice(names.SCHOOLS),
            grade=names.GRADES[min(age - 6, 7)],
            allergies=rng.choice(names.ALLERGIES) if rng.random() < 0.05 else None,
        )  # fmt: skip
        self.children_of_family[family].append(child)
        self.audit(_at(created_on, 10), centre.coordinator, "people", child,
                   {"kind": "child", "family_id": family}, centre.id, child)  # fmt: skip
        return child

    def families_and_enrolments(self) -> None:
        """Seats of each group are taken by a child, and by the next one after a departure."""
        spec, rng = self.spec, self.rng
        self.family_rows, self.people_rows = [], []
        after_school = [c for c in self.centres if c.kind == "after_school"]
        groups = [(c, g) for c in after_school for g in c.groups]
        seats = {}
        for index, (_centre, group) in enumerate(groups):
            seats[group] = spec.bench_group_size if index < len(after_school[0].groups) else None
        free = spec.children - spec.waiting - spec.departures
        fixed = sum(v for v in seats.values() if v)
        others = [g for g, v in seats.items() if v is None]
        for group in others:
            seats[group] = spec.group_sizes[0]
        spare = free - fixed - spec.group_sizes[0] * len(others)
        room = [g for g in others for _ in range(spec.group_sizes[1] - spec.group_sizes[0])]
        for group in rng.sample(room, max(0, min(spare, len(room)))):
            seats[group] += 1
        # Departures: never in the first centre's groups (the benchmark's rolls keep 30 children).
        movable = [(c, g, s) for c, g in groups if g in others for s in range(seats[g])]
        leaving = defaultdict(int)
        for _ in range(spec.departures):
            centre, group, seat = rng.choice(movable)
            leaving[(group, seat)] += 1
        # Turnover stops a month before the end, so the benchmark's save window has a fixed list.
        settled = self.last - timedelta(days=31)
        enrolment_rows = []
        centre_of = {g: c for c, g in groups}
        family_slots: list = []  # (centre id, family, family_name, children left to place)

        def child_for(centre: CentreRec, on: date) -> int:
            while family_slots and family_slots[-1][0] != centre.id:
                family_slots.pop()
            if not family_slots:
                family, family_name = self._family(centre, on)
                family_slots.append([centre.id, family, family_name, rng.choice((1, 1, 2, 2, 3))])
            slot = family_slots[-1]
            child = self._child(centre, slot[1], slot[2], on)
            slot[3] -= 1
            if slot[3] <= 0:
                family_slots.pop()
            return child

        for group, count in seats.items():
            centre = centre_of[group]
            days = centre.days
            for seat in range(count):
                moves = leaving[(group, seat)]
                start_index = rng.randint(0, min(10, len(days) - 1))
                for occupant in range(moves + 1):
                    start = days[start_index]
                    exit_day = None
                    if occupant < moves:
                        window_end = bisect_left(days, settled) - 1
                        if window_end <= start_index + 5:
                            moves = occupant
                        else:
                            span = (window_end - start_index) // (moves - occupant + 1)
                            exit_index = start_index + rng.randint(5, max(6, span))
                            exit_index = min(exit_index, window_end)
                            exit_day = days[exit_index]
                    applied = start - timedelta(days=rng.randint(3, 40))
                    child = child_for(centre, applied)
                    enrolment_rows.append([centre.id, group, child, applied, start, exit_day])
                    if exit_day is None:
                        break
                    start_index = min(exit_index + rng.randint(3, 15), len(days) - 1)
                    if days[start_index] >= settled:
                        start_index = bisect_left(days, settled) - 1
        # The waiting lists: recent applications without a start date.
        for _ in range(spec.waiting):
            centre, group = rng.choice(groups)
            applied = self.last - timedelta(days=rng.randint(1, 150))
            child = child_for(centre, applied)
            enrolment_rows.append([centre.id, group, child, applied, None, None])
        self.load.insert("families", ("id", "centre_id", "name", "address", "city", "phone",
                                      "email", "factor_list", "other_factor", "notes",
                                      "search_key", "created_at", "version"), self.family_rows)  # fmt: skip
        self.load.insert("people", self.PEOPLE_COLUMNS, self.people_rows)
        self.family_rows, self.people_rows = [], []
        # Register numbers in the order of application, per centre.
        enrolment_rows.sort(key=lambda r: (r[0], r[3], r[2]))
        numbers = defaultdict(int)
        rows = []
        for centre_id, group, child, applied, start, exit_day in enrolment_rows:
            numbers[centre_id] += 1
            number = numbers[centre_id]
            enrolment = self.ids.next("enrolments")
            status = "waiting" if start is None else ("exited" if exit_day else "active")
            rows.append((
                enrolment, centre_id, group, child, number, status, iso_day(applied), None,
                f"{number}/{start.year}" if start else None, iso_day(start) if start else None,
                iso_day(start) if start else None, None, iso_day(exit_day) if exit_day else None,
                rng.choice(names.EXIT_REASONS) if exit_day else None, None,
                iso_instant(_at(applied, 11)), 1,
            ))  # fmt: skip
            coordinator = self.centre_by_id(centre_id).coordinator
            self.audit(_at(applied, 11), coordinator, "enrolments", enrolment,
                       {"status": status, "number": number}, centre_id, child)  # fmt: skip
            if start is not None:
                self.enrolled[group].append((child, start, exit_day, enrolment))
        self.load.insert("enrolments", ("id", "centre_id", "group_id", "person_id", "number",
                                        "status", "applied_on", "offered_on", "contract_number",
                                        "contract_date", "start_date", "suspended_on", "exit_date",
                                        "exit_reason", "notes", "created_at", "version"), rows)  # fmt: skip

    def centre_by_id(self, centre_id: int) -> CentreRec:
        return self.centres[centre_id - 1]

    # --- roll-calls, marks, meals, menus ---------------------------------------------------------

    def rolls(self) -> None:
        spec, rng = self.spec, self.rng
        audit_from = self.last - timedelta(days=spec.audited_mark_days)
        L = self.load
        menu_rows = []
        for centre in self.centres:
            if centre.kind != "after_school":
                continue
            for index, day in enumerate(centre.days + self._menu_days_ahead(centre)):
                dishes, allergens = names.LUNCHES[index % len(names.LUNCHES)]
                menu_rows.append((self.ids.next("menus"), centre.id, centre.meal_type,
                                  iso_day(day), dishes, allergens, 1))  # fmt: skip
        L.insert("menus", ("id", "centre_id", "meal_type_id", "day", "dishes", "allergens",
                           "version"), menu_rows)  # fmt: skip
        for centre in self.centres:
            if centre.kind != "after_school":
                continue
            for group in centre.groups:
                self._group_rolls(centre, group, audit_from, rng)

    def _menu_days_ahead(self, centre: CentreRec) -> list[date]:
        ahead = [self.last + timedelta(days=n) for n in range(1, 15)]
        return [d for d in ahead if self.operating(centre, d)]

    def _group_rolls(self, centre: CentreRec, group: int, audit_from: date, rng: Random) -> None:
        enrolled = self.enrolled[group]
        # A few children are often absent; in every group one child is now absent for days in a
        # row, so that the absence alerts have something to show.
        risk = {child: rng.random() < 0.05 for child, *_ in enrolled}
        staying = [child for child, _, exit_day, _ in enrolled if exit_day is None]
        running = rng.choice(staying) if staying else None
        run_from = centre.days[-rng.randint(3, 5)] if len(centre.days) > 5 else centre.days[0]
        rolls, marks, meals = [], [], []
        coordinator = centre.coordinator
        for day in centre.days:
            present_today = [e for e in enrolled if e[1] <= day and (e[2] is None or day <= e[2])]
            if not present_today:
                continue
            saved = _at(day, 17, rng.randint(0, 59))
            saved_text = iso_instant(saved)
            roll = self.ids.next("roll_calls")
            rolls.append((roll, centre.id, group, iso_day(day), saved_text, coordinator, 1))
            day_text = iso_day(day)
            audited = day >= audit_from
            for child, _start, _exit, _enrolment in present_today:
                draw = rng.random()
                if child == running and day >= run_from:
                    status = "absent_unexcused"
                elif draw < (0.08 if risk[child] else 0.06):
                    status = "absent_excused"
                elif draw < (0.22 if risk[child] else 0.085):
                    status = "absent_unexcused"
                else:
                    status = "present"
                mark = self.ids.next("attendances")
                marks.append((mark, centre.id, group, child, day_text, status, None, None, None, 1))
                if audited:
                    self.audit(saved, coordinator, "attendances", mark,
                               {"centre_id": centre.id, "group_id": group, "person_id": child,
                                "day": day_text, "status": status, "arrives_at": None,
                                "leaves_at": None, "note": None}, centre.id, child)  # fmt: skip
                if status == "present":
                    meal = self.ids.next("meals_served")
                    meals.append((meal, centre.id, child, centre.meal_type, day_text))
                    if audited:
                        self.audit(saved, coordinator, "meals_served", meal,
                                   {"centre_id": centre.id, "person_id": child,
                                    "meal_type_id": centre.meal_type, "day": day_text},
                                   centre.id, child)  # fmt: skip
        L = self.load
        L.insert("roll_calls", ("id", "centre_id", "group_id", "day", "saved_at", "saved_by_id",
                                "version"), rolls)  # fmt: skip
        L.insert("attendances", ("id", "centre_id", "group_id", "person_id", "day", "status",
                                 "arrives_at", "leaves_at", "note", "version"), marks)  # fmt: skip
        L.insert("meals_served", ("id", "centre_id", "person_id", "meal_type_id", "day"), meals)

    # --- counselling ---------------------------------------------------------------------------

    def counselling(self) -> None:
        spec, rng = self.spec, self.rng
        centres = [c for c in self.centres if c.kind == "parent_counselling"]
        if not centres:
            return
        self.family_rows, self.people_rows = [], []
        beneficiaries = {}
        for centre in centres:
            found = []
            for _ in range(spec.counselling_families // len(centres)):
                on = self.first + timedelta(days=rng.randint(0, (self.last - self.first).days))
                family, _name = self._family(centre, on, adults_only=True)
                found.append((None, family))
            found += [(adult, None) for adult in self.parents[centre.id]]
            beneficiaries[centre.id] = found
        self.load.insert("families", ("id", "centre_id", "name", "address", "city", "phone",
                                      "email", "factor_list", "other_factor", "notes",
                                      "search_key", "created_at", "version"), self.family_rows)  # fmt: skip
        self.load.insert("people", self.PEOPLE_COLUMNS, self.people_rows)
        slots = ((9, 0), (10, 30), (12, 0), (14, 0), (15, 30))
        kinds = ("social", "psychological", "legal", "parental_education", "information")
        sessions, notes = [], []
        per_centre = spec.counselling_sessions // len(centres)
        future = [self.last + timedelta(days=n) for n in range(1, 15)]
        for centre in centres:
            staff = self.counsellors[centre.id]
            days = centre.days + [d for d in future if self.operating(centre, d)]
            taken = set()
            made = 0
            busy_beneficiary = set()
            attempts = 0
            while made < per_centre and attempts < 50 * per_centre:
                attempts += 1
                day = rng.choice(days)
                slot = rng.choice(slots)
                number = rng.randrange(len(staff))
                if (day, slot, number) in taken:
                    continue
                person, family = rng.choice(beneficiaries[centre.id])
                if (day, slot, person, family) in busy_beneficiary:
                    continue
                taken.add((day, slot, number))
                busy_beneficiary.add((day, slot, person, family))
                counsellor, room = staff[number], centre.rooms[number]
                starts = _at(day, *slot)
                ends = starts + timedelta(minutes=60)
                if day > self.last:
                    status = "scheduled"
                else:
                    draw = rng.random()
                    status = "held" if draw < 0.85 else ("no_show" if draw < 0.93 else "cancelled")
                session = self.ids.next("counselling_sessions")
                sessions.append((
                    session, centre.id, None, counsellor, room, person, family,
                    rng.choice(kinds), iso_instant(starts), iso_instant(ends), status,
                    "Familia a anunțat că nu poate veni" if status == "cancelled" else None,
                    60 if status == "held" else None, counsellor,
                    iso_instant(starts - timedelta(days=7)), 1,
                ))  # fmt: skip
                if status == "held":
                    notes.append((self.ids.next("session_notes"), session, counsellor,
                                  rng.choice(names.SESSION_NOTES), iso_instant(ends),
                                  iso_instant(ends), 1))  # fmt: skip
                self.audit(starts - timedelta(days=7), counsellor, "counselling_sessions",
                           session, {"status": "scheduled", "starts_at": iso_instant(starts)},
                           centre.id, person)  # fmt: skip
                made += 1
        self.load.insert("counselling_sessions", (
            "id", "centre_id", "series_id", "counsellor_id", "room_id", "person_id", "family_id",
            "session_type", "starts_at", "ends_at", "status", "cancel_reason", "minutes_spent",
            "booked_by_id", "created_at", "version"), sessions)  # fmt: skip
        self.load.insert("session_notes", ("id", "session_id", "author_id", "text", "created_at",
                                           "updated_at", "version"), notes)  # fmt: skip

    # --- workshops and support groups --------------------------------------------------------------

    def workshops(self) -> None:
        spec, rng = self.spec, self.rng
        workshops, facilitators, sessions, registrations, attendances = [], [], [], [], []
        groups, members, meetings, meeting_marks = [], [], [], []
        for centre in self.centres:
            if centre.kind != "parent_counselling":
                continue
            staff = self.counsellors[centre.id]
            people = self.parents[centre.id]
            for year in range(self.first.year, self.last.year + 1):
                for number in range(spec.workshops_per_centre_year):
                    first = date(year, 2 + 3 * number % 10, 1)
                    first += timedelta(days=(7 - first.weekday() + 2) % 7)  # a Wednesday
                    if not self.first <= first <= self.last:
                        continue
                    workshop = self.ids.next("workshops")
                    capacity = 12
                    chosen = rng.sample(people, min(len(people), rng.randint(8, 15)))
                    registered = chosen[:capacity]
                    workshops.append((
                        workshop, centre.id, rng.choice(names.WORKSHOP_TITLES), None, "parents",
                        centre.rooms[-1], capacity, len(registered), staff[0],
                        iso_instant(_at(first - timedelta(days=30), 9)),
                    ))  # fmt: skip
                    facilitators.append((workshop, rng.choice(staff)))
                    held = []
                    for week in range(6):
                        day = first + timedelta(days=7 * week)
                        session = self.ids.next("workshop_sessions")
                        sessions.append((session, workshop, iso_instant(_at(day, 17)),
                                         iso_instant(_at(day, 19)), 1))  # fmt: skip
                        if day <= self.last:
                            held.append(session)
                    for position, person in enumerate(chosen):
                        waiting = position >= capacity
                        registrations.append((
                            self.ids.next("workshop_registrations"), workshop, person,
                            "waiting" if waiting else "registered",
                            position - capacity + 1 if waiting else 0,
                            iso_instant(_at(first - timedelta(days=20), 10)), None,
                        ))  # fmt: skip
                        if not waiting:
                            for session in held:
                                attendances.append((self.ids.next("workshop_attendances"),
                                                    session, person, rng.random() < 0.85))  # fmt: skip
            support = self.ids.next("support_groups")
            groups.append((support, centre.id, "Grup de sprijin pentru părinți singuri", staff[-1],
                           centre.rooms[-1], "Lunar, prima marți, 17:00",
                           iso_instant(_at(self.first, 9))))  # fmt: skip
            circle = rng.sample(people, min(len(people), 10))
            for person in circle:
                members.append((self.ids.next("support_group_members"), support, person,
                                iso_day(self.first), None))  # fmt: skip
            month = date(self.first.year, self.first.month, 1)
            while month <= self.last:
                day = month + timedelta(days=(1 - month.weekday()) % 7)  # the first Tuesday
                if day <= self.last:
                    meeting = self.ids.next("support_group_meetings")
                    meetings.append((meeting, support, iso_instant(_at(day, 17)),
                                     iso_instant(_at(day, 19))))  # fmt: skip
                    for person in circle:
                        meeting_marks.append((self.ids.next("support_group_attendances"), meeting,
                                              person, rng.random() < 0.8))  # fmt: skip
                month = (month + timedelta(days=32)).replace(day=1)
        L = self.load
        L.insert("workshops", ("id", "centre_id", "title", "description", "audience", "room_id",
                               "capacity", "taken_places", "created_by_id", "created_at"),
                 workshops)  # fmt: skip
        L.insert("workshop_facilitators", ("workshop_id", "user_id"), facilitators)
        L.insert("workshop_sessions", ("id", "workshop_id", "starts_at", "ends_at", "version"),
                 sessions)  # fmt: skip
        L.insert("workshop_registrations", ("id", "workshop_id", "person_id", "status",
                                            "queue_position", "registered_at", "cancelled_at"),
                 registrations)  # fmt: skip
        L.insert("workshop_attendances", ("id", "session_id", "person_id", "present"), attendances)
        L.insert("support_groups", ("id", "centre_id", "topic", "facilitator_id", "room_id",
                                    "schedule", "created_at"), groups)  # fmt: skip
        L.insert("support_group_members", ("id", "group_id", "person_id", "joined_on", "left_on"),
                 members)  # fmt: skip
        L.insert("support_group_meetings", ("id", "group_id", "starts_at", "ends_at"), meetings)
        L.insert("support_group_attendances", ("id", "meeting_id", "person_id", "present"),
                 meeting_marks)  # fmt: skip

    # --- volunteers ------------------------------------------------------------------------------

    def volunteers(self) -> None:
        spec, rng = self.spec, self.rng
        volunteers, contracts, activities, signups, hours, counters = [], [], [], [], [], []
        for centre in self.centres:
            if centre.kind != "after_school":
                continue
            crew = []
            numbers = 0
            for _ in range(spec.volunteers_per_centre):
                volunteer = self.ids.next("volunteers")
                female = rng.random() < 0.6
                joined = self.first + timedelta(
                    days=rng.randint(0, min(200, (self.last - self.first).days))
                )
                volunteers.append((
                    volunteer, centre.id, None, rng.choice(names.GIRLS if female else names.BOYS),
                    rng.choice(names.FAMILY_NAMES),
                    iso_day(date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))),
                    f"07{rng.randint(20, 79)}{rng.randint(0, 999999):06d}", None, None,
                    "homework,crafts", "română, maghiară", "Marți și joi după-amiaza", None,
                    iso_day(max(joined, self.last - timedelta(days=rng.randint(10, 170)))), None,
                    True, iso_instant(_at(joined, 10)), 1,
                ))  # fmt: skip
                numbers += 1
                ends = self.last + timedelta(days=rng.randint(5, 300))
                contracts.append((
                    self.ids.next("volunteer_contracts"), centre.id, volunteer, numbers,
                    centre.coordinator, iso_day(joined), iso_day(ends),
                    "Sprijin la teme și activități recreative", "Marți și joi, 14:00–17:00",
                    "Conform Legii nr. 78/2014", "Certificat de integritate comportamentală",
                    "Preaviz de 15 zile", "active", iso_day(joined), None, None,
                    iso_instant(_at(joined, 10)), 1,
                ))  # fmt: skip
                crew.append((volunteer, joined))
            counters.append((centre.id, "volunteer_contracts", numbers))
            day = self.first + timedelta(days=200)
            while day <= self.last:
                if self.operating(centre, day) and day.isoweekday() in (2, 4):
                    activity = self.ids.next("volunteer_activities")
                    starts, ends = _at(day, 14), _at(day, 17)
                    crew_today = [v for v, joined in crew if joined <= day]
                    chosen = rng.sample(crew_today, min(len(crew_today), 2))
                    activities.append((
                        activity, centre.id, rng.choice(names.ACTIVITY_TITLES),
                        iso_instant(starts), iso_instant(ends), 3, len(chosen), "homework", True,
                        None, False, 1,
                    ))  # fmt: skip
                    for volunteer in chosen:
                        signups.append((self.ids.next("volunteer_signups"), activity, volunteer,
                                        "attended", iso_instant(starts - timedelta(days=3)), None,
                                        "3.00", centre.coordinator))  # fmt: skip
                day += timedelta(days=1)
            for volunteer, joined in crew:
                for _ in range(3):
                    on = joined + timedelta(days=rng.randint(0, max(1, (self.last - joined).days)))
                    hours.append((self.ids.next("volunteer_hours"), volunteer, centre.id,
                                  iso_day(min(on, self.last)), "2.00",
                                  "Pregătirea materialelor pentru atelier", "approved",
                                  centre.coordinator, iso_instant(_at(min(on, self.last), 18)),
                                  iso_instant(_at(min(on, self.last), 17))))  # fmt: skip
        L = self.load
        L.insert("volunteers", (
            "id", "centre_id", "user_id", "given_name", "family_name", "birth_date", "phone",
            "email", "address", "skill_codes", "languages", "availability", "parental_consent_on",
            "integrity_certificate_on", "certificate_requested_on", "active", "created_at",
            "version"), volunteers)  # fmt: skip
        L.insert("volunteer_contracts", (
            "id", "centre_id", "volunteer_id", "number", "coordinator_id", "starts_on", "ends_on",
            "activities", "schedule", "rights_and_obligations", "requirements",
            "termination_conditions", "status", "signed_on", "closed_on", "termination_reason",
            "created_at", "version"), contracts)  # fmt: skip
        L.insert("register_counters", ("centre_id", "register", "last_number"), counters)
        L.insert("volunteer_activities", (
            "id", "centre_id", "title", "starts_at", "ends_at", "places", "taken_places",
            "skill_codes", "with_children", "description", "cancelled", "version"), activities)  # fmt: skip
        L.insert("volunteer_signups", ("id", "activity_id", "volunteer_id", "status", "created_at",
                                       "cancelled_at", "hours", "confirmed_by_id"), signups)  # fmt: skip
        L.insert("volunteer_hours", ("id", "volunteer_id", "centre_id", "day", "hours",
                                     "description", "status", "decided_by_id", "decided_at",
                                     "created_at"), hours)  # fmt: skip

    # --- cases ------------------------------------------------------------------------------------

    def cases(self) -> None:
        spec, rng = self.spec, self.rng
        cases, children, events, evaluations, tasks = [], [], [], [], []
        families = self.children_of_family
        family_ids = defaultdict(list)
        for family, centre_id in self.family_centre.items():
            if families.get(family):
                family_ids[centre_id].append(family)
        for centre in self.centres:
            if centre.kind != "after_school":
                continue
            numbers = defaultdict(int)
            for year in range(self.first.year, self.last.year + 1):
                for _ in range(spec.cases_per_centre_year):
                    received = date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if not self.first <= received <= self.last - timedelta(days=10):
                        continue
                    numbers[year] += 1
                    case = self.ids.next("cases")
                    family = rng.choice(family_ids.get(centre.id) or [None])
                    old = received < self.last - timedelta(days=365)
                    stage = "closed" if old else rng.choice(("evaluation", "planning"))
                    closed_on = received + timedelta(days=300) if old else None
                    cases.append((
                        case, centre.id, year, numbers[year], iso_day(received),
                        rng.choice(("school", "parent", "spas")), "in_person", "Școala Gimnazială",
                        None, rng.choice(names.CASE_REPORTS), family, stage,
                        iso_day(received + timedelta(days=7)), iso_day(received + timedelta(days=3)),
                        True, None, None, centre.coordinator, False, None, None, None,
                        "objectives_reached" if old else None, None, True if old else None,
                        iso_day(closed_on) if closed_on else None,
                        self.admin if old else None, iso_day(closed_on) if closed_on else None,
                        None, iso_instant(_at(received, 10)), 1,
                    ))  # fmt: skip
                    for child in families.get(family, ()):
                        children.append((case, child))
                    self.audit(_at(received, 10), centre.coordinator, "cases", case,
                               {"stage": "request", "number": numbers[year]}, centre.id)  # fmt: skip
                    events.append((self.ids.next("case_events"), case, iso_day(received),
                                   "registered", None, "request", None, centre.coordinator,
                                   iso_instant(_at(received, 10))))  # fmt: skip
                    events.append((self.ids.next("case_events"), case,
                                   iso_day(received + timedelta(days=3)), "competent", "request",
                                   "evaluation", None, centre.coordinator,
                                   iso_instant(_at(received + timedelta(days=3), 10))))  # fmt: skip
                    evaluations.append((
                        self.ids.next("case_evaluations"), case,
                        iso_day(received + timedelta(days=3)), False, "Mama și doi copii",
                        "Apartament cu două camere", "Alocații și salariul minim", None, None,
                        None, None, None, None, None, None, None, None,
                        iso_day(received + timedelta(days=30)) if stage != "evaluation" else None,
                        1,
                    ))  # fmt: skip
                    if not old and rng.random() < 0.5:
                        tasks.append((self.ids.next("case_tasks"), case, "absences",
                                      "Discuție cu familia despre absențe", None, None, None,
                                      iso_instant(_at(self.last, 9))))  # fmt: skip
        L = self.load
        L.insert("cases", (
            "id", "centre_id", "year", "number", "received_on", "source", "channel", "requester",
            "requester_address", "reported", "family_id", "stage", "primary_due_on", "primary_on",
            "competent", "referred_to", "answer", "manager_id", "observatory_registered",
            "observatory_on", "protection_body", "protection_on", "closure_reason",
            "closure_notes", "stays_in_family", "closed_on", "closure_approved_by_id",
            "closure_approved_on", "follow_up_on", "created_at", "version"), cases)  # fmt: skip
        L.insert("case_children", ("case_id", "person_id"), children)
        L.insert("case_events", ("id", "case_id", "happened_on", "kind", "old_stage", "new_stage",
                                 "detail", "actor_id", "created_at"), events)  # fmt: skip
        L.insert("case_evaluations", (
            "id", "case_id", "started_on", "is_reevaluation", "family_composition", "housing",
            "income", "health", "education", "relationships", "risk_factors", "strengths",
            "child_views", "professionals", "conclusions", "needs", "documents", "completed_on",
            "version"), evaluations)  # fmt: skip
        L.insert("case_tasks", ("id", "case_id", "source", "text", "due_on", "done_on",
                                "done_by_id", "created_at"), tasks)  # fmt: skip


def build_county(loader: Loader, spec: CountySpec, password_hash: str) -> dict:
    """Write the whole county through ``loader``; returns what the manifest records."""
    builder = CountyBuilder(loader, spec, password_hash)
    facts = builder.build()
    facts["rows"] = dict(loader.counts)
    return facts

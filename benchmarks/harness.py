"""Times the pages of issue 14 in-process, counts their SQL queries and compares them with targets.

Each page is requested through Flask's test client by the user who reads it (signed in once), two
times to warm up and then ``requests`` times; the floors of the roll page and of the monthly sheet
are timed in the same loop, one floor after each real request.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import event, select, text

from benchmarks.county import PASSWORD
from benchmarks.floors import ROLL_SQL, RollFloor, SheetFloor, roll_parameters
from daycentre.auth.permissions import requires
from daycentre.extensions import db

# Where the bench serves the roll's floor (registered on the bench's own app, never the app's).
FLOOR_URL = "/_bench/roll-floor"


class QueryCounter:
    """Counts the statements sent to the database while ``active``."""

    def __init__(self, engine):
        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        if self.active:
            self.count += 1


@dataclass
class Timing:
    page: str
    times: list[float] = field(default_factory=list)  # seconds
    cpu: list[float] = field(default_factory=list)  # this process's CPU seconds
    queries: list[int] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)
    failures: int = 0
    size: int = 0  # bytes of the last response
    note: str = ""

    def ms(self, which: str, values=None) -> float:
        values = sorted(values if values is not None else self.times)
        if not values:
            return float("nan")
        if which == "min":
            return values[0] * 1000
        if which == "median":
            return statistics.median(values) * 1000
        index = max(0, min(len(values) - 1, round(0.95 * len(values) + 0.5) - 1))
        return values[index] * 1000  # p95, nearest rank

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        return statistics.median(self.times) / statistics.median(self.floor)

    @property
    def cpu_ratio(self) -> float | None:
        """The same ratio in this process's CPU time: what the page computes, without the time
        spent waiting for the database or for the other work of a busy machine."""
        if not self.floor_cpu:
            return None
        return statistics.median(self.cpu) / statistics.median(self.floor_cpu)


@dataclass
class Target:
    text: str
    check: Callable[[Timing, dict], bool]


@dataclass
class Page:
    key: str
    label: str
    user: str
    request: Callable[[int], tuple]  # iteration -> (method, url, form data or None)
    target: Target
    floor: Callable[[int], object] | None = None
    after: Callable[[int, object], bool] | None = None  # untimed check; False = a failure
    expect: tuple[int, ...] = (200,)


def p95_at_most(ms: float, queries: int | None = None) -> Target:
    words = f"p95 ≤ {ms:g} ms" + (f", ≤ {queries} queries" if queries else "")

    def check(t: Timing, _):
        return t.ms("p95") <= ms and (queries is None or max(t.queries) <= queries)

    return Target(words, check)


def queries_at_most(queries: int) -> Target:
    return Target(f"≤ {queries} queries", lambda t, _: max(t.queries) <= queries)


def ratio_at_most(ratio: float) -> Target:
    return Target(f"≤ {ratio:g} × floor", lambda t, _: t.ratio is not None and t.ratio <= ratio)


class Bench:
    def __init__(self, app: Flask, manifest: dict, *, requests: int, say=print):
        self.app = app
        self.manifest = manifest
        self.requests = requests
        self.say = say
        self.clients = {}
        self.notes: dict[str, str] = {}
        self.today = self._today()
        with app.app_context():
            self.engine = db.engine
            self.counter = QueryCounter(self.engine)
            self._facts()

    def _today(self) -> date:
        from daycentre.core.localtime import today

        return today()

    # --- what the county holds -------------------------------------------------------------------

    def _facts(self) -> None:
        from daycentre.centres.models import Centre, ClosureDay, Group
        from daycentre.centres.services import public_holidays
        from daycentre.meals.models import MealType

        session = db.session
        self.centre_ids = list(session.scalars(select(Centre.id).order_by(Centre.id)))
        self.after_school = list(
            session.scalars(
                select(Centre.id).where(Centre.kind == "after_school").order_by(Centre.id)
            )
        )
        centre = session.get(Centre, self.after_school[0])
        self.centre_name = centre.name
        self.groups = [
            (g.id, g.name)
            for g in session.scalars(
                select(Group).where(Group.centre_id == centre.id).order_by(Group.id)
            )
        ]
        self.meal_types = [
            (m.id, m.name)
            for m in session.scalars(
                select(MealType).where(MealType.centre_id == centre.id, MealType.active.is_(True))
            )
        ]
        closures = set(
            session.scalars(select(ClosureDay.day).where(ClosureDay.centre_id == centre.id))
        )
        holidays = set()
        for year in range(date.fromisoformat(self.manifest["first_day"]).year, self.today.year + 1):
            holidays |= set(public_holidays(year))
        self.closed = holidays | closures

        def operating(day: date) -> bool:
            return day.isoweekday() <= 5 and day not in self.closed

        self.operating = operating
        window = [self.today - timedelta(days=n) for n in range(0, 8)]
        window_days = [d for d in window if operating(d)]
        built_last = date.fromisoformat(self.manifest["last_day"])
        # The roll page: the latest day with a stored roll that the coordinator may still correct.
        stored = [d for d in window_days if d <= built_last]
        self.roll_day = stored[0] if stored else window_days[-1]
        self.save_slots = [(g, d) for d in sorted(window_days) for g, _ in self.groups]
        first_of_month = self.today.replace(day=1)
        self.sheet_month = (first_of_month - timedelta(days=1)).replace(day=1)
        self.search = "pop"
        self.year = self.today.year
        session.remove()

    # --- the users ---------------------------------------------------------------------------------

    def client(self, username: str):
        if username not in self.clients:
            client = self.app.test_client()
            response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
            if response.status_code != 302:
                raise RuntimeError(f"{username} could not sign in ({response.status_code})")
            self.clients[username] = client
        return self.clients[username]

    # --- one page ---------------------------------------------------------------------------------

    def time_page(self, page: Page) -> Timing:
        timing = Timing(page.key)
        client = self.client(page.user)
        for iteration in range(-2, self.requests):
            try:
                method, url, data = page.request(iteration)
            except Exception as error:  # e.g. no operating day in the correction window
                timing.failures = self.requests
                timing.times, timing.note = [], f"could not make the request: {error!r}"
                return timing
            self.counter.count = 0
            self.counter.active = True
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url) if method == "GET" else client.post(url, data=data)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            self.counter.active = False
            body = response.get_data()
            ok = response.status_code in page.expect
            if ok and page.after is not None:
                ok = page.after(iteration, response)
            if iteration < 0:
                if not ok:  # a page that fails to warm up is reported, not timed
                    timing.failures = self.requests
                    timing.note = f"{method} {url} answered {response.status_code}"
                    return timing
                if page.floor is not None:  # the floor is warmed up as the page is, untimed
                    page.floor(iteration)
                continue
            timing.times.append(elapsed)
            timing.cpu.append(cpu)
            timing.queries.append(self.counter.count)
            timing.size = len(body)
            if not ok:
                timing.failures += 1
            if page.floor is not None:
                started, cpu_started = time.perf_counter(), time.process_time()
                page.floor(iteration)
                timing.floor.append(time.perf_counter() - started)
                timing.floor_cpu.append(time.process_time() - cpu_started)
            del body
        return timing

    # --- the pages of issue 14 ---------------------------------------------------------------------

    def pages(self) -> list[Page]:
        group_id = self.groups[0][0]
        all_centres = "&".join(f"centres={c}" for c in self.centre_ids)
        year = self.year
        month = self.sheet_month.strftime("%Y-%m")
        pages = [
            Page(
                "home_admin",
                "administrator's home page",
                "admin",
                lambda i: ("GET", "/", None),
                p95_at_most(100, 20),
            ),
            Page(
                "home_coordinator",
                "coordinator's home page",
                "coord01",
                lambda i: ("GET", "/", None),
                queries_at_most(20),
            ),
            Page(
                "people_search",
                f"people search “{self.search}” as administrator",
                "admin",
                lambda i: ("GET", f"/people/?q={self.search}", None),
                Target(
                    "same queries as 1 centre",
                    lambda t, extra: max(t.queries) == extra.get("people_search_one_centre"),
                ),
            ),
            self._roll_page(group_id),
            self._roll_save(),
            Page(
                "indicators",
                "yearly indicators, all centres",
                "admin",
                lambda i: ("GET", "/reports/", None),
                p95_at_most(300),
            ),
            Page(
                "attendance_rate",
                "attendance-rate list (first page)",
                "admin",
                lambda i: (
                    "GET",
                    f"/reports/measures/attendance_rate?start={year}-01-01&end={year}-12-31"
                    f"&{all_centres}&directorate=y",
                    None,
                ),
                p95_at_most(200),
            ),
            Page(
                "meals_month",
                "meals of a month, each centre in turn",
                "admin",
                lambda i: (
                    "GET",
                    f"/meals/centres/{self.after_school[i % len(self.after_school)]}/report"
                    f"?month={month}",
                    None,
                ),
                p95_at_most(50),
            ),
            self._sheet_pdf(group_id, month),
        ]
        return pages

    def _roll_page(self, group_id: int) -> Page:
        day = self.roll_day
        url = f"/attendance/groups/{group_id}/roll?day={day.isoformat()}"
        state = {}

        def floor(iteration):
            if "floor" not in state:
                state["floor"] = self._make_roll_floor(url)
            # The floor is served as the page is: the same client, session, sign-in and
            # permission check, then one raw query and the plain template.
            response = self.client("coord01").get(f"{FLOOR_URL}/{group_id}/{day.isoformat()}")
            markup = response.get_data(as_text=True)
            if response.status_code != 200:
                raise RuntimeError(f"the roll's floor answered {response.status_code}")
            if iteration < 0:  # warming up, untimed: the query and the template alone
                self._note_bare_roll_floor(state["floor"], group_id, day, markup)
            return markup

        def served_floor(group_id: int, day: str):
            return state["floor"].render(db.session.connection(), group_id, date.fromisoformat(day))

        self.app.add_url_rule(
            f"{FLOOR_URL}/<int:group_id>/<day>",
            "bench_roll_floor",
            requires("attendance.read")(served_floor),
        )

        self.roll_floor_state = state
        return Page(
            "roll_page",
            f"roll page, {len(self._roll_children(group_id, day))} children",
            "coord01",
            lambda i: ("GET", url, None),
            ratio_at_most(1.5),
            floor=floor,
        )

    def _note_bare_roll_floor(self, floor: RollFloor, group_id: int, day: date, markup: str):
        """For comparison, untimed: the floor's query and template outside any request."""
        bare = []
        for _ in range(self.requests):
            started = time.perf_counter()
            with self.engine.connect() as connection:
                floor.render(connection, group_id, day)
            bare.append(time.perf_counter() - started)
        page = len(floor.prefix) + len(floor.suffix) + floor.rows_size
        self.notes["roll_page"] = (
            f"floor markup {len(markup) / 1000:.1f} kB, page {page / 1000:.1f} kB; the floor's "
            f"query and template alone, outside a request: median "
            f"{statistics.median(bare) * 1000:.1f} ms"
        )

    def _roll_children(self, group_id: int, day: date) -> list[int]:
        """The children on the group's roll that day (the floor's query), untimed."""
        with self.engine.connect() as connection:
            rows = connection.execute(ROLL_SQL, roll_parameters(group_id, day))
            return sorted({row[1] for row in rows if row[0] == "c"})

    def _make_roll_floor(self, url: str) -> RollFloor:
        markup = self.client("coord01").get(url).get_data(as_text=True)
        with self.app.test_request_context(), _locale("ro"):
            from flask_babel import gettext as _

            from daycentre.attendance.models import AttendanceStatus
            from daycentre.programme.models import SlotKind

            labels = {
                "allergies": _("Allergies"),
                "diet": _("Diet"),
                "meals": _("Meals served"),
                "times": _("Times and note"),
                "arrival": _("Arrival"),
                "departure": _("Departure"),
                "note": _("Note"),
                "statuses": [(s.value, str(s.label)) for s in AttendanceStatus],
                "programme": _("Programme of the day"),
                "kinds": {k.value: str(k.label) for k in SlotKind},
                "what_was_done": _("What was done"),
                "save_note": _("Save the note"),
                "no_programme": _("No programme for this group on this day."),
                "weekly_programme": _("Weekly programme"),
                "departures": _("Departures"),
                "left_alone": _("left alone"),
                "collected_by_who": _("collected by %(who)s"),
                "no_consent": _("No consent to leave alone"),
                "not_on_list": _("Not on the list of people allowed"),
                "no_departure": _("No departure recorded yet."),
                "child": _("Child"),
                "time": _("Time"),
                "collected_by": _("Collected by"),
                "alone": _("Left alone"),
                "record_departure": _("Record the departure"),
            }
        return RollFloor(markup, labels, self.meal_types)

    def _roll_save(self) -> Page:
        """Each save changes the marks of one of the window's rolls, in turn, so each one writes."""
        slots = self.save_slots
        pending = {}

        def request(iteration):
            group_id, day = slots[(iteration + 2) % len(slots)]
            children = self._roll_children(group_id, day)
            with self.engine.connect() as connection:
                version = connection.execute(
                    text("SELECT version FROM roll_calls WHERE group_id = :g AND day = :d"),
                    {"g": group_id, "d": day.isoformat()},
                ).scalar()
            data = {"version": str(version or 0), "submit": "1"}
            meal = str(self.meal_types[0][0])
            for index, child in enumerate(children):
                # A different tenth of the children is absent at each pass over the slots.
                absent = (index + iteration) % 10 == 0
                data[f"status-{child}"] = "absent_excused" if absent else "present"
                if not absent:
                    data[f"meal-{child}"] = meal
            pending[iteration] = (group_id, day, version or 0)
            return "POST", f"/attendance/groups/{group_id}/roll?day={day.isoformat()}", data

        def saved(iteration, response):
            group_id, day, before = pending.pop(iteration)
            # Read the flash message (Post/Redirect/Get), as the browser would, untimed.
            self.client("coord01").get(response.headers.get("Location", "/"))
            with self.engine.connect() as connection:
                after = connection.execute(
                    text("SELECT version FROM roll_calls WHERE group_id = :g AND day = :d"),
                    {"g": group_id, "d": day.isoformat()},
                ).scalar()
            return after is not None and after == before + 1 if before else after == 1

        return Page(
            "roll_save",
            "saving a 30-child roll",
            "coord01",
            request,
            p95_at_most(60, 15),
            after=saved,
            expect=(302,),
        )

    def _sheet_pdf(self, group_id: int, month: str) -> Page:
        year, number = self.sheet_month.year, self.sheet_month.month
        group_name = dict(self.groups)[group_id]
        state = {}

        def floor(iteration):
            if "floor" not in state:
                state["floor"] = self._make_sheet_floor()
            with self.engine.connect() as connection:
                document = state["floor"].pdf(
                    connection, group_id, year, number, self.centre_name, group_name
                )
            if iteration == 0:
                self.notes["sheet_pdf"] = f"floor PDF {len(document) / 1000:.1f} kB"
            return document

        return Page(
            "sheet_pdf",
            "monthly sheet PDF",
            "coord01",
            lambda i: ("GET", f"/attendance/groups/{group_id}/sheet.pdf?month={month}", None),
            p95_at_most(300),
            floor=floor,
        )

    def _sheet_laid_out(self, page: Page) -> str:
        """The sheet when no copy is kept (a month just changed): the kept sheets are removed,
        untimed, before each of a few requests."""
        from daycentre.attendance.models import KeptSheet

        def request(iteration):
            with self.engine.begin() as connection:
                connection.execute(KeptSheet.__table__.delete())
            return page.request(iteration)

        fresh = Page("sheet_pdf_laid_out", "", page.user, request, page.target)
        saved, self.requests = self.requests, 5
        try:
            timing = self.time_page(fresh)
        finally:
            self.requests = saved
        return (
            f"laid out afresh (no kept copy), {len(timing.times)} requests: "
            f"min {timing.ms('min'):.0f} ms, median {timing.ms('median'):.0f} ms, "
            f"max {max(timing.times) * 1000:.0f} ms"
        )

    def _make_sheet_floor(self) -> SheetFloor:
        with self.app.test_request_context(), _locale("ro"):
            from flask_babel import gettext as _

            from daycentre.attendance.models import AttendanceStatus

            labels = {
                "sheet": _("Attendance sheet"),
                "number": _("No."),
                "name": _("Name"),
                "totals": {
                    s.value: _("Total %(letter)s (%(label)s)", letter=s.letter, label=s.label)
                    for s in AttendanceStatus
                },
                "no_activity": _("no activity"),
                "closed_days": _("weekend, public holiday or closure day"),
                "coordinator": _("Coordinator"),
                "signature": _("Signature"),
                "statuses": [(s.value, str(s.label), str(s.letter)) for s in AttendanceStatus],
                "letters": {s.value: str(s.letter) for s in AttendanceStatus},
            }
        return SheetFloor(self.app.static_folder, labels, self.closed)

    # --- the whole run ----------------------------------------------------------------------------

    def run(self, only: set[str] | None = None) -> tuple[list[tuple[Page, Timing]], dict]:
        results, extra = [], {}
        # No application context around the requests: each request has its own, as when served.
        for page in self.pages():
            if only and page.key not in only:
                continue
            self.say(f"  timing {page.key} …", end="", flush=True)
            started = time.perf_counter()
            try:
                timing = self.time_page(page)
            except Exception as error:  # one broken page must not cost the whole table
                timing = Timing(page.key, failures=self.requests, note=f"failed: {error!r}")
            self.say(f" {time.perf_counter() - started:.0f} s")
            if page.key in self.notes:
                timing.note = self.notes[page.key]
            if page.key == "sheet_pdf":
                timing.note = (timing.note + "; " if timing.note else "") + self._sheet_laid_out(
                    page
                )
            if page.key == "people_search":
                one = Page("people_search_one_centre", "", "coord01", page.request, page.target)
                saved, self.requests = self.requests, 3
                try:
                    extra["people_search_one_centre"] = max(self.time_page(one).queries)
                finally:
                    self.requests = saved
                timing.note = f"1 centre: {extra['people_search_one_centre']} queries"
            results.append((page, timing))
        return results, extra


class _locale:
    def __init__(self, language: str):
        self.language = language

    def __enter__(self):
        from flask_babel import force_locale

        self.context = force_locale(self.language)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def table(results, extra) -> tuple[list[str], int, int]:
    """The printed table and how many targets were met."""
    lines = [
        f"{'page':<44} {'min':>8} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>8} {'kB':>6} "
        f"{'× floor':>8}  {'target':<30} met",
        "-" * 146,
    ]
    met = 0
    for page, timing in results:
        if not timing.times:
            lines.append(f"{page.label[:44]:<44} {'failed':>8}  {timing.note}")
            continue
        ok = timing.failures == 0 and page.target.check(timing, extra)
        met += ok
        ratio = f"{timing.ratio:.2f}" if timing.ratio is not None else "—"
        queries = max(timing.queries)
        spread = (
            f"{queries}" if min(timing.queries) == queries else f"{min(timing.queries)}–{queries}"
        )
        lines.append(
            f"{page.label[:44]:<44} {timing.ms('min'):8.1f} {timing.ms('median'):8.1f} "
            f"{timing.ms('p95'):8.1f} {timing.ms('median', timing.cpu):8.1f} {spread:>8} "
            f"{timing.size / 1000:6.0f} {ratio:>8}  "
            f"{page.target.text:<30} "
            f"{'yes' if ok else 'no'}"
        )
        if timing.floor:
            lines.append(
                f"{'  floor (1 raw query, plain template)':<44} {timing.ms('min', timing.floor):8.1f} "
                f"{timing.ms('median', timing.floor):8.1f} {timing.ms('p95', timing.floor):8.1f} "
                f"{timing.ms('median', timing.floor_cpu):8.1f} {'':>8} {'':>6} "
                f"{timing.cpu_ratio:8.2f}  (in CPU time)"
            )
        if timing.note:
            lines.append(f"  {timing.note}")
        if timing.failures:
            lines.append(f"  {timing.failures} of {len(timing.times)} requests failed")
    return lines, met, len(results)

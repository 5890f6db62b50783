"""50 people at once against a running server: ``make load`` (see the README, "Load test").

40 coordinators open and save their centre's roll and read its monthly sheet, 8 counsellors read
their week, 2 administrators read the indicators. Each signs in through the sign-in page like a
browser (CSRF token from the form, session cookie). The accounts come from ``make load-users``.

At the end it prints, per request type, the count, throughput, p50 and p95, then the errors, the
refused saves, and whether every confirmed save is what the server now shows: each save carries a
unique note, and every roll saved is opened again afterwards and compared. It exits non-zero on
any error, refused save or lost save, and on a p95 over 500 ms (``LOAD_MAX_P95_MS``; 0 turns the
budget off). The rules are in ``loadtest/verdict.py``.
"""

import html
import itertools
import os
import random
import re
import sys
import threading
import time
from datetime import date, timedelta
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import requests
from locust import HttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from loadtest.accounts import PASSWORD, totp_secret  # noqa: E402
from loadtest.verdict import Run, failures, lost_saves, max_p95_ms  # noqa: E402

WAIT_MIN, WAIT_MAX = (float(v) for v in os.environ.get("LOAD_WAIT", "1,3").split(","))
MAX_P95_MS = max_p95_ms(os.environ)  # 500 ms unless LOAD_MAX_P95_MS says otherwise; 0: not enforced
DAYS_BACK = 7  # a coordinator may correct a roll up to ATTENDANCE_CORRECTION_DAYS back
DAYS_USED = 2  # the most recent days whose roll can be saved

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
CHECKED = re.compile(r"\schecked[\s>/]")
ROLL_LINK = re.compile(r'href="(/attendance/groups/(\d+)/roll)[^"]*"')

_numbers = {role: itertools.count(1) for role in ("coordinator", "counsellor", "admin")}
_lock = threading.Lock()
confirmed: dict[tuple[str, str], dict] = {}  # (roll path, day) -> what the last confirmed save sent
in_flight: dict[tuple[str, str], dict] = {}  # a save sent but not answered when the test stopped
refusals: list[str] = []
start_failures: list[str] = []
outcome: dict = {}

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_secure_cookie_ok = DefaultCookiePolicy.return_ok_secure


def _loopback_secure_cookie_ok(self, cookie, request):
    """Send Secure cookies over plain HTTP to loopback, as browsers do for a local server.

    Production marks the session cookie Secure; gunicorn on loopback has no TLS in front of it,
    and requests builds a fresh cookie jar (with the default policy) for every request.
    """
    host = urlsplit(request.get_full_url()).hostname
    return host in LOOPBACK or _secure_cookie_ok(self, cookie, request)


DefaultCookiePolicy.return_ok_secure = _loopback_secure_cookie_ok


def _inputs(page: str) -> list[dict]:
    found = []
    for tag in INPUT.findall(page):
        attributes = {k.lower(): html.unescape(v) for k, v in ATTRIBUTE.findall(tag)}
        attributes["checked"] = bool(CHECKED.search(tag))
        found.append(attributes)
    return found


def _hidden(page: str, name: str) -> str | None:
    return next((i.get("value", "") for i in _inputs(page) if i.get("name") == name), None)


def _roll_state(page: str) -> dict:
    """What the roll page shows: each child's status and note."""
    state = {}
    for field in _inputs(page):
        name = field.get("name", "")
        if name.startswith("status-") and field["checked"]:
            state.setdefault(name[7:], {})["status"] = field.get("value")
        elif name.startswith("note-"):
            state.setdefault(name[5:], {})["note"] = field.get("value", "")
    return state


def _sign_in(session, username: str, base: str = "") -> bool:
    """The sign-in page, the form with its token, then the code from the "authenticator app";
    True when the server let us in. ``base``: for a plain requests session, the server's URL."""
    names = {} if base else {"name": "sign in: page"}
    page = session.get(f"{base}/auth/login", **names)
    response = session.post(
        f"{base}/auth/login",
        data={
            "csrf_token": _hidden(page.text, "csrf_token") or "",
            "username": username,
            "password": PASSWORD,
        },
        allow_redirects=False,
        **({} if base else {"name": "sign in"}),
    )
    if response.status_code != 302:
        return False
    if not response.headers.get("Location", "").endswith("/auth/code"):
        return True
    totp = pyotp.TOTP(totp_secret(username))
    for attempt in range(2):
        page = session.get(f"{base}/auth/code", **({} if base else {"name": "sign in: code page"}))
        answer = session.post(
            f"{base}/auth/code",
            data={"csrf_token": _hidden(page.text, "csrf_token") or "", "code": totp.now()},
            allow_redirects=False,
            **({} if base else {"name": "sign in: code"}),
        )
        if answer.status_code == 302:
            return True
        if attempt == 0:  # this 30-second code was used already: the next one
            time.sleep(totp.interval - time.time() % totp.interval + 1)
    return False


class Person(HttpUser):
    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)
    role = ""

    def on_start(self):
        # A new connection for each request, as nginx opens to gunicorn: no idle connection that
        # the server closes just as the next request is sent on it.
        self.client.headers["Connection"] = "close"
        number = next(_numbers[self.role])
        self.username = self.username_for(number)
        if not _sign_in(self.client, self.username):
            self.give_up("could not sign in (did `make load-users` run on this database?)")

    def give_up(self, why: str):
        start_failures.append(f"{self.username} {why}")
        raise StopUser()

    def username_for(self, number: int) -> str:
        raise NotImplementedError


class Coordinator(Person):
    fixed_count = 40
    role = "coordinator"

    def username_for(self, number):
        return f"load-coord-{number:02d}"

    def on_start(self):
        super().on_start()
        self.saves = 0
        groups = self.client.get("/attendance/", name="attendance: groups")
        found = ROLL_LINK.search(groups.text)
        if not found:
            self.give_up("sees no group")
        self.roll_path, self.group_id = found.group(1), found.group(2)
        self.days = []
        for back in range(DAYS_BACK + 1):
            day = (date.today() - timedelta(days=back)).isoformat()
            page = self.client.get(self.roll_path, params={"day": day}, name="roll: open")
            if 'class="roll-form"' in page.text:
                self.days.append(day)
                if len(self.days) == DAYS_USED:
                    break
        if not self.days:
            self.give_up("has no day whose roll can be saved")

    @task(3)
    def open_roll(self):
        self.client.get(self.roll_path, params={"day": random.choice(self.days)}, name="roll: open")

    @task(3)
    def save_roll(self):
        day = random.choice(self.days)
        page = self.client.get(self.roll_path, params={"day": day}, name="roll: open").text
        fields = _inputs(page)
        statuses = sorted({f["value"] for f in fields if f.get("name", "").startswith("status-")})
        children = sorted(
            {f["name"][7:] for f in fields if f.get("name", "").startswith("status-")}
        )
        meals = {}
        for field in fields:
            if field.get("name", "").startswith("meal-"):
                meals.setdefault(field["name"][5:], []).append(field["value"])
        self.saves += 1
        note = f"load {self.username} {self.saves}"
        sent, form = (
            {},
            {
                "csrf_token": _hidden(page, "csrf_token") or "",
                "version": _hidden(page, "version") or "",
            },
        )
        for index, child in enumerate(children):
            status = "present" if random.random() < 0.8 else random.choice(statuses)
            form[f"status-{child}"] = status
            if status == "present":
                form[f"meal-{child}"] = meals.get(child, [])
            form[f"note-{child}"] = note if index == 0 else ""
            sent[child] = {"status": status, "note": form[f"note-{child}"]}
        key = (self.roll_path, day)
        with _lock:
            in_flight[key] = sent
        action = f"{self.roll_path}?day={day}"
        with self.client.post(
            action, data=form, allow_redirects=False, name="roll: save", catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"refused: HTTP {response.status_code}")
                self._refused(key, f"HTTP {response.status_code}")
                return
            after = self.client.get(response.headers["Location"], name="roll: after save")
            if "flash-success" in after.text:
                with _lock:
                    confirmed[key] = sent
                    in_flight.pop(key, None)
            else:
                response.failure("refused: the save was not confirmed")
                self._refused(key, "not confirmed")

    def _refused(self, key, why: str) -> None:
        with _lock:
            in_flight.pop(key, None)
            refusals.append(f"{self.username} {key[1]}: {why}")

    @task(2)
    def read_sheet(self):
        month = date.fromisoformat(random.choice(self.days)).strftime("%Y-%m")
        self.client.get(
            f"/attendance/groups/{self.group_id}/sheet", params={"month": month}, name="sheet"
        )


class Counsellor(Person):
    fixed_count = 8
    role = "counsellor"

    def username_for(self, number):
        return f"load-counsellor-{number}"

    @task
    def read_week(self):
        self.client.get("/counselling/", name="counsellor: week")


class Administrator(Person):
    fixed_count = 2
    role = "admin"

    def username_for(self, number):
        return f"load-admin-{number}"

    @task
    def read_indicators(self):
        self.client.get("/reports/", name="indicators")


def _check_saves(host: str) -> dict:
    """Open every saved roll again (as an administrator) and compare it with the last save."""
    session = requests.Session()
    if not _sign_in(session, "load-admin-1", base=host):
        return {"checked": 0, "lost": ["the check could not sign in as load-admin-1"]}
    with _lock:
        saves, pending = dict(confirmed), dict(in_flight)
    shown = {
        (path, day): _roll_state(session.get(f"{host}{path}", params={"day": day}, timeout=60).text)
        for path, day in saves
    }
    lost, unconfirmed_in = lost_saves(saves, pending, shown)
    return {
        "checked": len(saves),
        "lost": [f"{path} {day}" for path, day in lost],
        "unconfirmed_in": unconfirmed_in,
    }


@events.test_stop.add_listener
def _report(environment, **_kwargs):
    stats = environment.stats
    rows = [("request", "count", "fails", "req/s", "p50 ms", "p95 ms", "max ms")]
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append(
            (
                entry.name,
                entry.num_requests,
                entry.num_failures,
                f"{entry.total_rps:.1f}",
                entry.get_response_time_percentile(0.5),
                entry.get_response_time_percentile(0.95),
                round(entry.max_response_time or 0),
            )
        )
    total = stats.total
    p95 = total.get_response_time_percentile(0.95)
    rows.append(
        (
            "all",
            total.num_requests,
            total.num_failures,
            f"{total.total_rps:.1f}",
            total.get_response_time_percentile(0.5),
            p95,
            round(total.max_response_time or 0),
        )
    )
    saves = _check_saves(environment.host.rstrip("/"))
    run = Run(
        failed_requests=total.num_failures,
        refusals=refusals,
        start_failures=start_failures,
        checked=saves["checked"],
        lost=saves["lost"],
        p95_ms=p95,
    )
    errors = run.errors
    print("\n=== load test:", environment.host)
    for row in rows:
        print(f"{row[0]:<22}" + "".join(f"{value!s:>9}" for value in row[1:]))
    print(
        f"errors (failed requests, people who could not start): {errors}"
        + (f" (e.g. {start_failures[0]})" if start_failures else "")
    )
    print(f"refused saves: {len(refusals)}" + (f" (e.g. {refusals[0]})" if refusals else ""))
    print(
        f"confirmed saves checked afterwards: {saves['checked']}, lost: {len(saves['lost'])}"
        + (f" (e.g. {saves['lost'][0]})" if saves["lost"] else "")
        + (
            f"; cut off by the end but stored: {saves['unconfirmed_in']}"
            if saves.get("unconfirmed_in")
            else ""
        )
    )
    budget = f"budget {MAX_P95_MS:g} ms" if MAX_P95_MS else "no budget (LOAD_MAX_P95_MS=0)"
    print(f"p95 over all requests: {p95} ms ({budget})")
    reasons = failures(run, MAX_P95_MS)
    outcome["exit_code"] = 1 if reasons else 0
    print("load test:", f"FAILED: {'; '.join(reasons)}" if reasons else "passed")


@events.quitting.add_listener
def _exit_code(environment, **_kwargs):
    if "exit_code" in outcome:
        environment.process_exit_code = outcome["exit_code"]

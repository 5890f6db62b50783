"""Every POST form, as every role that reaches it, fed hypothesis-generated hostile input: the app
answers 2xx, 3xx or 4xx, never 5xx, and a refused submission leaves every table as it was.

The forms come from the pages (crawled from the home page on the demo data), the routes from
``app.url_map``: every POST route must be reached by some role, or be listed below with why not.
Values are what a page offers, what a person would type, or hostile: unknown choices, NUL
characters, strings at and past the field's length, numbers past PostgreSQL's integer, NaN,
impossible and far-away dates, missing fields and fields sent twice. Bounded for CI:
``FUZZ_EXAMPLES`` submissions per form and role (default 3), reproducible (derandomized)."""

import os
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from daycentre.demo import DEMO_PASSWORD, load_demo
from daycentre.extensions import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
MAX_PAGES = 550  # the crawl stops here; every area and record kind fits below it (about 500)
# Records in different states show different forms: the crawl visits several of these kinds.
PAGES_PER_KIND = dict.fromkeys(
    (
        "/cases/N",
        "/cases/plans/N",
        "/enrolment/N",
        "/workshops/N",
        "/workshops/groups/N",
        "/people/families/N",
        "/people/N",
        "/attendance/groups/N/roll",
        "/outreach/resources/N/edit",
    ),
    8,
)
DOWNLOAD = re.compile(r"(\.pdf|\.xlsx|\.ics|\.csv|/pdf)(\?|$)")  # files, not pages with forms
ROLES = ("admin", "coordinator", "counsellor", "volunteer", "parent")
REACHED: dict[str, set[str]] = {}  # role -> the POST endpoints its pages lead to

# POST routes not fuzzed here, and why.
NOT_FUZZED = {
    "auth.login": "before sign-in; its throttling and refusals are tested in tests/auth",
    "auth.logout": "ends the session the crawl needs",
    "auth.enter_code": "the second step of signing in, open only just after a password; its "
    "refusals and throttling are tested in tests/auth/test_second_factor.py",
    "auth.set_language": "only switches the language; an unknown one is ignored",
    "people.pick": "JSON asked by the pickers' script, no page's form; its odd input is tested "
    "in tests/people/test_views.py",
}
# POST routes whose form the demo data show on no page the crawl reaches (no record in the
# state that offers it, or a button that only needs the CSRF token). A known gap: fuzzing them
# needs a record set up in that state first.
NOT_REACHED_ON_THE_DEMO = {
    # The public survey pages are reached from a slip of paper, not from a signed-in page; their
    # odd input is tested in tests/surveys/test_views.py.
    "surveys.answer",
    "surveys.enter_code",
    # The same for a parent's invitation pages, reached from an e-mail or a letter; their odd
    # input is tested in tests/parents/test_invitations.py. Revoking and closing an account are
    # buttons that only need the CSRF token, shown for an adult invited or signed in.
    "parents.enter_invitation_code",
    "parents.join",
    "parents.revoke_invitation",
    "parents.end_access",
    # Shown only for an operating day in the correction window: on a public holiday (30 November,
    # say) the crawl may not reach one. Its odd input is tested in tests/attendance.
    "attendance.save_roll",
    # The same for the day's programme notes and departures on the roll page, and the headcounts,
    # shown only for an outing confirmed or under way (the demo's are planned and returned).
    # Their bad input is tested in tests/programme.
    "programme.write_note",
    "programme.record_departure",
    "programme.count_departure",
    "programme.count_return",
    "auth.reset_second_factor",  # offered only for a user with a second factor; none in the demo
    "cases.complete_task",
    # Offered only while a case's closure awaits approval; the demo's case that reaches it does so
    # by dates that follow the day (not on 29 March 2027, for one). Tested in tests/cases.
    "cases.approve_closure",
    # Offered only before a child's return home; the demo's reintegration case is past it.
    # Their refusals are tested in tests/cases/test_reintegration*.py.
    "cases.add_preparation",
    "cases.record_measure",
    "cases.record_return",
    "counselling.revoke_feed",
    "enrolment.activate",
    "enrolment.put_on_waiting_list",
    "enrolment.resume",
    "outreach.delete_record",
    "people.delete_consent",
    "people.delete_family",
    "workshops.join_group",
    "workshops.register_participant",
    # Offered only once a spreadsheet was uploaded (the demo holds no import); their refusals
    # are tested in tests/moving_in.
    "moving_in.cancel_import",
    "moving_in.confirm_import",
    "moving_in.map_columns",
    "moving_in.undo_import",
}


@dataclass
class FieldOnPage:
    kind: str  # input type, "select", "textarea" or "checkbox"
    offered: list[str] = field(default_factory=list)  # options, or the value the page holds
    maxlength: int | None = None


@dataclass
class FormOnPage:
    action: str
    endpoint: str = ""
    fields: dict[str, FieldOnPage] = field(default_factory=dict)


class FormCollector(HTMLParser):
    """The POST forms of a page: each field's kind, the values it offers and its length."""

    def __init__(self, url):
        super().__init__()
        self.url, self.forms, self.form, self.field = url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.form = FormOnPage(urljoin(self.url, attrs.get("action") or self.url))
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            name = attrs["name"]
            if name == "csrf_token" or tag == "button":
                return
            kind = tag if tag != "input" else (attrs.get("type") or "text")
            found = self.form.fields.setdefault(name, FieldOnPage(kind))
            if attrs.get("maxlength", "").isdecimal():
                found.maxlength = int(attrs["maxlength"])
            if tag == "input" and attrs.get("value") is not None:
                found.offered.append(attrs["value"])
            self.field = found
        elif tag == "option" and self.field is not None and attrs.get("value") is not None:
            self.field.offered.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def _crawl_forms(client, adapter) -> list[FormOnPage]:
    """Every POST form reachable from the home page by links: first one page of each kind, then
    other records of the same kind (a record in another state shows other forms)."""
    seen, queued, kinds, forms = set(), {"/"}, Counter(), []
    new_kinds, more = deque(["/"]), deque()
    while (new_kinds or more) and len(seen) < MAX_PAGES:
        url = (new_kinds or more).popleft()
        kind = re.sub(r"\d+", "N", urlsplit(url).path)
        if url in seen or kinds[kind] >= PAGES_PER_KIND.get(kind, 4):
            continue
        seen.add(url)
        kinds[kind] += 1
        response = client.get(url)
        if response.status_code == 302 and url == "/":  # a parent's home is their own page
            new_kinds.append(response.location)
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        collector = FormCollector(url)
        collector.feed(page)
        for form in collector.forms:
            form.endpoint = adapter.match(urlsplit(form.action).path, method="POST")[0]
            if form.endpoint not in NOT_FUZZED:
                forms.append(form)
        for href in re.findall(r'<a[^>]+href="(/[^"#]*)"', page):
            if not (href.startswith("/static/") or DOWNLOAD.search(href)):
                href = href.replace("&amp;", "&")
                href_kind = re.sub(r"\d+", "N", urlsplit(href).path)
                (more if href_kind in queued else new_kinds).append(href)
                queued.add(href_kind)
    return forms


def _fingerprint():
    """Rows per table and the sum of every record's version: a refused edit changes neither."""
    tables = db.metadata.sorted_tables
    columns = [select(func.count()).select_from(t).scalar_subquery() for t in tables]
    columns += [
        select(func.coalesce(func.sum(t.c.version), 0)).scalar_subquery()
        for t in tables
        if "version" in t.c
    ]
    return db.session.execute(select(*columns)).one()


HOSTILE_TEXT = [
    "",
    "   ",
    "bogus",
    "Ana\x00",
    "\x00",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "aăâîșțşţ\u0301\u200b\U0001f600" * 50,
    "x" * 20_001,
]
HOSTILE_NUMBERS = [
    "-1",
    "0",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "sNaN",
    "-Infinity",
    "1.5",
    "²",
    "0x10",
]
HOSTILE_DATES = [
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
    "10000-01-01",
    "2026-11-30T10:00",
]
HOSTILE_TIMES = ["25:61", "24:00", "-1:00", "23:59:60", "9"]


def _plausible(spec: FieldOnPage):
    """What a person would send: an offered value, or a well-formed value of the field's kind."""
    if spec.offered:
        return st.sampled_from(spec.offered)
    typical = {
        "date": ["2026-11-20", "2026-09-01", "2015-05-02", "2027-01-15"],
        "time": ["08:00", "10:30", "14:00", "17:45"],
        "number": ["1", "2", "10", "2026"],
        "email": ["ana.pop@example.org"],
        "password": ["plum-orchard-lantern-42"],
    }.get(spec.kind, ["Ana", "Kovács Ilona", "o notă", "2026", "2026-11-20"])
    return st.sampled_from(typical)


def _hostile(spec: FieldOnPage):
    values = list(HOSTILE_TEXT)
    if spec.kind in ("number", "hidden", "select", "radio", "checkbox"):
        values += HOSTILE_NUMBERS
    if spec.kind in ("date", "text"):
        values += HOSTILE_DATES
    if spec.kind in ("time", "text"):
        values += HOSTILE_TIMES
    if spec.maxlength:
        values += ["ș" * spec.maxlength, "x" * (spec.maxlength + 1)]
    return st.sampled_from(values) | st.text(max_size=30)


@st.composite
def submissions(draw, form: FormOnPage):
    """Each field: plausible (mostly), hostile, missing, or sent twice."""
    data = {}
    for name, spec in form.fields.items():
        how = draw(
            st.sampled_from(["plausible", "plausible", "plausible", "hostile", "missing", "twice"])
        )
        if how == "plausible":
            data[name] = draw(_plausible(spec))
        elif how == "hostile":
            data[name] = draw(_hostile(spec))
        elif how == "twice":
            data[name] = [draw(_plausible(spec)), draw(_hostile(spec))]
    return data


def _fuzz(client, form: FormOnPage) -> None:
    if not EXAMPLES:
        return

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=submissions(form))
    def submit(data):
        before = _fingerprint()
        path = urlsplit(form.action)
        response = client.post(f"{path.path}?{path.query}", data=data)
        assert response.status_code < 500, (form.action, data)
        downloaded = response.headers.get("Content-Disposition", "").startswith("attachment")
        if response.status_code != 302 and not downloaded:  # a download audits what it gave
            assert _fingerprint() == before, (form.action, data, "refused but changed")

    submit()


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_every_form_survives_hostile_input(app, client, demo, role):
    """On the demo data, as each role: every form the role can reach, fed odd values and values
    the page offers in odd combinations. Never a 5xx; a refused submission changes nothing."""
    response = client.post("/auth/login", data={"username": role, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    forms = _crawl_forms(client, app.url_map.bind("localhost"))
    assert forms, f"{role} reached no form"
    REACHED[role] = {form.endpoint for form in forms}

    for form in forms:
        _fuzz(client, form)


def test_every_post_route_is_fuzzed_by_some_role(app):
    """A new POST route no role's pages lead to would escape the test above: name it here."""
    if set(REACHED) != set(ROLES):
        pytest.skip("runs after the fuzz test of every role")
    reached = set().union(*REACHED.values())
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = sorted(posting - reached - set(NOT_FUZZED) - NOT_REACHED_ON_THE_DEMO)
    assert not missing, " ".join(missing)


@pytest.mark.parametrize(
    "raw_id", ["99999999999999999999", "2147483648", "-1", "abc", "1.5", "%00"]
)
def test_odd_ids_in_urls_answer_404(client, login_as, raw_id):
    login_as("admin")
    for url in (
        f"/centres/{raw_id}",
        f"/auth/users/{raw_id}/edit",
        f"/centres/1/groups/{raw_id}/edit",
    ):
        assert client.get(url).status_code == 404


def test_odd_filters_on_the_audit_trail(client, login_as):
    login_as("admin")
    for value in ("99999999999999999999", "-5", "x", "\x00"):
        response = client.get(
            "/audit/", query_string={"person_id": value, "actor_id": value, "date_from": value}
        )
        assert response.status_code < 500

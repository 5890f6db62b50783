"""Every form, fed hypothesis-generated input: the app answers 2xx, 3xx or 4xx, never 500, and a
refused submission leaves every table as it was."""

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from daycentre.extensions import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
MAX_PAGES = 60
ROLES = ("admin", "coordinator", "counsellor", "volunteer")
# Forms that end the session or only switch the language: fuzzing them tests nothing more.
SKIPPED_ACTIONS = ("/auth/logout", "/auth/language")

nasty_text = st.one_of(
    st.text(max_size=50),
    st.text(min_size=5000, max_size=20000, alphabet="aăâîșțşţ\u0301\u200b\U0001f600"),
    st.just("\x00"),
    st.sampled_from(
        [
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "=cmd|' /C calc'!A0",
            "  ",
            "2026-02-30",
            "25:61",
        ]
    ),
)


@dataclass
class FormOnPage:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values the page offers


class FormCollector(HTMLParser):
    """The POST forms of a page, with the values each field offers (options, current values)."""

    def __init__(self, url):
        super().__init__()
        self.url, self.forms, self.current = url, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = FormOnPage(urljoin(self.url, attrs.get("action") or self.url))
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "select", "textarea", "button"):
            name = attrs.get("name")
            if name and name != "csrf_token":
                self.current.fields.setdefault(name, [])
                if attrs.get("value") is not None:
                    self.current.fields[name].append(attrs["value"])
                self._field = name
        elif self.current is not None and tag == "option" and attrs.get("value") is not None:
            self.current.fields.setdefault(getattr(self, "_field", ""), []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _crawl_forms(client) -> list[FormOnPage]:
    """Every POST form reachable from the home page by following links, one page of each kind."""
    seen, queue, forms = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        kind = re.sub(r"\d+", "N", urlsplit(url).path)
        if kind in seen:
            continue
        seen.add(kind)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        collector = FormCollector(url)
        collector.feed(page)
        forms.extend(
            f for f in collector.forms if not urlsplit(f.action).path.startswith(SKIPPED_ACTIONS)
        )
        for href in re.findall(r'<a[^>]+href="(/[^"#]*)"', page):
            if not href.startswith("/static/"):
                queue.append(href.replace("&amp;", "&"))
    return forms


def _row_counts():
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.fixture
def admin_client(client, login_as):
    login_as("admin")
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_form_survives_hostile_input(app, client, role):
    """On the demo data, as each role: every form the role can reach, fed odd values and values
    the page offers in odd combinations. Never a 500; a refused submission changes nothing."""
    from daycentre.demo import DEMO_PASSWORD, load_demo

    load_demo()
    db.session.commit()
    response = client.post("/auth/login", data={"username": role, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    forms = _crawl_forms(client)
    assert forms, f"{role} reached no form"

    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(data=st.data())
    def submit(data):
        form = data.draw(st.sampled_from(forms))
        values = {
            name: data.draw(st.sampled_from(offered) | nasty_text if offered else nasty_text)
            for name, offered in form.fields.items()
        }
        before = _row_counts()
        response = client.post(
            urlsplit(form.action).path + "?" + urlsplit(form.action).query, data=values
        )
        assert response.status_code < 500, (form.action, values)
        if response.status_code != 302:
            assert _row_counts() == before, f"refused submission to {form.action} changed data"

    submit()


@pytest.mark.parametrize(
    "raw_id", ["99999999999999999999", "2147483648", "-1", "abc", "1.5", "%00"]
)
def test_odd_ids_in_urls_answer_404(admin_client, raw_id):
    for url in (
        f"/centres/{raw_id}",
        f"/auth/users/{raw_id}/edit",
        f"/centres/1/groups/{raw_id}/edit",
    ):
        assert admin_client.get(url).status_code == 404


def test_odd_filters_on_the_audit_trail(admin_client):
    for value in ("99999999999999999999", "-5", "x", "\x00"):
        response = admin_client.get(
            "/audit/", query_string={"person_id": value, "actor_id": value, "date_from": value}
        )
        assert response.status_code < 500

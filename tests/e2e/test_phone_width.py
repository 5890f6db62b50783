"""Every page reachable from the menu, for every role, on a 390 px phone: no page scrolls
sideways, no target a finger hits is under 44 x 44 CSS px, and axe-core finds no serious or
critical violation (a table's scroll box that the keyboard could not reach was found this way).
axe runs in Romanian only: the markup is the same in both languages, and it costs more than the
rest of the crawl; the admin journey runs it in both."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.pages import (
    ROLES,
    assert_accessible,
    assert_no_sideways_scroll,
    assert_targets_large_enough,
    screenshot,
)

pytestmark = pytest.mark.browser

MAX_DEPTH = 3  # the menu's pages and three links deep from them
COLLECT_LINKS = r"""(selector) => [...document.querySelectorAll(selector)]
    .filter(a => a.origin === location.origin && !a.hasAttribute('download'))
    .filter(a => !/\.(pdf|xlsx|csv|ics|json)$/.test(a.pathname) && !/[?&]format=/.test(a.search))
    .map(a => a.pathname + a.search)"""


def _kind_of_page(path):
    """One page of each kind is enough: /centres/3/edit stands for every centre's edit page."""
    return re.sub(r"\d+", "N", path)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone_and_all_are_accessible(signed_in_page, role, language):
    page = signed_in_page(role, language, phone=True)
    screenshot(page, f"phone-{role}-{language}-home")

    menu = page.evaluate(COLLECT_LINKS, "header nav a, footer .account a")
    to_visit = [(path, 1) for path in dict.fromkeys(menu)]
    seen = {_kind_of_page(path) for path, _depth in to_visit}
    visited, problems = [], []
    while to_visit:
        path, depth = to_visit.pop(0)
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a PDF or a spreadsheet: not a page to look at
            if "Download is starting" in error.message:
                continue
            raise
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.ok, f"{role} reached {path} from the menu, which answered {response.status}"
        visited.append(urlsplit(page.url).path)
        checks = (assert_no_sideways_scroll, assert_targets_large_enough)
        for check in (*checks, assert_accessible if language == "ro" else None):
            try:
                check and check(page)
            except AssertionError as problem:  # every page's problems at once, not the first only
                problems.append(f"{path}: {problem}")
        if depth < MAX_DEPTH:
            for link in page.evaluate(COLLECT_LINKS, "main a[href]"):
                if _kind_of_page(link) not in seen:
                    seen.add(_kind_of_page(link))
                    to_visit.append((link, depth + 1))
    assert len(visited) >= 2, f"{role} reached only {visited}"
    assert not problems, "\n".join(problems)

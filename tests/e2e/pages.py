"""Small page helpers for the real-browser journeys; fixtures live in conftest.py."""

import re
from functools import cache
from gettext import c2py
from pathlib import Path

from babel.messages.pofile import read_po

from daycentre.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ("ro", "hu")  # every journey runs in both
ROLES = ("admin", "coordinator", "counsellor", "volunteer")  # the demo users' names and roles
REPORT = []  # lines the journeys measured (such as the roll-call's clicks), shown in the summary


def sign_in(page, username, password=DEMO_PASSWORD):
    """Sign in through the real form (field names do not depend on the language)."""
    if "/auth/login" not in page.url:
        page.goto("/auth/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form:has(#username) [type=submit]").click()


def sign_out(page):
    """The sign-out button is a POST form in the page footer."""
    with page.expect_navigation():
        page.locator("footer form[action$='/auth/logout'] button").click()


def choose_language(page, code):
    """Press the footer button of a language (unless it is the current one); the page reloads."""
    button = page.locator(f"footer .language-switch button[value={code}]")
    if button.get_attribute("aria-pressed") != "true":
        with page.expect_navigation():
            button.click()
    assert page.locator("html").get_attribute("lang") == code
    assert button.get_attribute("aria-pressed") == "true"


def screenshot(page, name):
    """A full-page PNG under test-artifacts/screenshots/, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE_SCRIPT = "/static/vendor/axe/axe.min.js"  # served by the app itself, as the CSP wants
BLOCKING_IMPACTS = ("serious", "critical")


def assert_accessible(page):
    """axe-core finds no serious or critical violation, and every visible form field has a label."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_SCRIPT)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )
    assert not blocking, f"axe-core on {page.url}:\n{report}"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && !['submit', 'button'].includes(el.type))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML)"""
    )
    assert unlabelled == [], f"form fields without a label on {page.url}: {unlabelled}"


OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsItself = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const sticking = [...document.body.querySelectorAll('*')]
    .filter(el => { const r = el.getBoundingClientRect();
                    return r.width > 0 && r.right > width + 1 && !scrollsItself(el); })
    .map(el => el.outerHTML.slice(0, 120) + ' right=' + el.getBoundingClientRect().right);
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, width, sticking: sticking.slice(0, 10)};
}"""


def assert_no_sideways_scroll(page, width=PHONE["width"]):
    """The page is no wider than the screen and nothing pokes out of it (tables scroll in a box).

    The second check matters because ``overflow-x: hidden`` on <html> would hide an overflow from
    scrollWidth-only checks while still cutting content off for the person.
    """
    found = page.evaluate(OVERFLOW_SCRIPT)
    assert found["scrollWidth"] <= width, f"{page.url} scrolls sideways: {found}"
    assert found["sticking"] == [], f"{page.url}: elements stick out of the screen: {found}"


MIN_TARGET = 44  # CSS px, WCAG 2.5.5: what a finger hits without zooming
TARGETS_SCRIPT = """(min) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
                 + '[role=button], [tabindex]:not([tabindex="-1"])';
  const box = el => {
    // A checkbox or a radio is hit through its label (the roll's segments hide the radio itself).
    if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) {
      return el.labels[0].getBoundingClientRect();
    }
    return el.getBoundingClientRect();
  };
  const shown = el => {
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && el.getClientRects().length > 0 && r.right > 0
      && !(el.matches('input') && (style.opacity === '0' || r.width <= 1));
  };
  return [...document.querySelectorAll(selector)]
    .filter(el => shown(el) || el.matches('input[type=checkbox], input[type=radio]'))
    .filter(el => !el.closest('.skip-link') && !el.closest('details:not([open]) > :not(summary)'))
    .map(el => ({el, r: box(el)}))
    .filter(({r}) => r.width > 0 && r.right > 0 && (r.width < min - 0.5 || r.height < min - 0.5))
    .map(({el, r}) => `${Math.round(r.width)}x${Math.round(r.height)} ${el.outerHTML.slice(0, 90)}`);
}"""


def assert_targets_large_enough(page, minimum=MIN_TARGET):
    """Every link, button, field and summary the person can hit is at least 44 x 44 CSS px."""
    small = page.evaluate(TARGETS_SCRIPT, minimum)
    assert small == [], f"targets under {minimum} px on {page.url}:\n" + "\n".join(small[:10])


@cache
def _catalog(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def tr(language, msgid, plural=None, **values):
    """The text the person sees for ``msgid`` in ``language``; fails if it is not translated.

    For a message with plural forms, ``msgid`` is the singular and ``plural`` the number.
    """
    catalog = _catalog(language)
    message = catalog.get(msgid)
    forms = message.string if message is not None and message.pluralizable else None
    assert (
        message is not None and not message.fuzzy and (all(forms) if forms else message.string)
    ), f"{msgid!r} is not translated in {language}"
    text = forms[c2py(catalog.plural_expr)(plural)] if forms else message.string
    return text % values if values else text

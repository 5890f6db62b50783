"""What an area's count page shows against the measures behind it: every number on the page is a
link to the list of its records, equal to the measure's number over the page's scope, to the
number heading that list and, for a count or a sum, to what the listed records add up to."""

import html
import re
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from daycentre.reports.measures import MEASURES, Scope
from tests.conftest import text_of

LINK = re.compile(r'<a href="(/reports/measures/(\w+)\?[^"]*)">([^<]*)</a>')


def _number(shown: str) -> Decimal:
    """A number as the Romanian pages write it: 1.234,5 (and "h" after hours)."""
    return Decimal(re.sub(r"[^\d,]", "", shown).replace(",", "."))


def _scope(url: str) -> Scope:
    args = parse_qs(urlsplit(url).query)
    return Scope(
        frozenset(int(c) for c in args.get("centres", [])),
        date.fromisoformat(args["start"][0]),
        date.fromisoformat(args["end"][0]),
        "directorate" in args,
    )


def figures_on(client, response) -> dict[str, Decimal]:
    """The numbers of a count page by measure, each checked against its measure and records."""
    shown = {}
    for url, key, text in LINK.findall(response.get_data(as_text=True)):
        url, text = html.unescape(url), html.unescape(text).strip()
        measure, scope = MEASURES[key], _scope(url)
        number = _number(text)
        assert number == measure.value(scope), key
        records = measure.records(scope)
        if measure.total == "count":
            assert number == len(records), key
        elif measure.total == "sum":
            assert number == sum(r.amount for r in records), key
        else:  # a distinct count names some records twice (a person at two sessions)
            assert len(records) >= number, key
        listing = client.get(url)
        assert listing.status_code == 200, key
        assert f"{measure.label}: {text}" in text_of(listing), key
        shown[key] = number
    return shown

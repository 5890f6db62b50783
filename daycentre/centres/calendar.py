"""The days a centre works: its week, Romania's public holidays and its closure days.

Each centre's year (public holidays and closure days) is built once and kept in the process until a
closure day of that centre changes. Several app processes share no memory, so the cache is keyed by
the centre's ``calendar_stamp``, a random token written in the same transaction as any change to
the centre's closure days: every process sees the new token with the centre row it reads anyway,
and builds the year again. A rolled-back change leaves a token nobody else ever reads.
"""

import threading
from collections import OrderedDict
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from uuid import uuid4

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, update
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import set_committed_value

from daycentre.centres.models import Centre, ClosureDay, Group
from daycentre.extensions import db

# The holidays package names Romania's public holidays in Romanian and English only; the
# catalogs carry them in every language of the interface.
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Epiphany": _l("Epiphany"),
    "Saint John the Baptist": _l("Saint John the Baptist"),
    "Unification of the Romanian Principalities Day": _l(
        "Unification of the Romanian Principalities Day"
    ),
    "Good Friday": _l("Good Friday"),
    "Easter": _l("Easter"),
    "Labor Day": _l("Labour Day"),
    "Children's Day": _l("Children's Day"),
    "Pentecost": _l("Pentecost"),
    "Dormition of the Mother of God": _l("Dormition of the Mother of God"),
    "Saint Andrew's Day": _l("Saint Andrew's Day"),
    "National Day": _l("National Day of Romania"),
    "Christmas Day": _l("Christmas Day"),
}


@lru_cache(maxsize=32)
def public_holidays(year: int) -> MappingProxyType:
    """Romania's public holidays of ``year``, day -> English names (``;``-separated)."""
    return MappingProxyType(dict(holidays.country_holidays("RO", years=year, language="en_US")))


def add_working_days(day: date, count: int) -> date:
    """``count`` working days after ``day``: weekends and Romanian public holidays are skipped."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in public_holidays(day.year):
            count -= 1
    return day


def holiday_name(day: date) -> str | None:
    """The public holiday on ``day`` named in the user's language, or None."""
    names = public_holidays(day.year).get(day)
    if names is None:
        return None
    return "; ".join(str(HOLIDAY_NAMES.get(name.strip(), name)) for name in names.split(";"))


# --- Closure days, kept per centre and year ----------------------------------------------------

_KEPT_YEARS = 1024
_years: OrderedDict = OrderedDict()
_years_lock = threading.Lock()


def new_stamp() -> str:
    return uuid4().hex


def _load_closures(centre_ids, first_year: int, last_year: int) -> dict:
    """Closure days of the centres in those years, by (centre id, year): one query."""
    found = {(cid, year): {} for cid in centre_ids for year in range(first_year, last_year + 1)}
    rows = db.session.execute(
        db.select(ClosureDay.centre_id, ClosureDay.day, ClosureDay.reason).where(
            ClosureDay.centre_id.in_(list(centre_ids)),
            ClosureDay.day.between(date(first_year, 1, 1), date(last_year, 12, 31)),
        )
    )
    for centre_id, day, reason in rows:
        found[(centre_id, day.year)][day] = reason
    return found


def closures(centres, first_year: int, last_year: int) -> dict[tuple[int, int], dict[date, str]]:
    """Each centre's closure days of each year (day -> reason), by (centre id, year); at most one
    query for any number of centres, none when every year is kept already."""
    wanted = {
        (c.id, year, c.calendar_stamp): (c.id, year)
        for c in centres
        for year in range(first_year, last_year + 1)
    }
    with _years_lock:
        kept = {key: _years[key] for key in wanted if key in _years}
        for key in kept:
            _years.move_to_end(key)
    absent = {centre_id for (centre_id, _, _) in wanted.keys() - kept.keys()}
    if absent:
        loaded = _load_closures(absent, first_year, last_year)
        with _years_lock:
            for key, short in wanted.items():
                if key not in kept:
                    kept[key] = _years[key] = MappingProxyType(loaded[short])
            while len(_years) > _KEPT_YEARS:
                _years.popitem(last=False)
    return {short: kept[key] for key, short in wanted.items()}


def closed_days(centre: Centre, group: Group | None, first: date, last: date) -> dict[date, str]:
    """Each day of the period without service, with why: the week, a public holiday, a closure."""
    return closed_days_of([centre], first, last, group=group)[centre.id]


def closed_days_of(
    centres, first: date, last: date, *, group: Group | None = None
) -> dict[int, dict[date, str]]:
    """``closed_days`` for several centres at once (by centre id), at most one query."""
    kept = closures(centres, first.year, last.year)
    found = {}
    for centre in centres:
        closed = {}
        day = first
        while day <= last:
            reason = kept[(centre.id, day.year)].get(day)
            if reason is not None:
                closed[day] = str(_l("Closed: %(reason)s", reason=reason))
            elif day in public_holidays(day.year):
                closed[day] = str(_l("Public holiday: %(name)s", name=holiday_name(day)))
            elif not centre.is_open_on(day) or (group is not None and not group.is_open_on(day)):
                closed[day] = str(_l("No activity on this day of the week"))
            day += timedelta(days=1)
        found[centre.id] = closed
    return found


def closed_day_sets(centres, first: date, last: date) -> dict[int, set[date]]:
    """The closed days of each centre in the period (by centre id), without saying why: for
    counting over many centres and months, at most one query."""
    kept = closures(centres, first.year, last.year)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    holidays = {d for d in days if d in public_holidays(d.year)}
    found = {}
    for centre in centres:
        week = centre.weekdays
        found[centre.id] = {
            d
            for d in days
            if d in holidays or d.isoweekday() not in week or d in kept[(centre.id, d.year)]
        }
    return found


def operating_today(centres, day: date) -> dict[int, bool]:
    """Whether each centre works on ``day`` (by centre id)."""
    closed = closed_days_of(centres, day, day)
    return {centre.id: day not in closed[centre.id] for centre in centres}


# A closure day added, changed or removed in any way (a service, the demo, a test) gives its centre
# a new stamp, in the same transaction.


def _restamp(mapper, connection, closure: ClosureDay) -> None:
    stamp = new_stamp()
    centre_id = closure.centre_id if closure.centre_id is not None else closure.centre.id
    connection.execute(
        update(Centre.__table__)
        .where(Centre.__table__.c.id == centre_id)
        .values(calendar_stamp=stamp)
    )
    session = object_session(closure)
    if session is not None:
        loaded = session.identity_map.get(session.identity_key(Centre, centre_id))
        if loaded is not None:
            set_committed_value(loaded, "calendar_stamp", stamp)


for _change in ("after_insert", "after_update", "after_delete"):
    event.listen(ClosureDay, _change, _restamp)

"""The centre's clock: Europe/Bucharest, whatever the server's time zone.

Every conversion between a Bucharest calendar day and the instants stored in UTC goes through here.
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BUCHAREST = ZoneInfo("Europe/Bucharest")


def now() -> datetime:
    return datetime.now(UTC).astimezone(BUCHAREST)


def today() -> date:
    return now().date()


def local_instant(day: date, at: time) -> datetime:
    """A wall-clock time in Bucharest as an aware datetime (the DST offset of that very day)."""
    return datetime.combine(day, at).replace(tzinfo=BUCHAREST)


def day_start(day: date) -> datetime:
    """Midnight in Bucharest at the start of ``day``."""
    return local_instant(day, time.min)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last``, Bucharest time: a half-open range of
    instants, ``start <= instant < end``."""
    return day_start(first), day_start(last + timedelta(days=1))


def local_date(instant: datetime) -> date:
    """The Bucharest calendar day an instant falls on."""
    return instant.astimezone(BUCHAREST).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

"""The centre's clock: Europe/Bucharest, whatever the server's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUCHAREST = ZoneInfo("Europe/Bucharest")


def now() -> datetime:
    return datetime.now(UTC).astimezone(BUCHAREST)


def today() -> date:
    return now().date()

from datetime import timedelta

from daycentre.attendance.services import closed_days
from daycentre.core.localtime import today


def operating_days_back(centre, number: int, start=None) -> list:
    """The last ``number`` operating days up to ``start`` (today by default), newest first."""
    day, found = start or today(), []
    while len(found) < number:
        if day not in closed_days(centre, None, day, day):
            found.append(day)
        day -= timedelta(days=1)
    return found


def weekend_day(start=None):
    day = start or today()
    while day.isoweekday() != 6:
        day -= timedelta(days=1)
    return day

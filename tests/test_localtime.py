"""The centre's clock: Bucharest days as instants, whatever the server's zone or the season."""

from datetime import UTC, date, datetime, time

from daycentre.core.localtime import add_months, day_bounds, day_start, local_date, local_instant


def test_a_bucharest_day_starts_at_midnight_local_time_in_winter_and_in_summer():
    assert day_start(date(2026, 1, 15)) == datetime(2026, 1, 14, 22, 0, tzinfo=UTC)
    assert day_start(date(2026, 7, 15)) == datetime(2026, 7, 14, 21, 0, tzinfo=UTC)


def test_the_day_of_the_spring_clock_change_has_23_hours_and_the_autumn_one_25():
    def hours(day):
        start, end = (instant.astimezone(UTC) for instant in day_bounds(day, day))
        return (end - start).total_seconds() / 3600

    assert hours(date(2027, 3, 28)) == 23
    assert hours(date(2026, 10, 25)) == 25


def test_a_period_runs_from_the_first_days_midnight_to_the_midnight_after_the_last():
    start, end = day_bounds(date(2026, 12, 1), date(2026, 12, 31))
    assert start == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


def test_half_past_eleven_on_new_years_eve_is_still_the_old_year_in_bucharest():
    instant = local_instant(date(2026, 12, 31), time(23, 30))
    assert instant.astimezone(UTC) == datetime(2026, 12, 31, 21, 30, tzinfo=UTC)
    assert local_date(instant) == date(2026, 12, 31)
    assert local_date(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == date(2027, 1, 1)


def test_a_month_later_is_the_months_last_day_when_it_is_shorter():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)

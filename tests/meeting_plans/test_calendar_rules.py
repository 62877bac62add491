"""The plan's dates: pure rules, no database."""

import itertools
from datetime import date, timedelta

import pytest

from app.meeting_plans.calendar_rules import (
    TooManyMeetings,
    Weekday,
    is_closed,
    middle_of_largest_gap,
    open_days,
    plan_dates,
    spread,
)

YEARS = range(2000, 2101)


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2027, 1, 1), True),
        (date(2027, 1, 6), True),  # Epiphany: the last day of the Christmas weeks
        (date(2027, 1, 7), False),
        (date(2027, 6, 30), False),
        (date(2027, 7, 1), True),
        (date(2027, 7, 31), True),
        (date(2027, 8, 1), False),
        (date(2027, 12, 19), False),
        (date(2027, 12, 20), True),  # the first day of the Christmas weeks
        (date(2027, 12, 31), True),
    ],
)
def test_july_and_the_christmas_weeks_are_closed(day: date, closed: bool) -> None:
    assert is_closed(day) is closed


@pytest.mark.parametrize("weekday", list(Weekday))
def test_open_days_are_the_weekday_outside_the_closed_weeks(weekday: Weekday) -> None:
    days = open_days(2027, weekday)
    assert all(day.weekday() == weekday for day in days)
    assert all(not is_closed(day) for day in days)
    assert days == sorted(set(days))
    # Every weekday of the year that is not closed is there.
    every = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]
    assert days == [d for d in every if d.weekday() == weekday and not is_closed(d)]
    assert 44 <= len(days) <= 46


def test_a_year_starting_on_the_weekday_skips_new_years_day() -> None:
    # 1 January 2026 and 2032 are Thursdays, inside the Christmas weeks.
    assert date(2026, 1, 1).weekday() == Weekday.THURSDAY
    assert open_days(2026, Weekday.THURSDAY)[0] == date(2026, 1, 8)
    assert open_days(2032, Weekday.THURSDAY)[0] == date(2032, 1, 8)
    assert open_days(2026, Weekday.THURSDAY)[-1] == date(2026, 12, 17)
    dates = plan_dates(2026, 12, Weekday.THURSDAY, municipal=True)
    assert date(2026, 1, 1) not in dates.visits
    assert dates.visits[0] == date(2026, 1, 15)


def test_four_visits_spread_through_the_year() -> None:
    dates = plan_dates(2027, 4, Weekday.THURSDAY, municipal=True)
    assert dates.visits == [
        date(2027, 2, 11),
        date(2027, 4, 29),
        date(2027, 8, 26),
        date(2027, 11, 11),
    ]
    # The municipal meeting in the middle of the largest stretch without a visit.
    assert dates.municipal == date(2027, 6, 10)


def test_one_visit_is_mid_year_and_the_municipal_meeting_in_the_larger_half() -> None:
    dates = plan_dates(2027, 1, Weekday.TUESDAY, municipal=True)
    days = open_days(2027, Weekday.TUESDAY)
    assert dates.visits == [days[len(days) // 2]]
    assert dates.municipal is not None
    assert dates.municipal < dates.visits[0]


def test_no_visits_gives_only_the_municipal_meeting() -> None:
    dates = plan_dates(2027, 0, Weekday.MONDAY, municipal=True)
    days = open_days(2027, Weekday.MONDAY)
    assert dates.visits == []
    assert dates.municipal == days[(len(days) - 1) // 2]
    assert plan_dates(2027, 0, Weekday.MONDAY, municipal=False) == type(dates)([], None)


def test_twelve_visits_one_a_month_save_july() -> None:
    dates = plan_dates(2027, 12, Weekday.THURSDAY, municipal=True)
    assert len(set(dates.visits)) == 12
    months = [day.month for day in dates.visits]
    assert 7 not in months
    assert dates.municipal not in dates.visits
    gaps = [(b - a).days for a, b in zip(dates.visits, dates.visits[1:], strict=False)]
    # Evenly spread over open weeks: consecutive visits 3 or 4 open weeks apart (the
    # jump over July is longer in calendar days).
    assert min(gaps) >= 21


@pytest.mark.parametrize("count", [1, 4, 12, 43])
def test_every_year_the_visits_are_distinct_open_days(count: int) -> None:
    for year, weekday in itertools.product(YEARS, Weekday):
        dates = plan_dates(year, count, weekday, municipal=True)
        assert len(set(dates.visits)) == count
        assert dates.visits == sorted(dates.visits)
        assert dates.municipal is not None
        assert dates.municipal not in dates.visits
        assert all(not is_closed(d) and d.weekday() == weekday for d in dates.visits)
        assert all(d.year == year for d in dates.visits)


def test_six_wednesday_visits_of_2030_worked_out_by_hand() -> None:
    # 1 January 2030 is a Tuesday. The open Wednesdays, numbered from 0 (2 January is in
    # the Christmas weeks, July is closed, 25 December too):
    #   Jan  9 16 23 30       0- 3    Jun  5 12 19 26        21-24
    #   Feb  6 13 20 27       4- 7    Aug  7 14 21 28        25-28
    #   Mar  6 13 20 27       8-11    Sep  4 11 18 25        29-32
    #   Apr  3 10 17 24      12-15    Oct  2  9 16 23 30     33-37
    #   May  1  8 15 22 29   16-20    Nov  6 13 20 27        38-41
    #                                 Dec  4 11 18           42-44
    # 45 open days, 6 visits: indices (2i + 1) * 45 // 12 = 3, 11, 18, 26, 33, 41.
    # Free stretches between them: 3, 7, 6, 7, 6, 7, 3 days; the first of the longest
    # runs from index 4 to 10, whose middle, (3 + 11) // 2 = 7, is 27 February.
    dates = plan_dates(2030, 6, Weekday.WEDNESDAY, municipal=True)
    assert dates.visits == [
        date(2030, 1, 30),
        date(2030, 3, 27),
        date(2030, 5, 15),
        date(2030, 8, 14),
        date(2030, 10, 2),
        date(2030, 11, 27),
    ]
    assert dates.municipal == date(2030, 2, 27)
    assert len(open_days(2030, Weekday.WEDNESDAY)) == 45


def test_more_meetings_than_open_days_is_refused() -> None:
    total = len(open_days(2027, Weekday.FRIDAY))
    assert plan_dates(2027, total, Weekday.FRIDAY, municipal=False).visits == open_days(
        2027, Weekday.FRIDAY
    )
    with pytest.raises(TooManyMeetings) as raised:
        plan_dates(2027, total, Weekday.FRIDAY, municipal=True)
    assert (raised.value.wanted, raised.value.open_days) == (total + 1, total)


def test_spread_and_gap_helpers() -> None:
    assert spread(4, 44) == [5, 16, 27, 38]
    assert spread(3, 3) == [0, 1, 2]
    assert middle_of_largest_gap([], 45) == 22
    assert middle_of_largest_gap([5, 16, 27, 38], 44) == 10  # first of the equal stretches
    with pytest.raises(ValueError, match="no free index"):
        middle_of_largest_gap([0, 1, 2], 3)

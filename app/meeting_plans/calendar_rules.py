"""The dates of a year's plan: pure date logic, no database, no time zones.

The rules, as the secretariat would say them:

- Meetings fall on the chosen weekday (Monday to Friday).
- Never in July (the common summer holiday in Norway and Sweden), and never in the
  Christmas weeks, which run from 20 December to 6 January (Epiphany, the end of the
  Swedish Christmas holiday) inclusive. Within one calendar year that closes
  1 to 6 January and 20 to 31 December. Every other day on the weekday is an *open day*.
- The N company visits are spread evenly over the year's open days: the open days are
  cut into N equal runs and each visit takes the open day in the middle of its run
  (index floor((2i + 1) * M / 2N) of the M open days, for i = 0 ... N-1). July and Christmas take
  no share, so the visits are evenly spread over the time the network actually meets.
- The municipal meeting goes in the middle of the largest stretch of open days that no
  visit takes (the stretches before the first visit and after the last count too; on a
  tie, the earliest stretch). The visits' dates therefore do not depend on whether the
  network has a municipality, and giving it one later adds that meeting without moving
  any visit. With no visits it is the middle open day of the year.
- The same year, count and weekday always give the same dates.
"""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

# The Christmas weeks: from this day of December to that day of January, inclusive.
CHRISTMAS_STARTS = (12, 20)
CHRISTMAS_ENDS = (1, 6)
SUMMER_MONTH = 7


class Weekday(IntEnum):
    """Meeting days; the values are `date.weekday()`'s."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4


class TooManyMeetings(Exception):
    """More meetings than open days on the weekday in the year."""

    def __init__(self, wanted: int, open_days: int) -> None:
        super().__init__(f"{wanted} meetings wanted, {open_days} open days")
        self.wanted = wanted
        self.open_days = open_days


@dataclass(frozen=True, slots=True)
class PlanDates:
    visits: list[date]  # in order: slot 1 is visits[0]
    municipal: date | None


def is_closed(day: date) -> bool:
    """July and the Christmas weeks (20 December to 6 January) have no meetings."""
    if day.month == SUMMER_MONTH:
        return True
    if (day.month, day.day) >= CHRISTMAS_STARTS:
        return True
    return (day.month, day.day) <= CHRISTMAS_ENDS


def open_days(year: int, weekday: Weekday) -> list[date]:
    """Every day of `year` on `weekday` that is not closed, in order."""
    first = date(year, 1, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    days = []
    while day.year == year:
        if not is_closed(day):
            days.append(day)
        day += timedelta(days=7)
    return days


def spread(count: int, total: int) -> list[int]:
    """`count` indices into `total` items, each the middle of one of `count` equal runs.

    Strictly increasing when count <= total (neighbouring middles lie total/count >= 1
    apart), so no two meetings share a day.
    """
    return [(2 * i + 1) * total // (2 * count) for i in range(count)]


def middle_of_largest_gap(taken: list[int], total: int) -> int:
    """The index in the middle of the longest run of indices in [0, total) not in
    `taken` (sorted); the earliest such run on a tie. Needs a free index."""
    bounds = [-1, *taken, total]
    best_free, best_index = 0, -1
    for before, after in itertools.pairwise(bounds):
        free = after - before - 1
        if free > best_free:
            best_free, best_index = free, (before + after) // 2
    if best_free == 0:
        raise ValueError("no free index")
    return best_index


def plan_dates(year: int, visits: int, weekday: Weekday, *, municipal: bool) -> PlanDates:
    """The days of `visits` company visits and, with `municipal`, the municipal meeting.

    Raises TooManyMeetings when the year has fewer open days on the weekday than meetings.
    """
    days = open_days(year, weekday)
    wanted = visits + (1 if municipal else 0)
    if wanted > len(days):
        raise TooManyMeetings(wanted, len(days))
    taken = spread(visits, len(days)) if visits else []
    municipal_day = days[middle_of_largest_gap(taken, len(days))] if municipal else None
    return PlanDates(visits=[days[index] for index in taken], municipal=municipal_day)

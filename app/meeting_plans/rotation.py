"""Who hosts: the company-visit rotation and the municipal meeting's alternation.

Pure functions over facts the service loaded; no database.

Company visits, slot by slot in date order:
- The candidates for a slot are the organisations that are members on that slot's day
  (a `member` membership covering the day, ended ones until their last day): a company
  that has left is skipped from the day after it left, one that joins later only from
  the day it joins.
- Whoever hosted longest ago goes first, and whoever never hosted before anyone who has;
  ties are broken by display name (case-insensitive), then by id. "Hosted" means a
  company visit of the network that was not cancelled: in an earlier year (the
  history), in this year (created by hand, or a slot of this plan that exists already,
  before or after the slot: a company with a visit later this year has had its turn),
  or a slot filled earlier in this run.
- Nobody hosts twice in a row while someone else is a candidate: neither the host of
  the visit just before the slot (across the year boundary too) nor the host of the
  visit just after it, when that one exists already, goes unless there is nobody else.
  When both are all there is, the host before the slot is the one left out.
- Slots that already exist (a plan run before) keep their host.
- A slot with no candidate gets no host (the plan does not create it; see planner.py).

The municipal meeting: the network's administering association and the municipality
take turns. When the last municipal meeting of an earlier year (not cancelled, with a
host) was hosted by the association, the municipality hosts; otherwise — hosted by the
municipality or another public body, or no history at all — the association hosts. A
network without an administering association meets at the municipality every year.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation with its member periods in the network (see `member_on_day`)."""

    organisation_id: uuid.UUID
    name: str
    periods: tuple[tuple[date, date | None], ...]

    def is_member_on(self, day: date) -> bool:
        return any(
            starts_on <= day and (ends_on is None or day <= ends_on)
            for starts_on, ends_on in self.periods
        )


@dataclass(frozen=True, slots=True)
class VisitSlot:
    """A company visit of the plan: `fixed` when it exists already, with its host (None
    when it was cancelled: it was not hosted)."""

    number: int
    day: date
    fixed: bool = False
    fixed_host_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """A hosted company visit of the plan's year that is not one of its slots (created
    by hand)."""

    day: date
    host_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class HostChoice:
    number: int
    host_id: uuid.UUID | None  # None: no candidate on the day


@dataclass(frozen=True, slots=True)
class _Event:
    """One point of the year's timeline: a visit whose host is known, or a slot to fill."""

    day: date
    to_fill: int | None  # the slot's number, or None for a known visit
    host_id: uuid.UUID | None = None

    @property
    def order(self) -> tuple[date, bool, int]:
        # On one day, known visits first; slots by number.
        return (self.day, self.to_fill is not None, self.to_fill or 0)


def _timeline(slots: Iterable[VisitSlot], visits: Iterable[Visit]) -> list[_Event]:
    events = [_Event(visit.day, None, visit.host_id) for visit in visits]
    for slot in slots:
        if not slot.fixed:
            events.append(_Event(slot.day, slot.number))
        elif slot.fixed_host_id is not None:
            events.append(_Event(slot.day, None, slot.fixed_host_id))
    return sorted(events, key=lambda event: event.order)


def _following_host(later: Sequence[_Event]) -> uuid.UUID | None:
    """The host of the next visit when it is known already; None when the next one is a
    slot still to fill (that slot keeps clear of this one's host itself)."""
    for event in later:
        return event.host_id if event.to_fill is None else None
    return None


def rotate_hosts(
    slots: Iterable[VisitSlot],
    candidates: Iterable[Candidate],
    last_hosted: Mapping[uuid.UUID, date],
    previous_host_id: uuid.UUID | None,
    visits: Iterable[Visit] = (),
) -> dict[int, HostChoice]:
    """The host of every slot, by slot number.

    `last_hosted`: the day each organisation last hosted before the year (history);
    `previous_host_id`: the host of the last company visit before the year;
    `visits`: the year's other hosted company visits (created by hand).
    """
    slots = list(slots)
    pool = list(candidates)
    timeline = _timeline(slots, visits)
    # Each organisation's latest hosting day known before the run: the history, then
    # every known visit of the year, earlier or later than any one slot.
    hosted = dict(last_hosted)
    for event in timeline:
        if event.host_id is not None:
            hosted[event.host_id] = max(hosted.get(event.host_id, event.day), event.day)
    choices = {slot.number: HostChoice(slot.number, slot.fixed_host_id) for slot in slots}
    previous = previous_host_id
    for index, event in enumerate(timeline):
        if event.to_fill is None:
            previous = event.host_id
            continue
        following = _following_host(timeline[index + 1 :])
        host_id = _next_host(event.day, pool, hosted, previous, following)
        choices[event.to_fill] = HostChoice(event.to_fill, host_id)
        if host_id is not None:
            hosted[host_id] = max(hosted.get(host_id, event.day), event.day)
            previous = host_id
    return choices


def _next_host(
    day: date,
    pool: list[Candidate],
    hosted: Mapping[uuid.UUID, date],
    previous: uuid.UUID | None,
    following: uuid.UUID | None,
) -> uuid.UUID | None:
    eligible = [candidate for candidate in pool if candidate.is_member_on(day)]
    # Never hosted sorts first (False < True), then the oldest hosting day.
    eligible.sort(
        key=lambda c: (
            c.organisation_id in hosted,
            hosted.get(c.organisation_id, date.min),
            c.name.casefold(),
            c.organisation_id,
        )
    )
    for neighbours in ({previous, following}, {previous}, set()):
        others = [c for c in eligible if c.organisation_id not in neighbours]
        if others:
            return others[0].organisation_id
    return None


def municipal_host(
    association_id: uuid.UUID | None,
    municipality_id: uuid.UUID,
    last_host_id: uuid.UUID | None,
) -> uuid.UUID:
    """The host of this year's municipal meeting, from the last one's host."""
    if association_id is None or last_host_id == association_id:
        return municipality_id
    return association_id

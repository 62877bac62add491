"""Turns what the service loaded into the year's meetings: dates, hosts, times, places.

No queries here: the service loads the facts once (`PlanFacts`), this module decides.
Slots that exist already (an earlier run) are kept as they are; only missing slots are
proposed, with the rotation fitted around the existing ones.

A company visit needs a member company to host it: a slot with none on its day is not
created (`state` `skipped`, warning `no_eligible_host`), and a later run creates it once
a member is there.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.companies.models import Organisation
from app.errors import InvalidField
from app.meeting_plans import calendar_rules, rotation
from app.meeting_plans.schemas import PlannedMeeting, PlanState, PlanWarning
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from app.meetings.times import in_zone, local_day, to_utc
from app.networks.models import Network

MUNICIPAL_SLOT = 0
_TITLE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the plan's meetings are held, as asked for."""

    weekday: calendar_rules.Weekday
    start_time: time
    duration: timedelta
    zone: ZoneInfo


@dataclass(slots=True)
class PlanFacts:
    """Everything the plan is made from, loaded by the service in a fixed set of queries."""

    network: Network
    year: int
    existing: list[Meeting]
    # The periods of `member_on_day` memberships covering a visit day of the plan, with
    # their organisations.
    member_periods: list[tuple[date, date | None, Organisation]]
    # When each organisation last hosted a company visit, before the year.
    last_visits: list[tuple[uuid.UUID, datetime]]
    # Host, start and zone of the year's hosted company visits that are not slots of
    # this plan (created by hand).
    other_visits: list[tuple[uuid.UUID, datetime, str]]
    last_municipal_host_id: uuid.UUID | None
    # Organisations other than the members: the association, the municipality, the
    # hosts of existing meetings.
    organisations: dict[uuid.UUID, Organisation] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    meetings: list[PlannedMeeting]
    new: list[Meeting]  # to write, unless a dry run
    warnings: list[PlanWarning]


def format_address(address: dict[str, Any] | None) -> str | None:
    """`Hydrovegen 55, 3936 Porsgrunn` from an organisation's address JSON."""
    if not address:
        return None
    town = " ".join(str(address[key]) for key in ("postal_code", "city") if address.get(key))
    parts = [str(address[key]) for key in ("line1", "line2") if address.get(key)]
    parts += [town] if town else []
    return ", ".join(parts) or None


def start_instant(day: date, schedule: Schedule) -> datetime:
    """The meeting's start in UTC: `start_time` on the wall clock of the zone that day,
    so the UTC time follows daylight saving. A time the clocks skip that day is refused
    (422 on `body.start_time`), not moved."""
    local = datetime.combine(day, schedule.start_time)
    try:
        return to_utc(local, schedule.zone, "start_time")
    except InvalidField as exc:
        if exc.code != "nonexistent_local_time":
            raise
        raise InvalidField(
            "start_time",
            f"{schedule.start_time:%H:%M} does not exist in {schedule.zone.key} on {day}, a "
            "day of this plan: the clocks skip it (daylight saving time begins). Choose "
            "another start_time or weekday.",
            code="nonexistent_local_time",
        ) from exc


def _title(text: str) -> str:
    return text if len(text) <= _TITLE_LENGTH else text[: _TITLE_LENGTH - 1] + "…"


class _Builder:
    def __init__(
        self, facts: PlanFacts, schedule: Schedule, dates: calendar_rules.PlanDates
    ) -> None:
        self.facts = facts
        self.schedule = schedule
        self.dates = dates
        self.network = facts.network
        self.existing = {meeting.plan_slot: meeting for meeting in facts.existing}
        self.organisations = dict(facts.organisations)
        for _, _, organisation in facts.member_periods:
            self.organisations[organisation.id] = organisation
        self.plan = Plan(meetings=[], new=[], warnings=[])

    def warn(self, slot: int | None, code: str, detail: str) -> None:
        self.plan.warnings.append(PlanWarning(slot=slot, code=code, detail=detail))

    def candidates(self) -> list[rotation.Candidate]:
        periods: dict[uuid.UUID, list[tuple[date, date | None]]] = {}
        for starts_on, ends_on, organisation in self.facts.member_periods:
            periods.setdefault(organisation.id, []).append((starts_on, ends_on))
        return [
            rotation.Candidate(org_id, self.organisations[org_id].display_name, tuple(spans))
            for org_id, spans in periods.items()
        ]

    def history(self) -> tuple[dict[uuid.UUID, date], uuid.UUID | None]:
        """Each earlier host's last hosting day before the year, and the very last host."""
        zone = self.schedule.zone
        last = {host: when.astimezone(zone).date() for host, when in self.facts.last_visits}
        latest = max(self.facts.last_visits, key=lambda visit: (visit[1], visit[0]), default=None)
        return last, None if latest is None else latest[0]

    def other_visits(self) -> list[rotation.Visit]:
        return [
            rotation.Visit(in_zone(when, zone).date(), host_id)
            for host_id, when, zone in self.facts.other_visits
        ]

    def visit_slots(self, days: list[date]) -> list[rotation.VisitSlot]:
        slots = [
            rotation.VisitSlot(number, day)
            for number, day in enumerate(days, start=1)
            if number not in self.existing
        ]
        for number, meeting in self.existing.items():
            if number is None or number == MUNICIPAL_SLOT:
                continue
            # A cancelled visit was not hosted; nor is a slot whose kind was changed.
            hosted = (
                meeting.kind is MeetingKind.COMPANY_VISIT
                and meeting.status is not MeetingStatus.CANCELLED
            )
            slots.append(
                rotation.VisitSlot(
                    number,
                    local_day(meeting),
                    fixed=True,
                    fixed_host_id=meeting.host_organisation_id if hosted else None,
                )
            )
        return slots

    def build(self) -> Plan:
        count = self.network.meetings_per_year
        municipality_id = self.network.municipality_id
        dates = self.dates
        last_hosted, previous = self.history()
        slots = self.visit_slots(dates.visits)
        choices = rotation.rotate_hosts(
            slots, self.candidates(), last_hosted, previous, self.other_visits()
        )
        for slot in slots:
            if not slot.fixed:
                host_id = choices[slot.number].host_id
                if host_id is None:
                    self.skip_visit(slot, count)
                else:
                    self.propose_visit(slot, count, host_id)
        missing_municipal = MUNICIPAL_SLOT not in self.existing
        if municipality_id is not None and dates.municipal is not None and missing_municipal:
            self.propose_municipal(dates.municipal, municipality_id)
        for meeting in self.facts.existing:
            self.plan.meetings.append(self.describe(meeting, PlanState.EXISTING))
        self.plan.meetings.sort(key=lambda planned: (planned.starts_at, planned.slot))
        return self.plan

    def visit_title(self, slot: rotation.VisitSlot, count: int) -> str:
        return f"{self.network.name}: company visit {slot.number}/{count}"

    def propose_visit(self, slot: rotation.VisitSlot, count: int, host_id: uuid.UUID) -> None:
        title = f"{self.visit_title(slot, count)} — {self.organisations[host_id].display_name}"
        self.propose(slot.number, MeetingKind.COMPANY_VISIT, title, slot.day, host_id)

    def skip_visit(self, slot: rotation.VisitSlot, count: int) -> None:
        """A visit no member can host is not created: a company visit needs a host, and
        one without a place would only have to be found and mended later."""
        self.warn(
            slot.number,
            "no_eligible_host",
            f"No organisation is a member of {self.network.name} on {slot.day}, so nobody "
            "can host this company visit and it was not created; running the plan again "
            "once a member company is there creates it.",
        )
        starts_at = start_instant(slot.day, self.schedule)
        zone = self.schedule.zone
        self.plan.meetings.append(
            PlannedMeeting(
                slot=slot.number,
                kind=MeetingKind.COMPANY_VISIT,
                title=_title(self.visit_title(slot, count)),
                starts_at=starts_at.astimezone(zone),
                ends_at=(starts_at + self.schedule.duration).astimezone(zone),
                time_zone=zone.key,
                host_organisation_id=None,
                host_name=None,
                place_name=None,
                place_address=None,
                meeting_id=None,
                state=PlanState.SKIPPED,
            )
        )

    def propose_municipal(self, day: date, municipality_id: uuid.UUID) -> None:
        association_id = self.network.administered_by_id
        if association_id is None:
            self.warn(
                MUNICIPAL_SLOT,
                "no_administering_association",
                "The network has no administering association to take turns with; the "
                "municipality hosts.",
            )
        host_id = rotation.municipal_host(
            association_id, municipality_id, self.facts.last_municipal_host_id
        )
        if self.organisations[host_id].archived_at is not None:
            # The API refuses an archived host; the other party takes the turn, if it can.
            other_id = municipality_id if host_id == association_id else association_id
            archived = self.organisations[host_id].display_name
            if other_id is None or self.organisations[other_id].archived_at is not None:
                self.warn(
                    MUNICIPAL_SLOT,
                    "host_archived",
                    f"{archived} is archived and nobody else can host; the yearly "
                    "meeting with the municipality was not created.",
                )
                return
            self.warn(
                MUNICIPAL_SLOT,
                "host_archived",
                f"{archived} is archived; {self.organisations[other_id].display_name} "
                "hosts instead.",
            )
            host_id = other_id
        municipality = self.organisations[municipality_id].display_name
        title = f"{self.network.name}: yearly meeting with {municipality}"
        self.propose(MUNICIPAL_SLOT, MeetingKind.MUNICIPAL, title, day, host_id)

    def propose(
        self, slot: int, kind: MeetingKind, title: str, day: date, host_id: uuid.UUID
    ) -> None:
        host = self.organisations[host_id]
        place_address = format_address(host.visiting_address)
        if place_address is None:
            self.warn(
                slot,
                "host_without_address",
                f"{host.display_name} has no visiting address; the meeting has none either.",
            )
        starts_at = start_instant(day, self.schedule)
        meeting = Meeting(
            id=uuid.uuid4(),
            network_id=self.network.id,
            kind=kind,
            title=_title(title),
            starts_at=starts_at,
            ends_at=starts_at + self.schedule.duration,
            time_zone=self.schedule.zone.key,
            place_name=host.display_name,
            place_address=place_address,
            host_organisation_id=host_id,
            status=MeetingStatus.PLANNED,
            sequence=0,
            plan_year=self.facts.year,
            plan_slot=slot,
        )
        self.plan.new.append(meeting)
        self.plan.meetings.append(self.describe(meeting, PlanState.PROPOSED))

    def describe(self, meeting: Meeting, state: PlanState) -> PlannedMeeting:
        host_id = meeting.host_organisation_id
        host = None if host_id is None else self.organisations.get(host_id)
        return PlannedMeeting(
            slot=meeting.plan_slot or 0,
            kind=meeting.kind,
            title=meeting.title,
            starts_at=in_zone(meeting.starts_at, meeting.time_zone),
            ends_at=in_zone(meeting.ends_at, meeting.time_zone),
            time_zone=meeting.time_zone,
            host_organisation_id=meeting.host_organisation_id,
            host_name=None if host is None else host.display_name,
            place_name=meeting.place_name,
            place_address=meeting.place_address,
            meeting_id=None if state is PlanState.PROPOSED else meeting.id,
            state=state,
        )


def build_plan(facts: PlanFacts, schedule: Schedule, dates: calendar_rules.PlanDates) -> Plan:
    """The year's meetings: the existing ones as they are, the missing ones proposed
    (their `PlannedMeeting.state` is `proposed`; the service marks them `created` once
    written), and visits nobody can host `skipped`."""
    return _Builder(facts, schedule, dates).build()

"""The year's plan: propose or create a network's meetings for a year.

Running it twice creates nothing twice: every planned meeting carries `plan_year` and
`plan_slot` (1 … N for the company visits, 0 for the municipal meeting), unique per
network, and a run takes a lock on the network's year before it reads which slots exist,
so a concurrent run waits and then finds them. Should anything slip past (a meeting
given a plan slot some other way), the unique key refuses it with 409
`meeting_plan_conflict` rather than writing a second meeting. A run after
`meetings_per_year` has dropped below a slot written before is refused (409
`plan_changed`) rather than guessing which visits to drop.
"""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.companies.repository import OrganisationRepository
from app.config import get_settings
from app.errors import Conflict, register_constraint_error
from app.meeting_plans import calendar_rules
from app.meeting_plans.planner import PlanFacts, Schedule, build_plan
from app.meeting_plans.repository import MeetingPlanRepository
from app.meeting_plans.schemas import MeetingPlan, MeetingPlanCreate, PlanState
from app.meetings.access import managed_network, network_to_plan_in
from app.meetings.models import Meeting
from app.meetings.times import zone_named
from app.networks.models import Network

register_constraint_error(
    "uq_meetings_network_id_plan_year_plan_slot",
    Conflict(
        "Another run of this year's plan wrote the same meetings at the same time; run it "
        "again to see them.",
        code="meeting_plan_conflict",
    ),
)


async def network_to_plan(session: AsyncSession, caller: Caller, network_id: uuid.UUID) -> Network:
    """The network whose year the caller plans (`access.managed_network`: 404, then
    401/403). Also run before an idempotent replay."""
    return await managed_network(session, caller, network_id)


def _check_plannable(network: Network) -> None:
    if network.meetings_per_year == 0 and network.municipality_id is None:
        raise Conflict(
            f"{network.name} has no meetings per year and no municipality to meet; set "
            "`meetings_per_year` or `municipality_id` first.",
            code="nothing_to_plan",
        )


def _check_slots_still_planned(network: Network, existing: list[Meeting]) -> None:
    """409 `plan_changed` when an earlier run made more visits than the network now
    holds a year: which of them to drop, or whether to keep them all, is the
    secretariat's call, not the plan's."""
    beyond = sorted(
        (meeting for meeting in existing if (meeting.plan_slot or 0) > network.meetings_per_year),
        key=lambda meeting: meeting.plan_slot or 0,
    )
    if not beyond:
        return
    slots = ", ".join(str(meeting.plan_slot) for meeting in beyond)
    raise Conflict(
        f"{network.name} now holds {network.meetings_per_year} company visit(s) a year, "
        f"but this year's plan already has visits in slot(s) {slots}. Delete those "
        "meetings (DELETE /v1/meetings/{id}) or, to keep them, set the network's "
        f"meetings_per_year back to at least {beyond[-1].plan_slot}; then run the plan "
        "again.",
        code="plan_changed",
        meeting_ids=[str(meeting.id) for meeting in beyond],
    )


def _schedule(data: MeetingPlanCreate) -> Schedule:
    hours, minutes = (int(part) for part in data.start_time.split(":"))
    return Schedule(
        weekday=data.weekday.day,
        start_time=time(hours, minutes),
        duration=timedelta(minutes=data.duration_minutes),
        # `is None`, not `or`: an empty name is refused, not read as "the default".
        zone=zone_named(get_settings().time_zone if data.time_zone is None else data.time_zone),
    )


async def _load_facts(
    session: AsyncSession,
    caller: Caller,
    network: Network,
    year: int,
    zone: ZoneInfo,
    visit_days: list[date],
) -> PlanFacts:
    """Everything the plan needs, in a fixed number of queries."""
    repository = MeetingPlanRepository(session)
    # History is what happened before the year began where the meetings are held.
    year_starts = datetime(year, 1, 1, tzinfo=zone)
    year_ends = datetime(year + 1, 1, 1, tzinfo=zone)
    existing = await repository.plan_meetings(network.id, year)
    member_periods = await repository.member_periods(network.id, visit_days)
    last_visits = await repository.last_visits(network.id, year_starts)
    other_visits = await repository.other_visits(network.id, year, year_starts, year_ends)
    last_municipal_host_id = (
        await repository.last_municipal_host(network.id, year_starts)
        if network.municipality_id is not None
        else None
    )
    members = {organisation.id for _, _, organisation in member_periods}
    others = {network.administered_by_id, network.municipality_id}
    others |= {meeting.host_organisation_id for meeting in existing}
    wanted = {org_id for org_id in others if org_id is not None} - members
    organisations = await OrganisationRepository(session).get_many(caller, wanted)
    return PlanFacts(
        network=network,
        year=year,
        existing=existing,
        member_periods=member_periods,
        last_visits=list(last_visits),
        other_visits=other_visits,
        last_municipal_host_id=last_municipal_host_id,
        organisations=organisations,
    )


async def plan_year(
    session: AsyncSession, caller: Caller, network_id: uuid.UUID, data: MeetingPlanCreate
) -> MeetingPlan:
    """Propose (`dry_run`) or create the network's meetings of `data.year`."""
    network = await network_to_plan_in(session, caller, network_id)
    schedule = _schedule(data)
    _check_plannable(network)
    try:
        dates = calendar_rules.plan_dates(
            data.year,
            network.meetings_per_year,
            schedule.weekday,
            municipal=network.municipality_id is not None,
        )
    except calendar_rules.TooManyMeetings as exc:
        raise Conflict(
            f"{exc.wanted} meetings do not fit on the {exc.open_days} {data.weekday.value}s "
            f"of {data.year} outside July and the Christmas weeks.",
            code="too_many_meetings",
        ) from exc
    repository = MeetingPlanRepository(session)
    if not data.dry_run:
        await repository.lock(network.id, data.year)
    facts = await _load_facts(session, caller, network, data.year, schedule.zone, dates.visits)
    _check_slots_still_planned(network, facts.existing)
    plan = build_plan(facts, schedule, dates)
    meetings = plan.meetings
    if not data.dry_run and plan.new:
        repository.add_all(plan.new)
        await session.flush()
        written = {meeting.plan_slot: meeting.id for meeting in plan.new}
        meetings = [
            planned.model_copy(
                update={"state": PlanState.CREATED, "meeting_id": written[planned.slot]}
            )
            if planned.state is PlanState.PROPOSED
            else planned
            for planned in meetings
        ]
    return MeetingPlan(
        network_id=network.id,
        year=data.year,
        dry_run=data.dry_run,
        created=0 if data.dry_run else len(plan.new),
        existing=len(facts.existing),
        meetings=meetings,
        warnings=plan.warnings,
    )

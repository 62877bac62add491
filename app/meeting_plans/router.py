"""HTTP for meeting-plans: parse, call one service function, answer."""

import uuid

from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.idempotency import IdempotencyDep
from app.api.problems import problem_responses
from app.api.responses import json_response
from app.api.routing import APIRouter
from app.meeting_plans import service
from app.meeting_plans.schemas import MeetingPlan, MeetingPlanCreate

router = APIRouter(prefix="/v1/networks", tags=["meeting-plans"])

_DESCRIPTION = """\
Proposes (`dry_run: true`, nothing is written) or creates the network's meetings of
`year`: `meetings_per_year` company visits and, when the network has a `municipality_id`,
one `municipal` meeting.

**Dates**: on `weekday`, spread evenly over the year's open days, never in July nor in
the Christmas weeks (20 December to 6 January). The visits take the middle day of N equal
runs of open days; the municipal meeting the middle of the largest stretch no visit
takes. `start_time` is local time in `time_zone`, so the UTC time follows daylight saving.

**Hosts of visits**: in rotation among the network's member companies on the day (a
`member` membership covering it; one that has ended still counts up to its last day,
so a company that has given notice hosts until it leaves, and those that have left, or
not yet joined, are skipped): whoever hosted a non-cancelled company visit longest ago,
or never, first; ties by name, then id. Visits of this year count too — slots that
exist already, before or after the slot, and company visits created by hand — and
nobody hosts twice in a row (neither the host of the visit before the slot, across
years too, nor that of an existing visit after it) while others wait. A visit with no
member company on its day is **not created** (`state` `skipped`, `meeting_id` null,
`warnings`: `no_eligible_host`); running the plan again once a member is there creates
it. **Municipal meeting**: the administering association and the municipality take
turns, from the last earlier municipal meeting (the association hosts when there is
none). The place is the host's visiting address.

**Running it again** creates nothing twice: each meeting carries `plan_year` and
`plan_slot` (0 municipal, 1 … N visits); slots written before are answered as `existing`,
and only missing ones are created. Concurrent runs wait for each other. When the
network's `meetings_per_year` has dropped below a slot written before, the run is
refused with 409 `plan_changed` (its `meeting_ids` lists those meetings): delete them,
or set `meetings_per_year` back to keep them, then run it again.

**Answers**: 201 when meetings were created, 200 otherwise (a dry run, or nothing
missing). 404 for a network the caller may not see; admins and the network's
coordinators only (401/403); 422 `unknown_time_zone`, `nonexistent_local_time` (on
`body.start_time`: the clocks skip that time on one of the plan's days, when daylight
saving time begins); 409 `network_archived`, `nothing_to_plan` (no meetings per year and
no municipality), `too_many_meetings` (more meetings than open days), `plan_changed`.
"""


@router.post(
    "/{network_id}/meeting-plans",
    status_code=201,
    response_model=MeetingPlan,
    summary="Plan a network's year of meetings",
    description=_DESCRIPTION,
    responses={
        200: {
            "model": MeetingPlan,
            "description": "A dry run, or a plan whose meetings all existed: nothing written.",
        },
        201: {"description": "Meetings were created."},
        **problem_responses(400, 404, 409),
    },
)
async def plan_meetings(
    network_id: uuid.UUID,
    body: MeetingPlanCreate,
    session: SessionDep,
    caller: CallerDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> Response:
        plan = await service.plan_year(session, caller, network_id, body)
        return json_response(plan, status_code=201 if plan.created else 200)

    async def authorise() -> None:
        await service.network_to_plan(session, caller, network_id)

    return await idempotency.run(create, authorise=authorise)

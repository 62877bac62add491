"""HTTP for meetings: parse, call one service function, answer."""

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.deps import CallerDep, SessionDep
from app.api.etag import (
    IfMatchHeader,
    OptionalIfMatchHeader,
    check_if_match_when_sent,
    require_if_match,
)
from app.api.idempotency import IdempotencyDep
from app.api.include import include_query, parse_include
from app.api.pagination import Page, PageParams, page_params
from app.api.problems import problem_responses
from app.api.responses import created_response, page_response, resource_response
from app.api.routing import APIRouter
from app.audit.schemas import Instant
from app.db import utcnow
from app.meetings import access, service
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from app.meetings.repository import MeetingFilter
from app.meetings.schemas import MeetingCreate, MeetingInclude, MeetingRead, MeetingUpdate

router = APIRouter(prefix="/v1/meetings", tags=["meetings"])

MeetingSort = Annotated[
    str,
    Query(
        pattern=r"^-?starts_at$",
        description="`starts_at` (the default: soonest first); `-starts_at` for latest first.",
    ),
]
IncludeParam = Annotated[str | None, include_query(MeetingInclude)]

_TIMES = (
    "Times are ISO 8601: with an offset they name that instant; without one they are read "
    "in the meeting's `time_zone` (a wall-clock time that the clocks skip is 422 "
    "`nonexistent_local_time`). Answers show them in the meeting's zone with the offset of "
    "that day, e.g. `2027-03-11T09:00:00+01:00`."
)
_HOSTS = (
    "Hosts: a `company_visit` needs one with an active membership of kind `member` in the "
    "network covering the meeting's day, a `municipal` meeting the network's administering "
    "association or a public body (422 on `body.host_organisation_id`: `host_required`, "
    "`unknown_organisation`, `host_not_member`, `host_not_allowed_for_municipal`); other "
    "kinds take any organisation or none. An archived organisation hosts nothing (422 "
    "`host_archived`). A company that has given notice is a member until its last day."
)
_CHECKS = (
    "Also 422: `ends_before_start` (on `body.ends_at`), `unknown_time_zone`, "
    "`time_out_of_range` (an instant outside the years 1900 to 2200 in UTC; a day outside "
    "1900-01-01 … 2200-12-31 is `validation_failed`), `place_required` (a `place_name` or an "
    "`online_url` is needed), `invalid_url`."
)


def _location(meeting_id: uuid.UUID) -> str:
    return f"/v1/meetings/{meeting_id}"


async def _one(session: AsyncSession, meeting: Meeting) -> Response:
    """The answer to a write."""
    read = await service.describe_written(session, meeting, utcnow())
    return resource_response(read, version=meeting.version)


@router.post(
    "",
    status_code=201,
    response_model=MeetingRead,
    summary="Plan a meeting",
    description="A new meeting is `planned` (nobody is invited until it is confirmed). "
    "Meetings in the past may be created, to record what was held. "
    f"{_TIMES} {_HOSTS} {_CHECKS} 404 when the caller may not see the network, 409 "
    "`network_archived` for an archived one. Admins and the network's coordinators only.",
    responses=problem_responses(400, 404, 409),
)
async def create_meeting(
    body: MeetingCreate, session: SessionDep, caller: CallerDep, idempotency: IdempotencyDep
) -> Response:
    async def create() -> Response:
        meeting = await service.create_meeting(session, caller, body)
        return created_response(await _one(session, meeting), _location(meeting.id))

    return await idempotency.run(
        create, authorise=lambda: service.authorise_create_meeting(session, caller, body)
    )


@router.get(
    "",
    response_model=Page[MeetingRead],
    summary="List meetings",
    description="Keyset-paginated, soonest first. By default only upcoming meetings: those "
    "that have not ended yet. `include_past=true` lists every meeting; a time range "
    "(`starts_after` inclusive, `starts_before` exclusive) lists the meetings starting in it, "
    "past ones included, unless `include_past=false` is sent too. Only meetings the caller "
    "may see are listed: those of the networks they see, and those they are invited to "
    "(whose `network`, with `include=network`, is null when the network is hidden from "
    "them); a filter by a hidden network's id finds none of its other meetings. Each "
    "meeting carries its participants' answer counts and, once started, attendance counts.",
    responses=problem_responses(400),
)
async def list_meetings(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    page: Annotated[PageParams, Depends(page_params)],
    network_id: uuid.UUID | None = None,
    kind: MeetingKind | None = None,
    status: MeetingStatus | None = None,
    host_organisation_id: uuid.UUID | None = None,
    starts_after: Annotated[
        Instant | None,
        Query(
            description="Meetings starting at or after this instant (ISO 8601 with offset).",
            examples=["2027-01-01T00:00:00+01:00"],
        ),
    ] = None,
    starts_before: Annotated[
        Instant | None,
        Query(
            description="Meetings starting strictly before this instant (ISO 8601 with offset).",
            examples=["2028-01-01T00:00:00+01:00"],
        ),
    ] = None,
    include_past: Annotated[
        bool | None,
        Query(
            description="`true`: meetings that have ended too. `false`: only those not ended. "
            "Left out: upcoming only, unless a time range is given."
        ),
    ] = None,
    sort: MeetingSort = "starts_at",
    include: IncludeParam = None,
) -> Response:
    where = MeetingFilter(
        network_id=network_id,
        kind=kind,
        status=status,
        host_organisation_id=host_organisation_id,
        starts_after=starts_after,
        starts_before=starts_before,
    )
    items, next_cursor = await service.list_meetings(
        session,
        caller,
        where,
        sort,
        page,
        include_past=include_past,
        now=utcnow(),
        include=parse_include(include, MeetingInclude),
    )
    return page_response(request, items, next_cursor)


@router.get(
    "/{meeting_id:uuid}",
    response_model=MeetingRead,
    summary="Get a meeting",
    description="A closed network's meeting is 404 for those who may not see the network, "
    "exactly as an unknown id, unless they are invited to it; then `include=network` shows "
    "`network` as null. A malformed id matches no route (404).",
    responses=problem_responses(404),
)
async def get_meeting(
    meeting_id: uuid.UUID, session: SessionDep, caller: CallerDep, include: IncludeParam = None
) -> Response:
    included = parse_include(include, MeetingInclude)
    read, version = await service.read_meeting(session, caller, meeting_id, utcnow(), included)
    return resource_response(read, version=version)


@router.patch(
    "/{meeting_id:uuid}",
    response_model=MeetingRead,
    summary="Change or move a meeting, or change its status",
    description="Requires `If-Match`. Any field but `network_id`; the whole resulting "
    "meeting is checked before anything is written. Status: planned→confirmed, "
    "planned→cancelled, confirmed→held, confirmed→cancelled; anything else is 409 "
    "`invalid_status_transition` (confirm before holding; held and cancelled are final). "
    "`held` only once the meeting has started (409 `meeting_not_started`). A held or "
    "cancelled meeting keeps its facts: only its title and description may be corrected "
    "(409 `meeting_closed`). `sequence` rises by one when the time, zone, place or link "
    "changes, and on cancelling. Confirming checks the host again (it may have left or been "
    "archived since) and invites the current representatives of every "
    "member company and queues their invitations; moving a confirmed meeting queues "
    f"updates; cancelling a confirmed one queues cancellations. {_TIMES} {_HOSTS} {_CHECKS} "
    "Admins and the network's coordinators only.",
    responses=problem_responses(400, 404, 409, 412, 428),
)
async def update_meeting(
    meeting_id: uuid.UUID,
    body: MeetingUpdate,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchHeader = None,
) -> Response:
    meeting = await access.meeting_to_manage(session, caller, meeting_id)
    require_if_match(if_match, meeting.version)
    changed = await service.update_meeting(session, caller, meeting, body, utcnow())
    return await _one(session, changed)


@router.delete(
    "/{meeting_id:uuid}",
    status_code=204,
    summary="Delete a meeting that never went out",
    description="Only a planned meeting that was never confirmed (no invitation has gone "
    "out) can be deleted, with its agenda; otherwise 409 `meeting_not_deletable`: cancel it "
    "instead, so participants and calendars hear of it. `If-Match` is optional; checked "
    "when sent (412 when stale). Admins and the network's coordinators only.",
    responses=problem_responses(404, 409, 412),
)
async def delete_meeting(
    meeting_id: uuid.UUID,
    session: SessionDep,
    caller: CallerDep,
    if_match: OptionalIfMatchHeader = None,
) -> Response:
    meeting = await access.meeting_to_manage(session, caller, meeting_id)
    check_if_match_when_sent(if_match, meeting.version)
    await service.delete_meeting(session, meeting)
    return Response(status_code=204)

"""Use cases for meetings: plan one, list and read them, change their time, place, host
and status, and delete one that never went out.

Status moves: planned→confirmed, planned→cancelled, confirmed→held (once started),
confirmed→cancelled; held and cancelled are final. Their side effects run in the same
transaction: confirming invites the member companies' representatives and queues the
invitations, moving a confirmed meeting queues updates, cancelling a confirmed one
queues cancellations.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.api.pagination import PageParams, cut_page
from app.api.periods import check_transition
from app.api.reads import RowShape, as_pydantic_writes
from app.companies.schemas import CompanyRef
from app.errors import Conflict, InvalidField, not_found
from app.meetings import notifications, rules
from app.meetings.access import managed_network, network_to_plan_in
from app.meetings.hosts import check_host
from app.meetings.models import Meeting, MeetingStatus
from app.meetings.repository import (
    HOST_PREFIX,
    NETWORK_PREFIX,
    MeetingFilter,
    MeetingRepository,
    RelatedShapes,
)
from app.meetings.schemas import MeetingCreate, MeetingInclude, MeetingRead, MeetingUpdate
from app.meetings.times import in_zone, to_utc, zone_named
from app.networks import service as networks
from app.networks.schemas import NetworkRef

# participants.service reads meetings too; the cycle is safe because each side only
# uses the other inside functions.
from app.participants import service as participants

_TRANSITIONS = {
    MeetingStatus.PLANNED: {MeetingStatus.CONFIRMED, MeetingStatus.CANCELLED},
    MeetingStatus.CONFIRMED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
}
_FINAL = frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED})
# What calendars and invitations carry: a change moves the iCalendar SEQUENCE (and, for a
# confirmed meeting, mails the invited an update), so copies in calendars are replaced.
SCHEDULE_FIELDS = frozenset(
    {
        "title",
        "description",
        "starts_at",
        "ends_at",
        "time_zone",
        "place_name",
        "place_address",
        "online_url",
    }
)
# What a held or cancelled meeting still lets be corrected: its record, not its facts.
_CORRECTABLE_WHEN_FINAL = frozenset({"title", "description"})
# What the host rules depend on (the day is read in the zone).
_HOST_FIELDS = frozenset({"kind", "host_organisation_id", "starts_at", "time_zone"})


MEETING = RowShape(MeetingRead)
# What `include=` embeds: the network's and the host's short references.
RELATED = RelatedShapes(network=RowShape(NetworkRef), host=RowShape(CompanyRef))
_ANSWERS = ("accepted", "declined", "tentative", "unanswered")
_ATTENDANCE = ("attended", "absent", "unrecorded")


def describe_meeting(
    meeting: Row[Any] | Meeting,
    counts: Mapping[Any, Any],
    now: datetime,
    include: frozenset[MeetingInclude] = frozenset(),
) -> dict[str, Any]:
    """The representation, from a read's row (its counts and what `include` embeds
    selected with it) or a write's object (with `counts` counted for it): times in the
    meeting's zone, attendance once it has started."""
    started = rules.started(meeting.status, meeting.starts_at, now)
    extra: dict[str, Any] = {
        "starts_at": as_pydantic_writes(in_zone(meeting.starts_at, meeting.time_zone)),
        "ends_at": as_pydantic_writes(in_zone(meeting.ends_at, meeting.time_zone)),
        "answers": {name: counts[name] or 0 for name in _ANSWERS},
        "attendance": {name: counts[name] or 0 for name in _ATTENDANCE} if started else None,
        "network": None,
        "host": None,
    }
    if isinstance(meeting, Meeting):
        return MEETING.of_object(meeting, **extra)
    mapping = meeting._mapping
    if MeetingInclude.NETWORK in include:
        extra["network"] = RELATED.network.of_joined(mapping, NETWORK_PREFIX)
    if MeetingInclude.HOST in include:
        extra["host"] = RELATED.host.of_joined(mapping, HOST_PREFIX)
    return MEETING.of_row(mapping, **extra)


async def describe_written(
    session: AsyncSession, meeting: Meeting, now: datetime
) -> dict[str, Any]:
    """The answer to a write: the meeting with its participants counted."""
    return describe_meeting(meeting, await MeetingRepository(session).tallies(meeting.id), now)


async def read_meeting(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    now: datetime,
    include: frozenset[MeetingInclude] = frozenset(),
) -> tuple[dict[str, Any], int]:
    """The meeting described, and its version (the ETag); 404 when the caller may not
    see it."""
    repository = MeetingRepository(session)
    row = await repository.read_one(caller, MEETING, meeting_id, include, RELATED)
    if row is None:
        raise not_found("meeting")
    return describe_meeting(row, row._mapping, now, include), row.version


async def list_meetings(
    session: AsyncSession,
    caller: Caller,
    where: MeetingFilter,
    sort: str,
    page: PageParams,
    *,
    include_past: bool | None,
    now: datetime,
    include: frozenset[MeetingInclude] = frozenset(),
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the meetings the caller may see, described, and the cursor after it.

    Upcoming only (not ended at `now`) unless `include_past` is true; left out
    (`None`), a time range (`starts_after`/`starts_before`) lists past meetings too."""
    ranged = where.starts_after is not None or where.starts_before is not None
    upcoming_only = include_past is False or (include_past is None and not ranged)
    if upcoming_only:
        where = replace(where, not_ended_at=now)
    repository = MeetingRepository(session)
    rows, order = await repository.read_page(caller, MEETING, where, sort, page, include, RELATED)
    items, next_cursor = cut_page(rows, order, page)
    return [describe_meeting(row, row._mapping, now, include) for row in items], next_cursor


async def authorise_create_meeting(
    session: AsyncSession, caller: Caller, data: MeetingCreate
) -> None:
    """404 unless the caller sees the network, then 401/403 unless they manage it; also
    run before an idempotent replay (app/api/idempotency.py)."""
    await managed_network(session, caller, data.network_id)


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidField(
            "ends_at",
            f"The meeting must end after it starts ({starts_at.isoformat()} UTC); it ends at "
            f"{ends_at.isoformat()} UTC.",
            code="ends_before_start",
        )


def _check_place(place_name: str | None, online_url: str | None) -> None:
    if place_name is None and online_url is None:
        raise InvalidField(
            "place_name",
            "A meeting needs a place (`place_name`) or an `online_url`, or both.",
            code="place_required",
        )
    if online_url is not None:
        try:
            host = urlsplit(online_url).hostname
        except ValueError:
            host = None
        if not host:
            raise InvalidField(
                "online_url",
                "The link must be an http or https URL with a host.",
                code="invalid_url",
            )


async def create_meeting(session: AsyncSession, caller: Caller, data: MeetingCreate) -> Meeting:
    """A new meeting, `planned`. Meetings in the past may be created: the record of what
    was held before Klynge."""
    network = await network_to_plan_in(session, caller, data.network_id)
    zone = zone_named(data.time_zone)
    starts_at = to_utc(data.starts_at, zone, "starts_at")
    ends_at = to_utc(data.ends_at, zone, "ends_at")
    _check_times(starts_at, ends_at)
    _check_place(data.place_name, data.online_url)
    day = starts_at.astimezone(zone).date()
    await check_host(session, caller, network, data.kind, data.host_organisation_id, day)
    meeting = Meeting(
        network_id=network.id,
        kind=data.kind,
        title=data.title,
        description=data.description,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=data.time_zone,
        place_name=data.place_name,
        place_address=data.place_address,
        online_url=data.online_url,
        host_organisation_id=data.host_organisation_id,
        status=MeetingStatus.PLANNED,
        sequence=0,
    )
    MeetingRepository(session).add(meeting)
    await session.flush()
    return meeting


def _resulting_values(meeting: Meeting, data: MeetingUpdate) -> dict[str, Any]:
    """The columns the PATCH sets, times read in the resulting zone and made UTC."""
    values = data.model_dump(exclude_unset=True, exclude={"status", "starts_at", "ends_at"})
    zone = zone_named(values.get("time_zone", meeting.time_zone))
    for name in ("starts_at", "ends_at"):
        if name in data.model_fields_set:
            values[name] = to_utc(getattr(data, name), zone, name)
    return values


def _final(meeting: Meeting, fields: Iterable[str]) -> Conflict:
    detail = (
        f"The meeting is {meeting.status.value}, which is final: its {', '.join(sorted(fields))} "
        "can no longer change (its title and description may still be corrected)."
    )
    if meeting.status is MeetingStatus.CANCELLED:
        return rules.meeting_cancelled(detail)
    return rules.meeting_closed(detail)


async def update_meeting(
    session: AsyncSession, caller: Caller, meeting: Meeting, data: MeetingUpdate, now: datetime
) -> Meeting:
    """Change a meeting from `access.meeting_to_manage`. The whole resulting meeting is checked
    before anything is written; its side effects (invitations, updates, cancellations)
    are queued in the same transaction."""
    before = meeting.status
    status = data.status if data.status is not None else before
    check_transition(_TRANSITIONS, before, status)
    values = _resulting_values(meeting, data)
    changed = {name for name, value in values.items() if getattr(meeting, name) != value}
    if before in _FINAL and changed - _CORRECTABLE_WHEN_FINAL:
        raise _final(meeting, changed - _CORRECTABLE_WHEN_FINAL)

    def resulting(name: str) -> Any:
        return values.get(name, getattr(meeting, name))

    starts_at: datetime = resulting("starts_at")
    _check_times(starts_at, resulting("ends_at"))
    _check_place(resulting("place_name"), resulting("online_url"))
    confirming = before == MeetingStatus.PLANNED and status == MeetingStatus.CONFIRMED
    # Confirming checks the host again: it may have left or been archived since planning.
    if changed & _HOST_FIELDS or confirming:
        network = await networks.get_network(session, caller, meeting.network_id)
        day = starts_at.astimezone(zone_named(resulting("time_zone"))).date()
        await check_host(
            session, caller, network, resulting("kind"), resulting("host_organisation_id"), day
        )
    if (
        status == MeetingStatus.HELD
        and before != MeetingStatus.HELD
        and not rules.has_started(meeting, now, starts_at=starts_at)
    ):
        raise rules.meeting_not_started(
            "The meeting has not started yet; it can be marked held once it has."
        )

    rescheduled = bool(changed & SCHEDULE_FIELDS)
    cancelled = status == MeetingStatus.CANCELLED and before != MeetingStatus.CANCELLED
    for name in changed:
        setattr(meeting, name, values[name])
    meeting.status = status
    if rescheduled or cancelled:
        # Once per change, however many reasons: calendars only need it to rise.
        meeting.sequence += 1
    await session.flush()

    if confirming:
        await participants.invite_representatives(session, meeting)
        await notifications.send_invitations(session, meeting)
    elif before == MeetingStatus.CONFIRMED and status == MeetingStatus.CONFIRMED and rescheduled:
        await notifications.send_updates(session, meeting)
    elif before == MeetingStatus.CONFIRMED and cancelled:
        await notifications.send_cancellations(session, meeting)
    return meeting


async def delete_meeting(session: AsyncSession, meeting: Meeting) -> None:
    """Delete a meeting from `access.meeting_to_manage`: only one that is planned and was never
    confirmed (no invitation went out); any other is cancelled instead, so calendars and
    participants hear of it."""
    repository = MeetingRepository(session)
    if meeting.status != MeetingStatus.PLANNED:
        reason = f"it is {meeting.status.value}"
    elif await repository.any_invited(meeting.id):
        reason = "its invitations have gone out"
    else:
        reason = None
    if reason is not None:
        raise Conflict(
            f"This meeting cannot be deleted: {reason}. Only a planned meeting whose "
            "invitations never went out can be; cancel it instead "
            '(PATCH {"status": "cancelled"}), so participants and calendars hear of it.',
            code="meeting_not_deletable",
        )
    await repository.delete(meeting)
    await session.flush()

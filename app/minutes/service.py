"""Use cases for minutes: read them, draft an agenda item's notes and decisions, publish.

Minutes are written once a meeting has started (or is held), never for a cancelled one;
anything written makes them a draft, which only the network's managers (admins and its
coordinators) read. Publishing needs a held meeting; published minutes are read-only and
readable by the network's members too. Action items (app/minutes/action_items.py) follow
the same rules, except that their status may still change after publishing.

A change finds the meeting visible (404), checks the caller manages its network
(401/403), and only then locks the meeting row (`app.meetings.access`), so drafting and
publishing the same minutes take turns and nothing is written into minutes just
published.
"""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller
from app.auth.policy import refusal
from app.db import utcnow
from app.errors import Conflict, not_found
from app.meetings import rules
from app.meetings.access import meeting_to_manage, visible_meeting
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MinutesStatus
from app.minutes.models import ActionItem
from app.minutes.repository import MinutesRepository
from app.minutes.schemas import AgendaItemMinutesUpdate

Minutes = tuple[Meeting, list[AgendaItem], list[ActionItem]]


def check_writable(meeting: Meeting, now: datetime) -> None:
    """Minutes may be written: not published yet, and the meeting has taken place or is
    under way (a held meeting counts whatever its start time says)."""
    rules.check_minutes_not_published(meeting)
    rules.check_not_cancelled(meeting, "The meeting was cancelled; it has no minutes.")
    if not rules.has_started(meeting, now):
        raise rules.meeting_not_started(
            "The meeting has not started yet; minutes are written once it has."
        )


def start_draft(meeting: Meeting) -> None:
    """Whatever is written first makes the minutes a draft."""
    if meeting.minutes_status is None:
        meeting.minutes_status = MinutesStatus.DRAFT


def _ensure_reads_minutes(caller: Caller, meeting: Meeting) -> None:
    """Managers read minutes in any state. A member of the network reads them once
    published; before that there are none for them (404). Anyone else who sees the
    meeting (a partner invited from outside too) is refused (401/403)."""
    if caller.manages_network(meeting.network_id):
        return
    if meeting.network_id in caller.member_network_ids:
        if meeting.minutes_status is MinutesStatus.PUBLISHED:
            return
        raise not_found("minutes")
    raise refusal(caller, "Only the network's members read its minutes, once published.")


async def _minutes_of(session: AsyncSession, meeting: Meeting) -> Minutes:
    # Three queries in all (the meeting, its items, their action items), whatever the size.
    repository = MinutesRepository(session)
    items = await repository.agenda_items(meeting.id)
    action_items = await repository.action_items_of_meeting(meeting.id)
    return meeting, items, action_items


async def get_minutes(session: AsyncSession, caller: Caller, meeting_id: uuid.UUID) -> Minutes:
    meeting = await visible_meeting(session, caller, meeting_id)
    _ensure_reads_minutes(caller, meeting)
    return await _minutes_of(session, meeting)


async def _agenda_item(session: AsyncSession, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem:
    item = await MinutesRepository(session).agenda_item(meeting, item_id)
    if item is None:
        raise not_found("agenda_item")
    return item


async def authorise_item_minutes(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    """`agenda_item_to_change` without the lock: the check run before an idempotent
    replay of a new action item (app/api/idempotency.py)."""
    meeting = await meeting_to_manage(session, caller, meeting_id)
    await _agenda_item(session, meeting, item_id)


async def agenda_item_to_change(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Meeting, AgendaItem]:
    """The meeting and agenda item whose minutes the caller is about to write: 404 when
    they may not see the meeting, 401/403 unless they manage the network, then the
    meeting locked and 404 for an item it does not have. Called before the router checks
    `If-Match`."""
    meeting = await meeting_to_manage(session, caller, meeting_id, lock="update")
    return meeting, await _agenda_item(session, meeting, item_id)


async def write_item_minutes(
    session: AsyncSession, meeting: Meeting, item: AgendaItem, data: AgendaItemMinutesUpdate
) -> tuple[AgendaItem, list[ActionItem]]:
    """Set the notes and decisions of an item from `agenda_item_to_change`."""
    check_writable(meeting, utcnow())
    changes = data.model_dump(exclude_unset=True)
    if changes:
        for field, value in changes.items():
            setattr(item, field, value)
        start_draft(meeting)
        await session.flush()
    return item, await MinutesRepository(session).action_items_of_item(item.id)


async def meeting_to_publish(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID
) -> Meeting:
    """404 when the caller may not see the meeting, then 401/403 unless they manage its
    network; then locked, so no draft change slips in while it is published."""
    return await meeting_to_manage(session, caller, meeting_id, lock="update")


async def publish_minutes(session: AsyncSession, meeting: Meeting) -> Minutes:
    rules.check_not_cancelled(meeting, "The meeting was cancelled; it has no minutes.")
    if meeting.status is not MeetingStatus.HELD:
        raise Conflict(
            f"Minutes are published once the meeting is held; it is {meeting.status.value}.",
            code="meeting_not_held",
        )
    rules.check_minutes_not_published(meeting)
    if meeting.minutes_status is None:
        raise Conflict(
            "The meeting has no minutes yet: write an agenda item's notes or decisions, or "
            "an action item, first.",
            code="no_minutes",
        )
    meeting.minutes_status = MinutesStatus.PUBLISHED
    meeting.minutes_published_at = utcnow()
    await session.flush()
    return await _minutes_of(session, meeting)

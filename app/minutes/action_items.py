"""Use cases for action items: what was agreed to be done, by whom and by when.

They are part of the minutes: managers write them while the minutes are a draft (the
first one makes them one), under the same meeting rules as notes. Once published only
`status` still changes, by a manager or by the assignee themself — a member of the
network or not: whoever took the task on ticks it off after the meeting.
"""

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from app.api.caller import Caller, Role
from app.api.pagination import PageParams, SortOrder
from app.auth.policy import ensure, ensure_fields_allowed, ensure_manages_network, refusal
from app.db import utcnow
from app.errors import InvalidField, Unprocessable, not_found
from app.meetings import rules
from app.meetings.access import lock_meeting
from app.meetings.models import MinutesStatus
from app.minutes.models import ActionItem, ActionItemStatus
from app.minutes.repository import ActionItemFilter, ActionItemRepository
from app.minutes.schemas import ActionItemCreate, ActionItemUpdate
from app.minutes.service import agenda_item_to_change, check_writable, start_draft
from app.people.models import Person
from app.people.repository import PersonRepository

# `assignee=me`: the caller's own person.
ASSIGNEE_ME = "me"
# What the assignee may change, and all that changes once the minutes are published.
STATUS_ONLY = frozenset({"status"})


async def _assignee(
    session: AsyncSession, caller: Caller, person_id: uuid.UUID | None
) -> Person | None:
    """The person named as assignee, as the caller may see them; 422 for one they may
    not see or that does not exist."""
    if person_id is None:
        return None
    person = await PersonRepository(session).get(caller, person_id)
    if person is None:
        raise InvalidField(
            "assignee_person_id", f"No person with id {person_id}.", code="unknown_person"
        )
    return person


def _set_status(item: ActionItem, status: ActionItemStatus) -> None:
    if status is item.status:
        return
    item.status = status
    item.done_at = utcnow() if status is ActionItemStatus.DONE else None


async def get_action_item(
    session: AsyncSession, caller: Caller, action_item_id: uuid.UUID
) -> ActionItem:
    item = await ActionItemRepository(session).get(caller, action_item_id)
    if item is None:
        raise not_found("action_item")
    return item


def _assignee_id(caller: Caller, assignee: str) -> uuid.UUID:
    """A person id, or `me`: the caller's own person. Anonymous callers have none to name
    (401); a caller with no linked person (an API key, a user not linked to the registry)
    is told so (422) rather than shown an empty list it might take for "nothing to do"."""
    if assignee != ASSIGNEE_ME:
        return uuid.UUID(assignee)
    if caller.role is Role.ANONYMOUS:
        raise refusal(caller)
    if caller.person_id is None:
        message = "You are not linked to a person, so `me` names no one; send a person id."
        raise Unprocessable(
            message,
            code="no_linked_person",
            errors=[{"field": "query.assignee", "message": message}],
        )
    return caller.person_id


async def list_action_items(
    session: AsyncSession,
    caller: Caller,
    assignee: str | None,
    where: ActionItemFilter,
    sort: str,
    page: PageParams,
) -> tuple[list[ActionItem], SortOrder]:
    """The action items the caller may read (see `ActionItemRepository`), filtered."""
    if assignee is not None:
        where = replace(where, assignee_person_id=_assignee_id(caller, assignee))
    return await ActionItemRepository(session).list(caller, where, sort, page)


async def create_action_item(
    session: AsyncSession,
    caller: Caller,
    meeting_id: uuid.UUID,
    agenda_item_id: uuid.UUID,
    data: ActionItemCreate,
) -> ActionItem:
    """Add an action item to an agenda item's minutes (found, authorised and locked by
    `minutes.service.agenda_item_to_change`)."""
    meeting, agenda_item = await agenda_item_to_change(session, caller, meeting_id, agenda_item_id)
    check_writable(meeting, utcnow())
    assignee = await _assignee(session, caller, data.assignee_person_id)
    item = ActionItem(
        meeting_id=meeting.id,
        agenda_item_id=agenda_item.id,
        network_id=meeting.network_id,
        description=data.description,
        assignee_person_id=data.assignee_person_id,
        due_on=data.due_on,
        status=ActionItemStatus.OPEN,
    )
    item.assignee = assignee
    ActionItemRepository(session).add(item)
    start_draft(meeting)
    await session.flush()
    return item


async def action_item_to_change(
    session: AsyncSession,
    caller: Caller,
    action_item_id: uuid.UUID,
    data: ActionItemUpdate | None,
) -> ActionItem:
    """The action item the caller is about to change with `data`, or delete (None): 404
    when they may not see it, then 401/403 unless they manage its network or, for a change
    of `status` alone, are its assignee (any other field is refused by name). Called
    before the router checks `If-Match`."""
    item = await get_action_item(session, caller, action_item_id)
    is_assignee = caller.person_id is not None and caller.person_id == item.assignee_person_id
    if data is None or caller.manages_network(item.network_id) or not is_assignee:
        ensure_manages_network(caller, item.network_id)
        return item
    ensure(caller, True)  # read-only credentials change nothing, not even a status
    ensure_fields_allowed(caller, set(data.model_fields_set), set(STATUS_ONLY))
    return item


async def update_action_item(
    session: AsyncSession, caller: Caller, item: ActionItem, data: ActionItemUpdate
) -> ActionItem:
    """Apply the fields sent to an item from `action_item_to_change`."""
    # Locked like a draft change of notes, so it cannot slip into minutes being published.
    meeting = await lock_meeting(session, item.meeting)
    changes = data.model_dump(exclude_unset=True)
    if meeting.minutes_status is MinutesStatus.PUBLISHED:
        if changes.keys() - STATUS_ONLY:
            raise rules.minutes_published()
    else:
        check_writable(meeting, utcnow())
    if "assignee_person_id" in changes:
        item.assignee = await _assignee(session, caller, changes["assignee_person_id"])
    for field in ("description", "assignee_person_id", "due_on"):
        if field in changes:
            setattr(item, field, changes[field])
    if "status" in changes:
        _set_status(item, changes["status"])
    await session.flush()
    return item


async def delete_action_item(session: AsyncSession, item: ActionItem) -> None:
    """Remove an item from `action_item_to_change` from draft minutes."""
    meeting = await lock_meeting(session, item.meeting)
    check_writable(meeting, utcnow())
    await ActionItemRepository(session).delete(item)
    await session.flush()

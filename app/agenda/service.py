"""Use cases for a meeting's agenda: read it, add, change, remove and reorder its items.

Anyone who sees the meeting (`app.meetings.access`) reads its agenda; its people (the
registry presenter, the guests) only the network's managers and members. Admins and the
coordinators of its network change it. A change, once authorised, takes the meeting's row
lock, so concurrent changes to one agenda run one at a time and positions stay 1, 2, … n
without gaps. No change is made to a cancelled meeting or once its minutes are published,
and every rule is checked before the first write, so a refused request changes nothing.
"""

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.agenda.repository import PRESENTER_PREFIX, AgendaRepository, GuestRow
from app.agenda.schemas import AgendaItemCreate, AgendaItemRead, AgendaItemUpdate, AgendaOrder
from app.api.caller import Caller
from app.api.pagination import PageParams, SortOrder
from app.api.reads import RowShape
from app.errors import Conflict, InvalidField, Unprocessable, not_found, register_constraint_error
from app.meetings import rules
from app.meetings.access import (
    belongs_to_network,
    lock_meeting,
    meeting_to_manage,
    visible_meeting,
)
from app.meetings.models import AgendaItem, Meeting
from app.people.models import Person
from app.people.repository import PersonRepository

# Each item's guests; None for a caller who may not see the agenda's people.
Guests = dict[uuid.UUID, list[GuestRow]] | None

# The meeting's lock keeps two changes of one agenda apart; should one slip past it all
# the same, the unique key refuses it with an answer the client can act on.
register_constraint_error(
    "uq_agenda_items_meeting_id_position",
    Conflict(
        "The agenda was changed at the same time; read it again and retry.",
        code="agenda_changed_concurrently",
    ),
)


async def guests_of(
    session: AsyncSession,
    caller: Caller,
    meeting: Meeting,
    items: Sequence[AgendaItem | Row[Any]],
) -> Guests:
    """Each item's guests, in one query; None for callers who may not see them."""
    # Others who see the meeting read the agenda without its people.
    if not belongs_to_network(caller, meeting):
        return None
    return await AgendaRepository(session).guests(meeting.id, [item.id for item in items])


AGENDA_ITEM = RowShape(AgendaItemRead)


def _guest(guest: GuestRow) -> dict[str, Any]:
    return {
        "participant_id": guest.participant_id,
        "name": guest.name,
        "role": guest.role,
        "organisation_id": guest.organisation_id,
    }


def describe_item(item: Row[Any] | AgendaItem, guests: Guests) -> dict[str, Any]:
    """The representation, from a read's row (its presenter joined under
    `PRESENTER_PREFIX`) or a write's object. `guests` is None for a caller who may not
    see the agenda's people; the registry presenter is then left out too."""
    own = None if guests is None else guests.get(item.id, [])
    extra: dict[str, Any] = {
        "guests": None if own is None else [_guest(guest) for guest in own],
        "presenter": None,
    }
    if isinstance(item, AgendaItem):
        if own is not None and item.presenter is not None:
            extra["presenter"] = {"id": item.presenter.id, "full_name": item.presenter.full_name}
        return AGENDA_ITEM.of_object(item, **extra)
    mapping = item._mapping
    if own is not None and mapping[PRESENTER_PREFIX + "id"] is not None:
        extra["presenter"] = {
            "id": mapping[PRESENTER_PREFIX + "id"],
            "full_name": mapping[PRESENTER_PREFIX + "full_name"],
        }
    return AGENDA_ITEM.of_row(mapping, **extra)


async def list_items(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, page: PageParams
) -> tuple[list[Row[Any]], SortOrder, Guests]:
    meeting = await visible_meeting(session, caller, meeting_id)
    rows, order = await AgendaRepository(session).read_page(AGENDA_ITEM, meeting.id, page)
    return rows, order, await guests_of(session, caller, meeting, rows)


async def read_item(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Row[Any], Guests]:
    meeting = await visible_meeting(session, caller, meeting_id)
    item = await AgendaRepository(session).read_one(AGENDA_ITEM, meeting.id, item_id)
    if item is None:
        raise not_found("agenda_item")
    return item, await guests_of(session, caller, meeting, [item])


async def _item(session: AsyncSession, meeting: Meeting, item_id: uuid.UUID) -> AgendaItem:
    item = await AgendaRepository(session).get(meeting.id, item_id)
    if item is None:
        raise not_found("agenda_item")
    return item


async def item_to_change(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[Meeting, AgendaItem]:
    """The meeting and item the caller is about to change or delete: 404 when they may
    not see them, then 401/403 unless they manage the network. Called before the router
    checks `If-Match`, so a caller without the right learns nothing from a 428 or 412."""
    meeting = await meeting_to_manage(session, caller, meeting_id)
    return meeting, await _item(session, meeting, item_id)


async def _lock_open_agenda(session: AsyncSession, meeting: Meeting) -> Meeting:
    """Lock the authorised meeting (its latest state) and refuse changes that state no
    longer allows."""
    meeting = await lock_meeting(session, meeting)
    rules.check_not_cancelled(meeting, "The meeting is cancelled; its agenda no longer changes.")
    rules.check_minutes_not_published(
        meeting, "The meeting's minutes are published; its agenda no longer changes."
    )
    return meeting


def _check_one_presenter(person_id: uuid.UUID | None, name: str | None) -> None:
    if person_id is not None and name is not None:
        raise InvalidField(
            "presenter_name",
            "Give the presenter as presenter_person_id or as presenter_name, not both.",
            code="presenter_person_and_name",
        )


async def _presenter(session: AsyncSession, caller: Caller, person_id: uuid.UUID) -> Person:
    person = await PersonRepository(session).get(caller, person_id)
    if person is None:
        raise InvalidField(
            "presenter_person_id", f"No person with id {person_id}.", code="unknown_person"
        )
    return person


async def create_item(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, data: AgendaItemCreate
) -> tuple[AgendaItem, Guests]:
    meeting = await _lock_open_agenda(session, await meeting_to_manage(session, caller, meeting_id))
    repository = AgendaRepository(session)
    _check_one_presenter(data.presenter_person_id, data.presenter_name)
    presenter = None
    if data.presenter_person_id is not None:
        presenter = await _presenter(session, caller, data.presenter_person_id)
    items = await repository.all_of(meeting.id)
    end = len(items) + 1
    position = end if data.position is None else data.position
    if position > end:
        raise InvalidField(
            "position",
            f"The agenda has {len(items)} item(s); insert at a position from 1 to {end}.",
            code="position_out_of_range",
        )
    # The items from the position on move one down, making room.
    await repository.move({item: item.position + 1 for item in items[position - 1 :]})
    item = AgendaItem(
        meeting_id=meeting.id,
        network_id=meeting.network_id,
        position=position,
        title=data.title,
        description=data.description,
        planned_minutes=data.planned_minutes,
        presenter_person_id=None if presenter is None else presenter.id,
        presenter_name=data.presenter_name,
    )
    item.presenter = presenter
    repository.add(item)
    await session.flush()
    # A new item has no guests yet.
    return item, ({item.id: []} if belongs_to_network(caller, meeting) else None)


async def update_item(
    session: AsyncSession,
    caller: Caller,
    meeting: Meeting,
    item: AgendaItem,
    data: AgendaItemUpdate,
) -> tuple[AgendaItem, Guests]:
    """Change an item from `item_to_change`."""
    meeting = await _lock_open_agenda(session, meeting)
    changes = data.model_dump(exclude_unset=True)
    person_id = changes.pop("presenter_person_id", None)
    name = changes.pop("presenter_name", None)
    _check_one_presenter(person_id, name)
    if person_id is not None:
        # A new presenter replaces the one before, whichever kind it was.
        item.presenter = await _presenter(session, caller, person_id)
        item.presenter_person_id, item.presenter_name = person_id, None
    elif name is not None:
        item.presenter, item.presenter_person_id, item.presenter_name = None, None, name
    else:
        if "presenter_person_id" in data.model_fields_set:
            item.presenter, item.presenter_person_id = None, None
        if "presenter_name" in data.model_fields_set:
            item.presenter_name = None
    for field, value in changes.items():
        setattr(item, field, value)
    await session.flush()
    return item, await guests_of(session, caller, meeting, [item])


async def delete_item(session: AsyncSession, meeting: Meeting, item: AgendaItem) -> None:
    """Delete an item from `item_to_change`; the items after it move up one."""
    repository = AgendaRepository(session)
    await _lock_open_agenda(session, meeting)
    if await repository.has_guests(item.id):
        raise Conflict(
            "Guests are invited to this item; remove their invitations or invite them to "
            "the whole meeting first.",
            code="agenda_item_has_guests",
        )
    written = any((text or "").strip() for text in (item.notes, item.decisions))
    if written or await repository.has_action_items(item.id):
        raise Conflict(
            "Minutes (notes, decisions or action items) are written for this item; an item "
            "with minutes is kept.",
            code="agenda_item_has_minutes",
        )
    items = await repository.all_of(item.meeting_id)
    later = [other for other in items if other.position > item.position]
    await repository.delete(item)
    await repository.move({other: other.position - 1 for other in later})


def _order_mismatch(items: Sequence[AgendaItem], sent: Sequence[uuid.UUID]) -> Unprocessable | None:
    """What is wrong with a new order, or None when it lists every item exactly once.

    `unknown` gives indexes into `item_ids`, not the ids: an id that is no item of this
    meeting may name something the caller may not see, and is never echoed."""
    known = {item.id for item in items}
    counts = Counter(sent)
    missing = [str(item.id) for item in items if item.id not in counts]
    unknown = [index for index, item_id in enumerate(sent) if item_id not in known]
    duplicates = [
        str(item_id) for item_id, count in counts.items() if item_id in known and count > 1
    ]
    if not (missing or unknown or duplicates):
        return None
    errors = [
        {"field": f"body.item_ids.{index}", "message": "Not an item of this meeting."}
        for index in unknown
    ]
    errors += [
        {"field": "body.item_ids", "message": f"Item {item_id} is listed more than once."}
        for item_id in duplicates
    ]
    errors += [
        {"field": "body.item_ids", "message": f"Item {item_id} is missing."} for item_id in missing
    ]
    return Unprocessable(
        "List every item of the meeting exactly once: see `missing` (items left out), "
        "`duplicates` (items listed more than once) and `unknown` (indexes in `item_ids` "
        "of ids that are no item of this meeting).",
        code="agenda_order_mismatch",
        missing=missing,
        unknown=unknown,
        duplicates=duplicates,
        errors=errors,
    )


async def reorder_items(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID, data: AgendaOrder
) -> tuple[list[AgendaItem], Guests]:
    """Put the whole agenda in the order sent; returns the items in that order."""
    meeting = await _lock_open_agenda(session, await meeting_to_manage(session, caller, meeting_id))
    repository = AgendaRepository(session)
    items = await repository.all_of(meeting.id)
    mismatch = _order_mismatch(items, data.item_ids)
    if mismatch is not None:
        raise mismatch
    by_id = {item.id: item for item in items}
    ordered = [by_id[item_id] for item_id in data.item_ids]
    await repository.move({item: index + 1 for index, item in enumerate(ordered)})
    return ordered, await guests_of(session, caller, meeting, ordered)

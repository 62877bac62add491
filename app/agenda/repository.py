"""Queries for agenda items.

Items are read for a meeting the service has already found visible to the caller
(`app.meetings.access.visible_meeting`): an item is visible exactly when its meeting is,
so the meeting's rule, which also admits the people invited to it, is the one applied.
Positions are renumbered in two steps (see `move`), since the unique key (meeting_id,
position) is checked row by row on both databases.
"""

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row, Select, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, contains_eager

from app.api.pagination import PageParams, SortOrder, apply_keyset, resolve_sort
from app.api.reads import RowShape
from app.meetings.models import AgendaItem
from app.minutes.models import ActionItem
from app.participants.models import Participant, ParticipantRole
from app.people.models import Person

# Agendas are read in their order only.
_SORTS: dict[str, InstrumentedAttribute[int]] = {"position": AgendaItem.position}
POSITION_ORDER = "position"
PRESENTER_PREFIX = "presenter__"


@dataclass(frozen=True, slots=True)
class GuestRow:
    """A participant invited to one item only, as the agenda shows them."""

    participant_id: uuid.UUID
    agenda_item_id: uuid.UUID
    name: str
    role: ParticipantRole
    organisation_id: uuid.UUID | None


def _with_presenter() -> Select[AgendaItem]:
    # Every representation may show the presenter: joined, never loaded per row.
    return (
        select(AgendaItem)
        .outerjoin(AgendaItem.presenter)
        .options(contains_eager(AgendaItem.presenter))
    )


class AgendaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, meeting_id: uuid.UUID, item_id: uuid.UUID) -> AgendaItem | None:
        """An item of a meeting found visible, with its presenter."""
        stmt = _with_presenter().where(
            AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id
        )
        return await self.session.scalar(stmt)

    async def all_of(self, meeting_id: uuid.UUID) -> list[AgendaItem]:
        """Every item of a meeting, in order, with its presenter (for changes, which have
        checked the meeting's visibility and hold its lock)."""
        stmt = (
            _with_presenter()
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        )
        return list(await self.session.scalars(stmt))

    async def guests(
        self, meeting_id: uuid.UUID, item_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[GuestRow]]:
        """The participants invited to one item only, per item: one query for any number
        of items. Callers check that the reader may see them."""
        guests: dict[uuid.UUID, list[GuestRow]] = {item_id: [] for item_id in item_ids}
        if not guests:
            return guests
        stmt = (
            select(
                Participant.id,
                Participant.agenda_item_id,
                func.coalesce(Person.full_name, Participant.name),
                Participant.role,
                Participant.organisation_id,
            )
            .outerjoin(Person, Person.id == Participant.person_id)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.agenda_item_id.in_(list(guests)),
            )
            .order_by(Participant.created_at, Participant.id)
        )
        for participant_id, item_id, name, role, organisation_id in await self.session.execute(
            stmt
        ):
            # Never None: the query keeps only rows whose item is one of `item_ids`.
            item = cast(uuid.UUID, item_id)
            guests[item].append(GuestRow(participant_id, item, name, role, organisation_id))
        return guests

    def _read(self, shape: RowShape) -> Select[Any]:
        # The presenter's name joined in the one statement (`PRESENTER_PREFIX`).
        presenter = [
            Person.id.label(PRESENTER_PREFIX + "id"),
            Person.full_name.label(PRESENTER_PREFIX + "full_name"),
        ]
        return select(*shape.columns(AgendaItem), *presenter).outerjoin(
            Person, Person.id == AgendaItem.presenter_person_id
        )

    async def read_one(
        self, shape: RowShape, meeting_id: uuid.UUID, item_id: uuid.UUID
    ) -> Row[Any] | None:
        """An item of a meeting found visible, as `shape`'s columns and its presenter's,
        for the read path (app/api/reads.py)."""
        stmt = self._read(shape).where(
            AgendaItem.id == item_id, AgendaItem.meeting_id == meeting_id
        )
        row: Row[Any] | None = (await self.session.execute(stmt)).first()
        return row

    async def read_page(
        self, shape: RowShape, meeting_id: uuid.UUID, page: PageParams
    ) -> tuple[list[Row[Any]], SortOrder]:
        """A page of the agenda of a meeting found visible, as rows like `read_one`'s."""
        order = resolve_sort(POSITION_ORDER, _SORTS, AgendaItem.id)
        stmt = self._read(shape).where(AgendaItem.meeting_id == meeting_id)
        rows = await self.session.execute(apply_keyset(stmt, order, page))
        return list(rows), order

    async def has_guests(self, item_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(select(exists().where(Participant.agenda_item_id == item_id)))
        )

    async def has_action_items(self, item_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(select(exists().where(ActionItem.agenda_item_id == item_id)))
        )

    async def move(self, targets: Mapping[AgendaItem, int]) -> None:
        """Give items of one meeting new positions without ever breaking the unique key.

        The rows first step aside to positions above every current and target one (a Core statement,
        which neither the audit trail nor the row versions see), then the unit of work
        writes the final positions: each item's change is recorded once, from its old
        position to its new one, and its version (ETag) rises once. The targets must be
        free once the moved items have stepped aside.
        """
        moving = {item: position for item, position in targets.items() if item.position != position}
        if not moving:
            return
        meeting_id = next(iter(moving)).meeting_id
        highest = await self.session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
        )
        # Above every current position and every target (an insert's can be one past the
        # end), so neither step meets an occupied position.
        offset = max(highest or 0, *moving.values())
        aside = (
            update(AgendaItem)
            .where(AgendaItem.id.in_([item.id for item in moving]))
            .values(position=AgendaItem.position + offset)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(aside)
        for item, position in moving.items():
            item.position = position
        await self.session.flush()

    def add(self, item: AgendaItem) -> None:
        self.session.add(item)

    async def delete(self, item: AgendaItem) -> None:
        await self.session.delete(item)
        await self.session.flush()

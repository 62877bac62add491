"""Meetings for the minutes tests, written straight into the database with the ORM, so
these tests do not depend on the meetings and agenda APIs."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import Base, create_sessionmaker, utcnow
from app.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from app.minutes.models import ActionItem

Row = TypeVar("Row", bound=Base)


@dataclass(frozen=True)
class MeetingIds:
    id: str
    network_id: str
    item_ids: list[str]  # in agenda order

    @property
    def minutes_url(self) -> str:
        return f"/v1/meetings/{self.id}/minutes"

    def item_minutes_url(self, index: int = 0) -> str:
        return f"/v1/meetings/{self.id}/agenda-items/{self.item_ids[index]}/minutes"

    def action_items_url(self, index: int = 0) -> str:
        return f"/v1/meetings/{self.id}/agenda-items/{self.item_ids[index]}/action-items"

    @property
    def publish_url(self) -> str:
        return f"/v1/meetings/{self.id}/minutes/publish"


async def add_meeting(
    engine: AsyncEngine,
    network_id: str,
    *,
    status: MeetingStatus = MeetingStatus.HELD,
    starts_at: datetime | None = None,
    items: int = 2,
    positions: list[int] | None = None,
    **values: Any,
) -> MeetingIds:
    """A meeting (by default held, yesterday) with agenda items at `positions` (1..items
    unless given; inserted in the order given, so agenda order need not be insert order)."""
    starts = starts_at or utcnow() - timedelta(days=1)
    meeting = Meeting(
        network_id=uuid.UUID(network_id),
        kind=MeetingKind.REGULAR,
        title="Quarterly meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        time_zone="Europe/Oslo",
        place_name="Herøya Forskningspark",
        status=status,
        **values,
    )
    async with create_sessionmaker(engine).begin() as session:
        session.add(meeting)
        await session.flush()
        rows = [
            AgendaItem(
                meeting_id=meeting.id,
                network_id=meeting.network_id,
                position=position,
                title=f"Item {position}",
            )
            for position in positions or range(1, items + 1)
        ]
        session.add_all(rows)
        await session.flush()
        by_position = sorted(rows, key=lambda row: row.position)
        return MeetingIds(
            id=str(meeting.id),
            network_id=network_id,
            item_ids=[str(row.id) for row in by_position],
        )


async def set_meeting(engine: AsyncEngine, meeting_id: str, **values: Any) -> None:
    """Change a meeting's columns as another request would (its version moves too)."""
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == uuid.UUID(meeting_id))
            .values(version=Meeting.version + 1, **values)
        )


async def load(engine: AsyncEngine, model: type[Row], row_id: str) -> Row | None:
    async with create_sessionmaker(engine)() as session:
        return await session.get(model, uuid.UUID(row_id))


async def count_action_items(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count(ActionItem.id))) or 0)


def etag(body: dict[str, Any]) -> dict[str, str]:
    """`If-Match` with the version of a resource as read."""
    return {"If-Match": f'"{body["version"]}"'}

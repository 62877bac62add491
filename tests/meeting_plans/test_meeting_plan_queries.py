"""A plan runs the same statements whatever the number of members and of past hosts."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.meetings.models import MeetingKind
from tests.meeting_plans.helpers import (
    add_meeting,
    add_members_directly,
    make_group,
    post_plan,
    utc,
)

pytestmark = pytest.mark.usefixtures("backend")


async def _statements(
    client: httpx.AsyncClient, engine: AsyncEngine, count_queries: Any, members: int, **body: Any
) -> list[str]:
    group = await make_group(client, members={}, name=f"Group of {members}")
    await add_members_directly(engine, group.network_id, members)
    # Last year: a visit and the municipal meeting.
    await add_meeting(engine, group.network_id, MeetingKind.MUNICIPAL, utc(2026, 6, 11), None)
    await add_meeting(
        engine, group.network_id, MeetingKind.COMPANY_VISIT, utc(2026, 3, 12), group.association_id
    )
    with count_queries() as log:
        response = await post_plan(client, group.network_id, year=2027, **body)
    assert response.status_code in (200, 201), response.text
    assert len(response.json()["meetings"]) == 5
    statements: list[str] = log.statements
    return statements


@pytest.mark.parametrize("dry_run", [True, False])
async def test_five_or_fifty_members_take_the_same_statements(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    count_queries: Any,
    backend: str,
    dry_run: bool,
) -> None:
    few = await _statements(client, engine, count_queries, 5, dry_run=dry_run)
    many = await _statements(client, engine, count_queries, 50, dry_run=dry_run)
    assert len(few) == len(many)
    # The caller's key, the network, the plan's meetings, the members, the visit history
    # before the year, the year's other visits, the municipal history, the other
    # organisations; writing adds the lock (on PostgreSQL; SQLite's writing transaction
    # holds its write lock already), one INSERT of all the meetings and one of their
    # audit events.
    writing = 0 if dry_run else 2 + (backend == "postgresql")
    assert len(few) == 8 + writing, few

"""Dry runs write nothing; running the plan again, or twice at once, creates nothing twice."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.audit.models import AuditEvent
from app.db import create_sessionmaker
from app.meeting_plans import repository, service
from app.meetings.models import Meeting, MeetingKind, MeetingStatus
from tests.helpers import assert_problem, patch_current
from tests.meeting_plans.helpers import (
    Group,
    add_meeting,
    make_group,
    plan,
    post_plan,
    stored_meetings,
    utc,
)

pytestmark = pytest.mark.usefixtures("backend")

ALL_ALONG = ("2020-01-01", None)


async def _group(client: httpx.AsyncClient) -> Group:
    return await make_group(
        client, members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG, "Gamma": ALL_ALONG}
    )


async def _meeting_events(engine: AsyncEngine) -> int:
    async with create_sessionmaker(engine)() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.resource_type == "meetings")
        )
        return int(count or 0)


def _without_ids(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in meeting.items() if k not in ("meeting_id", "state")}
        for meeting in answer["meetings"]
    ]


async def test_a_dry_run_proposes_and_writes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)

    response = await post_plan(client, group.network_id, year=2027, dry_run=True)

    assert response.status_code == 200, response.text
    proposal = response.json()
    assert (proposal["dry_run"], proposal["created"], proposal["existing"]) == (True, 0, 0)
    assert len(proposal["meetings"]) == 5
    assert {(m["state"], m["meeting_id"]) for m in proposal["meetings"]} == {("proposed", None)}
    assert await stored_meetings(engine, group.network_id) == []
    assert await _meeting_events(engine) == 0

    # What was proposed is what is then created.
    created = await plan(client, group.network_id, year=2027)
    assert _without_ids(created) == _without_ids(proposal)
    assert {m["state"] for m in created["meetings"]} == {"created"}
    assert await _meeting_events(engine) == 5


async def test_running_again_creates_nothing_twice(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)
    first = await post_plan(client, group.network_id, year=2027)
    assert first.status_code == 201

    again = await post_plan(client, group.network_id, year=2027)

    assert again.status_code == 200, again.text
    answer = again.json()
    assert (answer["created"], answer["existing"], answer["warnings"]) == (0, 5, [])
    assert {m["state"] for m in answer["meetings"]} == {"existing"}
    assert [m["meeting_id"] for m in answer["meetings"]] == [
        m["meeting_id"] for m in first.json()["meetings"]
    ]
    assert _without_ids(answer) == _without_ids(first.json())
    assert len(await stored_meetings(engine, group.network_id)) == 5
    # A dry run of a planned year proposes nothing new either.
    dry = await plan(client, group.network_id, year=2027, dry_run=True)
    assert (dry["created"], dry["existing"]) == (0, 5)
    # Another year is another plan.
    assert (await post_plan(client, group.network_id, year=2028)).status_code == 201
    assert len(await stored_meetings(engine, group.network_id)) == 10


async def test_a_missing_slot_is_filled_and_the_rest_kept(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)
    first = await plan(client, group.network_id, year=2027)
    third = next(m for m in first["meetings"] if m["slot"] == 3)
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(delete(Meeting).where(Meeting.id == uuid.UUID(third["meeting_id"])))

    response = await post_plan(client, group.network_id, year=2027)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["created"], answer["existing"]) == (1, 4)
    states = {m["slot"]: m["state"] for m in answer["meetings"]}
    assert states == {0: "existing", 1: "existing", 2: "existing", 3: "created", 4: "existing"}
    refilled = next(m for m in answer["meetings"] if m["slot"] == 3)
    # The rotation continues from the slots kept: the same host as before.
    assert refilled["host_organisation_id"] == third["host_organisation_id"]
    assert refilled["starts_at"] == third["starts_at"]
    assert refilled["meeting_id"] != third["meeting_id"]
    assert len(await stored_meetings(engine, group.network_id)) == 5


async def test_slots_filled_in_front_of_existing_ones_keep_clear_of_their_hosts(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await make_group(client, members={"Alfa": ALL_ALONG, "Beta": ALL_ALONG})
    alfa, beta = group.members["Alfa"], group.members["Beta"]
    # Slots 2 (Alfa, April) and 3 (Beta, August) exist; 1 and 4 are missing.
    for slot, when, host in [(2, utc(2027, 4, 29, 7), alfa), (3, utc(2027, 8, 26, 7), beta)]:
        await add_meeting(
            engine,
            group.network_id,
            MeetingKind.COMPANY_VISIT,
            when,
            host,
            status=MeetingStatus.PLANNED,
            plan_year=2027,
            plan_slot=slot,
        )

    answer = await plan(client, group.network_id, year=2027, time_zone="Europe/Stockholm")

    visits = [(m["slot"], m["state"], group.name_of(m["host_organisation_id"]))
              for m in answer["meetings"] if m["slot"]]  # fmt: skip
    # Alfa, who hosts first this year, would open it and then host again in April.
    assert visits == [
        (1, "created", "Beta"),
        (2, "existing", "Alfa"),
        (3, "existing", "Beta"),
        (4, "created", "Alfa"),
    ]


async def test_fewer_meetings_per_year_than_slots_written_is_refused(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)
    first = await plan(client, group.network_id, year=2027)
    fourth = next(m for m in first["meetings"] if m["slot"] == 4)
    changed = await patch_current(client, f"/v1/networks/{group.network_id}", meetings_per_year=3)
    assert changed.status_code == 200, changed.text

    for dry_run in (True, False):
        response = await post_plan(client, group.network_id, year=2027, dry_run=dry_run)
        problem = assert_problem(response, 409, "plan_changed")
        assert problem["meeting_ids"] == [fourth["meeting_id"]]
        assert "slot(s) 4" in problem["detail"]
        assert "meetings_per_year back to at least 4" in problem["detail"]
    stored = await stored_meetings(engine, group.network_id)
    assert sorted(m.plan_slot or 0 for m in stored) == [0, 1, 2, 3, 4]

    # Once the fourth visit is gone, the plan of three is whole.
    async with create_sessionmaker(engine).begin() as session:
        await session.execute(delete(Meeting).where(Meeting.id == uuid.UUID(fourth["meeting_id"])))
    again = await post_plan(client, group.network_id, year=2027)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["existing"]) == (0, 4)


async def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    group = await _group(client)
    headers = {"Idempotency-Key": "plan-2027"}
    first = await post_plan(client, group.network_id, headers=headers, year=2027)
    replay = await post_plan(client, group.network_id, headers=headers, year=2027)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    other_body = await post_plan(client, group.network_id, headers=headers, year=2028)
    assert_problem(other_body, 422, "idempotency_key_reused")
    assert len(await stored_meetings(engine, group.network_id)) == 5


async def test_concurrent_runs_create_each_meeting_once(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = await _group(client)
    # Reading the facts is slowed so that, without the lock, both runs would find no
    # meetings before either writes: the race happens on every run.
    original = service._load_facts

    async def slow_load(*args: Any, **kwargs: Any) -> Any:
        facts = await original(*args, **kwargs)
        await asyncio.sleep(0.2)
        return facts

    monkeypatch.setattr(service, "_load_facts", slow_load)

    responses = await asyncio.gather(
        post_plan(client, group.network_id, year=2027),
        post_plan(client, group.network_id, year=2027),
    )

    assert sorted(r.status_code for r in responses) == [200, 201], [r.text for r in responses]
    answers = sorted((r.json() for r in responses), key=lambda a: a["created"])
    assert [(a["created"], a["existing"]) for a in answers] == [(0, 5), (5, 0)]
    assert [m["meeting_id"] for m in answers[0]["meetings"]] == [
        m["meeting_id"] for m in answers[1]["meetings"]
    ]
    assert len(await stored_meetings(engine, group.network_id)) == 5


async def test_the_unique_key_refuses_what_the_lock_missed(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite's write lock serialises the runs; there is nothing to miss")
    group = await _group(client)
    original = service._load_facts

    async def slow_load(*args: Any, **kwargs: Any) -> Any:
        facts = await original(*args, **kwargs)
        await asyncio.sleep(0.2)
        return facts

    async def no_lock(*_args: Any, **_kwargs: Any) -> None:
        return None

    monkeypatch.setattr(service, "_load_facts", slow_load)
    monkeypatch.setattr(repository.MeetingPlanRepository, "lock", no_lock)

    responses = await asyncio.gather(
        post_plan(client, group.network_id, year=2027),
        post_plan(client, group.network_id, year=2027),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    assert_problem(refused, 409, "meeting_plan_conflict")
    assert len(await stored_meetings(engine, group.network_id)) == 5

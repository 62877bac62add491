"""`member_on_day`: an organisation was a member that day, also when its membership has
ended since (the end action sets `ended` at once, even for a last day ahead)."""

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import today
from app.db import create_sessionmaker
from app.memberships.models import Membership
from app.memberships.repository import member_on_day
from tests.factories import create_company, create_membership, create_network
from tests.helpers import patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def _members_on(engine: AsyncEngine, network_id: str, day: date) -> set[str]:
    async with create_sessionmaker(engine)() as session:
        rows = await session.scalars(
            select(Membership.organisation_id).where(
                Membership.network_id == uuid.UUID(network_id), member_on_day(day)
            )
        )
        return {str(organisation_id) for organisation_id in rows}


async def _end(client: httpx.AsyncClient, membership: dict[str, Any], ends_on: date) -> None:
    response = await client.post(
        f"/v1/memberships/{membership['id']}/end", json={"ends_on": ends_on.isoformat()}
    )
    assert response.status_code == 200, response.text
    assert response.json()["membership"]["status"] == "ended"


async def test_who_is_a_member_on_a_day(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    network = (await create_network(client))["id"]
    leaving_on = date(today().year + 1, 6, 30)

    async def member(**fields: Any) -> tuple[str, dict[str, Any]]:
        company = (await create_company(client))["id"]
        body = {"organisation_id": company, "network_id": network, "starts_on": "2020-01-01"}
        return company, await create_membership(client, **{**body, **fields})

    staying, _ = await member()
    leaving, notice = await member()
    await _end(client, notice, leaving_on)  # ended now, a member until its last day
    partner, _ = await member(kind="partner")
    applicant, _ = await member(status="applied")
    suspended, suspension = await member()
    assert (await patch_current(client, f"/v1/memberships/{suspension['id']}",
                                status="suspended")).status_code == 200  # fmt: skip
    joining, _ = await member(starts_on=leaving_on.isoformat())

    assert await _members_on(engine, network, date(2019, 12, 31)) == set()
    assert await _members_on(engine, network, date(2020, 1, 1)) == {staying, leaving}
    assert await _members_on(engine, network, leaving_on) == {staying, leaving, joining}
    after = date(leaving_on.year, 7, 1)
    assert await _members_on(engine, network, after) == {staying, joining}
    assert {partner, applicant, suspended}.isdisjoint(
        await _members_on(engine, network, leaving_on)
    )


async def test_a_company_that_gave_notice_hosts_until_its_last_day(
    client: httpx.AsyncClient,
) -> None:
    year = today().year + 1
    leaving_on = date(year, 6, 30)
    network = (await create_network(client, meetings_per_year=4))["id"]
    ids = {}
    for name in ("Alfa", "Beta"):
        company = await create_company(client, display_name=name)
        ids[name] = company["id"]
        membership = await create_membership(
            client, organisation_id=company["id"], network_id=network, starts_on="2020-01-01"
        )
        if name == "Alfa":
            await _end(client, membership, leaving_on)

    response = await client.post(
        f"/v1/networks/{network}/meeting-plans", json={"year": year, "dry_run": True}
    )

    assert response.status_code == 200, response.text
    names = {value: key for key, value in ids.items()}
    visits = [
        (date.fromisoformat(m["starts_at"][:10]), names[m["host_organisation_id"]])
        for m in response.json()["meetings"]
    ]
    before = [host for day, host in visits if day <= leaving_on]
    after = [host for day, host in visits if day > leaving_on]
    # Two visits fall before July, two after: Alfa hosts first (by name), then only Beta.
    assert (before, after) == (["Alfa", "Beta"], ["Beta", "Beta"])

"""Concurrent requests on organisations: the rules hold on either database."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.companies import service
from app.db import create_sessionmaker
from app.networks.models import Network, NetworkStatus, Visibility
from tests.factories import company_body, create_company

pytestmark = pytest.mark.usefixtures("backend")


@pytest.mark.parametrize("check_runs", [True, False], ids=["slowed-check", "no-check"])
async def test_concurrent_registrations_of_one_number(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, check_runs: bool
) -> None:
    # slowed-check: without locking both requests pass the check before either inserts.
    # no-check: only the unique key refuses, and the answer still carries the rule's code.
    original_check = service._check_identifiers

    async def changed_check(*args: Any, **kwargs: Any) -> None:
        if check_runs:
            await original_check(*args, **kwargs)
            await asyncio.sleep(0.1)

    monkeypatch.setattr(service, "_check_identifiers", changed_check)
    body = company_body()
    responses = await asyncio.gather(
        client.post("/v1/companies", json=body), client.post("/v1/companies", json=body)
    )
    assert sorted(response.status_code for response in responses) == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] == "organisation_number_taken"
    listed = (await client.get("/v1/companies")).json()["items"]
    assert len(listed) == 1


async def test_kind_change_waits_for_a_network_being_created(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # A network naming the association as administrator is inserted but not yet
    # committed: the change of kind must wait for it and then see it, not count zero.
    association = await create_company(client, kind="association")
    url = f"/v1/companies/{association['id']}"
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(
            Network(
                slug="racing-network",
                name="Racing network",
                visibility=Visibility.OPEN,
                status=NetworkStatus.ACTIVE,
                administered_by_id=uuid.UUID(association["id"]),
            )
        )
        await session.flush()
        patch = asyncio.create_task(
            client.patch(url, json={"kind": "company"}, headers={"If-Match": '"1"'})
        )
        await asyncio.sleep(0.3)
        assert not patch.done(), (await patch).text
    response = await patch
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "organisation_administers_networks"
    assert (await client.get(url)).json() == association

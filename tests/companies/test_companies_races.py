"""Two registrations of one organisation number at once: one wins, on either database."""

import asyncio
from typing import Any

import httpx
import pytest

from app.companies import service
from tests.factories import company_body

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

"""Two elections racing for one seat: never two chairs on one day, on either database.

On PostgreSQL the exclusion constraint has the last word; on SQLite a writing request
takes the write lock before its first read, so the second election waits and its check
sees the first.
"""

import asyncio

import httpx
import pytest

from app.offices import service
from tests.factories import create_network
from tests.helpers import assert_problem
from tests.offices.conftest import AddPeople

pytestmark = pytest.mark.usefixtures("backend")


def _needs_postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no exclusion constraint; its rule is the serialised check")


async def test_concurrent_chairs_one_wins(
    client: httpx.AsyncClient, add_people: AddPeople, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check is slowed so that, without locking, both requests would pass it before
    # either inserts: the race happens on every run, not by the scheduler's chance.
    original_check = service._check_seat

    async def slow_check(*args: object, **kwargs: object) -> None:
        await original_check(*args, **kwargs)  # type: ignore[arg-type]
        await asyncio.sleep(0.1)

    monkeypatch.setattr(service, "_check_seat", slow_check)
    network = await create_network(client)
    ola, kari = await add_people("Ola", "Kari")
    url = f"/v1/networks/{network['id']}/offices"

    responses = await asyncio.gather(
        client.post(url, json={"person_id": ola, "office": "chair", "starts_on": "2026-01-01"}),
        client.post(url, json={"person_id": kari, "office": "chair", "starts_on": "2026-06-01"}),
    )

    assert sorted(response.status_code for response in responses) == [201, 409]
    [refused] = [response for response in responses if response.status_code == 409]
    assert refused.json()["code"] == "office_term_overlap"
    listed = (await client.get(url)).json()["items"]
    assert len(listed) == 1


async def test_constraint_refuses_what_the_check_missed(
    client: httpx.AsyncClient,
    add_people: AddPeople,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whether the gathered requests above interleave is up to the scheduler; switching
    # the service's check off makes the database's refusal certain.
    _needs_postgresql(backend)
    network = await create_network(client)
    ola, kari = await add_people("Ola", "Kari")
    url = f"/v1/networks/{network['id']}/offices"
    first = await client.post(
        url, json={"person_id": ola, "office": "chair", "starts_on": "2026-01-01"}
    )
    assert first.status_code == 201

    async def no_check(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(service, "_check_seat", no_check)
    response = await client.post(
        url, json={"person_id": kari, "office": "chair", "starts_on": "2027-01-01"}
    )
    assert_problem(response, 409, "office_term_overlap")
    assert [item["id"] for item in (await client.get(url)).json()["items"]] == [first.json()["id"]]

"""Office history lists: filters, sort, keyset paging, query counts."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.clock import today as klynge_today
from tests.factories import create_network
from tests.helpers import next_link
from tests.offices.conftest import AddPeople

pytestmark = pytest.mark.usefixtures("backend")


async def _elect(client: httpx.AsyncClient, network_id: str, **body: Any) -> str:
    response = await client.post(f"/v1/networks/{network_id}/offices", json=body)
    assert response.status_code == 201, response.text
    term_id: str = response.json()["id"]
    return term_id


async def _ids(client: httpx.AsyncClient, network_id: str, **params: Any) -> list[str]:
    response = await client.get(f"/v1/networks/{network_id}/offices", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_filters_and_sort(client: httpx.AsyncClient, add_people: AddPeople) -> None:
    # `current` means today where the associations are (KLYNGE_TIME_ZONE), not in UTC.
    today = klynge_today()
    network = await create_network(client)
    ola, kari, per = await add_people("Ola", "Kari", "Per")

    def day(offset: int) -> str:
        return str(today + timedelta(days=offset))

    past = await _elect(
        client,
        network["id"],
        person_id=ola,
        office="chair",
        starts_on=day(-900),
        ends_on=day(-200),
    )
    current = await _elect(
        client,
        network["id"],
        person_id=kari,
        office="chair",
        starts_on=day(-199),
        ends_on=day(30),
    )
    future = await _elect(client, network["id"], person_id=ola, office="chair", starts_on=day(31))
    board = await _elect(
        client, network["id"], person_id=per, office="board_member", starts_on=day(-500)
    )

    assert await _ids(client, network["id"]) == [future, current, board, past]
    assert await _ids(client, network["id"], sort="starts_on") == [past, board, current, future]
    assert await _ids(client, network["id"], office="chair", sort="starts_on") == [
        past,
        current,
        future,
    ]
    assert await _ids(client, network["id"], current=True) == [current, board]
    assert await _ids(client, network["id"], current=False) == [future, past]
    assert await _ids(client, network["id"], on=day(-300)) == [board, past]
    assert await _ids(client, network["id"], on=day(-300), office="board_member") == [board]
    assert await _ids(client, network["id"], on=day(-1000)) == []

    bad = await client.get(f"/v1/networks/{network['id']}/offices", params={"office": "king"})
    assert bad.status_code == 422
    bad = await client.get(f"/v1/networks/{network['id']}/offices", params={"sort": "office"})
    assert bad.status_code == 422


async def test_keyset_paging_follows_the_link_header(
    client: httpx.AsyncClient, add_people: AddPeople
) -> None:
    network = await create_network(client)
    people = await add_people(*(f"Chair {n}" for n in range(8)))
    # Eight consecutive two-year chair terms, created out of order.
    for year in (2014, 2002, 2010, 2006, 2000, 2012, 2008, 2004):
        await _elect(
            client,
            network["id"],
            person_id=people[(year - 2000) // 2],
            office="chair",
            starts_on=f"{year}-01-01",
        )

    starts: list[str] = []
    url: str | None = f"/v1/networks/{network['id']}/offices?limit=3"
    pages = 0
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        starts += [item["starts_on"] for item in response.json()["items"]]
        pages += 1
        url = next_link(response)
    assert starts == [f"{year}-01-01" for year in range(2014, 1999, -2)]
    assert pages == 3


async def _count_list(
    client: httpx.AsyncClient, count_queries: Any, network_id: str
) -> tuple[int, list[dict[str, Any]]]:
    with count_queries() as log:
        response = await client.get(f"/v1/networks/{network_id}/offices", params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return log.count, items


async def test_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, add_people: AddPeople, count_queries: Any
) -> None:
    small = await create_network(client)
    large = await create_network(client)
    people = await add_people(*(f"Board Member {n}" for n in range(50)))
    await _elect(
        client, small["id"], person_id=people[0], office="board_member", starts_on="2026-01-01"
    )
    for person in people:
        await _elect(
            client, large["id"], person_id=person, office="board_member", starts_on="2026-01-01"
        )

    one_count, one = await _count_list(client, count_queries, small["id"])
    many_count, many = await _count_list(client, count_queries, large["id"])
    assert len(one) == 1
    assert len(many) == 50
    assert {item["person_name"] for item in many} == {f"Board Member {n}" for n in range(50)}
    assert one_count == many_count
    # The network's existence, then the terms joined with their holders' names.
    assert many_count <= 3  # with the lookup of the caller's API key

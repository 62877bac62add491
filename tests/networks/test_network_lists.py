"""Network lists: filters, keyset paging, includes, office holders, query counts."""

import random
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.clock import today as klynge_today
from tests.factories import create_company, create_network, create_person
from tests.helpers import next_link

pytestmark = pytest.mark.usefixtures("backend")


async def _ids(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/networks", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def _elect(
    client: httpx.AsyncClient, network_id: str, person_id: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/networks/{network_id}/offices", json={"person_id": person_id, **fields}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_filters_and_search(client: httpx.AsyncClient) -> None:
    gic = await create_network(client, name="Green Industry Cluster", status="active")
    offshore = await create_network(
        client, name="GIC Offshore forum", parent_id=gic["id"], status="planned"
    )
    council = await create_network(
        client, name="GIC Process industry council", parent_id=gic["id"], visibility="closed"
    )
    karlskrona = await create_network(client, name="Industrigruppen i Karlskrona")

    assert await _ids(client, root=True) == [gic["id"], karlskrona["id"]]
    assert await _ids(client, root=False) == [offshore["id"], council["id"]]
    assert await _ids(client, parent_id=gic["id"]) == [offshore["id"], council["id"]]
    assert await _ids(client, visibility="closed") == [council["id"]]
    assert await _ids(client, status="planned") == [offshore["id"]]
    assert await _ids(client, q="INDUSTR") == [council["id"], gic["id"], karlskrona["id"]]
    assert await _ids(client, q="industry", parent_id=gic["id"]) == [council["id"]]
    assert await _ids(client, q="100%") == []
    assert await _ids(client, sort="-name", root=True) == [karlskrona["id"], gic["id"]]

    bad = await client.get("/v1/networks", params={"sort": "slug"})
    assert bad.status_code == 422
    bad = await client.get("/v1/networks", params={"include": "members"})
    assert bad.status_code == 422


async def test_keyset_paging_follows_the_link_header(client: httpx.AsyncClient) -> None:
    names = [f"Network {n:02d}" for n in range(1, 9)]
    shuffled = names.copy()
    random.Random(7).shuffle(shuffled)
    for name in shuffled:
        await create_network(client, name=name)

    for sort, expected in (("name", names), ("-name", names[::-1])):
        seen: list[str] = []
        url: str | None = f"/v1/networks?limit=3&sort={sort}"
        pages = 0
        while url is not None:
            response = await client.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            seen += [item["name"] for item in body["items"]]
            pages += 1
            url = next_link(response)
            assert (url is None) == (body["next_cursor"] is None)
        assert seen == expected
        assert pages == 3

    created_order = await client.get("/v1/networks", params={"sort": "created_at"})
    assert [item["name"] for item in created_order.json()["items"]] == shuffled

    bad = await client.get("/v1/networks", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_cursor"


async def test_include_embeds_parent_and_administrator(client: httpx.AsyncClient) -> None:
    kfh = await create_company(client, kind="association", legal_name="KFH")
    root = await create_network(client, name="KFH", administered_by_id=kfh["id"])
    child = await create_network(client, name="Industrigruppen", parent_id=root["id"])

    plain = await client.get(f"/v1/networks/{child['id']}")
    assert plain.json()["parent"] is None
    assert plain.json()["administered_by"] is None

    included = await client.get(
        f"/v1/networks/{child['id']}", params={"include": "parent,administered_by"}
    )
    body = included.json()
    assert body["parent"] == {
        "id": root["id"],
        "slug": root["slug"],
        "name": "KFH",
        "visibility": "open",
        "status": "active",
    }
    assert body["administered_by"]["id"] == kfh["id"]
    assert body["administered_by"]["kind"] == "association"

    listed = await client.get("/v1/networks", params={"include": "parent", "root": False})
    [item] = listed.json()["items"]
    assert item["parent"]["id"] == root["id"]
    assert item["administered_by"] is None


async def test_office_holders_are_todays_terms(client: httpx.AsyncClient) -> None:
    today = klynge_today()
    network = await create_network(client)
    former, chair, next_chair, board = [
        (await create_person(client, full_name=name))["id"]
        for name in ("Former Chair", "Current Chair", "Next Chair", "Board Member")
    ]
    await _elect(
        client,
        network["id"],
        former,
        office="chair",
        starts_on=str(today - timedelta(days=800)),
        ends_on=str(today - timedelta(days=11)),
    )
    current = await _elect(
        client, network["id"], chair, office="chair", starts_on=str(today - timedelta(days=10))
    )
    await _elect(client, network["id"], board, office="board_member", starts_on=str(today))
    successor_starts = date.fromisoformat(current["ends_on"]) + timedelta(days=1)
    await _elect(client, network["id"], next_chair, office="chair", starts_on=str(successor_starts))

    read = (await client.get(f"/v1/networks/{network['id']}")).json()
    assert [(h["office"], h["person_name"]) for h in read["office_holders"]] == [
        ("chair", "Current Chair"),
        ("board_member", "Board Member"),
    ]
    assert read["office_holders"][0] == {
        "id": current["id"],
        "office": "chair",
        "person_id": chair,
        "person_name": "Current Chair",
        "starts_on": current["starts_on"],
        "ends_on": current["ends_on"],
    }
    [listed] = (await client.get("/v1/networks")).json()["items"]
    assert listed["office_holders"] == read["office_holders"]


async def _list_with_everything(
    client: httpx.AsyncClient, count_queries: Any, parent_id: str
) -> tuple[int, list[dict[str, Any]]]:
    with count_queries() as log:
        response = await client.get(
            "/v1/networks",
            params={"parent_id": parent_id, "include": "parent,administered_by", "limit": 100},
        )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return log.count, items


async def test_list_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, count_queries: Any
) -> None:
    association = await create_company(client, kind="association", legal_name="GIC AS")
    person_id = (await create_person(client))["id"]
    small = await create_network(client, administered_by_id=association["id"])
    large = await create_network(client, administered_by_id=association["id"])
    for root, size in ((small, 1), (large, 50)):
        for _ in range(size):
            child = await create_network(client, parent_id=root["id"])
            await _elect(client, child["id"], person_id, office="chair", starts_on="2026-01-01")

    one_count, one = await _list_with_everything(client, count_queries, small["id"])
    many_count, many = await _list_with_everything(client, count_queries, large["id"])
    assert len(one) == 1
    assert len(many) == 50
    for item in one + many:
        assert item["parent"] is not None
        assert item["administered_by"]["id"] == association["id"]
        assert [holder["person_id"] for holder in item["office_holders"]] == [person_id]
    assert one_count == many_count
    # The caller's API key; the networks with their parents and administrators joined;
    # today's office holders.
    assert many_count <= 3

"""The network tree: inherited administrators, moving networks, cycles."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_network

pytestmark = pytest.mark.usefixtures("backend")


async def _get(client: httpx.AsyncClient, network: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/v1/networks/{network['id']}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _patch(
    client: httpx.AsyncClient, network: dict[str, Any], **changes: Any
) -> httpx.Response:
    current = await _get(client, network)
    return await client.patch(
        f"/v1/networks/{network['id']}",
        json=changes,
        headers={"If-Match": f'"{current["version"]}"'},
    )


async def _administrators(
    client: httpx.AsyncClient, *networks: dict[str, Any]
) -> list[tuple[str | None, bool]]:
    reads = [await _get(client, network) for network in networks]
    return [(read["administered_by_id"], read["administered_by_inherited"]) for read in reads]


async def _association(client: httpx.AsyncClient, name: str) -> str:
    created = await create_company(client, kind="association", legal_name=name)
    organisation_id: str = created["id"]
    return organisation_id


async def test_administrator_is_inherited_down_the_tree(client: httpx.AsyncClient) -> None:
    gic = await _association(client, "Green Industry Cluster AS")
    kfh = await _association(client, "Karlskrona Företagarförening")
    root = await create_network(client, administered_by_id=gic)
    child = await create_network(client, parent_id=root["id"])
    grandchild = await create_network(client, parent_id=child["id"])
    own = await create_network(client, parent_id=root["id"], administered_by_id=kfh)
    below_own = await create_network(client, parent_id=own["id"])

    assert (root["administered_by_id"], root["administered_by_inherited"]) == (gic, False)
    assert await _administrators(client, child, grandchild, own, below_own) == [
        (gic, True),
        (gic, True),
        (kfh, False),
        (kfh, True),
    ]


async def test_descendants_that_inherit_follow_a_change(client: httpx.AsyncClient) -> None:
    gic = await _association(client, "Green Industry Cluster AS")
    kfh = await _association(client, "Karlskrona Företagarförening")
    nho = await _association(client, "NHO Vestfold og Telemark")
    root = await create_network(client, administered_by_id=gic)
    child = await create_network(client, parent_id=root["id"])
    grandchild = await create_network(client, parent_id=child["id"])
    own = await create_network(client, parent_id=root["id"], administered_by_id=kfh)
    below_own = await create_network(client, parent_id=own["id"])

    response = await _patch(client, root, administered_by_id=nho)
    assert response.status_code == 200, response.text
    assert await _administrators(client, child, grandchild, own, below_own) == [
        (nho, True),
        (nho, True),
        (kfh, False),
        (kfh, True),
    ]
    # The descendants' representations changed, so their ETags did too.
    assert (await _get(client, grandchild))["version"] == 2
    assert (await _get(client, below_own))["version"] == 1

    # Setting one's own administrator stops the inheritance below it as well.
    assert (await _patch(client, child, administered_by_id=kfh)).status_code == 200
    assert await _administrators(client, child, grandchild) == [(kfh, False), (kfh, True)]

    # `null` hands the choice back to the parent.
    response = await _patch(client, child, administered_by_id=None)
    assert response.status_code == 200, response.text
    assert await _administrators(client, child, grandchild) == [(nho, True), (nho, True)]

    # A root without its own administrator has none, and nothing to inherit.
    assert (await _patch(client, root, administered_by_id=None)).status_code == 200
    assert await _administrators(client, root, child, grandchild) == [
        (None, False),
        (None, True),
        (None, True),
    ]


async def test_moving_a_network_carries_its_subtree(client: httpx.AsyncClient) -> None:
    gic = await _association(client, "Green Industry Cluster AS")
    kfh = await _association(client, "Karlskrona Företagarförening")
    telemark = await create_network(client, administered_by_id=gic)
    karlskrona = await create_network(client, administered_by_id=kfh)
    group = await create_network(client, parent_id=telemark["id"])
    subgroup = await create_network(client, parent_id=group["id"])
    own = await create_network(client, parent_id=telemark["id"], administered_by_id=gic)

    response = await _patch(client, group, parent_id=karlskrona["id"])
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] == karlskrona["id"]
    assert await _administrators(client, group, subgroup) == [(kfh, True), (kfh, True)]

    # A network with its own administrator keeps it wherever it moves.
    assert (await _patch(client, own, parent_id=karlskrona["id"])).status_code == 200
    assert await _administrators(client, own) == [(gic, False)]

    # Made a root, it has nothing left to inherit.
    assert (await _patch(client, group, parent_id=None)).status_code == 200
    assert await _administrators(client, group, subgroup) == [(None, False), (None, True)]

    listed = await client.get("/v1/networks", params={"parent_id": karlskrona["id"]})
    assert [item["id"] for item in listed.json()["items"]] == [own["id"]]


async def test_a_network_cannot_sit_below_itself(client: httpx.AsyncClient) -> None:
    root = await create_network(client)
    child = await create_network(client, parent_id=root["id"])
    grandchild = await create_network(client, parent_id=child["id"])

    for network, new_parent in ((root, grandchild), (root, child), (child, child)):
        response = await _patch(client, network, parent_id=new_parent["id"])
        # A well-formed body that conflicts with the tree as it stands.
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "network_cycle"

    assert [(await _get(client, n))["parent_id"] for n in (root, child, grandchild)] == [
        None,
        root["id"],
        child["id"],
    ]
    assert (await _get(client, root))["version"] == 1


async def test_moving_under_an_unknown_parent_is_refused(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    response = await _patch(client, network, parent_id="0b6f7c1e-4b8f-4a53-9b8e-3f1e2d9a7c10")
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_parent"
    assert (await _get(client, network))["parent_id"] is None

"""The network tree: inherited administrators, moving networks, cycles."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_network
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def _administrators(
    client: httpx.AsyncClient, *networks: dict[str, Any]
) -> list[tuple[str | None, bool]]:
    reads = [await fetch(client, f"/v1/networks/{network['id']}") for network in networks]
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

    root_url = f"/v1/networks/{root['id']}"
    response = await patch_current(client, root_url, administered_by_id=nho)
    assert response.status_code == 200, response.text
    assert await _administrators(client, child, grandchild, own, below_own) == [
        (nho, True),
        (nho, True),
        (kfh, False),
        (kfh, True),
    ]
    # The descendants' representations changed, so their ETags did too.
    assert (await fetch(client, f"/v1/networks/{grandchild['id']}"))["version"] == 2
    assert (await fetch(client, f"/v1/networks/{below_own['id']}"))["version"] == 1

    # Setting one's own administrator stops the inheritance below it as well.
    child_url = f"/v1/networks/{child['id']}"
    assert (await patch_current(client, child_url, administered_by_id=kfh)).status_code == 200
    assert await _administrators(client, child, grandchild) == [(kfh, False), (kfh, True)]

    # `null` hands the choice back to the parent.
    response = await patch_current(client, child_url, administered_by_id=None)
    assert response.status_code == 200, response.text
    assert await _administrators(client, child, grandchild) == [(nho, True), (nho, True)]

    # A root without its own administrator has none, and nothing to inherit.
    assert (await patch_current(client, root_url, administered_by_id=None)).status_code == 200
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

    group_url = f"/v1/networks/{group['id']}"
    response = await patch_current(client, group_url, parent_id=karlskrona["id"])
    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] == karlskrona["id"]
    assert await _administrators(client, group, subgroup) == [(kfh, True), (kfh, True)]

    # A network with its own administrator keeps it wherever it moves.
    own_url = f"/v1/networks/{own['id']}"
    assert (await patch_current(client, own_url, parent_id=karlskrona["id"])).status_code == 200
    assert await _administrators(client, own) == [(gic, False)]

    # Made a root, it has nothing left to inherit.
    assert (await patch_current(client, group_url, parent_id=None)).status_code == 200
    assert await _administrators(client, group, subgroup) == [(None, False), (None, True)]

    listed = await client.get("/v1/networks", params={"parent_id": karlskrona["id"]})
    assert [item["id"] for item in listed.json()["items"]] == [own["id"]]


async def test_a_network_cannot_sit_below_itself(client: httpx.AsyncClient) -> None:
    root = await create_network(client)
    child = await create_network(client, parent_id=root["id"])
    grandchild = await create_network(client, parent_id=child["id"])

    urls = [f"/v1/networks/{network['id']}" for network in (root, child, grandchild)]
    root_url, child_url, _ = urls
    for url, new_parent in ((root_url, grandchild), (root_url, child), (child_url, child)):
        response = await patch_current(client, url, parent_id=new_parent["id"])
        # A well-formed body that conflicts with the tree as it stands.
        assert_problem(response, 409, "network_cycle")

    assert [(await fetch(client, url))["parent_id"] for url in urls] == [
        None,
        root["id"],
        child["id"],
    ]
    assert (await fetch(client, root_url))["version"] == 1


async def test_moving_under_an_unknown_parent_is_refused(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    response = await patch_current(client, url, parent_id=UNKNOWN_ID)
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_parent"
    assert (await fetch(client, url))["parent_id"] is None

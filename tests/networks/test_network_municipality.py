"""A network's municipality: the public body it meets once a year."""

import httpx
import pytest
from fastapi import FastAPI

from tests.callers import user_headers
from tests.factories import create_company, create_network
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_network_names_the_public_body_it_meets(client: httpx.AsyncClient) -> None:
    kommun = await create_company(client, kind="public_body", legal_name="Karlskrona kommun")
    created = await create_network(client, municipality_id=kommun["id"])
    assert created["municipality_id"] == kommun["id"]
    url = f"/v1/networks/{created['id']}"
    assert (await fetch(client, url))["municipality_id"] == kommun["id"]
    listed = (await client.get("/v1/networks")).json()["items"]
    assert [n["municipality_id"] for n in listed] == [kommun["id"]]

    # Left out, it is null; set later and cleared with null.
    other = await create_network(client)
    assert other["municipality_id"] is None
    other_url = f"/v1/networks/{other['id']}"
    changed = await patch_current(client, other_url, municipality_id=kommun["id"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["municipality_id"] == kommun["id"]
    cleared = await patch_current(client, other_url, municipality_id=None)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["municipality_id"] is None
    # Changing something else leaves it as it is.
    renamed = await patch_current(client, url, name="Renamed")
    assert renamed.json()["municipality_id"] == kommun["id"]


@pytest.mark.parametrize("kind", ["company", "partner", "association"])
async def test_only_a_public_body_can_be_the_municipality(
    client: httpx.AsyncClient, kind: str
) -> None:
    organisation = await create_company(client, kind=kind)
    response = await client.post(
        "/v1/networks",
        json={
            "slug": "a",
            "name": "A",
            "visibility": "open",
            "municipality_id": organisation["id"],
        },
    )
    problem = assert_problem(response, 422, "municipality_not_public_body")
    assert problem["errors"][0]["field"] == "body.municipality_id"
    assert f"is a {kind}" in problem["detail"]
    assert (await client.get("/v1/networks")).json()["items"] == []

    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    response = await patch_current(client, url, municipality_id=organisation["id"])
    assert_problem(response, 422, "municipality_not_public_body")
    after = await fetch(client, url)
    assert (after["municipality_id"], after["version"]) == (None, network["version"])


async def test_an_unknown_municipality_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/networks",
        json={"slug": "a", "name": "A", "visibility": "open", "municipality_id": UNKNOWN_ID},
    )
    problem = assert_problem(response, 422, "unknown_organisation")
    assert problem["errors"][0]["field"] == "body.municipality_id"
    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    response = await patch_current(client, url, municipality_id=UNKNOWN_ID)
    assert_problem(response, 422, "unknown_organisation")
    assert (await fetch(client, url))["version"] == network["version"]


async def test_a_coordinator_sets_their_networks_municipality(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    kommun = await create_company(client, kind="public_body")
    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    coordinator = await user_headers(application, coordinates=[network["id"]])
    response = await client.patch(
        url,
        json={"municipality_id": kommun["id"]},
        headers={**coordinator, "If-Match": f'"{network["version"]}"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["municipality_id"] == kommun["id"]

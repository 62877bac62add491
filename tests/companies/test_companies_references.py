"""Rules that hold because something else points at an organisation."""

from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def _refused_delete(client: httpx.AsyncClient, company: dict[str, Any]) -> dict[str, Any]:
    """DELETE answers 409 `organisation_referenced`, and the organisation is unchanged."""
    url = f"/v1/companies/{company['id']}"
    problem = assert_problem(await client.delete(url), 409, "organisation_referenced")
    assert company["display_name"] in problem["detail"]
    assert await fetch(client, url) == company
    return problem


async def test_organisation_with_affiliated_people_is_not_deleted(
    client: httpx.AsyncClient,
) -> None:
    company = await create_company(client)
    person = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
    )
    problem = await _refused_delete(client, company)
    assert problem["referenced_by"] == ["affiliations"]
    assert "affiliations" in problem["detail"]

    assert (await client.delete(f"/v1/people/{person['id']}")).status_code == 204
    assert (await client.delete(f"/v1/companies/{company['id']}")).status_code == 204


async def test_organisation_with_a_membership_is_not_deleted(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    network = await create_network(client)
    await create_membership(client, organisation_id=company["id"], network_id=network["id"])
    problem = await _refused_delete(client, company)
    assert problem["referenced_by"] == ["memberships"]
    assert "memberships" in problem["detail"]


async def test_administering_association_is_not_deleted(client: httpx.AsyncClient) -> None:
    association = await create_company(client, kind="association")
    await create_network(client, administered_by_id=association["id"])
    problem = await _refused_delete(client, association)
    assert problem["referenced_by"] == ["networks"]


async def test_association_administering_networks_stays_an_association(
    client: httpx.AsyncClient,
) -> None:
    association = await create_company(client, kind="association")
    successor = await create_company(client, kind="association")
    root = await create_network(client, administered_by_id=association["id"])
    child = await create_network(client, parent_id=root["id"])
    assert child["administered_by_id"] == association["id"]
    url = f"/v1/companies/{association['id']}"

    response = await client.patch(
        url, json={"kind": "company", "employees": 1}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "organisation_administers_networks"
    assert "2 networks" in problem["detail"]
    assert (await client.get(url)).json() == association

    # Other changes, and sending the kind it already has, are fine.
    response = await client.patch(
        url, json={"kind": "association", "employees": 1}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text

    # Once the networks have another administrator, the kind may change.
    handed_over = await client.patch(
        f"/v1/networks/{root['id']}",
        json={"administered_by_id": successor["id"]},
        headers={"If-Match": f'"{root["version"]}"'},
    )
    assert handed_over.status_code == 200, handed_over.text
    response = await client.patch(url, json={"kind": "company"}, headers={"If-Match": '"2"'})
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "company"


async def test_association_without_networks_may_change_kind(client: httpx.AsyncClient) -> None:
    association = await create_company(client, kind="association")
    response = await client.patch(
        f"/v1/companies/{association['id']}",
        json={"kind": "partner"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "partner"

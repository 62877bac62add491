"""Closed networks, as each kind of caller sees them: to outsiders they do not exist.

Not by id (the same 404 as an unknown id, also for /stats and /offices), not in lists,
searches or filters by id, not as the parent of an open network, and nothing inside
them either: memberships, office terms, office holders.

Each test looks as every kind of caller at one world (building it is the slow part);
pytest's traceback names the caller of a failing check.
"""

from typing import Any

import httpx
import pytest

from tests.access.conftest import CALLERS, SEES_COUNCIL, SEES_PROCUREMENT, World
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


def _inside(world: World, network: str) -> tuple[str, str]:
    """A closed network's office term and membership."""
    ids = world.ids
    if network == ids.council:
        return ids.council_term, ids.council_membership
    return ids.procurement_term, ids.procurement_membership


async def test_a_closed_network_answers_like_an_unknown_id(world: World) -> None:
    for caller in CALLERS:
        await _closed_networks_by_id_as(world, caller)


async def _closed_networks_by_id_as(world: World, caller: str) -> None:
    for network, sees in (
        (world.ids.council, SEES_COUNCIL),
        (world.ids.procurement, SEES_PROCUREMENT),
    ):
        term, membership = _inside(world, network)
        for url in (
            f"/v1/networks/{network}",
            f"/v1/networks/{network}/stats",
            f"/v1/networks/{network}/offices",
            f"/v1/networks/{network}/offices/{term}",
        ):
            response = await world.get(caller, url)
            if caller in sees:
                assert response.status_code == 200, response.text
                continue
            assert_problem(response, 404, "network_not_found")
            unknown = await world.get(caller, url.replace(network, UNKNOWN_ID))
            assert response.json() == unknown.json()

        response = await world.get(caller, f"/v1/memberships/{membership}")
        if caller in sees:
            assert response.status_code == 200, response.text
        else:
            assert_problem(response, 404, "membership_not_found")
            unknown = await world.get(caller, f"/v1/memberships/{UNKNOWN_ID}")
            assert response.json() == unknown.json()


async def test_lists_searches_and_filters_leave_closed_networks_out(world: World) -> None:
    for caller in CALLERS:
        await _lists_as(world, caller)


async def _lists_as(world: World, caller: str) -> None:
    ids = world.ids
    council, procurement = caller in SEES_COUNCIL, caller in SEES_PROCUREMENT

    listed = await world.ids_listed(caller, "/v1/networks")
    assert (ids.council in listed, ids.procurement in listed) == (council, procurement)
    assert {ids.cluster, ids.council_group, ids.offshore} <= set(listed)

    # Sorted by name: "Council working group" before "Process council".
    found = await world.ids_listed(caller, "/v1/networks", q="council")
    assert found == ([ids.council_group, ids.council] if council else [ids.council_group])
    closed = await world.ids_listed(caller, "/v1/networks", visibility="closed")
    assert set(closed) == {
        network
        for network, sees in ((ids.council, council), (ids.procurement, procurement))
        if sees
    }
    # The children of a hidden network are not listed: that would confirm it exists.
    children = await world.ids_listed(caller, "/v1/networks", parent_id=ids.council)
    assert children == ([ids.council_group] if council else [])
    # Below a hidden parent, the working group shows no parent: to the caller it is a root.
    roots = await world.ids_listed(caller, "/v1/networks", root="true")
    assert roots == ([ids.cluster] if council else [ids.cluster, ids.council_group])

    for params in ({"network_id": ids.council}, {"organisation_id": ids.member_org}):
        memberships = await world.ids_listed(caller, "/v1/memberships", **params)
        assert memberships == ([ids.council_membership] if council else [])
    every = set(await world.ids_listed(caller, "/v1/memberships"))
    assert ids.offshore_membership in every
    assert (ids.council_membership in every) == council
    assert (ids.procurement_membership in every) == procurement


def _item(response: httpx.Response, network_id: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    [item] = [row for row in body.get("items", [body]) if row["id"] == network_id]
    return item


async def test_an_open_network_below_a_closed_one_does_not_name_it(world: World) -> None:
    for caller in CALLERS:
        await _hidden_parent_as(world, caller)


async def _hidden_parent_as(world: World, caller: str) -> None:
    ids = world.ids
    for url in (f"/v1/networks/{ids.council_group}", "/v1/networks"):
        for include in (None, "parent"):
            params = {} if include is None else {"include": include}
            response = await world.get(caller, url, **params)
            group = _item(response, ids.council_group)
            if caller in SEES_COUNCIL:
                assert group["parent_id"] == ids.council
                if include:
                    assert group["parent"]["name"] == "Process council"
            else:
                assert (group["parent_id"], group["parent"]) == (None, None)
                assert ids.council not in response.text
                assert "Process council" not in response.text


async def test_office_holders_are_public_roles_of_visible_networks(world: World) -> None:
    for caller in CALLERS:
        await _office_holders_as(world, caller)


async def _office_holders_as(world: World, caller: str) -> None:
    ids = world.ids
    offshore = (await world.get(caller, f"/v1/networks/{ids.offshore}")).json()
    assert [holder["id"] for holder in offshore["office_holders"]] == [ids.offshore_term]
    terms = await world.ids_listed(caller, f"/v1/networks/{ids.offshore}/offices")
    assert terms == [ids.offshore_term]

    listed = (await world.get(caller, "/v1/networks", limit=100)).text
    assert (ids.council_term in listed) == (caller in SEES_COUNCIL)
    assert (ids.procurement_term in listed) == (caller in SEES_PROCUREMENT)


@pytest.mark.parametrize("caller", ["member", "coordinator"])
async def test_members_and_coordinators_see_inside_their_network(world: World, caller: str) -> None:
    ids = world.ids
    council = (await world.get(caller, f"/v1/networks/{ids.council}")).json()
    assert [holder["id"] for holder in council["office_holders"]] == [ids.council_term]
    stats = (await world.get(caller, f"/v1/networks/{ids.council}/stats")).json()
    assert stats["member_count"] == 1
    terms = await world.ids_listed(caller, f"/v1/networks/{ids.council}/offices")
    assert terms == [ids.council_term]


async def test_a_members_network_list_runs_a_fixed_number_of_queries(
    world: World, count_queries: Any
) -> None:
    """Hiding parents costs nothing per row: it is a condition of the page's join."""
    counts = []
    for limit in (1, 50):
        with count_queries() as log:
            # By name descending, the first row has a parent ("Process council").
            response = await world.get(
                "member",
                "/v1/networks",
                limit=limit,
                sort="-name",
                include="parent,administered_by",
            )
        assert response.status_code == 200, response.text
        counts.append((log.count, len(response.json()["items"])))
    (one_count, one_rows), (many_count, many_rows) = counts
    assert (one_rows, many_rows) == (1, 4)
    assert one_count == many_count
    # Four to authenticate a member (app/auth/authenticate.py), then the page with its
    # visible parents and administrators joined, and today's office holders.
    assert many_count <= 6


async def test_memberships_include_only_what_the_caller_may_see(world: World) -> None:
    for caller in CALLERS:
        await _membership_includes_as(world, caller)


async def _membership_includes_as(world: World, caller: str) -> None:
    """`include=organisation,network` joins each related row in the list's one statement:
    it embeds exactly the networks the caller sees, and a closed network's membership is
    404 with or without it."""
    ids = world.ids
    names = {
        ids.council: "Process council",
        ids.procurement: "Procurement network",
        ids.offshore: "Offshore forum",
    }
    include = "organisation,network"
    listed = (await world.get(caller, "/v1/memberships", include=include, limit=200)).json()
    embedded = {item["id"]: item["network"] for item in listed["items"]}
    expected = {ids.offshore_membership: ids.offshore}
    if caller in SEES_COUNCIL:
        expected[ids.council_membership] = ids.council
    if caller in SEES_PROCUREMENT:
        expected[ids.procurement_membership] = ids.procurement
    assert {key: network["id"] for key, network in embedded.items()} == expected
    assert {network["name"] for network in embedded.values()} == {
        names[network] for network in expected.values()
    }
    for item in listed["items"]:
        assert item["organisation"]["id"] == item["organisation_id"]

    one = await world.get(caller, f"/v1/memberships/{ids.council_membership}", include=include)
    if caller in SEES_COUNCIL:
        assert one.status_code == 200, one.text
        assert one.json()["network"]["id"] == ids.council
        assert one.json()["organisation"]["id"] == ids.member_org
    else:
        assert_problem(one, 404, "membership_not_found")

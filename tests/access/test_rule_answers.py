"""Rules that involve what a caller may not see answer without naming it.

The parent-membership rule of an open network below a closed one, the uniqueness of
network slugs, and the rights that keep a closed network closed.
"""

import httpx
import pytest
from fastapi import FastAPI

from tests.access.conftest import World
from tests.callers import user_headers
from tests.helpers import assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def _require_parent_membership(world: World, network_id: str) -> None:
    url = f"/v1/networks/{network_id}"
    response = await world.patch("admin", url, requires_parent_membership=True)
    assert response.status_code == 200, response.text


def _active_membership(world: World, **overrides: str) -> dict[str, str]:
    return {
        "organisation_id": world.ids.other_org,
        "network_id": world.ids.council_group,
        "kind": "member",
        "status": "active",
        "starts_on": "2026-01-01",
        **overrides,
    }


async def test_the_parent_rule_does_not_name_a_parent_the_caller_may_not_see(
    world: World, application: FastAPI
) -> None:
    # The working group is open, below the closed council, and now requires its members
    # to be members of the council; its own coordinator may not see the council.
    ids = world.ids
    await _require_parent_membership(world, ids.council_group)
    world.headers["group_coordinator"] = await user_headers(
        application, coordinates=[ids.council_group]
    )

    created = await world.request(
        "group_coordinator", "POST", "/v1/memberships", json=_active_membership(world)
    )
    problem = assert_problem(created, 409, "parent_membership_required")
    assert "parent_network_id" not in problem
    assert ids.council not in created.text

    # Activating an application meets the same rule, and the same silence.
    applied = await world.request(
        "group_coordinator",
        "POST",
        "/v1/memberships",
        json=_active_membership(world, status="applied"),
    )
    assert applied.status_code == 201, applied.text
    activated = await world.request(
        "group_coordinator",
        "PATCH",
        f"/v1/memberships/{applied.json()['id']}",
        json={"status": "active"},
        headers={"If-Match": applied.headers["etag"]},
    )
    problem = assert_problem(activated, 409, "parent_membership_required")
    assert "parent_network_id" not in problem
    assert ids.council not in activated.text

    # The council's coordinator sees the council: the answer names it.
    for caller in ("coordinator", "admin"):
        body = _active_membership(world, organisation_id=ids.procurement_org)
        named = await world.request(caller, "POST", "/v1/memberships", json=body)
        assert assert_problem(named, 409, "parent_membership_required")["parent_network_id"] == (
            ids.council
        )


async def _slug(world: World, network_id: str) -> str:
    slug: str = (await fetch(world.admin_http, f"/v1/networks/{network_id}"))["slug"]
    return slug


async def _create_network(
    world: World, caller: str, parent_id: str | None, slug: str
) -> httpx.Response:
    body = {"slug": slug, "name": f"Network {slug}", "visibility": "open"}
    if parent_id is not None:
        body["parent_id"] = parent_id
    return await world.request(caller, "POST", "/v1/networks", json=body)


async def test_a_hidden_networks_slug_is_free_elsewhere_in_the_tree(world: World) -> None:
    """A slug is unique among siblings only: taking a hidden network's slug below another
    parent is no conflict, so a 409 cannot confirm that a closed network exists."""
    ids = world.ids
    council_slug = await _slug(world, ids.council)
    below_own = await _create_network(world, "sibling_coordinator", ids.procurement, council_slug)
    assert below_own.status_code == 201, below_own.text
    assert below_own.json()["slug"] == council_slug

    # Among siblings the slug is still taken: the coordinator sees every one of them.
    again = await _create_network(world, "sibling_coordinator", ids.procurement, council_slug)
    assert_problem(again, 409, "slug_taken")
    # So it is among the roots.
    cluster_slug = await _slug(world, ids.cluster)
    assert_problem(await _create_network(world, "admin", None, cluster_slug), 409, "slug_taken")
    # And under the cluster, where the council has it.
    assert_problem(
        await _create_network(world, "admin", ids.cluster, council_slug), 409, "slug_taken"
    )


async def test_a_slug_is_changed_by_whoever_manages_the_parent(world: World) -> None:
    """Renaming a network's slug compares it with its siblings, so only a caller who sees
    them all may do it: an admin or a coordinator of the parent. The council's own
    coordinator could otherwise probe the slug of the procurement network beside it."""
    ids = world.ids
    procurement_slug = await _slug(world, ids.procurement)
    council_url = f"/v1/networks/{ids.council}"
    refused = await world.patch("coordinator", council_url, slug=procurement_slug)
    assert assert_problem(refused, 403, "field_not_allowed")["fields"] == ["slug"]
    refused = await world.patch("coordinator", council_url, slug="a-fresh-slug")
    assert_problem(refused, 403, "field_not_allowed")
    assert await _slug(world, ids.council) != "a-fresh-slug"

    # Below the council, the coordinator sees every sibling, and renames freely.
    group_url = f"/v1/networks/{ids.council_group}"
    sibling = await _create_network(world, "coordinator", ids.council, "council-sibling")
    assert sibling.status_code == 201, sibling.text
    taken = await world.patch("coordinator", group_url, slug="council-sibling")
    assert_problem(taken, 409, "slug_taken")
    renamed = await world.patch("coordinator", group_url, slug="council-group")
    assert renamed.status_code == 200, renamed.text

    # Admins rename anything, and moving a network meets its new siblings' slugs.
    moved = await world.patch("admin", f"/v1/networks/{sibling.json()['id']}", parent_id=None)
    assert moved.status_code == 200, moved.text
    clash = await _create_network(world, "admin", ids.council, "council-sibling")
    assert clash.status_code == 201, clash.text
    back = await world.patch("admin", f"/v1/networks/{sibling.json()['id']}", parent_id=ids.council)
    assert_problem(back, 409, "slug_taken")


async def test_a_coordinator_cannot_open_a_closed_network(world: World) -> None:
    url = f"/v1/networks/{world.ids.council}"
    before = await fetch(world.admin_http, url)
    for visibility in ("open", "closed"):
        refused = await world.patch("coordinator", url, visibility=visibility, name="Renamed")
        assert assert_problem(refused, 403, "field_not_allowed")["fields"] == ["visibility"]
    assert await fetch(world.admin_http, url) == before
    # The secretariat may.
    opened = await world.patch("admin", url, visibility="open")
    assert opened.status_code == 200, opened.text
    assert opened.json()["visibility"] == "open"

"""Callers reaching past their rights: each is refused, and nothing is written.

A refused change must leave the resource exactly as it was: same version, same fields,
even for the allowed fields sent alongside a forbidden one.
"""

from typing import Any

import pytest

from tests.access.conftest import SINCE, World
from tests.factories import company_body
from tests.helpers import UNKNOWN_ID, assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def _refused(
    world: World, caller: str, url: str, status: int, code: str, /, **changes: Any
) -> dict[str, Any]:
    """PATCH as `caller` with a current ETag; assert the refusal and that nothing changed."""
    before = await fetch(world.admin_http, url)
    problem = assert_problem(await world.patch(caller, url, **changes), status, code)
    assert await fetch(world.admin_http, url) == before
    return problem


async def _refused_post(
    world: World, caller: str, url: str, body: Any, status: int, code: str, *, unchanged: str
) -> None:
    before = await fetch(world.admin_http, unchanged)
    assert_problem(await world.request(caller, "POST", url, json=body), status, code)
    assert await fetch(world.admin_http, unchanged) == before


@pytest.mark.parametrize("caller", ["member", "other_member", "coordinator"])
async def test_nobody_edits_an_organisation_they_do_not_represent(
    world: World, caller: str
) -> None:
    # `other_org` is the other member's own: the member may not touch it, and vice versa.
    target = world.ids.member_org if caller == "other_member" else world.ids.other_org
    await _refused(
        world, caller, f"/v1/companies/{target}", 403, "forbidden", website="https://x.example/"
    )


async def test_a_member_sets_no_field_but_contact_data_on_their_organisation(
    world: World,
) -> None:
    url = f"/v1/companies/{world.ids.member_org}"
    problem = await _refused(
        world,
        "member",
        url,
        403,
        "field_not_allowed",
        website="https://member.example/",  # allowed, but not written either
        legal_name="Renamed AS",
        notes="We pay no fees",
        kind="association",
    )
    assert problem["fields"] == ["kind", "legal_name", "notes"]
    for field, value in (
        ("organisation_number", "923609016"),
        ("employees", 1),
        ("country", "SE"),
    ):
        problem = await _refused(world, "member", url, 403, "field_not_allowed", **{field: value})
        assert problem["fields"] == [field]


async def test_a_member_cannot_archive_or_delete_their_organisation(world: World) -> None:
    url = f"/v1/companies/{world.ids.member_org}"
    before = await fetch(world.admin_http, url)
    for method, path in (("POST", f"{url}/archive"), ("POST", f"{url}/restore"), ("DELETE", url)):
        assert_problem(await world.request("member", method, path), 403, "forbidden")
    assert await fetch(world.admin_http, url) == before


async def test_a_member_changes_only_their_own_record_and_not_its_affiliations(
    world: World,
) -> None:
    ids = world.ids
    own = f"/v1/people/{ids.member_person}"
    # Affiliations decide which organisations a user may change and which closed
    # networks they see: a user cannot give themselves more.
    affiliations = [
        {"organisation_id": ids.member_org, "position": "ceo"},
        {"organisation_id": ids.procurement_org, "position": "ceo"},
    ]
    problem = await _refused(
        world, "member", own, 403, "field_not_allowed", affiliations=affiliations
    )
    assert problem["fields"] == ["affiliations"]
    await _refused(world, "member", f"/v1/people/{ids.other_person}", 403, "forbidden", phone="1")
    assert_problem(await world.request("member", "DELETE", own), 403, "forbidden")
    # Still only a member of the council: procurement stays hidden.
    response = await world.get("member", f"/v1/networks/{ids.procurement}")
    assert_problem(response, 404, "network_not_found")


async def test_a_member_manages_no_memberships_offices_or_networks(world: World) -> None:
    ids = world.ids
    membership = f"/v1/memberships/{ids.council_membership}"
    before = await fetch(world.admin_http, membership)
    ended = await world.request("member", "POST", f"{membership}/end", json={})
    assert_problem(ended, 403, "forbidden")
    assert await fetch(world.admin_http, membership) == before
    await _refused(world, "member", membership, 403, "forbidden", status="suspended")

    council = f"/v1/networks/{ids.council}"
    await _refused(world, "member", council, 403, "forbidden", name="Our council")
    await _refused(
        world, "member", f"{council}/offices/{ids.council_term}", 403, "forbidden", ends_on=SINCE
    )
    term = {"person_id": ids.member_person, "office": "chair", "starts_on": SINCE}
    await _refused_post(
        world, "member", f"{council}/offices", term, 403, "forbidden", unchanged=council
    )
    body = {"organisation_id": ids.member_org, "network_id": ids.offshore, "starts_on": SINCE}
    await _refused_post(
        world, "member", "/v1/memberships", body, 403, "forbidden", unchanged="/v1/memberships"
    )
    for url, body in (
        ("/v1/companies", company_body()),
        ("/v1/people", {"full_name": "Someone"}),
        (
            "/v1/networks",
            {"parent_id": ids.council, "slug": "x", "name": "X", "visibility": "open"},
        ),
    ):
        await _refused_post(world, "member", url, body, 403, "forbidden", unchanged=url)


async def test_a_coordinator_manages_nothing_in_a_sibling_network(world: World) -> None:
    """The offshore forum is open, so the council's coordinator sees it: 403."""
    ids = world.ids
    offshore = f"/v1/networks/{ids.offshore}"
    membership = f"/v1/memberships/{ids.offshore_membership}"
    await _refused(world, "coordinator", offshore, 403, "forbidden", name="Mine now")
    await _refused(world, "coordinator", membership, 403, "forbidden", kind="observer")
    await _refused(
        world,
        "coordinator",
        f"{offshore}/offices/{ids.offshore_term}",
        403,
        "forbidden",
        ends_on=SINCE,
    )
    before = await fetch(world.admin_http, membership)
    ended = await world.request("coordinator", "POST", f"{membership}/end")
    assert_problem(ended, 403, "forbidden")
    assert await fetch(world.admin_http, membership) == before

    term = {"person_id": ids.member_person, "office": "chair", "starts_on": SINCE}
    await _refused_post(
        world, "coordinator", f"{offshore}/offices", term, 403, "forbidden", unchanged=offshore
    )
    body = {"organisation_id": ids.member_org, "network_id": ids.offshore, "starts_on": SINCE}
    await _refused_post(
        world, "coordinator", "/v1/memberships", body, 403, "forbidden", unchanged=offshore
    )
    below = {"parent_id": ids.offshore, "slug": "mine", "name": "Mine", "visibility": "open"}
    await _refused_post(
        world, "coordinator", "/v1/networks", below, 403, "forbidden", unchanged="/v1/networks"
    )
    root = {"slug": "root", "name": "Root", "visibility": "open"}
    await _refused_post(
        world, "coordinator", "/v1/networks", root, 403, "forbidden", unchanged="/v1/networks"
    )


async def test_a_closed_sibling_stays_unknown_to_a_coordinator(world: World) -> None:
    """The procurement network is closed: to the council's coordinator it does not exist,
    so changing anything in it is the same 404 as for an unknown id, or the same 403."""
    ids = world.ids
    procurement = f"/v1/networks/{ids.procurement}"
    for url, changes in (
        (procurement, {"name": "Mine"}),
        (f"{procurement}/offices/{ids.procurement_term}", {"ends_on": SINCE}),
        (f"/v1/memberships/{ids.procurement_membership}", {"kind": "observer"}),
    ):
        before = await fetch(world.admin_http, url)
        response = await world.request(
            "coordinator", "PATCH", url, json=changes, headers={"If-Match": "*"}
        )
        assert response.status_code == 404, response.text
        unknown = await world.request(
            "coordinator",
            "PATCH",
            url.rsplit("/", 1)[0] + f"/{UNKNOWN_ID}",
            json=changes,
            headers={"If-Match": "*"},
        )
        assert response.json() == unknown.json()  # not a hint that it exists
        assert await fetch(world.admin_http, url) == before
    for network in (ids.procurement, UNKNOWN_ID):
        body = {"organisation_id": ids.member_org, "network_id": network, "starts_on": SINCE}
        response = await world.request("coordinator", "POST", "/v1/memberships", json=body)
        assert_problem(response, 403, "forbidden")
    # And the other way round: the procurement coordinator cannot see the council.
    response = await world.request(
        "sibling_coordinator",
        "PATCH",
        f"/v1/networks/{ids.council}",
        json={"name": "Mine"},
        headers={"If-Match": "*"},
    )
    assert_problem(response, 404, "network_not_found")


async def test_a_coordinator_does_not_move_or_rewire_their_network(world: World) -> None:
    ids = world.ids
    council = f"/v1/networks/{ids.council}"
    problem = await _refused(
        world, "coordinator", council, 403, "field_not_allowed", parent_id=ids.offshore
    )
    assert problem["fields"] == ["parent_id"]
    problem = await _refused(
        world,
        "coordinator",
        council,
        403,
        "field_not_allowed",
        name="Allowed, but not written either",
        administered_by_id=ids.member_org,
        requires_parent_membership=True,
    )
    assert problem["fields"] == ["administered_by_id", "requires_parent_membership"]
    body = {
        "parent_id": ids.council,
        "slug": "wired",
        "name": "Wired",
        "visibility": "open",
        "requires_parent_membership": True,
    }
    await _refused_post(
        world,
        "coordinator",
        "/v1/networks",
        body,
        403,
        "field_not_allowed",
        unchanged="/v1/networks",
    )
    assert_problem(await world.request("coordinator", "DELETE", council), 403, "forbidden")


async def test_a_coordinator_registers_organisations_but_writes_no_notes(world: World) -> None:
    body = company_body(notes="Internal remark")
    await _refused_post(
        world,
        "coordinator",
        "/v1/companies",
        body,
        403,
        "field_not_allowed",
        unchanged="/v1/companies",
    )
    url = f"/v1/companies/{world.ids.other_org}"
    for method, path in (("POST", f"{url}/archive"), ("DELETE", url)):
        assert_problem(await world.request("coordinator", method, path), 403, "forbidden")
    person = f"/v1/people/{world.ids.other_person}"
    assert_problem(await world.request("coordinator", "DELETE", person), 403, "forbidden")

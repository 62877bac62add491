"""Organisations and people, as each kind of caller sees them.

Organisations are business registry data, visible to all, but their `notes` are the
secretariat's. People are personal data: not for the public at all, and not embedded
in what the public may read (a membership's representatives); the secretariat and
coordinators see the registry, other signed-in users only the people they have reason
to know. As in
test_network_visibility, each test looks at one world as every kind of caller.
"""

from typing import Any

import pytest
from fastapi import FastAPI

from tests.access.conftest import CALLERS, SEES_PEOPLE, World
from tests.callers import user_headers
from tests.factories import create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")

SEES_NOTES = frozenset({"admin", "read_key"})


async def test_organisations_are_public_but_their_notes_are_internal(world: World) -> None:
    for caller in CALLERS:
        await _organisations_as(world, caller)


async def _organisations_as(world: World, caller: str) -> None:
    response = await world.get(caller, f"/v1/companies/{world.ids.member_org}")
    assert response.status_code == 200, response.text
    expected = "Internal: Member Prosess AS" if caller in SEES_NOTES else None
    assert response.json()["notes"] == expected

    listed = await world.get(caller, "/v1/companies")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert len(items) == 3
    if caller in SEES_NOTES:
        assert all(item["notes"].startswith("Internal: ") for item in items)
    else:
        assert [item["notes"] for item in items] == [None, None, None]
        assert "Internal: " not in listed.text


async def test_people_are_for_signed_in_users_and_the_secretariat(world: World) -> None:
    for caller in CALLERS:
        await _people_as(world, caller)


def _people_seen(world: World, caller: str) -> set[str]:
    """The people each signed-in caller may see (see `PersonRepository._visible`)."""
    ids = world.ids
    everyone = {ids.member_person, ids.other_person, ids.procurement_person}
    return {
        # Themself (also of their organisation, and the council's representative and
        # secretary), and the offshore forum's representative and secretary.
        "member": {ids.member_person, ids.other_person},
        # Themself; the council and procurement networks are hidden from them, and with
        # them the people who only represent members or hold offices there.
        "other_member": {ids.other_person},
    }.get(caller, everyone)


async def _people_as(world: World, caller: str) -> None:
    ids = world.ids
    for url in (
        "/v1/people",
        f"/v1/people/{ids.member_person}",
        f"/v1/people/{ids.member_person}?include=organisations",
    ):
        response = await world.get(caller, url)
        if caller == "anonymous":
            assert_problem(response, 401, "authentication_required")
        elif caller == "website":
            assert_problem(response, 403, "forbidden")
        else:
            continue
        assert "@example.test" not in response.text
    if caller not in SEES_PEOPLE:
        return

    seen = _people_seen(world, caller)
    assert set(await world.ids_listed(caller, "/v1/people")) == seen
    unknown = await world.get(caller, f"/v1/people/{UNKNOWN_ID}")
    for person in (ids.member_person, ids.other_person, ids.procurement_person):
        for params in ({}, {"include": "organisations"}):
            response = await world.get(caller, f"/v1/people/{person}", **params)
            if person in seen:
                assert response.status_code == 200, response.text
            else:
                # Hidden answers like unknown.
                assert_problem(response, 404, "person_not_found")
                assert response.json() == unknown.json()
    # Filters and search find no one hidden either.
    for organisation, person in (
        (ids.member_org, ids.member_person),
        (ids.procurement_org, ids.procurement_person),
    ):
        found = await world.ids_listed(caller, "/v1/people", organisation_id=organisation)
        assert found == ([person] if person in seen else [])


async def test_a_user_of_no_organisation_sees_the_open_networks_people_only(
    world: World, application: FastAPI
) -> None:
    """Signed in, yet no person and no coordination: the representatives and office
    holders of open networks (their memberships and offices show them anyway), no one
    else, whatever they ask for."""
    ids = world.ids
    world.headers["nobody"] = await user_headers(application)
    assert await world.ids_listed("nobody", "/v1/people") == [ids.other_person]
    for hidden in (ids.member_person, ids.procurement_person):
        assert_problem(await world.get("nobody", f"/v1/people/{hidden}"), 404, "person_not_found")
    searched = await world.get("nobody", "/v1/people", q="Test Person")
    assert [item["id"] for item in searched.json()["items"]] == [ids.other_person]
    # Their own change of a record they cannot see is a 404, before any right is checked.
    response = await world.request(
        "nobody",
        "PATCH",
        f"/v1/people/{ids.member_person}",
        json={"full_name": "Not Me"},
        headers={"If-Match": '"1"'},
    )
    assert_problem(response, 404, "person_not_found")


async def test_representatives_records_are_embedded_only_for_those_who_see_people(
    world: World,
) -> None:
    for caller in CALLERS:
        await _representatives_as(world, caller)


async def _representatives_as(world: World, caller: str) -> None:
    ids = world.ids
    one = await world.get(
        caller, f"/v1/memberships/{ids.offshore_membership}", include="representatives"
    )
    listed = await world.get(
        caller, "/v1/memberships", network_id=ids.offshore, include="representatives"
    )
    for response, body in ((one, one.json()), (listed, listed.json()["items"][0])):
        assert response.status_code == 200, response.text
        [representative] = body["representatives"]
        # The id and role are the membership's own data; the record is the person's.
        assert representative["person_id"] == ids.other_person
        if caller in SEES_PEOPLE:
            assert representative["person"]["id"] == ids.other_person
        else:
            assert representative["person"] is None
            assert "@example.test" not in response.text


async def test_members_see_the_people_they_have_reason_to_know(world: World) -> None:
    """Not the whole registry: themself, their organisations' people, and the
    representatives and office holders of the networks they may see."""
    ids = world.ids
    people = await world.ids_listed("member", "/v1/people", limit=200)
    assert set(people) == {ids.member_person, ids.other_person}
    # Every organisation's person is there for coordinators, as for the secretariat.
    for caller in ("coordinator", "sibling_coordinator", "read_key", "admin"):
        listed = await world.ids_listed(caller, "/v1/people")
        assert set(listed) == {ids.member_person, ids.other_person, ids.procurement_person}


async def test_a_members_people_cost_the_same_queries_for_1_or_50(
    world: World, count_queries: Any
) -> None:
    """The member's narrowing is a condition in the one statement: the statement count
    of a page does not grow with it."""

    async def measure() -> tuple[int, int]:
        with count_queries() as log:
            response = await world.get("member", "/v1/people", include="organisations", limit=50)
        assert response.status_code == 200, response.text
        return log.count, len(response.json()["items"])

    # The member's own person aside, they see only the offshore forum's representative.
    await _affiliate_many(world, 0)
    with_two, listed = await measure()
    assert listed == 2
    await _affiliate_many(world, 48)
    with_fifty, listed = await measure()
    assert listed == 50
    assert with_fifty == with_two


async def _affiliate_many(world: World, count: int) -> None:
    """People of the member's own organisation (the member sees them)."""
    for _ in range(count):
        affiliation = {"organisation_id": world.ids.member_org, "position": "other"}
        await create_person(world.admin_http, affiliations=[affiliation])

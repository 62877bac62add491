"""Organisations and people, as each kind of caller sees them.

Organisations are business registry data, visible to all, but their `notes` are the
secretariat's. People are personal data: not for the public at all, and not embedded
in what the public may read (a membership's representatives). As in
test_network_visibility, each test looks at one world as every kind of caller.
"""

import pytest

from tests.access.conftest import CALLERS, SEES_PEOPLE, World
from tests.helpers import assert_problem

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
            assert response.status_code == 200, response.text
            continue
        assert "@example.test" not in response.text


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


async def test_signed_in_members_see_the_whole_registry(world: World) -> None:
    """Members see people of other organisations too: the registry, not only their own."""
    people = await world.ids_listed("other_member", "/v1/people")
    ids = world.ids
    assert set(people) == {ids.member_person, ids.other_person, ids.procurement_person}

"""Who may host: a member company for a company visit, the association or a public body
for the municipal meeting, anyone (or no one) otherwise. Checked on create and against
the resulting meeting on every change of kind, host or day."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.factories import (
    MEETING_DAY,
    NEXT_YEAR,
    create_company,
    create_meeting,
    create_membership,
    create_network,
    meeting_body,
)
from tests.helpers import UNKNOWN_ID, assert_problem, fetch, patch_current
from tests.meetings.helpers import meeting_url, member_company, patch_with

pytestmark = pytest.mark.usefixtures("backend")

# The factory's meeting is on MEETING_DAY (a Thursday in March next year) in Oslo.
DAY_BEFORE = MEETING_DAY - timedelta(days=1)
DAY_AFTER = MEETING_DAY + timedelta(days=1)


async def _post(client: httpx.AsyncClient, network_id: str, **fields: Any) -> httpx.Response:
    return await client.post("/v1/meetings", json=meeting_body(network_id, **fields))


def _host_problem(response: httpx.Response, code: str) -> None:
    problem = assert_problem(response, 422, code)
    assert [error["field"] for error in problem["errors"]] == ["body.host_organisation_id"]


async def _count(client: httpx.AsyncClient, network_id: str) -> int:
    params = {"network_id": network_id, "include_past": "true"}
    return len((await client.get("/v1/meetings", params=params)).json()["items"])


async def test_a_company_visit_is_hosted_by_a_member_on_the_day(
    client: httpx.AsyncClient,
) -> None:
    network = (await create_network(client))["id"]
    host = await member_company(
        client, network, starts_on=MEETING_DAY.isoformat(), display_name="Yara"
    )
    made = await _post(client, network, kind="company_visit", host_organisation_id=host["id"])
    assert made.status_code == 201, made.text
    assert made.json()["host_organisation_id"] == host["id"]
    with_host = await fetch(client, f"/v1/meetings/{made.json()['id']}?include=host")
    assert with_host["host"]["display_name"] == "Yara"


@pytest.mark.parametrize(
    ("membership", "why"),
    [
        ({"starts_on": DAY_AFTER.isoformat()}, "joins the day after"),
        ({"starts_on": "2020-01-01", "ends_on": DAY_BEFORE.isoformat()}, "left the day before"),
        ({"kind": "partner"}, "a partner, not a member"),
        ({"kind": "observer"}, "an observer"),
        ({"status": "applied"}, "only applied"),
    ],
)
async def test_a_company_visit_host_must_be_an_active_member_that_day(
    client: httpx.AsyncClient, membership: dict[str, Any], why: str
) -> None:
    network = (await create_network(client))["id"]
    host = await member_company(client, network, **membership)
    refused = await _post(client, network, kind="company_visit", host_organisation_id=host["id"])
    _host_problem(refused, "host_not_member")
    assert await _count(client, network) == 0, why


async def test_a_company_that_has_left_does_not_host(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    company = await create_company(client)
    membership = await create_membership(
        client, organisation_id=company["id"], network_id=network, starts_on="2020-01-01"
    )
    ended = await client.post(
        f"/v1/memberships/{membership['id']}/end", json={"ends_on": f"{NEXT_YEAR - 1}-12-31"}
    )
    assert ended.status_code == 200, ended.text
    refused = await _post(client, network, kind="company_visit", host_organisation_id=company["id"])
    _host_problem(refused, "host_not_member")


async def test_a_member_of_another_network_does_not_host(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    elsewhere = (await create_network(client))["id"]
    host = await member_company(client, elsewhere)
    refused = await _post(client, network, kind="company_visit", host_organisation_id=host["id"])
    _host_problem(refused, "host_not_member")


async def test_a_company_visit_and_a_municipal_meeting_need_a_host(
    client: httpx.AsyncClient,
) -> None:
    network = (await create_network(client))["id"]
    for kind in ("company_visit", "municipal"):
        _host_problem(await _post(client, network, kind=kind), "host_required")
    assert await _count(client, network) == 0


async def test_an_unknown_host_is_refused(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    refused = await _post(client, network, host_organisation_id=UNKNOWN_ID)
    _host_problem(refused, "unknown_organisation")


async def test_municipal_hosts(client: httpx.AsyncClient) -> None:
    association = await create_company(client, kind="association", legal_name="KFH")
    other_association = await create_company(client, kind="association")
    municipality = await create_company(client, kind="public_body", legal_name="Karlskrona")
    member = await create_company(client)
    network = (await create_network(client, administered_by_id=association["id"]))["id"]
    await create_membership(client, organisation_id=member["id"], network_id=network)

    for allowed in (association, municipality):
        made = await _post(client, network, kind="municipal", host_organisation_id=allowed["id"])
        assert made.status_code == 201, made.text
    for refused in (member, other_association):
        _host_problem(
            await _post(client, network, kind="municipal", host_organisation_id=refused["id"]),
            "host_not_allowed_for_municipal",
        )
    assert await _count(client, network) == 2


async def test_other_kinds_take_any_host_or_none(client: httpx.AsyncClient) -> None:
    network = (await create_network(client))["id"]
    outsider = await create_company(client)
    for kind in ("regular", "event"):
        for host in (None, outsider["id"]):
            made = await _post(client, network, kind=kind, host_organisation_id=host)
            assert made.status_code == 201, made.text


async def test_changes_are_checked_against_the_resulting_meeting(
    client: httpx.AsyncClient,
) -> None:
    network = (await create_network(client))["id"]
    outsider = await create_company(client)
    host = await create_company(client)
    membership = await create_membership(
        client,
        organisation_id=host["id"],
        network_id=network,
        starts_on="2020-01-01",
        ends_on=f"{NEXT_YEAR}-06-30",
    )
    regular = await create_meeting(client, network, host_organisation_id=outsider["id"])

    # Becoming a company visit: the outsider cannot host it, nor can no one.
    _host_problem(await patch_with(client, regular, kind="company_visit"), "host_not_member")
    _host_problem(
        await patch_with(client, regular, kind="company_visit", host_organisation_id=None),
        "host_required",
    )
    assert await fetch(client, meeting_url(regular)) == regular
    visit = await patch_with(client, regular, kind="company_visit", host_organisation_id=host["id"])
    assert visit.status_code == 200, visit.text

    # Moving it after the host's membership ends (in Oslo's calendar) is refused.
    moved = await patch_with(
        client,
        regular,
        starts_at=f"{NEXT_YEAR}-07-01T09:00:00",
        ends_at=f"{NEXT_YEAR}-07-01T12:00:00",
    )
    _host_problem(moved, "host_not_member")
    # 30 June 23:30 in Oslo is still a member's day, though it is 21:30 UTC.
    late = await patch_with(
        client,
        regular,
        starts_at=f"{NEXT_YEAR}-06-30T23:30:00",
        ends_at=f"{NEXT_YEAR}-07-01T01:00:00",
    )
    assert late.status_code == 200, late.text
    assert late.json()["starts_at"] == f"{NEXT_YEAR}-06-30T23:30:00+02:00"
    # The day is read in the meeting's zone: in Tokyo that instant is 1 July, 06:30.
    to_tokyo = await patch_with(client, regular, time_zone="Asia/Tokyo")
    _host_problem(to_tokyo, "host_not_member")

    # A correction of the title does not re-check the host, whose membership has since
    # been shortened: the meeting's record stays correctable.
    shortened = await patch_current(
        client, f"/v1/memberships/{membership['id']}", ends_on=f"{NEXT_YEAR}-05-31"
    )
    assert shortened.status_code == 200, shortened.text
    titled = await patch_with(client, regular, title="Visit to the member")
    assert titled.status_code == 200, titled.text
    assert titled.json()["host_organisation_id"] == host["id"]

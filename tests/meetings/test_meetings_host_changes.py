"""The host as it is when it matters: a company that has given notice hosts until its
last day; confirming a meeting checks its host again, since the host may have left or
been archived since the meeting was planned; an archived organisation hosts nothing."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.clock import today
from tests.factories import (
    create_company,
    create_membership,
    create_network,
    create_person,
    meeting_body,
)
from tests.helpers import assert_problem, fetch
from tests.meetings.helpers import meeting_at, meeting_url, participants_of, patch_with
from tests.meetings.outbox import Mail, meeting_mail

pytestmark = pytest.mark.usefixtures("backend")

FIELD = "body.host_organisation_id"


def _host_problem(response: httpx.Response, code: str) -> None:
    problem = assert_problem(response, 422, code)
    assert [error["field"] for error in problem["errors"]] == [FIELD]


def _on(day: date) -> dict[str, str]:
    """A meeting from 10:00 to 12:00 in Oslo on `day`."""
    return {
        "starts_at": f"{day.isoformat()}T10:00:00",
        "ends_at": f"{day.isoformat()}T12:00:00",
    }


async def _give_notice(client: httpx.AsyncClient, membership_id: str, last_day: date) -> None:
    ended = await client.post(
        f"/v1/memberships/{membership_id}/end", json={"ends_on": last_day.isoformat()}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["membership"]["status"] == "ended"


async def _represented_member(client: httpx.AsyncClient, network_id: str) -> dict[str, Any]:
    """A member company with one representative, who is invited on confirming; the
    representative."""
    company = (await create_company(client))["id"]
    person = await create_person(
        client, affiliations=[{"organisation_id": company, "position": "ceo"}]
    )
    await create_membership(
        client,
        organisation_id=company,
        network_id=network_id,
        starts_on="2020-01-01",
        representatives=[{"person_id": person["id"]}],
    )
    return person


async def _invited(engine: AsyncEngine, meeting_id: str, person: dict[str, Any]) -> Mail:
    """The invitation the person's participant row should have had queued."""
    [row] = [
        row
        for row in await participants_of(engine, meeting_id)
        if str(row.person_id) == person["id"]
    ]
    return Mail("invitation", "REQUEST", person["email"], str(row.id), 0)


async def _member(client: httpx.AsyncClient, network_id: str) -> tuple[str, str]:
    """A company with a membership of the network since 2020; (company id, membership id)."""
    company = (await create_company(client))["id"]
    membership = await create_membership(
        client, organisation_id=company, network_id=network_id, starts_on="2020-01-01"
    )
    return company, membership["id"]


async def test_a_company_that_has_given_notice_hosts_until_its_last_day(
    client: httpx.AsyncClient,
) -> None:
    network = (await create_network(client))["id"]
    company, membership = await _member(client, network)
    last_day = date(today().year + 1, 6, 30)
    await _give_notice(client, membership, last_day)

    def visit(day: date) -> dict[str, Any]:
        body = meeting_body(network, kind="company_visit", host_organisation_id=company)
        return {**body, **_on(day), "time_zone": "Europe/Oslo"}

    for day in (last_day - timedelta(days=30), last_day):
        made = await client.post("/v1/meetings", json=visit(day))
        assert made.status_code == 201, made.text
        assert made.json()["host_organisation_id"] == company
    refused = await client.post("/v1/meetings", json=visit(last_day + timedelta(days=1)))
    _host_problem(refused, "host_not_member")


async def test_confirming_checks_the_host_again(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    host, membership = await _member(client, network)
    person = await _represented_member(client, network)
    visit = await meeting_at(
        client, network, timedelta(days=60), kind="company_visit", host_organisation_id=host
    )
    # The host leaves before the meeting's day (its last day is today).
    await _give_notice(client, membership, today())

    refused = await patch_with(client, visit, status="confirmed")

    problem = assert_problem(refused, 422, "host_not_member")
    assert [error["field"] for error in problem["errors"]] == [FIELD]
    assert await fetch(client, meeting_url(visit)) == visit  # status, version: unchanged
    assert await participants_of(engine, visit["id"]) == []
    assert await meeting_mail(engine, visit["id"]) == []

    # With a host that is a member, it is confirmed.
    member, _ = await _member(client, network)
    rehosted = await patch_with(client, visit, host_organisation_id=member)
    assert rehosted.status_code == 200, rehosted.text
    confirmed = await patch_with(client, visit, status="confirmed")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert [str(row.person_id) for row in await participants_of(engine, visit["id"])] == [
        person["id"]
    ]
    invitation = await _invited(engine, visit["id"], person)
    assert await meeting_mail(engine, visit["id"]) == [invitation]


async def test_an_archived_organisation_hosts_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    network = (await create_network(client))["id"]
    person = await _represented_member(client, network)
    host = (await create_company(client, display_name="Gone AS"))["id"]
    regular = await meeting_at(client, network, timedelta(days=30), host_organisation_id=host)
    archived = await client.post(f"/v1/companies/{host}/archive")
    assert archived.status_code == 200, archived.text

    # Not as the host of a new meeting, of any kind.
    for kind in ("regular", "event"):
        body = meeting_body(network, kind=kind, host_organisation_id=host)
        _host_problem(await client.post("/v1/meetings", json=body), "host_archived")
    listed = await client.get("/v1/meetings", params={"network_id": network})
    assert [item["id"] for item in listed.json()["items"]] == [regular["id"]]

    # Nor for a meeting planned before it was archived, once it is confirmed.
    refused = await patch_with(client, regular, status="confirmed")
    _host_problem(refused, "host_archived")
    assert "Gone AS is archived" in refused.json()["detail"]
    assert await fetch(client, meeting_url(regular)) == regular
    assert await participants_of(engine, regular["id"]) == []
    assert await meeting_mail(engine, regular["id"]) == []

    # Without the host, the meeting goes ahead; restored, the company may host again.
    unhosted = await patch_with(client, regular, host_organisation_id=None, status="confirmed")
    assert unhosted.status_code == 200, unhosted.text
    invitation = await _invited(engine, regular["id"], person)
    assert await meeting_mail(engine, regular["id"]) == [invitation]
    restored = await client.post(f"/v1/companies/{host}/restore")
    assert restored.status_code == 200, restored.text
    again = await patch_with(client, regular, host_organisation_id=host)
    assert again.status_code == 200, again.text
    assert again.json()["host_organisation_id"] == host

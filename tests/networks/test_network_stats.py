"""A network's key figures: members, partners, observers, employees, apprentices."""

from typing import Any

import httpx
import pytest

from app.clock import today
from tests.factories import create_company, create_membership, create_network

pytestmark = pytest.mark.usefixtures("backend")


async def _stats(client: httpx.AsyncClient, network_id: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/v1/networks/{network_id}/stats", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_counts_and_sums_cover_the_day(client: httpx.AsyncClient, count_queries: Any) -> None:
    grenland = await create_network(client, name="Industrien i Grenland")
    other = await create_network(client)
    yara = await create_company(client, employees=1200, apprentices=60)
    ineos = await create_company(client, employees=700, apprentices=45)
    unknown_size = await create_company(client, employees=None, apprentices=None)
    nho = await create_company(client, kind="partner", employees=90, apprentices=1)
    county = await create_company(client, kind="public_body", employees=5000, apprentices=200)
    leaver = await create_company(client, employees=300, apprentices=3)
    applicant = await create_company(client, employees=50, apprentices=2)
    newcomer = await create_company(client, employees=40, apprentices=4)

    g = grenland["id"]

    async def join(company: dict[str, Any], starts_on: str, **fields: Any) -> None:
        # Active members unless told otherwise (create_membership's defaults).
        await create_membership(
            client, organisation_id=company["id"], network_id=g, starts_on=starts_on, **fields
        )

    await join(yara, "2020-01-01")
    await join(ineos, "2024-03-01")
    await join(unknown_size, "2025-01-01")
    await join(nho, "2020-01-01", kind="partner")
    await join(county, "2020-01-01", kind="observer")
    await join(leaver, "2020-01-01", ends_on="2025-12-31")
    await join(applicant, "2025-01-01", status="applied")
    await join(newcomer, "2026-07-01")
    # A membership elsewhere counts only there.
    await create_membership(client, organisation_id=ineos["id"], network_id=other["id"])

    with count_queries() as log:
        stats = await _stats(client, g, on="2026-03-15")
    assert stats == {
        "network_id": g,
        "as_of": "2026-03-15",
        "member_count": 3,
        "partner_count": 1,
        "observer_count": 1,
        "total_employees": 1900,
        "total_apprentices": 105,
    }
    # The caller's API key, the network, the counts per kind, the members' sums: no rows
    # loaded per member.
    assert log.count == 4

    earlier = await _stats(client, g, on="2025-06-01")
    assert earlier["member_count"] == 4  # the leaver had not left yet
    assert earlier["total_employees"] == 1200 + 700 + 300
    later = await _stats(client, g, on="2026-07-01")
    assert later["member_count"] == 4
    assert later["total_apprentices"] == 60 + 45 + 4


async def test_defaults_to_today_and_handles_empty_networks(client: httpx.AsyncClient) -> None:
    network = await create_network(client)
    stats = await _stats(client, network["id"])
    # Today where the associations are (KLYNGE_TIME_ZONE), not in UTC.
    assert stats["as_of"] == today().isoformat()
    assert stats["member_count"] == stats["partner_count"] == stats["observer_count"] == 0
    assert stats["total_employees"] == stats["total_apprentices"] == 0

    bad = await client.get(f"/v1/networks/{network['id']}/stats", params={"on": "2026-13-01"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"

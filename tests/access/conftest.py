"""A small cluster with closed networks, and a caller of every kind to look at it.

    Cluster (open, root)
    ├── Process council (closed)       member_org is a member
    │   └── Council working group (open)
    ├── Procurement network (closed)   procurement_org is a member
    └── Offshore forum (open)          other_org is a member

Each organisation has one person, its representative in its network and that network's
secretary (an office term); each organisation has internal `notes`.

The secretariat builds it through the API (the `client` fixture's write key); every
caller then sends its own credentials, or none, on a client that has none of its own.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.helpers import fetch

CALLERS = (
    "anonymous",
    "website",  # the public website's key
    "read_key",  # a secretariat script that reads everything and changes nothing
    "member",  # a user whose person represents a member of the council
    "other_member",  # represents a member of the open offshore forum only
    "coordinator",  # coordinates the council (and what is below it)
    "sibling_coordinator",  # coordinates the procurement network, the council's sibling
    "admin",  # a secretariat user
)
# Who may see each closed network (read keys see what admins see), and people's records.
SEES_COUNCIL = frozenset({"member", "coordinator", "read_key", "admin"})
SEES_PROCUREMENT = frozenset({"sibling_coordinator", "read_key", "admin"})
SEES_PEOPLE = frozenset(CALLERS) - {"anonymous", "website"}
SINCE = "2020-01-01"


@dataclass(frozen=True)
class Ids:
    cluster: str
    council: str
    council_group: str
    procurement: str
    offshore: str
    member_org: str
    other_org: str
    procurement_org: str
    member_person: str
    other_person: str
    procurement_person: str
    council_membership: str
    procurement_membership: str
    offshore_membership: str
    council_term: str
    procurement_term: str
    offshore_term: str


@dataclass
class World:
    http: httpx.AsyncClient  # a client without credentials of its own
    admin_http: httpx.AsyncClient  # the secretariat's write key
    ids: Ids
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def request(self, caller: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers[caller], **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def get(self, caller: str, url: str, **params: Any) -> httpx.Response:
        return await self.request(caller, "GET", url, params=params)

    async def version(self, url: str) -> int:
        """The resource's version as the secretariat sees it."""
        version: int = (await fetch(self.admin_http, url))["version"]
        return version

    async def patch(self, caller: str, url: str, **changes: Any) -> httpx.Response:
        """PATCH as `caller` with the current ETag, so only the rights can refuse it."""
        etag = f'"{await self.version(url)}"'
        return await self.request(caller, "PATCH", url, json=changes, headers={"If-Match": etag})

    async def ids_listed(self, caller: str, url: str, **params: Any) -> list[str]:
        response = await self.get(caller, url, **params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]


async def _build(client: httpx.AsyncClient) -> Ids:
    ids: dict[str, str] = {}
    ids["cluster"] = (await create_network(client, name="Cluster"))["id"]

    async def network(key: str, name: str, visibility: str, parent: str) -> None:
        made = await create_network(client, name=name, visibility=visibility, parent_id=parent)
        ids[key] = made["id"]

    await network("council", "Process council", "closed", ids["cluster"])
    await network("council_group", "Council working group", "open", ids["council"])
    await network("procurement", "Procurement network", "closed", ids["cluster"])
    await network("offshore", "Offshore forum", "open", ids["cluster"])

    for key, name in (
        ("member_org", "Member Prosess AS"),
        ("other_org", "Offshore Service AS"),
        ("procurement_org", "Innkjøp Industri AS"),
    ):
        ids[key] = (await create_company(client, legal_name=name, notes=f"Internal: {name}"))["id"]
    for key, organisation in (
        ("member_person", "member_org"),
        ("other_person", "other_org"),
        ("procurement_person", "procurement_org"),
    ):
        affiliation = {"organisation_id": ids[organisation], "position": "ceo"}
        ids[key] = (await create_person(client, affiliations=[affiliation]))["id"]

    for key, organisation, person, in_network in (
        ("council_membership", "member_org", "member_person", "council"),
        ("procurement_membership", "procurement_org", "procurement_person", "procurement"),
        ("offshore_membership", "other_org", "other_person", "offshore"),
    ):
        made = await create_membership(
            client,
            organisation_id=ids[organisation],
            network_id=ids[in_network],
            starts_on=SINCE,
            representatives=[{"person_id": ids[person]}],
        )
        ids[key] = made["id"]

    for key, in_network, person in (
        ("council_term", "council", "member_person"),
        ("procurement_term", "procurement", "procurement_person"),
        ("offshore_term", "offshore", "other_person"),
    ):
        response = await client.post(
            f"/v1/networks/{ids[in_network]}/offices",
            json={"person_id": ids[person], "office": "secretary", "starts_on": SINCE},
        )
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    return Ids(**ids)


@pytest.fixture
async def world(client: httpx.AsyncClient, application: FastAPI) -> AsyncIterator[World]:
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as http:
        ids = await _build(client)
        engine = application.state.engine
        headers = {
            "anonymous": {},
            "website": await api_key_headers(engine, ApiKeyScope.PUBLIC),
            "read_key": await api_key_headers(engine, ApiKeyScope.READ),
            "member": await user_headers(application, person_id=ids.member_person),
            "other_member": await user_headers(application, person_id=ids.other_person),
            "coordinator": await user_headers(application, coordinates=[ids.council]),
            "sibling_coordinator": await user_headers(application, coordinates=[ids.procurement]),
            "admin": await user_headers(application, is_admin=True),
        }
        yield World(http=http, admin_http=client, ids=ids, headers=headers)

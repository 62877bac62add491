"""People over HTTP: registration rules, affiliations, updates, deletion."""

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker
from app.memberships.models import (
    Membership,
    MembershipKind,
    MembershipStatus,
    Representative,
    RepresentativeRole,
)
from app.networks.models import Network, NetworkStatus, Visibility
from app.offices.models import OfficeKind, OfficeTerm
from tests.factories import create_company, create_person
from tests.helpers import UNKNOWN_ID, assert_problem

pytestmark = pytest.mark.usefixtures("backend")


def affiliation(
    organisation: dict[str, Any], position: str = "ceo", **extra: Any
) -> dict[str, Any]:
    return {"organisation_id": organisation["id"], "position": position, **extra}


async def people_ids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/v1/people")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_create_normalises_and_round_trips(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    response = await client.post(
        "/v1/people",
        json={
            "full_name": "  Kari Nordmann ",
            "email": "Kari.Nordmann@Example.NO",
            "phone": "(+47) 400-00 000",
            "affiliations": [affiliation(company, "site_manager", title="Fabrikksjef")],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["full_name"] == "Kari Nordmann"
    assert body["email"] == "kari.nordmann@example.no"
    assert body["phone"] == "(+47) 400-00 000"
    [only] = body["affiliations"]
    assert only["organisation_id"] == company["id"]
    assert (only["position"], only["title"], only["organisation"]) == (
        "site_manager",
        "Fabrikksjef",
        None,
    )
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/people/{body['id']}"

    fetched = await client.get(f"/v1/people/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json() == body


async def test_factory_body_without_affiliations(client: httpx.AsyncClient) -> None:
    person = await create_person(client)
    assert person["affiliations"] == []
    assert person["phone"] == "+47 400 00 000"


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "   "},
        {"full_name": "x" * 201},
        {"email": "not-an-address"},
        {"phone": "call me"},
        {"phone": "1" * 41},
        {"affiliations": [{"organisation_id": UNKNOWN_ID, "position": "chair"}]},
        {"affiliations": [{"organisation_id": UNKNOWN_ID, "position": "ceo", "title": "x" * 201}]},
        {"nickname": "Kari"},
    ],
)
async def test_invalid_fields_are_refused(
    client: httpx.AsyncClient, overrides: dict[str, Any]
) -> None:
    body = {"full_name": "Kari Nordmann", **overrides}
    assert_problem(await client.post("/v1/people", json=body), 422, "validation_failed")
    assert await people_ids(client) == []


async def test_email_is_unique_regardless_of_case(client: httpx.AsyncClient) -> None:
    first = await create_person(client, email="ola@example.no")
    response = await client.post(
        "/v1/people", json={"full_name": "Ola Two", "email": "OLA@Example.NO"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert await people_ids(client) == [first["id"]]

    other = await create_person(client, email="other@example.no")
    url = f"/v1/people/{other['id']}"
    response = await client.patch(
        url, json={"email": "Ola@example.no"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    unchanged = (await client.get(url)).json()
    assert (unchanged["email"], unchanged["version"]) == ("other@example.no", 1)

    # Keeping one's own address (in another case) is not a conflict.
    response = await client.patch(
        url, json={"email": "OTHER@example.no"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.json()["email"] == "other@example.no"


async def test_unknown_organisation_is_refused(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    unknown = {"organisation_id": UNKNOWN_ID, "position": "ceo"}
    response = await client.post(
        "/v1/people",
        json={"full_name": "Kari Nordmann", "affiliations": [affiliation(company), unknown]},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "unknown_organisation"
    assert problem["errors"][0]["field"] == "body.affiliations.1.organisation_id"
    assert await people_ids(client) == []

    person = await create_person(client)
    url = f"/v1/people/{person['id']}"
    response = await client.patch(
        url, json={"affiliations": [unknown]}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_organisation"
    unchanged = (await client.get(url)).json()
    assert (unchanged["affiliations"], unchanged["version"]) == ([], 1)


async def test_archived_organisation_is_refused_for_new_affiliations(
    client: httpx.AsyncClient,
) -> None:
    company = await create_company(client)
    await client.post(f"/v1/companies/{company['id']}/archive")
    response = await client.post(
        "/v1/people", json={"full_name": "Kari Nordmann", "affiliations": [affiliation(company)]}
    )
    # A conflict with the organisation's state, not a malformed request.
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "organisation_archived"
    assert company["id"] in problem["detail"]
    assert await people_ids(client) == []


async def test_existing_affiliation_survives_archiving(client: httpx.AsyncClient) -> None:
    kept = await create_company(client)
    person = await create_person(client, affiliations=[affiliation(kept)])
    await client.post(f"/v1/companies/{kept['id']}/archive")
    url = f"/v1/people/{person['id']}"

    response = await client.patch(
        url, json={"affiliations": [affiliation(kept, title="CEO")]}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["affiliations"][0]["title"] == "CEO"

    archived = await create_company(client)
    await client.post(f"/v1/companies/{archived['id']}/archive")
    response = await client.patch(
        url,
        json={"affiliations": [affiliation(kept), affiliation(archived)]},
        headers={"If-Match": '"2"'},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "organisation_archived"
    assert archived["id"] in response.json()["detail"]
    unchanged = (await client.get(url)).json()
    assert (len(unchanged["affiliations"]), unchanged["version"]) == (1, 2)


async def test_same_organisation_twice_is_refused(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    twice = [affiliation(company, "ceo"), affiliation(company, "other")]
    response = await client.post("/v1/people", json={"full_name": "Kari", "affiliations": twice})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "duplicate_affiliation"
    assert problem["errors"][0]["field"] == "body.affiliations.1.organisation_id"
    assert await people_ids(client) == []

    person = await create_person(client, affiliations=[affiliation(company)])
    url = f"/v1/people/{person['id']}"
    response = await client.patch(url, json={"affiliations": twice}, headers={"If-Match": '"1"'})
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_affiliation"
    unchanged = (await client.get(url)).json()
    assert unchanged["affiliations"] == person["affiliations"]
    assert unchanged["version"] == 1


async def test_unknown_person_is_a_problem(client: httpx.AsyncClient) -> None:
    url = f"/v1/people/{UNKNOWN_ID}"
    for response in (
        await client.get(url),
        await client.patch(url, json={"full_name": "X"}, headers={"If-Match": '"1"'}),
        await client.delete(url),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "person_not_found"


async def test_patch_requires_current_etag(client: httpx.AsyncClient) -> None:
    person = await create_person(client, full_name="Kari Nordmann")
    url = f"/v1/people/{person['id']}"

    missing = await client.patch(url, json={"full_name": "Kari Hansen"})
    assert missing.status_code == 428
    assert missing.json()["code"] == "if_match_required"

    stale = await client.patch(url, json={"full_name": "Kari Hansen"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"
    assert (await client.get(url)).json()["full_name"] == "Kari Nordmann"

    ok = await client.patch(url, json={"full_name": "Kari Hansen"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["full_name"] == "Kari Hansen"
    assert ok.json()["email"] == person["email"]
    assert ok.headers["etag"] == '"2"'

    again = await client.patch(url, json={"phone": None}, headers={"If-Match": '"1"'})
    assert again.status_code == 412


@pytest.mark.parametrize("field", ["full_name", "affiliations"])
async def test_patch_refuses_null_for_required_field(client: httpx.AsyncClient, field: str) -> None:
    person = await create_person(client)
    response = await client.patch(
        f"/v1/people/{person['id']}", json={field: None}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_patch_clears_optional_fields(client: httpx.AsyncClient) -> None:
    person = await create_person(client)
    response = await client.patch(
        f"/v1/people/{person['id']}",
        json={"email": None, "phone": None},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert (response.json()["email"], response.json()["phone"]) == (None, None)


async def test_patch_replaces_affiliations(client: httpx.AsyncClient) -> None:
    dropped, kept, added = [await create_company(client) for _ in range(3)]
    person = await create_person(
        client, affiliations=[affiliation(dropped, "ceo"), affiliation(kept, "other")]
    )
    kept_row = next(a for a in person["affiliations"] if a["organisation_id"] == kept["id"])
    url = f"/v1/people/{person['id']}"
    wanted = [affiliation(kept, "purchasing_manager", title="Innkjøpssjef"), affiliation(added)]

    response = await client.patch(url, json={"affiliations": wanted}, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    body = response.json()
    by_organisation = {a["organisation_id"]: a for a in body["affiliations"]}
    assert set(by_organisation) == {kept["id"], added["id"]}
    assert by_organisation[kept["id"]]["id"] == kept_row["id"]
    assert by_organisation[kept["id"]]["position"] == "purchasing_manager"
    assert by_organisation[kept["id"]]["title"] == "Innkjøpssjef"
    assert by_organisation[added["id"]]["position"] == "ceo"
    # Only the affiliations changed, yet the person's ETag must move.
    assert (body["version"], response.headers["etag"]) == (2, '"2"')
    assert (await client.get(url)).json() == body

    same = await client.patch(url, json={"affiliations": wanted}, headers={"If-Match": '"2"'})
    assert same.json()["version"] == 2

    cleared = await client.patch(url, json={"affiliations": []}, headers={"If-Match": '"2"'})
    assert cleared.json()["affiliations"] == []
    assert cleared.json()["version"] == 3
    # The removed rows are really gone: the organisation is no longer referenced.
    assert (await client.delete(f"/v1/companies/{dropped['id']}")).status_code == 204


async def test_delete_person_and_affiliations(client: httpx.AsyncClient) -> None:
    company = await create_company(client)
    person = await create_person(client, affiliations=[affiliation(company)])
    response = await client.delete(f"/v1/people/{person['id']}")
    assert response.status_code == 204
    assert (await client.get(f"/v1/people/{person['id']}")).status_code == 404
    assert (await client.delete(f"/v1/companies/{company['id']}")).status_code == 204


async def _network(session: Any) -> Network:
    network = Network(
        slug=f"net-{uuid.uuid4().hex[:8]}",
        name="GIC Procurement network",
        visibility=Visibility.OPEN,
        status=NetworkStatus.ACTIVE,
    )
    session.add(network)
    await session.flush()
    return network


async def test_representative_cannot_be_deleted(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    company = await create_company(client)
    person = await create_person(client, affiliations=[affiliation(company)])
    async with create_sessionmaker(engine)() as session, session.begin():
        network = await _network(session)
        representative = Representative(
            person_id=uuid.UUID(person["id"]), role=RepresentativeRole.REPRESENTATIVE
        )
        session.add(
            Membership(
                organisation_id=uuid.UUID(company["id"]),
                network_id=network.id,
                kind=MembershipKind.MEMBER,
                status=MembershipStatus.ACTIVE,
                starts_on=date(2026, 1, 1),
                representatives=[representative],
            )
        )

    response = await client.delete(f"/v1/people/{person['id']}")
    assert response.status_code == 409
    assert response.json()["code"] == "person_referenced"
    assert response.json()["referenced_by"] == ["representatives"]
    assert person["full_name"] in response.json()["detail"]
    assert (await client.get(f"/v1/people/{person['id']}")).json() == person


async def test_former_office_holder_cannot_be_deleted(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    person = await create_person(client)
    async with create_sessionmaker(engine)() as session, session.begin():
        network = await _network(session)
        session.add(
            OfficeTerm(
                network_id=network.id,
                person_id=uuid.UUID(person["id"]),
                office=OfficeKind.CHAIR,
                starts_on=date(2024, 1, 1),
                ends_on=date(2025, 12, 31),
            )
        )

    response = await client.delete(f"/v1/people/{person['id']}")
    assert response.status_code == 409
    assert response.json()["code"] == "person_referenced"
    assert response.json()["referenced_by"] == ["office_terms"]
    assert (await client.get(f"/v1/people/{person['id']}")).json() == person


async def test_create_with_idempotency_key_replays(client: httpx.AsyncClient) -> None:
    body = {"full_name": "Kari Nordmann", "email": "kari@example.no"}
    headers = {"Idempotency-Key": "person-kari-1"}
    first = await client.post("/v1/people", json=body, headers=headers)
    again = await client.post("/v1/people", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotency-replayed"] == "true"
    assert await people_ids(client) == [first.json()["id"]]

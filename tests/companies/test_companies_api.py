"""Organisations over HTTP: registration rules, updates, archiving, lists."""

import httpx
import pytest

from tests.factories import (
    company_body,
    create_company,
    norwegian_organisation_number,
    swedish_organisation_number,
)
from tests.helpers import UNKNOWN_ID, assert_problem, fetch

pytestmark = pytest.mark.usefixtures("backend")


async def test_create_normalises_numbers_and_defaults(client: httpx.AsyncClient) -> None:
    number = norwegian_organisation_number()
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    response = await client.post(
        "/v1/companies",
        json=company_body(organisation_number=spaced, vat_number=f"NO {spaced} MVA"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["organisation_number"] == number
    assert body["vat_number"] == f"NO{number}MVA"
    assert body["language"] == "nb"
    assert body["display_name"] == body["legal_name"]
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/companies/{body['id']}"

    assert await fetch(client, f"/v1/companies/{body['id']}") == body


async def test_swedish_company_gets_swedish_defaults(client: httpx.AsyncClient) -> None:
    created = await create_company(client, country="SE", vat_number=None)
    assert created["language"] == "sv"
    number = created["organisation_number"]
    response = await client.patch(
        f"/v1/companies/{created['id']}",
        json={"vat_number": f"SE{number}01"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["vat_number"] == f"SE{number}01"


@pytest.mark.parametrize(
    ("country", "number", "code"),
    [
        ("NO", "923609017", "invalid_organisation_number"),  # wrong mod-11 check digit
        ("NO", "12345678", "invalid_organisation_number"),  # too short
        ("SE", "5560360794", "invalid_organisation_number"),  # wrong Luhn check digit
        ("SE", "8112189876", "invalid_organisation_number"),  # a personal identity number
    ],
)
async def test_invalid_organisation_number_is_refused(
    client: httpx.AsyncClient, country: str, number: str, code: str
) -> None:
    response = await client.post(
        "/v1/companies", json=company_body(country=country, organisation_number=number)
    )
    problem = assert_problem(response, 422, code)
    assert problem["errors"][0]["field"] == "body.organisation_number"
    assert (await client.get("/v1/companies")).json()["items"] == []


async def test_vat_number_must_match_organisation_number(client: httpx.AsyncClient) -> None:
    other = norwegian_organisation_number()
    response = await client.post("/v1/companies", json=company_body(vat_number=f"NO{other}MVA"))
    assert response.status_code == 422
    assert response.json()["code"] == "vat_number_mismatch"

    response = await client.post("/v1/companies", json=company_body(vat_number="NO123MVA"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_vat_number"


@pytest.mark.parametrize(
    "vat_suffix",
    ["02", "", "01X"],  # Swedish VAT numbers end in 01
    ids=["wrong-suffix", "no-suffix", "trailing-letter"],
)
async def test_invalid_swedish_vat_number_is_refused(
    client: httpx.AsyncClient, vat_suffix: str
) -> None:
    number = swedish_organisation_number()
    response = await client.post(
        "/v1/companies",
        json=company_body(
            country="SE", organisation_number=number, vat_number=f"SE{number}{vat_suffix}"
        ),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "invalid_vat_number"
    assert problem["errors"][0]["field"] == "body.vat_number"
    assert (await client.get("/v1/companies")).json()["items"] == []

    ok = await client.post(
        "/v1/companies",
        json=company_body(country="SE", organisation_number=number, vat_number=f"SE{number}01"),
    )
    assert ok.status_code == 201, ok.text


async def test_organisation_number_unique_per_country(client: httpx.AsyncClient) -> None:
    first = await create_company(client)
    response = await client.post(
        "/v1/companies", json=company_body(organisation_number=first["organisation_number"])
    )
    assert response.status_code == 409
    assert response.json()["code"] == "organisation_number_taken"
    assert response.json()["existing_id"] == first["id"]
    listed = (await client.get("/v1/companies")).json()["items"]
    assert [item["id"] for item in listed] == [first["id"]]


async def test_patch_to_a_taken_organisation_number_is_refused(
    client: httpx.AsyncClient,
) -> None:
    holder = await create_company(client)
    other = await create_company(client)
    url = f"/v1/companies/{other['id']}"
    response = await client.patch(
        url,
        json={"organisation_number": holder["organisation_number"], "employees": 1},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "organisation_number_taken"
    assert problem["existing_id"] == holder["id"]
    assert (await client.get(url)).json() == other
    assert (await client.get(f"/v1/companies/{holder['id']}")).json() == holder


async def test_patch_requires_current_etag(client: httpx.AsyncClient) -> None:
    created = await create_company(client)
    url = f"/v1/companies/{created['id']}"

    missing = await client.patch(url, json={"employees": 5})
    assert missing.status_code == 428
    assert missing.json()["code"] == "if_match_required"

    stale = await client.patch(url, json={"employees": 5}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"

    assert (await client.get(url)).json()["employees"] == created["employees"]

    ok = await client.patch(url, json={"employees": 5}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["employees"] == 5
    assert ok.headers["etag"] == '"2"'

    again = await client.patch(url, json={"employees": 6}, headers={"If-Match": '"1"'})
    assert again.status_code == 412


async def test_patch_refuses_null_for_required_field(client: httpx.AsyncClient) -> None:
    created = await create_company(client)
    response = await client.patch(
        f"/v1/companies/{created['id']}", json={"legal_name": None}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_patch_revalidates_changed_number(client: httpx.AsyncClient) -> None:
    created = await create_company(client)
    response = await client.patch(
        f"/v1/companies/{created['id']}",
        json={"organisation_number": "923609017"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 422
    fetched = (await client.get(f"/v1/companies/{created['id']}")).json()
    assert fetched["organisation_number"] == created["organisation_number"]
    assert fetched["version"] == 1


async def test_unknown_company_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/companies/{UNKNOWN_ID}")
    assert response.status_code == 404
    assert response.json()["code"] == "company_not_found"


async def test_archive_hides_from_list_and_restore_returns(client: httpx.AsyncClient) -> None:
    kept = await create_company(client)
    archived = await create_company(client)
    response = await client.post(f"/v1/companies/{archived['id']}/archive")
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None

    listed = (await client.get("/v1/companies")).json()["items"]
    assert [item["id"] for item in listed] == [kept["id"]]
    only_archived = (await client.get("/v1/companies", params={"archived": True})).json()
    assert [item["id"] for item in only_archived["items"]] == [archived["id"]]

    restored = await client.post(f"/v1/companies/{archived['id']}/restore")
    assert restored.json()["archived_at"] is None


async def test_archive_and_restore_check_if_match_when_sent(client: httpx.AsyncClient) -> None:
    created = await create_company(client)
    url = f"/v1/companies/{created['id']}"

    stale = await client.post(f"{url}/archive", headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"
    assert (await client.get(url)).json() == created

    archived = await client.post(f"{url}/archive", headers={"If-Match": '"1"'})
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived_at"] is not None
    assert archived.headers["etag"] == '"2"'

    stale = await client.post(f"{url}/restore", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"
    assert (await client.get(url)).json() == archived.json()

    restored = await client.post(f"{url}/restore", headers={"If-Match": '"2"'})
    assert restored.status_code == 200, restored.text
    assert restored.json()["archived_at"] is None


async def test_delete_unreferenced_company(client: httpx.AsyncClient) -> None:
    created = await create_company(client)
    response = await client.delete(f"/v1/companies/{created['id']}")
    assert response.status_code == 204
    assert (await client.get(f"/v1/companies/{created['id']}")).status_code == 404


async def test_list_filters_and_search(client: httpx.AsyncClient) -> None:
    yara = await create_company(client, legal_name="Yara Norge AS", display_name="Yara")
    ineos = await create_company(client, legal_name="INEOS Norge AS", display_name="INEOS")
    partner = await create_company(client, legal_name="NHO Vestfold og Telemark", kind="partner")
    swede = await create_company(client, country="SE", legal_name="Saab AB")

    async def ids(**params: object) -> list[str]:
        response = await client.get("/v1/companies", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(q="yara") == [yara["id"]]
    # Sorted by display name: INEOS before Yara; the partner and the Swede are filtered out.
    assert await ids(q="NORGE", kind="company", country="NO") == [ineos["id"], yara["id"]]
    assert await ids(q="norge", sort="-name") == [yara["id"], ineos["id"]]
    assert await ids(kind="partner") == [partner["id"]]
    assert await ids(country="SE") == [swede["id"]]
    assert await ids(organisation_number=swede["organisation_number"]) == [swede["id"]]
    assert await ids(q="100%") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nace_code", "20-150"),
        ("nace_code", "2015"),
        ("peppol_endpoint_id", "923609016"),
        ("peppol_endpoint_id", "192:923609016"),
        ("peppol_endpoint_id", "0192:92 3609016"),
    ],
)
async def test_malformed_codes_are_refused(
    client: httpx.AsyncClient, field: str, value: str
) -> None:
    response = await client.post("/v1/companies", json=company_body(**{field: value}))
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["errors"][0]["field"] == f"body.{field}"
    assert (await client.get("/v1/companies")).json()["items"] == []

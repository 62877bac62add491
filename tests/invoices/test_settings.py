"""Seller invoice settings: PUT creates or replaces, GET reads; associations only."""

import httpx
import pytest
from fastapi import FastAPI

from app.auth.models import ApiKeyScope
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company
from tests.helpers import UNKNOWN_ID, assert_problem
from tests.invoice_factories import NORWEGIAN_ACCOUNT, create_seller


def url(company_id: str) -> str:
    return f"/v1/companies/{company_id}/invoice-settings"


async def test_put_creates_then_replaces(client: httpx.AsyncClient) -> None:
    association = await create_company(client, kind="association")
    created = await client.put(
        url(association["id"]),
        json={"bank_account": "1234.56.78903", "iban": "NO93 8601 1117 947", "bic": "dnbanokk"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["bank_account"] == NORWEGIAN_ACCOUNT
    assert body["iban"] == "NO9386011117947"
    assert body["bic"] == "DNBANOKK"
    assert body["default_payment_terms_days"] == 30
    assert body["reminder_fee"] is None
    etag = created.headers["ETag"]

    replaced = await client.put(
        url(association["id"]),
        json={"bank_account": NORWEGIAN_ACCOUNT, "reminder_fee": "70", "kid_algorithm": "mod11"},
        headers={"If-Match": etag},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["reminder_fee"] == "70.00"
    assert replaced.json()["iban"] is None  # replaced, not merged
    assert replaced.json()["kid_algorithm"] == "mod11"

    stale = await client.put(
        url(association["id"]), json={"bank_account": NORWEGIAN_ACCOUNT}, headers={"If-Match": etag}
    )
    assert_problem(stale, 412, "etag_mismatch")
    read = await client.get(url(association["id"]))
    assert read.status_code == 200
    assert read.headers["ETag"] == replaced.headers["ETag"]
    assert read.json()["kid_algorithm"] == "mod11"


async def test_swedish_seller_uses_bankgiro(client: httpx.AsyncClient) -> None:
    seller = await create_seller(client, country="SE")
    assert seller["invoice_settings"]["bank_account"] == "50501055"
    norwegian_number = await client.put(url(seller["id"]), json={"bank_account": NORWEGIAN_ACCOUNT})
    assert_problem(norwegian_number, 422, "invalid_bank_account")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"bank_account": "12345678904"}, "invalid_bank_account", "body.bank_account"),
        (
            {"bank_account": NORWEGIAN_ACCOUNT, "iban": "NO9386011117948"},
            "invalid_iban",
            "body.iban",
        ),
        ({"bank_account": NORWEGIAN_ACCOUNT, "bic": "DN1ANOKK"}, "invalid_bic", "body.bic"),
    ],
)
async def test_bad_numbers_are_refused_and_nothing_written(
    client: httpx.AsyncClient, body: dict[str, str], code: str, field: str
) -> None:
    association = await create_company(client, kind="association")
    problem = assert_problem(await client.put(url(association["id"]), json=body), 422, code)
    assert problem["errors"][0]["field"] == field
    assert_problem(await client.get(url(association["id"])), 404, "invoice_settings_not_found")


async def test_only_associations_sell(client: httpx.AsyncClient) -> None:
    company = await create_company(client, kind="company")
    response = await client.put(url(company["id"]), json={"bank_account": NORWEGIAN_ACCOUNT})
    assert_problem(response, 409, "not_an_association")
    assert_problem(await client.get(url(company["id"])), 404, "invoice_settings_not_found")


async def test_unknown_company_and_missing_settings(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get(url(UNKNOWN_ID)), 404, "company_not_found")
    response = await client.put(url(UNKNOWN_ID), json={"bank_account": NORWEGIAN_ACCOUNT})
    assert_problem(response, 404, "company_not_found")
    association = await create_company(client, kind="association")
    stale = await client.put(
        url(association["id"]),
        json={"bank_account": NORWEGIAN_ACCOUNT},
        headers={"If-Match": '"1"'},
    )
    assert_problem(stale, 412, "etag_mismatch")


async def test_admins_only(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    seller = await create_seller(client)
    member = await user_headers(application)
    website = await api_key_headers(application.state.engine, ApiKeyScope.PUBLIC)
    reader = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    body = {"bank_account": NORWEGIAN_ACCOUNT}
    anonymous = await bare_client.get(url(seller["id"]))
    assert_problem(anonymous, 401, "authentication_required")
    for headers in (member, website):
        assert (await bare_client.get(url(seller["id"]), headers=headers)).status_code == 403
    assert (await bare_client.get(url(seller["id"]), headers=reader)).status_code == 200
    for headers in (member, website, reader):
        put = await bare_client.put(url(UNKNOWN_ID), json=body, headers=headers)
        assert put.status_code == 403, put.text
    assert (await bare_client.put(url(UNKNOWN_ID), json=body)).status_code == 401


async def test_get_is_the_answer_of_the_put_in_the_response_models_json(
    client: httpx.AsyncClient,
) -> None:
    """The read path builds the GET from a row, the PUT from the object: one JSON, which
    is SellerSettingsRead's (tests/api/test_read_shapes.py has no demo settings to ask)."""
    from app.sellers.schemas import SellerSettingsRead

    association = await create_company(client, kind="association")
    put = await client.put(
        url(association["id"]), json={"bank_account": NORWEGIAN_ACCOUNT, "reminder_fee": "70.5"}
    )
    got = await client.get(url(association["id"]))
    assert got.status_code == 200, got.text
    assert got.json() == put.json()
    assert got.json()["reminder_fee"] == "70.50"
    model = SellerSettingsRead.model_validate_json(got.content)
    assert got.json() == model.model_dump(mode="json")
    assert got.headers["ETag"] == put.headers["ETag"]

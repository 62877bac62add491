"""No control character gets in: NUL anywhere (PostgreSQL cannot hold it and answered 500),
and the other control characters in every text field (XML cannot hold them, so an
invoice line with one could never become its EHF document). Each refusal is a 422 that
names the field and changes nothing."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.schemas import RequestModel
from app.auth.models import SignInFailure
from app.text import MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN
from tests.auth.helpers import make_user
from tests.factories import company_body, create_network, meeting_body
from tests.helpers import assert_problem, fetch
from tests.invoice_factories import create_buyer, create_seller, line

pytestmark = pytest.mark.usefixtures("backend")


async def _ids(client: httpx.AsyncClient, url: str) -> list[str]:
    return [item["id"] for item in (await fetch(client, url))["items"]]


def _fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


async def test_nul_in_a_query_string_is_refused(anonymous_client: httpx.AsyncClient) -> None:
    response = await anonymous_client.get("/v1/networks", params={"q": "gic\x00"})
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["query.q"]


async def test_nul_in_the_sign_in_form_is_refused(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await make_user(engine, email="a@b.test")
    response = await anonymous_client.post(
        "/v1/auth/token", data={"username": "a\x00@b.test", "password": "wrong password"}
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.username"]
    async with engine.connect() as connection:
        failures = await connection.scalar(select(func.count()).select_from(SignInFailure))
    assert failures == 0


async def _network_id(client: httpx.AsyncClient) -> str:
    return str((await create_network(client))["id"])


async def _seller_id(client: httpx.AsyncClient) -> str:
    return str((await create_seller(client))["id"])


_PAYMENT = {"amount": "10.00", "currency": "NOK", "paid_on": "2026-03-02"}

# (list URL, create URL, body with NUL, the field named). `setup` makes what the body
# refers to.
Setup = Callable[[httpx.AsyncClient], Awaitable[dict[str, Any]]]


async def _nothing(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {}


async def _meeting(client: httpx.AsyncClient) -> dict[str, Any]:
    return meeting_body(await _network_id(client), title="Kvartals\x00møte")


async def _draft_invoice(client: httpx.AsyncClient) -> dict[str, Any]:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    return {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK",
        "lines": [line(description="Kontingent\x00")],
    }


async def _person(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {"full_name": "Kari\x00 Nordmann"}


async def _company(_client: httpx.AsyncClient) -> dict[str, Any]:
    return company_body(legal_name="Null\x00 AS")


async def _network(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {"slug": "nul", "name": "N\x00", "visibility": "open"}


async def _api_key(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {"name": "Web\x00site", "scopes": ["read"]}


async def _payment(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {**_PAYMENT, "reference": "2026\x000042"}


async def _bank_file(_client: httpx.AsyncClient) -> dict[str, Any]:
    return {"payments": [{**_PAYMENT, "reference": "1", "bank_transaction_id": "NO-\x00"}]}


NUL_BODIES = [
    pytest.param("/v1/people", _person, "body.full_name", id="people"),
    pytest.param("/v1/companies", _company, "body.legal_name", id="companies"),
    pytest.param("/v1/networks", _network, "body.name", id="networks"),
    pytest.param("/v1/meetings", _meeting, "body.title", id="meetings"),
    pytest.param("/v1/api-keys", _api_key, "body.name", id="api-keys"),
    pytest.param("/v1/payments", _payment, "body.reference", id="payments"),
    pytest.param(
        "/v1/payments/batches",
        _bank_file,
        "body.payments.0.bank_transaction_id",
        id="bank-files",
    ),
    pytest.param("/v1/invoices", _draft_invoice, "body.lines.0.description", id="invoices"),
]


@pytest.mark.parametrize(("url", "body", "field"), NUL_BODIES)
async def test_nul_in_a_json_string_is_refused(
    client: httpx.AsyncClient, url: str, body: Setup, field: str
) -> None:
    payload = await body(client)
    listed = "/v1/payments" if url == "/v1/payments/batches" else url
    before = await _ids(client, listed)
    response = await client.post(url, json=payload)
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == [field]
    assert await _ids(client, listed) == before


@pytest.mark.parametrize(
    "name",
    # Inside the text: at its ends, a stripped field drops what Python counts as blank.
    ["Tab\there", "Line\nbreak", "Bell\x07", "Unit\x1fsep", "Del\x7fete", "N\x85EL", "C1\x9fC1"],
)
async def test_control_characters_are_refused_in_single_line_text(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.post("/v1/companies", json=company_body(legal_name=name))
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.legal_name"]
    assert "control character" in problem["errors"][0]["message"]
    assert await _ids(client, "/v1/companies") == []


async def test_lone_surrogates_are_refused(client: httpx.AsyncClient) -> None:
    # JSON may escape half of a UTF-16 pair; no database or document can hold it, and
    # the body's parser (orjson, app/api/bodies.py) refuses it as malformed.
    body = json.dumps({"full_name": "Kari \\ud800"}).replace("\\\\", "\\")
    response = await client.post(
        "/v1/people", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "malformed_json")
    assert await _ids(client, "/v1/people") == []


async def test_multi_line_text_keeps_tabs_and_line_breaks(client: httpx.AsyncClient) -> None:
    text = "Agenda:\n\t1. Energy\r\n\t2. Apprentices"
    network = await create_network(client, description=text)
    assert network["description"] == text


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
async def test_multi_line_text_refuses_other_control_characters(
    client: httpx.AsyncClient, character: str
) -> None:
    response = await client.post(
        "/v1/networks",
        json={"slug": "n", "name": "N", "visibility": "open", "description": f"a{character}b"},
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.description"]
    assert await _ids(client, "/v1/networks") == []


async def test_an_invoice_line_with_a_control_character_is_refused(
    client: httpx.AsyncClient,
) -> None:
    seller = await create_seller(client)
    buyer = await create_buyer(client)
    response = await client.post(
        "/v1/invoices",
        json={
            "seller_id": seller["id"],
            "buyer_id": buyer["id"],
            "currency": "NOK",
            "lines": [line(description="Kontingent\x012026")],
        },
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert _fields(problem) == ["body.lines.0.description"]
    assert await _ids(client, "/v1/invoices") == []


async def test_a_patch_with_a_control_character_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    network = await create_network(client)
    url = f"/v1/networks/{network['id']}"
    response = await client.patch(
        url, json={"name": "Renamed\x02"}, headers={"If-Match": f'"{network["version"]}"'}
    )
    assert_problem(response, 422, "validation_failed")
    assert await fetch(client, url) == network


def test_the_openapi_document_states_the_text_rule(application: Any) -> None:
    schemas = application.openapi()["components"]["schemas"]
    name = schemas["NetworkCreate"]["properties"]["name"]
    description = schemas["NetworkCreate"]["properties"]["description"]["anyOf"][0]
    assert name["pattern"] == SINGLE_LINE_PATTERN
    assert description["pattern"] == MULTI_LINE_PATTERN


def _free_text(schema: Any, where: str) -> list[str]:
    """Strings in `schema` whose characters the document leaves open."""
    if not isinstance(schema, dict):
        return []
    found = []
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _free_text(option, where)
    found += _free_text(schema.get("items"), where)
    return found


def test_every_request_string_states_its_characters(application: Any) -> None:
    """Guard: the OpenAPI document gives every string of a request body a pattern, a
    format or a set of values, so a client (or the contract test) never sends a string
    the document calls valid and the text rule refuses."""
    models = {model.__name__ for model in _request_models(RequestModel)}
    schemas = application.openapi()["components"]["schemas"]
    open_strings = [
        found
        for name, schema in schemas.items()
        if name in models
        for field, prop in schema.get("properties", {}).items()
        for found in _free_text(prop, f"{name}.{field}")
    ]
    assert open_strings == []


def _request_models(base: type) -> set[type]:
    found = set()
    for model in base.__subclasses__():
        found |= {model, *_request_models(model)}
    return found

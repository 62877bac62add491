"""Sellers, buyers and invoices made through the API, for the invoicing tests."""

from typing import Any

import httpx

from tests.factories import create_company

# A valid Norwegian kontonummer (MOD11) and a Swedish bankgiro number (Luhn).
NORWEGIAN_ACCOUNT = "12345678903"
SWEDISH_BANKGIRO = "5050-1055"


def address(country: str = "NO") -> dict[str, Any]:
    if country == "SE":
        return {
            "line1": "Storgatan 1",
            "postal_code": "111 22",
            "city": "Stockholm",
            "country": "SE",
        }
    return {"line1": "Hovedgata 1", "postal_code": "3915", "city": "Porsgrunn", "country": "NO"}


async def create_seller(
    client: httpx.AsyncClient,
    *,
    country: str = "NO",
    vat_registered: bool = True,
    settings: dict[str, Any] | None = None,
    **company: Any,
) -> dict[str, Any]:
    """An association with invoice settings; answers the company with `invoice_settings`."""
    seller = await create_company(
        client,
        kind="association",
        country=country,
        postal_address=address(country),
        invoice_email=f"faktura@seller-{country.lower()}.test",
        **company,
    )
    if vat_registered:
        number = seller["organisation_number"]
        vat = f"NO{number}MVA" if country == "NO" else f"SE{number}01"
        response = await client.patch(
            f"/v1/companies/{seller['id']}",
            json={"vat_number": vat},
            headers={
                "If-Match": (await client.get(f"/v1/companies/{seller['id']}")).headers["ETag"]
            },
        )
        assert response.status_code == 200, response.text
        seller = response.json()
    body = {
        "bank_account": NORWEGIAN_ACCOUNT if country == "NO" else SWEDISH_BANKGIRO,
        "in_business_register": country == "NO",
        "approved_for_f_tax": country == "SE",
        **(settings or {}),
    }
    response = await client.put(f"/v1/companies/{seller['id']}/invoice-settings", json=body)
    assert response.status_code in (200, 201), response.text
    return {**seller, "invoice_settings": response.json()}


async def create_buyer(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    country = overrides.pop("country", "NO")
    return await create_company(
        client,
        country=country,
        postal_address=overrides.pop("postal_address", address(country)),
        invoice_email=overrides.pop("invoice_email", "ap@buyer.test"),
        **overrides,
    )


def line(**overrides: Any) -> dict[str, Any]:
    return {
        "description": "Medlemskontingent",
        "quantity": "1",
        "unit_price": "1000.00",
        "vat_category": "S",
        "vat_rate": "25.00",
        **overrides,
    }


async def create_draft(
    client: httpx.AsyncClient,
    seller: dict[str, Any],
    buyer: dict[str, Any],
    *,
    lines: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    body = {
        "seller_id": seller["id"],
        "buyer_id": buyer["id"],
        "currency": "NOK" if seller["country"] == "NO" else "SEK",
        "lines": lines if lines is not None else [line()],
        **overrides,
    }
    response = await client.post("/v1/invoices", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def issue(client: httpx.AsyncClient, invoice: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"/v1/invoices/{invoice['id']}/issue")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_issued(
    client: httpx.AsyncClient, seller: dict[str, Any], buyer: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    return await issue(client, await create_draft(client, seller, buyer, **overrides))

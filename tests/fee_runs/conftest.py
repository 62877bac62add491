"""A seller, a network it administers and the network's fee schedule, for the fee runs."""

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.factories import create_company, create_membership, create_network
from tests.invoice_factories import create_seller

YEAR = 2026


def flat_line(amount: str = "12000.00", **overrides: Any) -> dict[str, Any]:
    return {
        "description": "Administrasjonsgebyr",
        "amount": amount,
        "vat_category": "S",
        **overrides,
    }


@dataclass
class Fees:
    client: httpx.AsyncClient
    seller: dict[str, Any] = field(default_factory=dict)
    network_id: str = ""

    async def set_up(self, *, seller: bool = True, **network: Any) -> "Fees":
        if seller:
            self.seller = await create_seller(self.client)
            network.setdefault("administered_by_id", self.seller["id"])
        self.network_id = str((await create_network(self.client, **network))["id"])
        return self

    async def schedule(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "network_id": self.network_id,
            "year": YEAR,
            "currency": "NOK",
            "payment_terms_days": 20,
            "invoice_text": "Kontingent for 2026",
            "lines": [flat_line()],
            **overrides,
        }
        response = await self.client.post("/v1/fee-schedules", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def member(
        self, company: dict[str, Any] | None = None, **membership: Any
    ) -> dict[str, Any]:
        """A membership (active, from 1 January 2026 by default) of a new company."""
        organisation = company if company is not None else await create_company(self.client)
        return await create_membership(
            self.client,
            organisation_id=organisation["id"],
            network_id=self.network_id,
            **membership,
        )

    async def run(self, *, dry_run: bool = False, year: int = YEAR) -> httpx.Response:
        body = {"network_id": self.network_id, "year": year, "dry_run": dry_run}
        return await self.client.post("/v1/fee-runs", json=body)

    async def summary(self, *, dry_run: bool = False) -> dict[str, Any]:
        response = await self.run(dry_run=dry_run)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
async def fees(client: httpx.AsyncClient) -> Fees:
    return await Fees(client).set_up()

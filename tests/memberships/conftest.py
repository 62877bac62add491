"""Networks and people for the membership tests, made through their own APIs."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import create_network, create_person


@dataclass
class Registry:
    client: httpx.AsyncClient

    async def network(
        self,
        *,
        name: str | None = None,
        parent_id: str | None = None,
        requires_parent_membership: bool = False,
        status: str = "active",
    ) -> str:
        fields: dict[str, Any] = {
            "parent_id": parent_id,
            "requires_parent_membership": requires_parent_membership,
            "status": status,
        }
        if name is not None:
            fields["name"] = name
        network = await create_network(self.client, **fields)
        return str(network["id"])

    async def person(self, *organisation_ids: str) -> str:
        """A person affiliated with each of the given organisations."""
        affiliations = [{"organisation_id": oid, "position": "ceo"} for oid in organisation_ids]
        person = await create_person(self.client, affiliations=affiliations)
        return str(person["id"])


@pytest.fixture
def registry(client: httpx.AsyncClient) -> Registry:
    return Registry(client)

"""People for the office tests, made through their own API."""

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.factories import create_person

AddPeople = Callable[..., Awaitable[list[str]]]


@pytest.fixture
def add_people(client: httpx.AsyncClient) -> AddPeople:
    """`await add_people("Ola", "Kari")`: their ids, in order."""

    async def add(*names: str) -> list[str]:
        return [(await create_person(client, full_name=name))["id"] for name in names]

    return add

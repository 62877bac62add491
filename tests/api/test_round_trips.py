"""A read costs one round trip per thing it must learn: on PostgreSQL an anonymous list
sends exactly one statement, and a read with an API key or an access token two (who is
asking, then the read). No pool ping, no BEGIN or COMMIT around a GET.

Counted on the wire (tests/wire.py), so what asyncpg sends by itself counts too."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.auth.models import ApiKeyScope
from app.config import Settings
from app.main import create_app
from tests.callers import api_key_headers, user_headers
from tests.factories import create_company, create_membership, create_network, create_person
from tests.wire import WireRecorder

pytestmark = pytest.mark.usefixtures("backend")

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Wire:
    recorder: WireRecorder
    client: httpx.AsyncClient

    async def statements_of(self, path: str, headers: dict[str, str]) -> list[str]:
        """The statements of the request's steady state: asked twice first, so the
        connection, its prepared statements and the credential's last use are warm."""
        for _ in range(2):
            assert (await self.client.get(path, headers=headers)).status_code == 200
        with self.recorder.recording() as sent:
            response = await self.client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return sent


@pytest.fixture
async def wire(backend: str, database_url: str, application: FastAPI) -> AsyncIterator[Wire]:
    """A second app on the test database, whose connections pass through a recorder."""
    if backend != "postgresql":
        pytest.skip("counted on PostgreSQL's wire protocol")
    url = make_url(database_url)
    recorder = WireRecorder(url.host or "127.0.0.1", url.port or 5432)
    await recorder.start()
    through = url.set(host="127.0.0.1", port=recorder.port).render_as_string(hide_password=False)
    recorded_app = create_app(Settings(database_url=through, environment="test", log_json=False))
    transport = httpx.ASGITransport(app=recorded_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        yield Wire(recorder, client)
    await recorded_app.state.engine.dispose()
    await recorder.close()


def _no_transaction_control(statements: list[str]) -> None:
    for statement in statements:
        assert not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL), statements


async def test_an_anonymous_list_is_one_statement(client: httpx.AsyncClient, wire: Wire) -> None:
    await create_company(client)
    sent = await wire.statements_of("/v1/companies", {})
    assert len(sent) == 1, sent
    assert sent[0].lstrip().upper().startswith("SELECT")
    _no_transaction_control(sent)


async def test_a_read_with_an_api_key_is_two_statements(
    client: httpx.AsyncClient, wire: Wire, application: FastAPI
) -> None:
    await create_company(client)
    headers = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    sent = await wire.statements_of("/v1/companies", headers)
    assert len(sent) == 2, sent
    assert "api_keys" in sent[0]
    _no_transaction_control(sent)


async def _member_with_rights(client: httpx.AsyncClient, application: FastAPI) -> dict[str, str]:
    """A member whose rights need every part of the caller: an organisation with an
    active membership of one network, and a network coordinated."""
    company = await create_company(client)
    network = await create_network(client, visibility="closed")
    coordinated = await create_network(client)
    await create_membership(client, organisation_id=company["id"], network_id=network["id"])
    person = await create_person(
        client, affiliations=[{"organisation_id": company["id"], "position": "ceo"}]
    )
    return await user_headers(application, person_id=person["id"], coordinates=[coordinated["id"]])


async def test_a_read_with_an_access_token_is_two_statements(
    client: httpx.AsyncClient, wire: Wire, application: FastAPI
) -> None:
    headers = await _member_with_rights(client, application)
    sent = await wire.statements_of("/v1/companies", headers)
    assert len(sent) == 2, sent
    assert "sign_in_sessions" in sent[0]
    _no_transaction_control(sent)


async def test_an_admin_token_read_is_two_statements(
    client: httpx.AsyncClient, wire: Wire, application: FastAPI
) -> None:
    await create_company(client)
    sent = await wire.statements_of("/v1/companies", await user_headers(application, is_admin=True))
    assert len(sent) == 2, sent
    _no_transaction_control(sent)


async def test_a_get_by_id_is_one_statement(client: httpx.AsyncClient, wire: Wire) -> None:
    company = await create_company(client)
    sent = await wire.statements_of(f"/v1/companies/{company['id']}", {})
    assert len(sent) == 1, sent
    _no_transaction_control(sent)


async def test_sqlite_counts_the_same_queries(
    backend: str, client: httpx.AsyncClient, application: FastAPI, count_queries: Any
) -> None:
    """SQLite (its BEGIN aside, which the counter leaves out): the same one and two."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL is counted on the wire above")
    await create_company(client)
    member = await _member_with_rights(client, application)
    key = await api_key_headers(application.state.engine, ApiKeyScope.READ)
    bare = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://klynge.test"
    )
    async with bare:
        for headers, expected in (({}, 1), (key, 2), (member, 2)):
            await bare.get("/v1/companies", headers=headers)
            with count_queries() as log:
                assert (await bare.get("/v1/companies", headers=headers)).status_code == 200
            statements = [s for s in log.statements if not s.upper().startswith("COMMIT")]
            assert len(statements) == expected, log.statements

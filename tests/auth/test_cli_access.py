"""`klynge create-admin` and `klynge api-key create`: the first set-up, on both databases.

The commands run `asyncio.run` themselves, so they are invoked in a thread, off the
test's event loop (`klynge()`); `anonymous_client` empties the tables afterwards.
"""

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import ApiKey, User
from app.cli import cli
from tests.auth.helpers import bearer, klynge, rows, runner, sign_in, tokens
from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

PASSWORD = "first admin passphrase"


@pytest.mark.usefixtures("command_database")
async def test_create_admin_asks_for_the_password_hidden(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    result = await klynge(
        "create-admin", "--email", "Sekretariat@Example.com", input=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert "Admin sekretariat@example.com created" in result.output
    assert PASSWORD not in result.output  # hidden: the prompt does not echo it
    [user] = await rows(engine, User)
    assert user.is_admin
    assert user.password_hash != PASSWORD
    access = (await tokens(anonymous_client, "sekretariat@example.com", PASSWORD))["access_token"]
    users = await anonymous_client.get("/v1/users", headers=bearer(access))
    assert users.status_code == 200, users.text
    async with engine.connect() as connection:
        actors = (await connection.execute(text("SELECT actor_type FROM audit_events"))).scalars()
        assert set(actors) <= {"system"}


@pytest.mark.usefixtures("command_database")
async def test_create_admin_refuses_a_short_password_and_a_taken_email(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    short = await klynge("create-admin", "--email", "a@example.com", "--password", "too short")
    assert short.exit_code == 1
    assert "password" in short.output
    assert "too short" not in short.output
    assert await rows(engine, User) == []

    first = await klynge("create-admin", "--email", "a@example.com", "--password", PASSWORD)
    again = await klynge(
        "create-admin", "--email", "A@example.com", "--password", "another passphrase"
    )

    assert first.exit_code == 0, first.output
    assert again.exit_code == 1
    assert "Another user has this e-mail address" in again.output
    assert len(await rows(engine, User)) == 1
    # The first password still stands.
    assert_problem(
        await sign_in(anonymous_client, "a@example.com", "another passphrase"),
        401,
        "invalid_credentials",
    )


@pytest.mark.usefixtures("command_database")
async def test_api_key_create_prints_the_key_once(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    result = await klynge(
        "api-key", "create", "--name", "Nightly export", "--scope", "read", "--scope", "write",
        "--expires-in-days", "30",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    [api_key] = await rows(engine, ApiKey)
    assert key.startswith(api_key.prefix + "_")
    assert sorted(api_key.scopes) == ["read", "write"]
    assert api_key.expires_at is not None
    assert key.split("_", 2)[2] not in repr(api_key.__dict__)
    # The key is the secretariat's: it may create users.
    created = await anonymous_client.post(
        "/v1/users", json={"email": "x@example.com", "password": PASSWORD}, headers=bearer(key)
    )
    assert created.status_code == 201, created.text


@pytest.mark.usefixtures("command_database", "anonymous_client")
async def test_api_key_create_refuses_public_with_other_scopes(engine: AsyncEngine) -> None:
    mixed = await klynge("api-key", "create", "--name", "x", "--scope", "public", "--scope", "read")
    unknown = await klynge("api-key", "create", "--name", "x", "--scope", "admin")
    missing = await klynge("api-key", "create", "--name", "x")

    assert mixed.exit_code == 1
    assert "`public` cannot be combined" in mixed.output
    assert unknown.exit_code == 2
    assert missing.exit_code == 2
    assert await rows(engine, ApiKey) == []


def test_help_lists_the_access_commands() -> None:
    result = runner.invoke(cli, ["--help"])
    assert "create-admin" in result.output
    assert "api-key" in result.output

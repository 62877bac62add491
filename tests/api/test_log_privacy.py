"""A database error's log line names the statement, never its bound values: no password
hash, e-mail address or name reaches a log (engine `hide_parameters`)."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import assert_problem

pytestmark = pytest.mark.usefixtures("backend")

EMAIL = "private.person@example.test"
PASSWORD = "a password nobody may read in a log"


@pytest.fixture
async def users_insert_fails(engine: AsyncEngine) -> AsyncIterator[None]:
    """A real database error on `INSERT INTO users`, raised by the database itself: a
    trigger that fails whenever it fires (SQLite: a table that does not exist;
    PostgreSQL: a function that raises)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text(
                    "CREATE FUNCTION provoked_failure() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'provoked failure'; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER provoked_failure BEFORE INSERT ON users "
                    "FOR EACH ROW EXECUTE FUNCTION provoked_failure()"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE TRIGGER provoked_failure BEFORE INSERT ON users "
                    "BEGIN INSERT INTO provoked_failure_missing_table VALUES (1); END"
                )
            )
    yield
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP TRIGGER provoked_failure ON users"))
            await connection.execute(text("DROP FUNCTION provoked_failure()"))
        else:
            await connection.execute(text("DROP TRIGGER provoked_failure"))


@pytest.mark.usefixtures("users_insert_fails")
async def test_a_failed_user_insert_logs_no_hash_and_no_email(
    client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post("/v1/users", json={"email": EMAIL, "password": PASSWORD})

    assert_problem(response, 500, "internal_error")
    captured = capsys.readouterr()
    server_records = [record for record in caplog.records if not record.name.startswith("httpx")]
    logged = (
        captured.out
        + captured.err
        + "\n".join(record.getMessage() for record in server_records)
        + repr([record.__dict__ for record in server_records])
    )
    # The capture holds the failure: its statement and the database's own message.
    assert "INSERT INTO users" in logged
    assert "provoked_failure" in logged or "provoked failure" in logged
    assert EMAIL not in logged
    assert "$argon2" not in logged
    assert PASSWORD not in logged
    assert "parameters hidden" in logged
    # Nothing was stored.
    users = (await client.get("/v1/users", params={"q": "private.person"})).json()
    assert users["items"] == []

"""Deleting a person unlinks their users through the unit of work, so the audit trail
shows it rather than the database's ON DELETE SET NULL doing it unseen."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.auth.models import User
from app.db import create_sessionmaker
from tests.audit.helpers import audit_events
from tests.callers import user_headers
from tests.factories import create_person

pytestmark = pytest.mark.usefixtures("backend")


async def test_deleting_a_person_records_their_users_unlinking(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    person = await create_person(client)
    await user_headers(application, person_id=person["id"], email="linked@example.com")
    [user] = await audit_events(client, resource_type="users", action="create")

    deleted = await client.delete(f"/v1/people/{person['id']}")
    assert deleted.status_code == 204, deleted.text

    [unlinked] = await audit_events(client, resource_type="users", action="update")
    assert unlinked["resource_id"] == user["resource_id"]
    assert unlinked["before"] == {"person_id": person["id"]}
    assert unlinked["after"] == {"person_id": None}
    [gone] = await audit_events(client, resource_type="people", action="delete")
    assert gone["resource_id"] == person["id"]
    async with create_sessionmaker(application.state.engine)() as session:
        stored = await session.scalar(select(User).where(User.email == "linked@example.com"))
        assert stored is not None
        assert stored.person_id is None

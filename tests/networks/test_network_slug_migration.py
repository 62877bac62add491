"""Revision 0005 (slugs unique per parent) keeps every row, on a database in use.

On SQLite the revision rebuilds the `networks` table; with foreign keys enforced, its
DROP TABLE would refuse the memberships (ON DELETE RESTRICT) and delete the coordinators
(ON DELETE CASCADE), so the revision switches enforcement off for the rebuild.
"""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app import migrate
from app.auth.models import NetworkCoordinator, User
from app.companies.models import Organisation
from app.db import create_engine, utcnow
from app.memberships.models import Membership
from app.networks.models import Network
from tests import databases

pytestmark = pytest.mark.usefixtures("backend")

ROOT, CHILD, OTHER_ROOT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.fixture
async def database_before_0005(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    if backend == "postgresql":
        url = await databases.create_postgres_database()
    else:
        url = databases.sqlite_url(tmp_path)
    try:
        await databases.run_in_thread(migrate.upgrade, url, "0003")
        yield url
    finally:
        if backend == "postgresql":
            await databases.drop_postgres_database(url)


def _entity(**values: Any) -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid.uuid4(), "created_at": now, "updated_at": now, "version": 1, **values}


def _network(network_id: uuid.UUID, parent_id: uuid.UUID | None, slug: str) -> dict[str, Any]:
    return {
        **_entity(id=network_id),
        "parent_id": parent_id,
        "slug": slug,
        "name": slug.title(),
        "visibility": "closed",
        "status": "active",
        "meetings_per_year": 4,
        "requires_parent_membership": False,
        "administered_by_inherited": False,
    }


def _fill(connection: Connection) -> None:
    organisation = _entity(
        kind="company",
        legal_name="Prosess AS",
        display_name="Prosess AS",
        country="NO",
        organisation_number="923609016",
        language="nb",
    )
    connection.execute(insert(Organisation.__table__), [organisation])
    connection.execute(
        insert(Network.__table__),
        [_network(ROOT, None, "cluster"), _network(CHILD, ROOT, "council")],
    )
    user = _entity(email="coordinator@example.com", password_hash="x", is_admin=False)
    connection.execute(insert(User.__table__), [user])
    connection.execute(
        insert(NetworkCoordinator.__table__),
        [_entity(user_id=user["id"], network_id=CHILD)],
    )
    membership = _entity(
        organisation_id=organisation["id"],
        network_id=CHILD,
        kind="member",
        status="active",
        starts_on=utcnow().date(),
    )
    connection.execute(insert(Membership.__table__), [membership])


def _counts(connection: Connection) -> list[int]:
    return [
        int(connection.scalar(select(func.count()).select_from(model.__table__)) or 0)
        for model in (Network, NetworkCoordinator, Membership)
    ]


async def _run(engine: AsyncEngine, function: Any) -> Any:
    async with engine.begin() as connection:
        return await connection.run_sync(function)


async def test_upgrade_and_downgrade_keep_the_rows(database_before_0005: str) -> None:
    url = database_before_0005
    engine = create_engine(url)
    try:
        await _run(engine, _fill)
        await databases.run_in_thread(migrate.upgrade, url)
        assert await _run(engine, _counts) == [2, 1, 1]

        # The new keys hold: a slug repeats under another parent, not among roots.
        await _run(
            engine,
            lambda c: c.execute(
                insert(Network.__table__), [_network(uuid.uuid4(), CHILD, "cluster")]
            ),
        )
        with pytest.raises(IntegrityError):
            await _run(
                engine,
                lambda c: c.execute(
                    insert(Network.__table__), [_network(OTHER_ROOT, None, "cluster")]
                ),
            )
        # Foreign keys are enforced again after the rebuild.
        with pytest.raises(IntegrityError):
            await _run(engine, lambda c: c.execute(Network.__table__.delete()))

        # Back to one slug across the tree, once the repeated slug is gone.
        await _run(
            engine,
            lambda c: c.execute(Network.__table__.delete().where(Network.parent_id == CHILD)),
        )
        await databases.run_in_thread(migrate.downgrade, url, "0003")
        assert await _run(engine, _counts) == [2, 1, 1]
        with pytest.raises(IntegrityError):
            await _run(
                engine,
                lambda c: c.execute(
                    insert(Network.__table__), [_network(uuid.uuid4(), CHILD, "cluster")]
                ),
            )
    finally:
        await engine.dispose()

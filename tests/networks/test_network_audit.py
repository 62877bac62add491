"""Changes the tree makes to other networks than the one asked for are in the audit trail:
the inherited administrator carried down to heirs, the coordinators of a deleted network.
"""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.auth.models import NetworkCoordinator
from app.db import create_sessionmaker
from tests.audit.helpers import audit_events
from tests.callers import user_headers
from tests.factories import create_company, create_network
from tests.helpers import patch_current

pytestmark = pytest.mark.usefixtures("backend")


async def test_an_heirs_new_administrator_is_recorded(client: httpx.AsyncClient) -> None:
    gic = (await create_company(client, kind="association"))["id"]
    nho = (await create_company(client, kind="association"))["id"]
    root = await create_network(client, administered_by_id=gic)
    child = await create_network(client, parent_id=root["id"])
    grandchild = await create_network(client, parent_id=child["id"])
    own = await create_network(client, parent_id=root["id"], administered_by_id=gic)

    changed = await patch_current(client, f"/v1/networks/{root['id']}", administered_by_id=nho)
    assert changed.status_code == 200, changed.text

    updates = await audit_events(client, resource_type="networks", action="update")
    recorded = {event["resource_id"]: event for event in updates}
    # The root as asked, and both heirs below it; not the network with its own.
    assert recorded.keys() == {root["id"], child["id"], grandchild["id"]}
    for heir in (child, grandchild):
        event = recorded[heir["id"]]
        assert event["before"] == {"administered_by_id": gic}
        assert event["after"] == {"administered_by_id": nho}
        assert event["actor_type"] == "api_key"
    assert own["id"] not in recorded


async def test_a_deleted_networks_coordinators_are_recorded(
    client: httpx.AsyncClient, application: FastAPI
) -> None:
    network = await create_network(client)
    await user_headers(application, coordinates=[network["id"]])
    [created] = await audit_events(client, resource_type="network_coordinators")

    deleted = await client.delete(f"/v1/networks/{network['id']}")
    assert deleted.status_code == 204, deleted.text

    events = await audit_events(client, resource_type="network_coordinators", action="delete")
    assert [event["resource_id"] for event in events] == [created["resource_id"]]
    assert events[0]["before"]["network_id"] == network["id"]
    async with create_sessionmaker(application.state.engine)() as session:
        count = select(func.count()).select_from(NetworkCoordinator)
        assert await session.scalar(count) == 0

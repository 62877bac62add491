"""Credentials and rights are read afresh on every request (no cache): a revoked key, an
ended sign-in or a coordinator role taken away counts from the very next request."""

import httpx
import pytest
from fastapi import FastAPI

from tests.callers import user_headers
from tests.factories import create_company, create_network

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_revoked_key_is_refused_on_the_next_request(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient
) -> None:
    await create_company(client)
    made = await client.post("/v1/api-keys", json={"name": "Reader", "scopes": ["read"]})
    assert made.status_code == 201, made.text
    key = {"Authorization": f"Bearer {made.json()['key']}"}
    assert (await bare_client.get("/v1/companies", headers=key)).status_code == 200

    revoked = await client.post(f"/v1/api-keys/{made.json()['id']}/revoke")
    assert revoked.status_code == 200, revoked.text

    refused = await bare_client.get("/v1/companies", headers=key)
    assert refused.status_code == 401
    assert refused.json()["code"] == "api_key_revoked"


async def test_a_signed_out_token_is_refused_on_the_next_read(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    headers = await user_headers(application)
    assert (await bare_client.get("/v1/companies", headers=headers)).status_code == 200
    assert (await bare_client.post("/v1/auth/logout", headers=headers)).status_code == 204

    refused = await bare_client.get("/v1/companies", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"


async def test_a_coordinator_role_taken_away_counts_on_the_next_request(
    client: httpx.AsyncClient, bare_client: httpx.AsyncClient, application: FastAPI
) -> None:
    closed = await create_network(client, visibility="closed")
    below = await create_network(client, visibility="closed", parent_id=closed["id"])
    headers = await user_headers(application, coordinates=[closed["id"]])
    user_id = (await bare_client.get("/v1/users/me", headers=headers)).json()["id"]
    # The role covers the network coordinated and the ones below it.
    for network in (closed, below):
        seen = await bare_client.get(f"/v1/networks/{network['id']}", headers=headers)
        assert seen.status_code == 200, seen.text

    removed = await client.delete(f"/v1/users/{user_id}/coordinated-networks/{closed['id']}")
    assert removed.status_code == 204, removed.text

    for network in (closed, below):
        hidden = await bare_client.get(f"/v1/networks/{network['id']}", headers=headers)
        assert hidden.status_code == 404

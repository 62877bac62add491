import httpx
import pytest

from app.config import Settings
from app.main import create_app


@pytest.mark.usefixtures("backend")
async def test_live_and_ready(client: httpx.AsyncClient) -> None:
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


async def test_ready_fails_when_database_is_unreachable() -> None:
    app = create_app(
        Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", log_json=False)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    await app.state.engine.dispose()
    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["code"] == "database_unavailable"

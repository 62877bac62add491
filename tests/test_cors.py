"""CORS: the website's origin may call the API from a browser; other origins may not."""

import httpx
import pytest

from app.config import Settings
from app.main import create_app

WEBSITE = "https://www.greenindustrycluster.example"


async def _preflight(settings: Settings, origin: str) -> httpx.Response:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        response = await client.options(
            "/v1/networks",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
    await app.state.engine.dispose()
    return response


async def test_configured_origin_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLYNGE_CORS_ORIGINS", f"{WEBSITE}, https://admin.example")
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", log_json=False)
    assert settings.cors_origins == [WEBSITE, "https://admin.example"]
    response = await _preflight(settings, WEBSITE)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == WEBSITE
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


async def test_other_origins_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLYNGE_CORS_ORIGINS", WEBSITE)
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", log_json=False)
    response = await _preflight(settings, "https://evil.example")
    assert "access-control-allow-origin" not in response.headers


async def test_no_cors_unless_configured() -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", log_json=False)
    assert settings.cors_origins == []
    response = await _preflight(settings, WEBSITE)
    assert "access-control-allow-origin" not in response.headers

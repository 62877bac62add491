"""Behind a load balancer: whose X-Forwarded-For `klynge serve` believes.

The sign-in limit per address counts `request.client.host`. Behind a balancer that is
the balancer's address for every client, unless uvicorn takes the client's from
X-Forwarded-For, which it must do only for peers in KLYNGE_FORWARDED_ALLOW_IPS.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import cli as cli_module
from app.config import Settings, get_settings
from tests.auth.helpers import make_user, runner, sign_in
from tests.helpers import assert_problem

BALANCER = "10.0.0.5"


def test_the_default_trusts_only_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLYNGE_FORWARDED_ALLOW_IPS", raising=False)
    assert Settings().forwarded_allow_ips == "127.0.0.1"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("10.0.0.5", "10.0.0.5"),
        (" 10.0.0.5 , 10.0.1.0/24,::1, fd00::/8 ", "10.0.0.5,10.0.1.0/24,::1,fd00::/8"),
        (" * ", "*"),
    ],
)
def test_addresses_and_networks_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, given: str, kept: str
) -> None:
    monkeypatch.setenv("KLYNGE_FORWARDED_ALLOW_IPS", given)
    assert Settings().forwarded_allow_ips == kept


@pytest.mark.parametrize(
    "given",
    [
        "",  # trusting nobody is "127.0.0.1" (nothing connects from there behind a balancer)
        "balancer.internal",  # uvicorn would compare it with the peer's IP: never equal
        "10.0.0.300",
        "10.0.0.5/24",  # host bits set: uvicorn would take it as a name, not a network
        "*,10.0.0.5",  # uvicorn trusts everyone only for "*" alone
    ],
)
def test_anything_else_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("KLYNGE_FORWARDED_ALLOW_IPS", given)
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        Settings()


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """What `klynge serve` hands uvicorn, without serving."""
    called: dict[str, Any] = {}
    monkeypatch.setattr("app.cli.uvicorn.run", lambda *args, **kwargs: called.update(kwargs))
    get_settings.cache_clear()
    yield called
    get_settings.cache_clear()


def test_serve_hands_the_setting_to_uvicorn(
    uvicorn_run: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLYNGE_FORWARDED_ALLOW_IPS", f"{BALANCER},10.0.1.0/24")

    result = runner.invoke(cli_module.cli, ["serve", "--skip-migrations"])

    assert result.exit_code == 0, result.output
    assert uvicorn_run["proxy_headers"] is True
    assert uvicorn_run["forwarded_allow_ips"] == f"{BALANCER},10.0.1.0/24"


@asynccontextmanager
async def through(
    application: FastAPI, peer: str, forwarded_allow_ips: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose TCP peer is `peer`, in front of the app as `klynge serve` runs it."""
    served = ProxyHeadersMiddleware(application, trusted_hosts=forwarded_allow_ips)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(
        app=served,  # type: ignore[arg-type]
        raise_app_exceptions=False,
        client=(peer, 50000),
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as client:
        yield client


@pytest.mark.usefixtures("backend", "anonymous_client")
async def test_behind_the_balancer_each_client_has_its_own_address_limit(
    application: FastAPI, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application.state.settings, "sign_in_failures_per_address", 2)
    user = await make_user(engine)
    trusted = Settings(forwarded_allow_ips=BALANCER).forwarded_allow_ips

    def client_says(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    async with through(application, BALANCER, trusted) as balancer:
        for _ in range(2):
            response = await balancer.post(
                "/v1/auth/token",
                data={"username": "nobody@example.com", "password": "guess one two three"},
                headers=client_says("198.51.100.7"),
            )
            assert_problem(response, 401, "invalid_credentials")
        # That client is at its limit; the others behind the same balancer are not.
        refused = await balancer.post(
            "/v1/auth/token",
            data={"username": user.email, "password": user.password},
            headers=client_says("198.51.100.7"),
        )
        assert_problem(refused, 429, "too_many_sign_in_attempts")
        other = await balancer.post(
            "/v1/auth/token",
            data={"username": user.email, "password": user.password},
            headers=client_says("198.51.100.8"),
        )
        assert other.status_code == 200, other.text

    # A client that reaches the app directly cannot pick an address to be counted under.
    async with through(application, "203.0.113.9", trusted) as direct:
        for _ in range(2):
            spoofed = await sign_in(direct, "nobody@example.com", "guess one two three")
            assert spoofed.status_code == 401
        spoofed = await direct.post(
            "/v1/auth/token",
            data={"username": user.email, "password": user.password},
            headers=client_says("198.51.100.99"),
        )
        assert_problem(spoofed, 429, "too_many_sign_in_attempts")

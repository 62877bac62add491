"""/docs and /redoc in a real browser, with the internet out of reach.

A `klynge serve` process on SQLite with one admin, and Debian's Chromium driven by
Playwright. Every request the browser sends anywhere but the server is recorded and
refused, as on an intranet: the pages must render from the service's own assets, and the
Authorize button must sign in through the OAuth2 password flow.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, async_playwright, expect

from tests.server_process import klynge_command, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Rendering the whole document takes a few seconds, more on a busy CI machine.
TIMEOUT_MS = 30_000
EMAIL = "sekretariat@example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
async def base_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    database = tmp_path_factory.mktemp("docs") / "klynge.db"
    environment = {
        "KLYNGE_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "KLYNGE_ENVIRONMENT": "test",
        "KLYNGE_RUN_WORKER_IN_API": "false",
    }
    # create-admin migrates the new database first.
    klynge_command(environment, "create-admin", "--email", EMAIL, "--password", PASSWORD)
    async with served(environment) as server:
        yield server.base_url


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def offline_page(browser: Browser, base_url: str, off_host: list[str]) -> Page:
    """A page that reaches the server and nothing else; what else it tries is recorded."""
    context = await browser.new_context()

    async def only_the_server(route: Route) -> None:
        if route.request.url.startswith(f"{base_url}/"):
            await route.continue_()
        else:
            off_host.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", only_the_server)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


async def test_swagger_ui_renders_offline_and_signs_in(browser: Browser, base_url: str) -> None:
    off_host: list[str] = []
    page = await offline_page(browser, base_url, off_host)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Security Policy" in message.text else None,
    )

    await page.goto(f"{base_url}/docs")
    await expect(page.get_by_text("Register an organisation")).to_be_visible(timeout=TIMEOUT_MS)

    await page.locator("button.authorize").first.click()
    sign_in = page.locator(
        ".auth-container", has=page.get_by_role("heading", name="SignIn (OAuth2, password)")
    )
    await sign_in.locator("#oauth_username").fill(EMAIL)
    await sign_in.locator("#oauth_password").fill(PASSWORD)
    async with page.expect_response(f"{base_url}/v1/auth/token") as token:
        await sign_in.get_by_role("button", name="Apply given OAuth2 credentials").click()
    assert (await token.value).status == 200
    await expect(sign_in.get_by_text("Authorized")).to_be_visible(timeout=TIMEOUT_MS)
    await expect(sign_in.locator("button", has_text="Logout")).to_be_visible(timeout=TIMEOUT_MS)
    await sign_in.get_by_role("button", name="Close").click()

    # An operation that answers 401 to anonymous callers: Try it out sends the token.
    me = page.locator(".opblock", has=page.locator('[data-path="/v1/users/me"]')).first
    await me.locator(".opblock-summary").click()
    await me.get_by_role("button", name="Try it out").click()
    async with page.expect_response(f"{base_url}/v1/users/me") as answer:
        await me.get_by_role("button", name="Execute").click()
    response = await answer.value
    assert response.status == 200, await response.text()
    assert (await response.json())["email"] == EMAIL
    assert (await response.request.header_value("authorization") or "").startswith("Bearer ")
    await expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )

    assert off_host == []
    assert refused == []  # the page's own policy blocked nothing Swagger UI needs


async def test_redoc_renders_offline(browser: Browser, base_url: str) -> None:
    off_host: list[str] = []
    page = await offline_page(browser, base_url, off_host)

    await page.goto(f"{base_url}/redoc")

    await expect(page.get_by_role("heading", name="Register an organisation")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    await expect(page.get_by_role("heading", name="The process is up")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert off_host == []


async def test_docs_pages_forbid_loading_from_elsewhere(base_url: str) -> None:
    """What a bundle would still fetch from a CDN (ReDoc's footer logo) is refused by the
    browser rather than left to time out offline."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        for path in ("/docs", "/redoc"):
            page = await client.get(path)
            assert page.status_code == 200
            assert "https://" not in page.text
            policy = page.headers["content-security-policy"]
            assert "default-src 'self'" in policy
            assert "img-src 'self' data:" in policy
        asset = await client.get("/docs/assets/swagger-ui-bundle.js")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith("text/javascript")

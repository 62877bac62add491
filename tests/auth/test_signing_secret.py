"""The secret that signs access tokens: none in the code, one per installation.

Until now a constant in app/config.py signed the tokens of every installation that set
no KLYNGE_JWT_SECRET, the demo's (`make run`) included: anyone with the source could
sign a token for someone's demo.
"""

import stat
import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from dotenv import dotenv_values
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.signing_secret import SigningSecretMissing
from app.cli import cli
from app.config import Settings, get_settings
from app.main import create_app
from tests.auth.helpers import bearer, make_sign_in, make_user, runner
from tests.helpers import assert_problem

# What the code signed with when nothing was configured.
OLD_CONSTANT = "development-only-secret-never-use-in-production"
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_secret_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLYNGE_JWT_SECRET", raising=False)


def ensure_secret(env_file: Path) -> str:
    result = runner.invoke(cli, ["ensure-secret", "--env-file", str(env_file)])
    assert result.exit_code == 0, result.output
    return result.output


def test_ensure_secret_writes_a_random_secret_once_and_keeps_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("KLYNGE_LOG_LEVEL=DEBUG")  # no newline at the end

    assert "new random KLYNGE_JWT_SECRET" in ensure_secret(env_file)
    secret = dotenv_values(env_file)["KLYNGE_JWT_SECRET"]
    assert secret is not None
    assert len(secret) >= 32
    assert dotenv_values(env_file)["KLYNGE_LOG_LEVEL"] == "DEBUG"
    assert "already holds" in ensure_secret(env_file)
    assert dotenv_values(env_file)["KLYNGE_JWT_SECRET"] == secret
    assert env_file.read_text().count("KLYNGE_JWT_SECRET") == 1

    # Another installation gets a secret of its own; a new file is its owner's only.
    other = tmp_path / "other" / ".env"
    other.parent.mkdir()
    ensure_secret(other)
    assert dotenv_values(other)["KLYNGE_JWT_SECRET"] != secret
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


def test_make_run_ensures_the_secret_before_serving() -> None:
    makefile = (REPOSITORY / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    steps = [line.strip() for line in run.splitlines()[1:]]
    assert steps[0] == "$(BIN)/klynge ensure-secret"
    assert steps[-1].startswith("$(BIN)/klynge serve")


@pytest.mark.usefixtures("backend", "no_secret_in_environment")
async def test_a_token_signed_with_the_old_constant_is_refused(
    anonymous_client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    ensure_secret(env_file)
    # Configured as `make run` configures it: no secret but the one in .env.
    settings = Settings(_env_file=env_file, database_url=database_url, log_json=False)  # type: ignore[call-arg]
    application = create_app(settings)
    user = await make_user(engine)
    access_token, _ = await make_sign_in(application, user.id)
    forged = jwt.encode(
        jwt.decode(access_token, options={"verify_signature": False}), OLD_CONSTANT, "HS256"
    )
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://klynge.test") as demo:
            accepted = await demo.get("/v1/users/me", headers=bearer(access_token))
            refused = await demo.get("/v1/users/me", headers=bearer(forged))
    finally:
        await application.state.engine.dispose()

    assert accepted.status_code == 200, accepted.text
    assert_problem(refused, 401, "invalid_token")


@pytest.mark.usefixtures("no_secret_in_environment")
@pytest.mark.parametrize("secret", [None, "", "too short to sign", OLD_CONSTANT])
def test_the_api_does_not_start_without_a_secret_of_its_own(secret: str | None) -> None:
    given = {} if secret is None else {"jwt_secret": secret}
    settings = Settings(_env_file=None, database_url="sqlite+aiosqlite://", **given)  # type: ignore[call-arg]
    with pytest.raises(SigningSecretMissing, match="KLYNGE_JWT_SECRET"):
        create_app(settings)


@pytest.mark.usefixtures("no_secret_in_environment")
def test_klynge_serve_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("KLYNGE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    served: list[object] = []
    monkeypatch.setattr("app.cli.uvicorn.run", lambda *args, **kwargs: served.append(kwargs))
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1
    assert "KLYNGE_JWT_SECRET is not set" in result.output
    assert "klynge ensure-secret" in result.output
    assert served == []
    assert not (tmp_path / "k.db").exists(), "refused before migrating"


@pytest.mark.usefixtures("no_secret_in_environment")
@pytest.mark.parametrize("secret", [None, "", "x" * 31])
def test_production_refuses_a_missing_or_short_secret(secret: str | None) -> None:
    given = {} if secret is None else {"jwt_secret": secret}
    with pytest.raises(ValidationError, match="KLYNGE_JWT_SECRET"):
        Settings(_env_file=None, environment="production", **given)  # type: ignore[call-arg]
    assert Settings(_env_file=None, environment="production", jwt_secret=str(uuid.uuid4()))  # type: ignore[call-arg]


def test_the_image_bakes_no_secret() -> None:
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    instructions = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    assert not any("JWT_SECRET" in line for line in instructions)
    assert "COPY .env" not in dockerfile
    assert "COPY . " not in dockerfile  # a local .env would come along

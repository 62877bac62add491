"""The `klynge` command as `make run` uses it: migrate, load demo data twice, purge."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.config import get_settings
from app.demo import data as demo

runner = CliRunner()


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("KLYNGE_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_migrate_then_demo_data_twice(sqlite_file: Path) -> None:
    migrated = runner.invoke(cli, ["migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert sqlite_file.exists()

    first = runner.invoke(cli, ["demo-data"])
    assert first.exit_code == 0, first.output
    assert "0 already present" in first.output

    second = runner.invoke(cli, ["demo-data"])
    assert second.exit_code == 0, second.output
    assert "0 rows created" in second.output
    # Changes made from the command line are audited too, as the system's.
    with closing(sqlite3.connect(sqlite_file)) as database:
        actors = database.execute("SELECT DISTINCT actor_type FROM audit_events").fetchall()
        created = database.execute(
            "SELECT count(*) FROM audit_events WHERE resource_type = 'networks'"
        ).fetchone()
    assert actors == [("system",)]
    assert created == (len(demo.NETWORKS),)

    purged = runner.invoke(cli, ["purge-idempotency-keys"])
    assert purged.exit_code == 0, purged.output
    assert "Removed 0 expired idempotency records." in purged.output


def test_demo_data_on_a_new_file_migrates_first(sqlite_file: Path) -> None:
    result = runner.invoke(cli, ["demo-data"])
    assert result.exit_code == 0, result.output
    assert "0 already present" in result.output


def test_help_lists_the_commands() -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "migrate", "demo-data", "purge-idempotency-keys"):
        assert command in result.output


def test_demo_data_is_refused_in_production(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLYNGE_ENVIRONMENT", "production")
    monkeypatch.setenv("KLYNGE_JWT_SECRET", "x" * 40)
    get_settings.cache_clear()
    result = runner.invoke(cli, ["demo-data"])
    assert result.exit_code == 1
    assert "never loaded in production" in result.output
    assert not sqlite_file.exists(), "nothing may be written, not even the schema"


def test_serve_migrates_first_and_passes_the_workers(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: dict[str, object] = {}
    monkeypatch.setattr("app.cli.uvicorn.run", lambda *_args, **kwargs: handed.update(kwargs))
    result = runner.invoke(cli, ["serve", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert handed["workers"] == 3
    assert handed["factory"] is True
    with closing(sqlite3.connect(sqlite_file)) as database:
        (version,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert version == head

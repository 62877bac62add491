"""Fixtures of the access tests."""

from collections.abc import Iterator

import pytest

from app.config import get_settings


@pytest.fixture
def command_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`klynge` commands read the database URL from the environment, like in production."""
    monkeypatch.setenv("KLYNGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()

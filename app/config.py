"""Settings, read from the environment with the ``KLYNGE_`` prefix (or a ``.env`` file)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLYNGE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # A file in the working directory, so `klynge serve` works with no server at all.
    database_url: str = "sqlite+aiosqlite:///./klynge.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_echo: bool = False

    # Idempotency keys are kept at least this long; the issue asks for 24 hours minimum.
    idempotency_key_ttl_hours: int = Field(default=24, ge=24)

    default_page_size: int = Field(default=50, ge=1, le=200)
    max_page_size: int = Field(default=200, ge=1, le=1000)

    # The calendar day rules default to ("today") is this zone's.
    time_zone: str = "Europe/Oslo"

    log_level: str = "INFO"
    log_json: bool = True

    host: str = "127.0.0.1"
    port: int = 8000


@lru_cache
def get_settings() -> Settings:
    return Settings()

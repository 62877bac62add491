"""Running Alembic from code: `klynge migrate`, `klynge serve` and the test suite."""

from pathlib import Path

from alembic import command
from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Indexes that exist only in migrations because SQLAlchemy's models cannot describe them
# portably (PostgreSQL trigram indexes on expressions); autogenerate and `alembic check`
# must not propose to drop them.
MIGRATION_ONLY_INDEX_SUFFIX = "_trgm"


def include_object(
    _object: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (
        type_ == "index"
        and reflected
        and compare_to is None
        and (name or "").endswith(MIGRATION_ONLY_INDEX_SUFFIX)
    )


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)

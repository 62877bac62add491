"""Running Alembic from code: `klynge migrate`, `klynge serve` and the test suite."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

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


@contextmanager
def sqlite_foreign_keys_off(bind: Connection, table: str) -> Iterator[None]:
    """For a migration that rebuilds `table` on SQLite (batch mode): run the block with
    foreign keys unenforced, in a transaction of its own. With enforcement on, the
    rebuild's DROP TABLE would delete or refuse the rows of tables pointing at `table`.

    `PRAGMA foreign_keys` is a no-op inside a transaction, and Alembic runs every revision
    in one: commit it (the revisions before this one, and their `alembic_version`), switch
    enforcement off, begin again. After the block, `PRAGMA foreign_key_check` must find no
    row pointing nowhere; then commit, switch enforcement on, and begin the transaction in
    which Alembic records this revision.
    """
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"Rebuilding {table} would break foreign keys: {broken}")
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        # SQLite may have ended the transaction itself already.
        with suppress(DBAPIError):
            bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN")

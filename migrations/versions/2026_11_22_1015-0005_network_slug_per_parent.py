"""A network's slug is unique among its siblings, not across the whole tree.

A global unique slug let anyone who may create a network learn the slugs of closed
networks hidden from them (409 `slug_taken`). Now: UNIQUE (parent_id, slug), and for root
networks, whose NULL parent_id no unique key compares, a partial unique index on slug.

SQLite cannot drop a unique key in place, so the table is rebuilt there (batch mode).
Other tables point at `networks` (memberships, office terms, coordinators, sub-networks),
and with foreign keys enforced the rebuild's DROP TABLE would delete or refuse their rows;
enforcement can only be switched off outside a transaction, so on SQLite this revision
commits what came before it, rebuilds with enforcement off in a transaction of its own,
checks every foreign key, and switches enforcement back on (see
`app.migrate.sqlite_foreign_keys_off`).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-22 10:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.migrate import sqlite_foreign_keys_off

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROOT = "parent_id IS NULL"


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _replace_unique(drop: str, create: str, columns: list[str]) -> None:
    if _is_postgresql():
        op.drop_constraint(drop, "networks", type_="unique")
        op.create_unique_constraint(create, "networks", columns)
        return
    with (
        sqlite_foreign_keys_off(op.get_bind(), "networks"),
        op.batch_alter_table("networks", recreate="always") as batch_op,
    ):
        batch_op.drop_constraint(drop, type_="unique")
        batch_op.create_unique_constraint(create, columns)


def upgrade() -> None:
    _replace_unique("uq_networks_slug", "uq_networks_parent_id_slug", ["parent_id", "slug"])
    op.create_index(
        "uq_networks_root_slug",
        "networks",
        ["slug"],
        unique=True,
        postgresql_where=sa.text(_ROOT),
        sqlite_where=sa.text(_ROOT),
    )


def downgrade() -> None:
    # Refused where slugs repeat under different parents: rename those first.
    op.drop_index("uq_networks_root_slug", table_name="networks")
    _replace_unique("uq_networks_parent_id_slug", "uq_networks_slug", ["slug"])

"""Trigram indexes for the `q=` name search on PostgreSQL.

The search is a case-insensitive substring match, `lower(column) LIKE '%…%'`, which no
B-tree index can serve; a GIN index with pg_trgm's `gin_trgm_ops` can. SQLite keeps the
plain scan: it is the embedded, small-registry default.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index name, table, column) — each searched as lower(column).
_SEARCHED = (
    ("ix_organisations_display_name_trgm", "organisations", "display_name"),
    ("ix_organisations_legal_name_trgm", "organisations", "legal_name"),
    ("ix_people_full_name_trgm", "people", "full_name"),
    ("ix_people_email_trgm", "people", "email"),
    ("ix_networks_name_trgm", "networks", "name"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in _SEARCHED:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in _SEARCHED:
        op.execute(f"DROP INDEX {name}")

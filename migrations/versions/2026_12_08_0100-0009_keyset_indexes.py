"""Indexes for the keyset orders of the registry's lists.

A list page is ordered by its sort column and then the id (app/api/pagination.py), and
reads only `limit + 1` rows. Without an index on exactly that pair PostgreSQL reads and
sorts every visible row, and joins each one's `include=` rows before the sort: 45 ms
for `GET /v1/memberships?include=organisation,network` at 20,000 memberships, against
1.4 ms reading the index backwards and joining 51 rows (EXPLAIN ANALYZE in the pull
request of issue 11). Only indexes a plan was seen to use are here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index name, table, columns): the sort key, then the id tie-breaker.
_KEYSET_INDEXES = (
    ("ix_memberships_starts_on_id", "memberships", ["starts_on", "id"]),
    ("ix_memberships_created_at_id", "memberships", ["created_at", "id"]),
    # 70 ms (parallel seq scan, top-N sort) -> 0.02 ms at 300,000 people, sort=-created_at.
    ("ix_people_created_at_id", "people", ["created_at", "id"]),
)


def upgrade() -> None:
    for name, table, columns in _KEYSET_INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_KEYSET_INDEXES):
        op.drop_index(name, table_name=table)

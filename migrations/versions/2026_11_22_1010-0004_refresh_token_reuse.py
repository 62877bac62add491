"""Refresh token reuse ends the sign-in: the hash of the token a refresh used up is kept.

Also empties `sign_in_failures`: until now a login that was not an e-mail address (a
password typed into the wrong field) was stored there as typed; from now on only an HMAC
of it is. The table holds one window (15 minutes) of counts, so nothing else is lost.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_sessions") as batch_op:
        batch_op.add_column(
            sa.Column("previous_refresh_token_hash", sa.String(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_sign_in_sessions_previous_refresh_token_hash"),
            ["previous_refresh_token_hash"],
            unique=False,
        )
    op.execute(sa.text("DELETE FROM sign_in_failures"))


def downgrade() -> None:
    # Batch mode: SQLite before 3.35 cannot drop a column, so the table is rebuilt there.
    with op.batch_alter_table("sign_in_sessions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_sessions_previous_refresh_token_hash"))
        batch_op.drop_column("previous_refresh_token_hash")

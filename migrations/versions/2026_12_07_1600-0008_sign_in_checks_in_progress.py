"""Sign-ins hold their place under the wrong-password limit while Argon2 runs.

A sign-in used to count, hash and record in one transaction, holding SQLite's only write
lock for the whole hash. Now it takes its place in a short transaction (a row in
`sign_in_failures` with `pending_until` set), hashes outside any transaction, and settles
the row in another short one: kept as a failure (`pending_until` cleared) or deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, so existing rows stay failures; SQLite adds such a column in place.
    op.add_column(
        "sign_in_failures", sa.Column("pending_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Checks in progress were failures to be: the old schema counts them as failures.
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_column("pending_until")

"""Meetings: agendas, participants, action items, calendar feed tokens, the mail outbox,
and the municipality a network meets yearly.

On SQLite `networks.municipality_id` needs a rebuild of `networks` (a named foreign key
cannot be added in place), with enforcement off as in revision 0005.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 11:12:07
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.migrate import sqlite_foreign_keys_off

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MUNICIPALITY_KEY = "fk_networks_municipality_id_organisations"
_MUNICIPALITY_INDEX = "ix_networks_municipality_id"
_REFERENCE: dict[str, Any] = {
    "local_cols": ["municipality_id"],
    "remote_cols": ["id"],
    "ondelete": "RESTRICT",
}


def _add_municipality() -> None:
    column = sa.Column("municipality_id", sa.Uuid(), nullable=True)
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("networks", column)
        op.create_foreign_key(_MUNICIPALITY_KEY, "networks", "organisations", **_REFERENCE)
        op.create_index(_MUNICIPALITY_INDEX, "networks", ["municipality_id"])
        return
    # SQLite adds a foreign key only by rebuilding the table.
    with (
        sqlite_foreign_keys_off(op.get_bind(), "networks"),
        op.batch_alter_table("networks", recreate="always") as batch_op,
    ):
        batch_op.add_column(column)
        batch_op.create_foreign_key(_MUNICIPALITY_KEY, "organisations", **_REFERENCE)
        batch_op.create_index(_MUNICIPALITY_INDEX, ["municipality_id"])


def upgrade() -> None:
    # First: on SQLite the rebuild commits what came before it, so nothing of this
    # revision may come before it (a failed rebuild then leaves 0005 whole).
    _add_municipality()
    op.create_table(
        "mail_outbox",
        sa.Column("dedupe_key", sa.String(length=300), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=True),
        sa.Column("calendar_method", sa.String(length=20), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_mail_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "regular",
                "company_visit",
                "municipal",
                "event",
                name="meeting_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("place_name", sa.String(length=200), nullable=True),
        sa.Column("place_address", sa.String(length=500), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("host_organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "confirmed",
                "held",
                "cancelled",
                name="meeting_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "minutes_status",
            sa.Enum(
                "draft",
                "published",
                name="minutes_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("minutes_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_year", sa.Integer(), nullable=True),
        sa.Column("plan_slot", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meetings_time_ordered")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_meetings_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["host_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_meetings_host_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_meetings_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint(
            "network_id",
            "plan_year",
            "plan_slot",
            name=op.f("uq_meetings_network_id_plan_year_plan_slot"),
        ),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_host_organisation_id"), ["host_organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_network_id"), ["network_id"], unique=False)
        batch_op.create_index("ix_meetings_starts_at_id", ["starts_at", "id"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column("presenter_person_id", sa.Uuid(), nullable=True),
        sa.Column("presenter_name", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "planned_minutes IS NULL OR planned_minutes > 0",
            name=op.f("ck_agenda_items_minutes_positive"),
        ),
        sa.CheckConstraint("position >= 1", name=op.f("ck_agenda_items_position_positive")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_agenda_items_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["presenter_person_id"],
            ["people.id"],
            name=op.f("fk_agenda_items_presenter_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint(
            "meeting_id", "position", name=op.f("uq_agenda_items_meeting_id_position")
        ),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_items_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_items_presenter_person_id"), ["presenter_person_id"], unique=False
        )

    op.create_table(
        "calendar_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "network",
                "person",
                name="calendar_feed_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'network' AND network_id IS NOT NULL AND person_id IS NULL) OR "
            "(kind = 'person' AND person_id IS NOT NULL AND network_id IS NULL)",
            name=op.f("ck_calendar_tokens_feed_target"),
        ),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (api_key_id IS NULL)", name=op.f("ck_calendar_tokens_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_calendar_tokens_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_calendar_tokens_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_calendar_tokens_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_tokens_api_key_id"), ["api_key_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_tokens_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_tokens_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calendar_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "action_items",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("assignee_person_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open", "done", name="action_item_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_action_items_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_person_id"],
            ["people.id"],
            name=op.f("fk_action_items_assignee_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_action_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_action_items_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_items_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(
            "ix_action_items_assignee_status", ["assignee_person_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_items_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_items_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "meeting_participants",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "representative",
                "partner",
                "guest",
                "staff",
                name="participant_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=True),
        sa.Column(
            "answer",
            sa.Enum(
                "accepted",
                "declined",
                "tentative",
                name="participant_answer",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR (name IS NOT NULL AND email IS NOT NULL)",
            name=op.f("ck_meeting_participants_person_or_name_and_email"),
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_meeting_participants_agenda_item_id_agenda_items"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_participants_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_meeting_participants_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_meeting_participants_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_meeting_participants_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_participants")),
        sa.UniqueConstraint(
            "meeting_id", "email", name=op.f("uq_meeting_participants_meeting_id_email")
        ),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_meeting_participants_meeting_id_person_id")
        ),
    )
    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_network_id"), ["network_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_participants_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    # First, for the same reason as in upgrade().
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(_MUNICIPALITY_INDEX, table_name="networks")
        op.drop_constraint(_MUNICIPALITY_KEY, "networks", type_="foreignkey")
        op.drop_column("networks", "municipality_id")
    else:
        with (
            sqlite_foreign_keys_off(op.get_bind(), "networks"),
            op.batch_alter_table("networks", recreate="always") as batch_op,
        ):
            batch_op.drop_index(_MUNICIPALITY_INDEX)
            batch_op.drop_constraint(_MUNICIPALITY_KEY, type_="foreignkey")
            batch_op.drop_column("municipality_id")

    with op.batch_alter_table("meeting_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_participants_person_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_participants_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_participants_network_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_participants_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_participants_agenda_item_id"))

    op.drop_table("meeting_participants")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_items_network_id"))
        batch_op.drop_index(batch_op.f("ix_action_items_meeting_id"))
        batch_op.drop_index("ix_action_items_assignee_status")
        batch_op.drop_index(batch_op.f("ix_action_items_agenda_item_id"))

    op.drop_table("action_items")
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_tokens_person_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_tokens_network_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_tokens_api_key_id"))

    op.drop_table("calendar_tokens")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_presenter_person_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_network_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_starts_at_id")
        batch_op.drop_index(batch_op.f("ix_meetings_network_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_host_organisation_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_due")

    op.drop_table("mail_outbox")

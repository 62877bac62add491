"""The member registry: organisations, people, networks, memberships, offices.

Also the idempotency records behind retry-safe creates. On PostgreSQL, two
exclusion constraints hold the no-overlap rules in the database itself.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 08:40:03.669726
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A period is the inclusive date range [starts_on, ends_on]; an open end is infinity.
_PERIOD = "daterange(starts_on, ends_on, '[]')"


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller_key", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "caller_key", "key", name=op.f("uq_idempotency_records_caller_key_key")
        ),
    )
    op.create_index(
        op.f("ix_idempotency_records_expires_at"),
        "idempotency_records",
        ["expires_at"],
        unique=False,
    )
    op.create_table(
        "organisations",
        sa.Column(
            "kind",
            sa.Enum(
                "company",
                "partner",
                "public_body",
                "association",
                name="organisation_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("legal_name", sa.String(length=300), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "country",
            sa.Enum(
                "NO", "SE", name="organisation_country", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("organisation_number", sa.String(length=20), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("visiting_address", sa.JSON(), nullable=True),
        sa.Column("postal_address", sa.JSON(), nullable=True),
        sa.Column("invoice_address", sa.JSON(), nullable=True),
        sa.Column("invoice_email", sa.String(length=320), nullable=True),
        sa.Column("peppol_endpoint_id", sa.String(length=50), nullable=True),
        sa.Column("nace_code", sa.String(length=10), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("apprentices", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column(
            "language",
            sa.Enum(
                "nb",
                "sv",
                "en",
                name="organisation_language",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "apprentices IS NULL OR apprentices >= 0",
            name=op.f("ck_organisations_apprentices_not_negative"),
        ),
        sa.CheckConstraint(
            "employees IS NULL OR employees >= 0",
            name=op.f("ck_organisations_employees_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint(
            "country",
            "organisation_number",
            name=op.f("uq_organisations_country_organisation_number"),
        ),
    )
    op.create_index(
        op.f("ix_organisations_display_name"), "organisations", ["display_name"], unique=False
    )
    op.create_table(
        "people",
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    op.create_index(op.f("ix_people_full_name"), "people", ["full_name"], unique=False)
    op.create_table(
        "affiliations",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "position",
            sa.Enum(
                "ceo",
                "site_manager",
                "purchasing_manager",
                "union_representative",
                "other",
                name="affiliation_position",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_affiliations_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_affiliations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliations")),
        sa.UniqueConstraint(
            "person_id", "organisation_id", name=op.f("uq_affiliations_person_id_organisation_id")
        ),
    )
    op.create_index(
        op.f("ix_affiliations_organisation_id"), "affiliations", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_affiliations_person_id"), "affiliations", ["person_id"], unique=False)
    op.create_table(
        "networks",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "visibility",
            sa.Enum(
                "open",
                "closed",
                name="network_visibility",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "active",
                "archived",
                name="network_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("meetings_per_year", sa.Integer(), nullable=False),
        sa.Column("requires_parent_membership", sa.Boolean(), nullable=False),
        sa.Column("administered_by_id", sa.Uuid(), nullable=True),
        sa.Column("administered_by_inherited", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "NOT requires_parent_membership OR parent_id IS NOT NULL",
            name=op.f("ck_networks_parent_membership_needs_parent"),
        ),
        sa.CheckConstraint(
            "meetings_per_year >= 0 AND meetings_per_year <= 52",
            name=op.f("ck_networks_meetings_per_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["administered_by_id"],
            ["organisations.id"],
            name=op.f("fk_networks_administered_by_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["networks.id"],
            name=op.f("fk_networks_parent_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("slug", name=op.f("uq_networks_slug")),
    )
    op.create_index(
        op.f("ix_networks_administered_by_id"), "networks", ["administered_by_id"], unique=False
    )
    op.create_index(op.f("ix_networks_name"), "networks", ["name"], unique=False)
    op.create_index(op.f("ix_networks_parent_id"), "networks", ["parent_id"], unique=False)
    op.create_table(
        "memberships",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "member",
                "partner",
                "observer",
                name="membership_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "active",
                "suspended",
                "ended",
                name="membership_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_memberships_period_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_memberships_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_network_id"), "memberships", ["network_id"], unique=False)
    op.create_index(
        op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"], unique=False
    )
    op.create_table(
        "office_terms",
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "office",
            sa.Enum(
                "chair",
                "vice_chair",
                "secretary",
                "board_member",
                name="office_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_office_terms_term_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_office_terms_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_office_terms_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_terms")),
    )
    op.create_index(
        op.f("ix_office_terms_network_id"), "office_terms", ["network_id"], unique=False
    )
    op.create_index(op.f("ix_office_terms_person_id"), "office_terms", ["person_id"], unique=False)
    op.create_table(
        "membership_representatives",
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "representative",
                "deputy",
                "union_representative",
                name="representative_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_membership_representatives_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_membership_representatives_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_representatives")),
        sa.UniqueConstraint(
            "membership_id",
            "person_id",
            name=op.f("uq_membership_representatives_membership_id_person_id"),
        ),
    )
    op.create_index(
        op.f("ix_membership_representatives_membership_id"),
        "membership_representatives",
        ["membership_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_membership_representatives_person_id"),
        "membership_representatives",
        ["person_id"],
        unique=False,
    )

    if _is_postgresql():
        # btree_gist lets a GiST exclusion constraint compare plain columns with `=`.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE memberships ADD CONSTRAINT ex_memberships_no_overlap "
            f"EXCLUDE USING gist (organisation_id WITH =, network_id WITH =, {_PERIOD} WITH &&)"
        )
        op.execute(
            "ALTER TABLE office_terms ADD CONSTRAINT ex_office_terms_single_seat "
            f"EXCLUDE USING gist (network_id WITH =, office WITH =, {_PERIOD} WITH &&) "
            "WHERE (office <> 'board_member')"
        )


def downgrade() -> None:
    if _is_postgresql():
        op.execute("ALTER TABLE office_terms DROP CONSTRAINT ex_office_terms_single_seat")
        op.execute("ALTER TABLE memberships DROP CONSTRAINT ex_memberships_no_overlap")
    op.drop_index(
        op.f("ix_membership_representatives_person_id"), table_name="membership_representatives"
    )
    op.drop_index(
        op.f("ix_membership_representatives_membership_id"), table_name="membership_representatives"
    )
    op.drop_table("membership_representatives")
    op.drop_index(op.f("ix_office_terms_person_id"), table_name="office_terms")
    op.drop_index(op.f("ix_office_terms_network_id"), table_name="office_terms")
    op.drop_table("office_terms")
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_network_id"), table_name="memberships")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_networks_parent_id"), table_name="networks")
    op.drop_index(op.f("ix_networks_name"), table_name="networks")
    op.drop_index(op.f("ix_networks_administered_by_id"), table_name="networks")
    op.drop_table("networks")
    op.drop_index(op.f("ix_affiliations_person_id"), table_name="affiliations")
    op.drop_index(op.f("ix_affiliations_organisation_id"), table_name="affiliations")
    op.drop_table("affiliations")
    op.drop_index(op.f("ix_people_full_name"), table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("ix_organisations_display_name"), table_name="organisations")
    op.drop_table("organisations")
    op.drop_index(op.f("ix_idempotency_records_expires_at"), table_name="idempotency_records")
    op.drop_table("idempotency_records")

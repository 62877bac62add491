"""Fees and invoices: sellers' invoice settings, fee schedules, invoices and credit notes
with their lines, the gap-free number counters, payments and reminders.

Money, quantities and rates are scaled integers (app.db.ScaledDecimal): exact on SQLite
too. New tables only, so nothing here needs SQLite's table rebuilds.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:02:21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoice_counters",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column(
            "series",
            sa.Enum(
                "invoice",
                "credit_note",
                name="number_series",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["organisations.id"],
            name=op.f("fk_invoice_counters_seller_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("seller_id", "series", "year", name=op.f("pk_invoice_counters")),
    )
    op.create_table(
        "seller_settings",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("bank_account", sa.String(length=34), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("in_business_register", sa.Boolean(), nullable=False),
        sa.Column("approved_for_f_tax", sa.Boolean(), nullable=False),
        sa.Column(
            "kid_algorithm",
            sa.Enum(
                "mod10", "mod11", name="kid_algorithm", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("default_payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("first_reminder_after_days", sa.Integer(), nullable=False),
        sa.Column("next_reminder_after_days", sa.Integer(), nullable=False),
        sa.Column("reminder_levels", sa.Integer(), nullable=False),
        sa.Column("reminder_fee", sa.BigInteger(), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "default_payment_terms_days >= 0",
            name=op.f("ck_seller_settings_payment_terms_not_negative"),
        ),
        sa.CheckConstraint(
            "first_reminder_after_days >= 1",
            name=op.f("ck_seller_settings_first_reminder_after_a_day"),
        ),
        sa.CheckConstraint(
            "next_reminder_after_days >= 1",
            name=op.f("ck_seller_settings_next_reminder_after_a_day"),
        ),
        sa.CheckConstraint(
            "reminder_fee IS NULL OR reminder_fee >= 0",
            name=op.f("ck_seller_settings_reminder_fee"),
        ),
        sa.CheckConstraint(
            "reminder_levels >= 0 AND reminder_levels <= 5",
            name=op.f("ck_seller_settings_reminder_levels"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_seller_settings_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_settings")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_seller_settings_organisation_id")),
    )
    op.create_table(
        "fee_schedules",
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "currency",
            sa.Enum("NOK", "SEK", name="fee_currency", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("invoice_text", sa.Text(), nullable=True),
        sa.Column("billable_kinds", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "payment_terms_days >= 0", name=op.f("ck_fee_schedules_payment_terms_not_negative")
        ),
        sa.CheckConstraint(
            "year >= 2000 AND year <= 2100", name=op.f("ck_fee_schedules_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_fee_schedules_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
        sa.UniqueConstraint("network_id", "year", name=op.f("uq_fee_schedules_network_id_year")),
    )
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fee_schedules_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column(
            "kind",
            sa.Enum(
                "invoice",
                "credit_note",
                name="invoice_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "issued",
                "partially_paid",
                "paid",
                "partially_credited",
                "credited",
                name="invoice_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("membership_id", sa.Uuid(), nullable=True),
        sa.Column("fee_year", sa.Integer(), nullable=True),
        sa.Column("credited_invoice_id", sa.Uuid(), nullable=True),
        sa.Column(
            "currency",
            sa.Enum(
                "NOK", "SEK", name="invoice_currency", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "language",
            sa.Enum(
                "nb", "sv", "en", name="invoice_language", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("sequence_number", sa.Integer(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("delivery_starts_on", sa.Date(), nullable=True),
        sa.Column("delivery_ends_on", sa.Date(), nullable=True),
        sa.Column("buyer_reference", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("payment_reference", sa.String(length=30), nullable=True),
        sa.Column("vat_exchange_rate", sa.BigInteger(), nullable=True),
        sa.Column("seller_party", sa.JSON(), nullable=True),
        sa.Column("buyer_party", sa.JSON(), nullable=True),
        sa.Column("line_extension_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax_amount", sa.BigInteger(), nullable=False),
        sa.Column("payable_amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("amount_credited", sa.BigInteger(), nullable=False),
        sa.Column("reminder_level", sa.Integer(), nullable=False),
        sa.Column("reminder_fees", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)",
            name=op.f("ck_invoices_credit_note_refers_to_invoice"),
        ),
        sa.CheckConstraint(
            "(status = 'draft') = (number IS NULL)",
            name=op.f("ck_invoices_number_exactly_when_issued"),
        ),
        sa.CheckConstraint(
            "amount_credited >= 0 AND amount_credited <= payable_amount",
            name=op.f("ck_invoices_credited_within_payable"),
        ),
        sa.CheckConstraint("amount_paid >= 0", name=op.f("ck_invoices_amount_paid_not_negative")),
        sa.CheckConstraint(
            "payment_terms_days >= 0", name=op.f("ck_invoices_payment_terms_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_invoices_buyer_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["credited_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoices_credited_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_invoices_membership_id_memberships"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_invoices_network_id_networks"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["organisations.id"],
            name=op.f("fk_invoices_seller_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint(
            "membership_id", "fee_year", name=op.f("uq_invoices_membership_id_fee_year")
        ),
        sa.UniqueConstraint("seller_id", "number", name=op.f("uq_invoices_seller_id_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_credited_invoice_id"), ["credited_invoice_id"], unique=False
        )
        batch_op.create_index("ix_invoices_due", ["status", "due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoices_membership_id"), ["membership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_network_id"), ["network_id"], unique=False)
        batch_op.create_index("ix_invoices_payment_reference", ["payment_reference"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_code", sa.String(length=3), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("line_amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "vat_category",
            sa.Enum("S", "E", "O", name="vat_category", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("vat_rate", sa.BigInteger(), nullable=False),
        sa.Column("vat_exemption_reason", sa.String(length=300), nullable=True),
        sa.Column("credited_line_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(vat_category = 'S') = (vat_rate > 0)",
            name=op.f("ck_invoice_lines_rate_exactly_for_standard"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_invoice_lines_quantity_positive")),
        sa.CheckConstraint(
            "unit_price >= 0", name=op.f("ck_invoice_lines_unit_price_not_negative")
        ),
        sa.CheckConstraint(
            "vat_rate >= 0 AND vat_rate < 10000", name=op.f("ck_invoice_lines_vat_rate_range")
        ),
        sa.ForeignKeyConstraint(
            ["credited_line_id"],
            ["invoice_lines.id"],
            name=op.f("fk_invoice_lines_credited_line_id_invoice_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint(
            "invoice_id", "position", name=op.f("uq_invoice_lines_invoice_id_position")
        ),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_credited_line_id"), ["credited_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "invoice_reminders",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_invoice_reminders_fee_not_negative")),
        sa.CheckConstraint("level >= 1", name=op.f("ck_invoice_reminders_level_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_reminders_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_reminders")),
        sa.UniqueConstraint(
            "invoice_id", "level", name=op.f("uq_invoice_reminders_invoice_id_level")
        ),
    )
    with op.batch_alter_table("invoice_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_reminders_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "currency",
            sa.Enum(
                "NOK", "SEK", name="payment_currency", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column(
            "matched_by",
            sa.Enum(
                "payment_reference",
                "invoice_id",
                name="payment_matched_by",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("bank_transaction_id", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payments_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("bank_transaction_id", name=op.f("uq_payments_bank_transaction_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_invoice_id"), ["invoice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_invoice_id"))

    op.drop_table("payments")
    with op.batch_alter_table("invoice_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_reminders_invoice_id"))

    op.drop_table("invoice_reminders")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_credited_line_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_seller_id"))
        batch_op.drop_index("ix_invoices_payment_reference")
        batch_op.drop_index(batch_op.f("ix_invoices_network_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_membership_id"))
        batch_op.drop_index("ix_invoices_due")
        batch_op.drop_index(batch_op.f("ix_invoices_credited_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_buyer_id"))

    op.drop_table("invoices")
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_schedules_network_id"))

    op.drop_table("fee_schedules")
    op.drop_table("seller_settings")
    op.drop_table("invoice_counters")

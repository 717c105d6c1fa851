"""seizures, imports and joint operations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 16:16:58.155168
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("distribution", sa.String(length=16), nullable=False),
        sa.Column("contains_personal_data", sa.Boolean(), nullable=False),
        sa.Column("signature", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_audiences_owner_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audiences")),
        sa.UniqueConstraint("signature", name=op.f("uq_audiences_signature")),
        sa.UniqueConstraint("uuid", name=op.f("uq_audiences_uuid")),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("lead_agency_id", sa.Integer(), nullable=False),
        sa.Column("target_substances", interdict.store.types.JSONList(), nullable=False),
        sa.Column("target_routes", interdict.store.types.JSONList(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_operations_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lead_agency_id"], ["agencies.id"], name=op.f("fk_operations_lead_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
        sa.UniqueConstraint("code", name=op.f("uq_operations_code")),
        sa.UniqueConstraint("uuid", name=op.f("uq_operations_uuid")),
    )
    op.create_table(
        "seizure_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_seizure_imports_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_seizure_imports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_imports")),
        sa.UniqueConstraint("uuid", name=op.f("uq_seizure_imports_uuid")),
    )
    with op.batch_alter_table("seizure_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seizure_imports_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "operation_participants",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_operation_participants_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_participants_operation_id_operations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "agency_id", name=op.f("pk_operation_participants")),
    )
    with op.batch_alter_table("operation_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operation_participants_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "operation_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("suspects_arrested", sa.Integer(), nullable=False),
        sa.Column("mass_kg", sa.Float(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("count_unit", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", interdict.store.types.JSONDict(), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_operation_results_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_operation_results_operation_id_operations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_operation_results_reported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_results")),
        sa.UniqueConstraint("operation_id", "agency_id", "substance", name="uq_operation_results_line"),
    )
    op.create_table(
        "seizures",
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("source_key", sa.String(length=100), nullable=False),
        sa.Column("source_hash", sa.String(length=32), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("seized_on", sa.Date(), nullable=False),
        sa.Column("seized_month", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("subdivision", sa.String(length=10), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("location_type", sa.String(length=16), nullable=False),
        sa.Column("port_code", sa.String(length=40), nullable=False),
        sa.Column("concealment", sa.String(length=200), nullable=False),
        sa.Column("transport_mode", sa.String(length=16), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("transit_countries", interdict.store.types.JSONList(), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("suspects_arrested", sa.Integer(), nullable=False),
        sa.Column("suspect_nationalities", interdict.store.types.JSONList(), nullable=False),
        sa.Column("assets", interdict.store.types.JSONList(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("distribution", sa.String(length=16), nullable=False),
        sa.Column("handling_conditions", interdict.store.types.JSONList(), nullable=False),
        sa.Column("handling_notes", sa.Text(), nullable=False),
        sa.Column("contains_personal_data", sa.Boolean(), nullable=False),
        sa.Column("hit_notification", sa.Boolean(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"], name=op.f("fk_seizures_audience_id_audiences")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_seizures_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["seizure_imports.id"], name=op.f("fk_seizures_import_id_seizure_imports")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"], name=op.f("fk_seizures_operation_id_operations")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_seizures_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_seizures_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizures")),
        sa.UniqueConstraint("owner_agency_id", "source_key", name="uq_seizures_owner_source"),
        sa.UniqueConstraint("uuid", name=op.f("uq_seizures_uuid")),
    )
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.create_index("ix_seizures_country_seized", ["country", "seized_on"], unique=False)
        batch_op.create_index("ix_seizures_dist_seized", ["distribution", "seized_on"], unique=False)
        batch_op.create_index("ix_seizures_operation", ["operation_id"], unique=False)
        batch_op.create_index("ix_seizures_owner_seized", ["owner_agency_id", "seized_on"], unique=False)
        batch_op.create_index("ix_seizures_seized", ["seized_on", "id"], unique=False)

    op.create_table(
        "seizure_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("reported_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("mass_kg", sa.Float(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("count_unit", sa.String(length=16), nullable=False),
        sa.Column("factor", sa.String(length=300), nullable=False),
        sa.Column("purity_pct", sa.Float(), nullable=True),
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("first_of_substance", sa.Boolean(), nullable=False),
        sa.Column("first_of_category", sa.Boolean(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("seized_on", sa.Date(), nullable=False),
        sa.Column("seized_month", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("location_type", sa.String(length=16), nullable=False),
        sa.Column("port_code", sa.String(length=40), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audiences.id"], name=op.f("fk_seizure_items_audience_id_audiences")
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"], name=op.f("fk_seizure_items_operation_id_operations")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_seizure_items_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["seizure_id"],
            ["seizures.id"],
            name=op.f("fk_seizure_items_seizure_id_seizures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seizure_items")),
        sa.UniqueConstraint("seizure_id", "line", name="uq_seizure_items_line"),
    )
    with op.batch_alter_table("seizure_items", schema=None) as batch_op:
        batch_op.create_index("ix_seizure_items_audience", ["audience_id"], unique=False)
        batch_op.create_index("ix_seizure_items_operation", ["operation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seizure_items", schema=None) as batch_op:
        batch_op.drop_index("ix_seizure_items_operation")
        batch_op.drop_index("ix_seizure_items_audience")

    op.drop_table("seizure_items")
    with op.batch_alter_table("seizures", schema=None) as batch_op:
        batch_op.drop_index("ix_seizures_seized")
        batch_op.drop_index("ix_seizures_owner_seized")
        batch_op.drop_index("ix_seizures_operation")
        batch_op.drop_index("ix_seizures_dist_seized")
        batch_op.drop_index("ix_seizures_country_seized")

    op.drop_table("seizures")
    op.drop_table("operation_results")
    with op.batch_alter_table("operation_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operation_participants_agency_id"))

    op.drop_table("operation_participants")
    with op.batch_alter_table("seizure_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seizure_imports_agency_id"))

    op.drop_table("seizure_imports")
    op.drop_table("operations")
    op.drop_table("audiences")

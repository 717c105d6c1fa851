"""situation indicators

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("reported_value", sa.Float(), nullable=False),
        sa.Column("reported_unit", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("source_table", sa.String(length=200), nullable=False),
        sa.Column("source_page", sa.String(length=40), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("import_uuid", sa.String(length=36), nullable=True),
        sa.Column("import_row", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_indicator_values_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_indicator_values_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_values")),
        sa.UniqueConstraint(
            "indicator", "area", "period", "revision", name="uq_indicator_values_revision"
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_indicator_values_uuid")),
    )
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_values_area_indicator", ["area", "indicator", "period_start"], unique=False
        )
        batch_op.create_index("ix_indicator_values_import", ["import_uuid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_values_import")
        batch_op.drop_index("ix_indicator_values_area_indicator")

    op.drop_table("indicator_values")

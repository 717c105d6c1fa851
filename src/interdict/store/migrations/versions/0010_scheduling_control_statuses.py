"""control status of substances by jurisdiction, with history, and imports of national lists

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control_status_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("superseded", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_agency", sa.String(length=32), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_control_status_imports_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_status_imports")),
        sa.UniqueConstraint("uuid", name=op.f("uq_control_status_imports_uuid")),
    )
    op.create_table(
        "control_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("nps_group", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=8), nullable=False),
        sa.Column("schedule", sa.String(length=200), nullable=False),
        sa.Column("decontrolled", sa.Boolean(), nullable=False),
        sa.Column("in_force", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("legal_reference", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_agency", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["control_status_imports.id"],
            name=op.f("fk_control_statuses_import_id_control_status_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_control_statuses_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_statuses")),
        sa.UniqueConstraint(
            "substance", "nps_group", "jurisdiction", "in_force", name="uq_control_statuses_subject"
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_control_statuses_uuid")),
    )
    op.create_index(
        "ix_control_statuses_group", "control_statuses", ["nps_group", "jurisdiction"], unique=False
    )
    op.create_index(
        "ix_control_statuses_jurisdiction", "control_statuses", ["jurisdiction", "in_force"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_control_statuses_jurisdiction", table_name="control_statuses")
    op.drop_index("ix_control_statuses_group", table_name="control_statuses")
    op.drop_table("control_statuses")
    op.drop_table("control_status_imports")

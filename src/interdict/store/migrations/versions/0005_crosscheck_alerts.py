"""automatic cross-matching alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crosscheck_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("own_entity_id", sa.Integer(), nullable=False),
        sa.Column("other_entity_id", sa.Integer(), nullable=True),
        sa.Column("other_agency_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("explanation", sa.String(length=1000), nullable=True),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("seen_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_crosscheck_alerts_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["other_agency_id"], ["agencies.id"], name=op.f("fk_crosscheck_alerts_other_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["own_entity_id"],
            ["entities.id"],
            name=op.f("fk_crosscheck_alerts_own_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_entity_id"],
            ["entities.id"],
            name=op.f("fk_crosscheck_alerts_other_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosscheck_alerts")),
        sa.UniqueConstraint("uuid", name=op.f("uq_crosscheck_alerts_uuid")),
    )
    with op.batch_alter_table("crosscheck_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crosscheck_alerts_own_entity_id"), ["own_entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_crosscheck_alerts_other_entity_id"), ["other_entity_id"], unique=False)
        batch_op.create_index("ix_crosscheck_alerts_agency_created", ["agency_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crosscheck_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_crosscheck_alerts_agency_created")
        batch_op.drop_index(batch_op.f("ix_crosscheck_alerts_other_entity_id"))
        batch_op.drop_index(batch_op.f("ix_crosscheck_alerts_own_entity_id"))
    op.drop_table("crosscheck_alerts")

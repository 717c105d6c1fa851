"""structure generation: a counter every change to the cooperation structure moves

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 22:30:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "structure_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "token": str(uuid.uuid4()), "value": 0}])


def downgrade() -> None:
    op.drop_table("structure_generation")

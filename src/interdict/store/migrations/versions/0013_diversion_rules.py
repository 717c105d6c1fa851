"""diversion rule settings and annual legitimate requirements

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annual_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("quantity_kg", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_annual_requirements_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_requirements")),
        sa.UniqueConstraint(
            "country", "substance", "year", name=op.f("uq_annual_requirements_country_substance_year")
        ),
    )
    op.create_table(
        "diversion_rule_settings",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("params", interdict.store.types.JSONDict(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_diversion_rule_settings_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_diversion_rule_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("agency_id", "rule", name=op.f("pk_diversion_rule_settings")),
    )


def downgrade() -> None:
    op.drop_table("diversion_rule_settings")
    op.drop_table("annual_requirements")

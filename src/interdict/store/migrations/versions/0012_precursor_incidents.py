"""precursor incidents: stopped shipments, suspicious orders, seizures, thefts and diversions, with lines

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "precursor_incidents",
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("methods", interdict.store.types.JSONList(), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("transit_countries", interdict.store.types.JSONList(), nullable=False),
        sa.Column("notification_uuid", sa.String(length=36), nullable=False),
        sa.Column("seizure_id", sa.Integer(), nullable=True),
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
            ["created_by_id"], ["users.id"], name=op.f("fk_precursor_incidents_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_precursor_incidents_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["seizure_id"], ["seizures.id"], name=op.f("fk_precursor_incidents_seizure_id_seizures")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_precursor_incidents_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precursor_incidents")),
        sa.UniqueConstraint("uuid", name=op.f("uq_precursor_incidents_uuid")),
    )
    op.create_index(
        "ix_precursor_incidents_country_occurred",
        "precursor_incidents",
        ["country", "occurred_on"],
        unique=False,
    )
    op.create_index(
        "ix_precursor_incidents_occurred", "precursor_incidents", ["occurred_on", "id"], unique=False
    )
    op.create_index(
        "ix_precursor_incidents_owner_occurred",
        "precursor_incidents",
        ["owner_agency_id", "occurred_on"],
        unique=False,
    )
    op.create_table(
        "precursor_incident_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("equipment", sa.String(length=32), nullable=False),
        sa.Column("reported_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("mass_kg", sa.Float(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("count_unit", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["precursor_incidents.id"],
            name=op.f("fk_precursor_incident_items_incident_id_precursor_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precursor_incident_items")),
    )
    op.create_index(
        op.f("ix_precursor_incident_items_incident_id"),
        "precursor_incident_items",
        ["incident_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_precursor_incident_items_incident_id"), table_name="precursor_incident_items")
    op.drop_table("precursor_incident_items")
    op.drop_index("ix_precursor_incidents_owner_occurred", table_name="precursor_incidents")
    op.drop_index("ix_precursor_incidents_occurred", table_name="precursor_incidents")
    op.drop_index("ix_precursor_incidents_country_occurred", table_name="precursor_incidents")
    op.drop_table("precursor_incidents")

"""pre-export notifications of precursor chemicals, their log, and the competent authorities

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pen_notifications",
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("exporting_country", sa.String(length=2), nullable=False),
        sa.Column("importing_country", sa.String(length=2), nullable=False),
        sa.Column("importing_agency_id", sa.Integer(), nullable=False),
        sa.Column("exporter", sa.String(length=300), nullable=False),
        sa.Column("exporter_address", sa.Text(), nullable=False),
        sa.Column("importer", sa.String(length=300), nullable=False),
        sa.Column("importer_address", sa.Text(), nullable=False),
        sa.Column("consignee", sa.String(length=300), nullable=False),
        sa.Column("consignee_address", sa.Text(), nullable=False),
        sa.Column("order_reference", sa.String(length=100), nullable=False),
        sa.Column("substance", sa.String(length=64), nullable=False),
        sa.Column("reported_name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("mass_kg", sa.Float(), nullable=True),
        sa.Column("count", sa.Float(), nullable=True),
        sa.Column("count_unit", sa.String(length=16), nullable=False),
        sa.Column("route", interdict.store.types.JSONList(), nullable=False),
        sa.Column("transit_countries", interdict.store.types.JSONList(), nullable=False),
        sa.Column("transit_authorities", interdict.store.types.JSONList(), nullable=False),
        sa.Column("transport_mode", sa.String(length=16), nullable=False),
        sa.Column("ship_date", sa.Date(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("notified_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("answer_due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("answer", sa.String(length=24), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=False),
        sa.Column("answered_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer_late", sa.Boolean(), nullable=False),
        sa.Column("shipped", sa.Boolean(), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.Column("last_reminder_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("flags", interdict.store.types.JSONList(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
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
            ["answered_by_id"], ["users.id"], name=op.f("fk_pen_notifications_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_pen_notifications_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["pen_notifications.id"],
            name=op.f("fk_pen_notifications_duplicate_of_id_pen_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["importing_agency_id"],
            ["agencies.id"],
            name=op.f("fk_pen_notifications_importing_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_pen_notifications_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_pen_notifications_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pen_notifications")),
        sa.UniqueConstraint("reference", name=op.f("uq_pen_notifications_reference")),
        sa.UniqueConstraint("uuid", name=op.f("uq_pen_notifications_uuid")),
    )
    op.create_index(
        op.f("ix_pen_notifications_importing_agency_id"),
        "pen_notifications",
        ["importing_agency_id"],
        unique=False,
    )
    op.create_index(
        "ix_pen_notifications_importing_state",
        "pen_notifications",
        ["importing_agency_id", "state"],
        unique=False,
    )
    op.create_index(
        "ix_pen_notifications_owner_notified",
        "pen_notifications",
        ["owner_agency_id", "notified_at"],
        unique=False,
    )
    op.create_index(
        "ix_pen_notifications_substance_importing",
        "pen_notifications",
        ["substance", "importing_country"],
        unique=False,
    )
    op.create_table(
        "precursor_authorities",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("designated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_precursor_authorities_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["designated_by_id"], ["users.id"], name=op.f("fk_precursor_authorities_designated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_precursor_authorities")),
    )
    op.create_index(
        op.f("ix_precursor_authorities_agency_id"), "precursor_authorities", ["agency_id"], unique=False
    )
    op.create_table(
        "pen_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", interdict.store.types.JSONDict(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_pen_events_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["pen_notifications.id"],
            name=op.f("fk_pen_events_notification_id_pen_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pen_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pen_events")),
    )
    op.create_index(op.f("ix_pen_events_notification_id"), "pen_events", ["notification_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pen_events_notification_id"), table_name="pen_events")
    op.drop_table("pen_events")
    op.drop_index(op.f("ix_precursor_authorities_agency_id"), table_name="precursor_authorities")
    op.drop_table("precursor_authorities")
    op.drop_index("ix_pen_notifications_substance_importing", table_name="pen_notifications")
    op.drop_index("ix_pen_notifications_owner_notified", table_name="pen_notifications")
    op.drop_index("ix_pen_notifications_importing_state", table_name="pen_notifications")
    op.drop_index(op.f("ix_pen_notifications_importing_agency_id"), table_name="pen_notifications")
    op.drop_table("pen_notifications")

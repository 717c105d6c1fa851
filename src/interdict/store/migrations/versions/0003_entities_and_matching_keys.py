"""entities, their matching keys, and cross-check notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 19:17:01.463107
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("ftm_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=40), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("properties", interdict.store.types.JSONDict(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
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
            ["audience_id"], ["audiences.id"], name=op.f("fk_entities_audience_id_audiences")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_entities_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_entities_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_entities_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("owner_agency_id", "ftm_id", name="uq_entities_owner_ftm_id"),
        sa.UniqueConstraint("uuid", name=op.f("uq_entities_uuid")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_audience_id"), ["audience_id"], unique=False)
        batch_op.create_index("ix_entities_dist_created", ["distribution", "created_at"], unique=False)

    op.create_table(
        "entity_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_entity_keys_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "entity_id", name=op.f("pk_entity_keys")),
    )
    with op.batch_alter_table("entity_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_keys_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "crosscheck_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("requester_agency_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("seen_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_crosscheck_notifications_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_crosscheck_notifications_owner_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_crosscheck_notifications_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requester_agency_id"],
            ["agencies.id"],
            name=op.f("fk_crosscheck_notifications_requester_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosscheck_notifications")),
        sa.UniqueConstraint("uuid", name=op.f("uq_crosscheck_notifications_uuid")),
    )
    with op.batch_alter_table("crosscheck_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crosscheck_notifications_entity_id"), ["entity_id"], unique=False
        )
        batch_op.create_index(
            "ix_crosscheck_notifications_owner_created", ["owner_agency_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("crosscheck_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_crosscheck_notifications_owner_created")
        batch_op.drop_index(batch_op.f("ix_crosscheck_notifications_entity_id"))

    op.drop_table("crosscheck_notifications")
    with op.batch_alter_table("entity_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_keys_entity_id"))

    op.drop_table("entity_keys")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_dist_created")
        batch_op.drop_index(batch_op.f("ix_entities_audience_id"))

    op.drop_table("entities")

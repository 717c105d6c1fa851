"""watch lists: read-only published lists, their entries, keys and alerts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watch_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("programs", interdict.store.types.JSONList(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("imported_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_watch_lists_code_sha256", "watch_lists", ["code", "sha256"])
    op.create_table(
        "watch_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=40), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("programs", interdict.store.types.JSONList(), nullable=False),
        sa.Column("properties", interdict.store.types.JSONDict(), nullable=False),
        sa.Column("subject", interdict.store.types.JSONDict(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["watch_lists.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("list_id", "entry_id", name="uq_watch_list_entries_list_entry"),
    )
    op.create_index("ix_watch_list_entries_list_id", "watch_list_entries", ["list_id"])
    op.create_table(
        "watch_list_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["watch_list_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "entry_id"),
    )
    op.create_index("ix_watch_list_keys_entry_id", "watch_list_keys", ["entry_id"])
    op.create_table(
        "watch_list_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.String(length=1000), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["watch_list_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    op.create_index("ix_watch_list_alerts_agency_created", "watch_list_alerts", ["agency_id", "created_at"])
    op.create_index("ix_watch_list_alerts_entity_id", "watch_list_alerts", ["entity_id"])
    op.create_index("ix_watch_list_alerts_entry_id", "watch_list_alerts", ["entry_id"])


def downgrade() -> None:
    op.drop_table("watch_list_alerts")
    op.drop_table("watch_list_keys")
    op.drop_table("watch_list_entries")
    op.drop_table("watch_lists")

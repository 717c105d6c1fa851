"""requests for information between agencies, their threads and attached records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "information_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("requester_agency_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("recipient_agency_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_ref", sa.String(length=200), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("answered_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_agency_id"],
            ["agencies.id"],
            name=op.f("fk_information_requests_recipient_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_information_requests_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requester_agency_id"],
            ["agencies.id"],
            name=op.f("fk_information_requests_requester_agency_id_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_information_requests_reference")),
        sa.UniqueConstraint("uuid", name=op.f("uq_information_requests_uuid")),
    )
    with op.batch_alter_table("information_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_information_requests_requester_created", ["requester_agency_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_information_requests_recipient_created", ["recipient_agency_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_information_requests_state_due", ["state", "due_on"], unique=False)

    op.create_table(
        "rfi_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_agency_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_agency_id"], ["agencies.id"], name=op.f("fk_rfi_messages_author_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_rfi_messages_author_id_users")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["information_requests.id"],
            name=op.f("fk_rfi_messages_request_id_information_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfi_messages")),
        sa.UniqueConstraint("uuid", name=op.f("uq_rfi_messages_uuid")),
    )
    with op.batch_alter_table("rfi_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rfi_messages_request_id"), ["request_id"], unique=False)

    op.create_table(
        "rfi_attachments",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["rfi_messages.id"],
            name=op.f("fk_rfi_attachments_message_id_rfi_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "record_uuid", name=op.f("pk_rfi_attachments")),
    )


def downgrade() -> None:
    op.drop_table("rfi_attachments")
    with op.batch_alter_table("rfi_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfi_messages_request_id"))

    op.drop_table("rfi_messages")
    with op.batch_alter_table("information_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_information_requests_state_due")
        batch_op.drop_index("ix_information_requests_recipient_created")
        batch_op.drop_index("ix_information_requests_requester_created")

    op.drop_table("information_requests")

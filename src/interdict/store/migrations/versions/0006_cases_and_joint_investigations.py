"""cases and joint investigations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interdict.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("offences", interdict.store.types.JSONList(), nullable=False),
        sa.Column("syndicate_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_cases_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_cases_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["syndicate_id"], ["entities.id"], name=op.f("fk_cases_syndicate_id_entities")
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_cases_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("uuid", name=op.f("uq_cases_uuid")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_owner_created", ["owner_agency_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_syndicate_id"), ["syndicate_id"], unique=False)

    op.create_table(
        "case_participants",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.Column("removed_at", interdict.store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_participants_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_participants_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_case_participants_invited_by_id_users")
        ),
        sa.PrimaryKeyConstraint("case_id", "agency_id", name=op.f("pk_case_participants")),
    )
    with op.batch_alter_table("case_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_participants_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("record_uuid", sa.String(length=36), nullable=False),
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("linked_by_agency_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_agency_id"], ["agencies.id"], name=op.f("fk_case_links_linked_by_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["users.id"], name=op.f("fk_case_links_linked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
        sa.UniqueConstraint("case_id", "record_uuid", name="uq_case_links_case_record"),
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_links_record_uuid"), ["record_uuid"], unique=False)

    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_agency_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interdict.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_agency_id"], ["agencies.id"], name=op.f("fk_case_entries_author_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_entries_author_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_entries_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"], ["case_entries.id"], name=op.f("fk_case_entries_reply_to_id_case_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entries")),
        sa.UniqueConstraint("uuid", name=op.f("uq_case_entries_uuid")),
    )
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.create_index("ix_case_entries_case_created", ["case_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_case_entries_case_created")

    op.drop_table("case_entries")
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_links_record_uuid"))

    op.drop_table("case_links")
    with op.batch_alter_table("case_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_participants_agency_id"))

    op.drop_table("case_participants")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_syndicate_id"))
        batch_op.drop_index("ix_cases_owner_created")

    op.drop_table("cases")

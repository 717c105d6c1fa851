"""Case files and joint investigations: the case, its participating agencies, the records linked to it,
and its investigation log and discussion.

``cases`` holds one case file of an *owner* agency. It is not a shared record: the owner agency and its
current participants see it, nobody else (``services/cases.py`` filters every read on those two, and
anyone else gets "not found"). ``syndicate_id`` names an Organization entity the case is grouped under; the
entity stays a shared record, shown to a viewer only where the sharing rule lets it see the entity.

``case_participants`` names the other agencies of a joint investigation. Removing one sets
``removed_at`` (the row is kept as a fact, like a mechanism membership that ended); a removed agency sees
nothing of the case from that moment. Inviting it again clears ``removed_at``.

``case_links`` names the records (seizures, entities, intelligence reports) participants linked to the
case. A link grants nothing: the record is shown to a viewer only where its own sharing rule lets the
viewer's agency see it (``store.visibility.visible``), so each agency contributes under its own rules.

``case_entries`` is the case's log, in order: notes (investigation log entries), messages of the
discussion (optionally replying to an earlier entry) and status changes with their reasons.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import JSONList, UTCDateTime


class Case(Base):
    """One case file, owned by an agency."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # open | suspended | closed (domain/cases.py)
    offences: Mapped[list[str]] = mapped_column(JSONList, default=list)  # domain.cases.Offence codes
    syndicate_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_cases_owner_created", "owner_agency_id", "created_at"),)


class CaseParticipant(Base):
    """Another agency taking part in a joint investigation (the owner is not listed here)."""

    __tablename__ = "case_participants"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseLink(Base):
    """A record a participant linked to the case; shown to each viewer only under the record's own rule."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    record_kind: Mapped[str] = mapped_column(String(16))  # seizure | entity | intel_report
    linked_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("case_id", "record_uuid", name="uq_case_links_case_record"),)


class CaseEntry(Base):
    """One entry of a case's log: a note, a message of the discussion, or a status change."""

    __tablename__ = "case_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # note | message | status
    author_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("case_entries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_case_entries_case_created", "case_id", "created_at"),)

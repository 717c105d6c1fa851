"""Requests for information (RFI) between agencies: the request, its thread, and the records an answer
attached.

``information_requests`` holds one request from a *requester* agency to a *recipient* agency. It is not a
shared record: exactly the two agencies see it (``services/rfi.py`` filters every read on the two agency
columns, and anyone else gets "not found"). ``reference`` (``RFI-2026-000123``) is what people quote on
the telephone; it is derived from the row id, so two requests created at once never race for a number.
``state`` is the stored state (sent, acknowledged, answered, declined, withdrawn); *overdue* is not
stored: a request still open (sent or acknowledged) whose ``due_on`` is before today is overdue, worked
out when it is read.

``rfi_messages`` is the thread: free messages of either side, the answer, the reason for a decline or a
withdrawal, in order. ``rfi_attachments`` names the records an answer attached; the answer made them
visible to the requester through their own distribution (the records stay shared records, read through
``store.visibility.visible`` like any other), so an attachment row grants nothing by itself.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import UTCDateTime


class InformationRequest(Base):
    """One request for information from the requester agency to the recipient agency."""

    __tablename__ = "information_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # RFI-<year>-<id, 6 digits>
    requester_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    subject_kind: Mapped[str] = mapped_column(String(16))  # hit | record | question
    # record: the uuid of a record the requester can see; hit: the requester's own note of the blind hit
    # (the agency code and what it asked); question: none.
    subject_ref: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(16))  # routine | urgent
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))  # sent | acknowledged | answered | declined | withdrawn
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_information_requests_requester_created", "requester_agency_id", "created_at"),
        Index("ix_information_requests_recipient_created", "recipient_agency_id", "created_at"),
        Index("ix_information_requests_state_due", "state", "due_on"),
    )


class RfiMessage(Base):
    """One entry of a request's thread, written by a user of either agency."""

    __tablename__ = "rfi_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("information_requests.id", ondelete="CASCADE"), index=True)
    author_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # message | answer | decline | withdraw
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RfiAttachment(Base):
    """A record (owned by the recipient) that an answer attached."""

    __tablename__ = "rfi_attachments"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("rfi_messages.id", ondelete="CASCADE"), primary_key=True
    )
    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(16))  # intel_report | seizure | entity

"""Shared records. Every record type mixes in ``SharedColumns`` and names its targets in ``record_shares``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from interdict.store.base import Base
from interdict.store.types import JSONList, UTCDateTime


class SharedColumns:
    """Columns every shared record carries (DESIGN.md, Data)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    distribution: Mapped[str] = mapped_column(String(16))
    handling_conditions: Mapped[list[str]] = mapped_column(JSONList, default=list)
    handling_notes: Mapped[str] = mapped_column(Text, default="")
    contains_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    hit_notification: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr
    def owner_agency_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("agencies.id"))

    @declared_attr
    def created_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"))


class RecordShare(Base):
    """A named target of a record's distribution: an agency or a mechanism."""

    __tablename__ = "record_shares"

    record_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # agency | mechanism
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_record_shares_target", "target_kind", "target_id"),)


class Audience(Base):
    """Who a record reaches, as one row: its owner, distribution level, personal-data flag and named
    targets (in ``record_shares`` under this row's uuid). Records with the same sharing share an
    audience, so an aggregate over a million records applies the sharing rule (``visible``) to the
    few hundred audiences and keeps the records whose ``audience_id`` is among those visible, an
    integer test. A record's audience is set wherever its sharing is written (create, import,
    distribution change); tests hold it equal to the rule applied to the record itself."""

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    distribution: Mapped[str] = mapped_column(String(16))
    contains_personal_data: Mapped[bool] = mapped_column(Boolean)
    signature: Mapped[str] = mapped_column(String(2000), unique=True)


class IntelReport(SharedColumns, Base):
    __tablename__ = "intel_reports"

    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32))
    source_reliability: Mapped[str] = mapped_column(String(1))
    info_accuracy: Mapped[int] = mapped_column(Integer)
    tags: Mapped[list[str]] = mapped_column(JSONList, default=list)
    countries: Mapped[list[str]] = mapped_column(JSONList, default=list)
    substances: Mapped[list[str]] = mapped_column(JSONList, default=list)

    __table_args__ = (
        Index("ix_intel_reports_created", "created_at", "id"),
        Index("ix_intel_reports_owner_created", "owner_agency_id", "created_at"),
        Index("ix_intel_reports_dist_created", "distribution", "created_at"),
        Index("ix_intel_reports_category_created", "category", "created_at"),
    )


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OnwardRequest(Base):
    """A recipient's request that the owner share a record further."""

    __tablename__ = "onward_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    record_uuid: Mapped[str] = mapped_column(String(36), index=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    requester_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    add_agencies: Mapped[list[str]] = mapped_column(JSONList, default=list)
    add_mechanisms: Mapped[list[str]] = mapped_column(JSONList, default=list)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | declined | withdrawn
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

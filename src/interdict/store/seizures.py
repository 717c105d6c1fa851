"""Seizure reports, their substance lines, bulk imports, and joint operations.

A seizure is a shared record (``SharedColumns``): every read goes through ``store.visibility``. Its
substance lines live in ``seizure_items``; the statistics group those, joined to the seizure for the
sharing rule. ``seized_month`` (yyyymm) is kept beside ``seized_on`` so periods group on an integer in
both stores.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.records import SharedColumns
from interdict.store.types import JSONDict, JSONList, UTCDateTime


class Seizure(SharedColumns, Base):
    __tablename__ = "seizures"

    reference: Mapped[str] = mapped_column(String(100), default="")
    # What makes a re-import of the same row a no-op: the agency's reference when it gives one, else
    # a hash of the row's values. ``source_hash`` tells a repeat from a changed row under one reference.
    source_key: Mapped[str] = mapped_column(String(100))
    source_hash: Mapped[str] = mapped_column(String(32))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("seizure_imports.id"))
    seized_on: Mapped[date] = mapped_column(Date)
    seized_month: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str] = mapped_column(String(10), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    location_type: Mapped[str] = mapped_column(String(16))
    port_code: Mapped[str] = mapped_column(String(40), default="")
    concealment: Mapped[str] = mapped_column(String(200), default="")
    transport_mode: Mapped[str] = mapped_column(String(16), default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    transit_countries: Mapped[list[str]] = mapped_column(JSONList, default=list)
    destination_country: Mapped[str] = mapped_column(String(2), default="")
    suspects_arrested: Mapped[int] = mapped_column(Integer, default=0)
    suspect_nationalities: Mapped[list[str]] = mapped_column(JSONList, default=list)
    assets: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))

    __table_args__ = (
        UniqueConstraint("owner_agency_id", "source_key", name="uq_seizures_owner_source"),
        Index("ix_seizures_seized", "seized_on", "id"),
        Index("ix_seizures_owner_seized", "owner_agency_id", "seized_on"),
        Index("ix_seizures_dist_seized", "distribution", "seized_on"),
        Index("ix_seizures_country_seized", "country", "seized_on"),
        Index("ix_seizures_operation", "operation_id"),
    )


class SeizureItem(Base):
    """One substance of a seizure: the quantity as reported and as normalised.

    It also carries the seizure's facts the statistics group and filter by, and its audience, so that
    statistics over a million seizures read this one table. The seizure's place, date, route and owner
    never change after it is written; its audience and operation do, and are written to its lines in
    the same transaction (services/seizures.py)."""

    __tablename__ = "seizure_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    substance: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    reported_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[float | None] = mapped_column(Float)
    count: Mapped[float | None] = mapped_column(Float)
    count_unit: Mapped[str] = mapped_column(String(16), default="")
    factor: Mapped[str] = mapped_column(String(300), default="")
    purity_pct: Mapped[float | None] = mapped_column(Float)
    form: Mapped[str] = mapped_column(String(40), default="")
    # Whether this is the seizure's first line of its substance / of its category: the statistics
    # count seizures by summing these instead of COUNT(DISTINCT), which sorts every matching line.
    first_of_substance: Mapped[bool] = mapped_column(Boolean, default=True)
    first_of_category: Mapped[bool] = mapped_column(Boolean, default=True)
    # The seizure's facts, copied (see the class docstring).
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    seized_on: Mapped[date] = mapped_column(Date)
    seized_month: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))
    location_type: Mapped[str] = mapped_column(String(16))
    port_code: Mapped[str] = mapped_column(String(40), default="")
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    destination_country: Mapped[str] = mapped_column(String(2), default="")
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))

    __table_args__ = (
        UniqueConstraint("seizure_id", "line", name="uq_seizure_items_line"),
        Index("ix_seizure_items_audience", "audience_id"),
        Index("ix_seizure_items_operation", "operation_id"),
    )


class SeizureImport(Base):
    """One bulk import: who loaded which file, and what became of every row."""

    __tablename__ = "seizure_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16))  # all | valid
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Operation(Base):
    """A joint operation. Its participants see it; nobody else learns it exists."""

    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    target_substances: Mapped[list[str]] = mapped_column(JSONList, default=list)
    target_routes: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class OperationParticipant(Base):
    __tablename__ = "operation_participants"

    operation_id: Mapped[int] = mapped_column(
        ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OperationResult(Base):
    """A participant's aggregate result for the operation, for what it cannot share one by one.

    One row per participant and substance (``substance`` empty for the line that carries only cases
    and arrests). It states the participant's whole result for the operation, seizures it also
    tagged one by one included; the consolidation never adds the two (services/operations.py).
    """

    __tablename__ = "operation_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    substance: Mapped[str] = mapped_column(String(64), default="")
    cases: Mapped[int] = mapped_column(Integer, default=0)
    suspects_arrested: Mapped[int] = mapped_column(Integer, default=0)
    mass_kg: Mapped[float | None] = mapped_column(Float)
    count: Mapped[float | None] = mapped_column(Float)
    count_unit: Mapped[str] = mapped_column(String(16), default="")
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("operation_id", "agency_id", "substance", name="uq_operation_results_line"),
    )

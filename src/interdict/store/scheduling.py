"""Control status of substances by jurisdiction, with history, and the imports of national lists.

Reference data, not shared records: every signed-in user reads them (services/scheduling.py says who
writes). A row names either a catalogue substance (``substance``) or an analogue group (``nps_group``,
a class-wide control); the other is "". Rows are never deleted: a new status closes the one before it by
setting its ``until``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import UTCDateTime


class ControlStatus(Base):
    __tablename__ = "control_statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    substance: Mapped[str] = mapped_column(String(64), default="")
    nps_group: Mapped[str] = mapped_column(String(64), default="")
    jurisdiction: Mapped[str] = mapped_column(String(8))
    schedule: Mapped[str] = mapped_column(String(200), default="")
    decontrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    in_force: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    legal_reference: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_agency: Mapped[str] = mapped_column(String(32), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("control_status_imports.id"))

    __table_args__ = (
        UniqueConstraint(
            "substance", "nps_group", "jurisdiction", "in_force", name="uq_control_statuses_subject"
        ),
        Index("ix_control_statuses_jurisdiction", "jurisdiction", "in_force"),
        Index("ix_control_statuses_group", "nps_group", "jurisdiction"),
    )


class ControlStatusImport(Base):
    """One import of a national list: who loaded which file, and what became of its rows."""

    __tablename__ = "control_status_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    superseded: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_agency: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

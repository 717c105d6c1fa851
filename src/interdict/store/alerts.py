"""Automatic cross-matching alerts (services/entity_alerts.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import UTCDateTime


class CrosscheckAlert(Base):
    """Automatic cross-matching: a new or changed entity matched another, and ``agency`` is told.

    ``own_entity`` is the recipient agency's entity in the match. ``other_entity`` is the other side,
    set only where the recipient could see it when the alert was made (it is checked again when the
    alert is read); otherwise the alert says only which agency holds a match (a blind alert, allowed by
    that entity's ``hit_notification``), with no score and no explanation.
    """

    __tablename__ = "crosscheck_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    own_entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    other_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    other_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_crosscheck_alerts_agency_created", "agency_id", "created_at"),)

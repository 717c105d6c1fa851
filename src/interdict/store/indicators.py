"""Indicator values: published figures of the drug situation, with their provenance and revisions.

One row is one statement of one figure: indicator, area, period, value (in the indicator's canonical
unit, with the value and unit as reported), an optional range, and where it came from (source
document, table, page) and who entered it. A new figure for the same indicator, area and period is a
new row with the next ``revision``; nothing is overwritten or deleted. Reads take the highest revision
and can show the history.

Indicator values are not shared records: they hold figures from published sources (surveys, annual
reports, press releases), which every signed-in user sees (docs/SITUATION.md). Figures that are not
public belong in seizure or intelligence reports, which go through the sharing rule.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import UTCDateTime


class IndicatorValue(Base):
    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    indicator: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(16))  # 2023 | 2023-Q2 | 2023-05
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # in the indicator's canonical unit
    unit: Mapped[str] = mapped_column(String(32))
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    reported_value: Mapped[float] = mapped_column(Float)
    reported_unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(300))
    source_table: Mapped[str] = mapped_column(String(200), default="")
    source_page: Mapped[str] = mapped_column(String(40), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    import_uuid: Mapped[str | None] = mapped_column(String(36))
    import_row: Mapped[int | None] = mapped_column(Integer)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("indicator", "area", "period", "revision", name="uq_indicator_values_revision"),
        Index("ix_indicator_values_area_indicator", "area", "indicator", "period_start"),
        Index("ix_indicator_values_import", "import_uuid"),
    )

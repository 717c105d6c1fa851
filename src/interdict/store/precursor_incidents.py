"""Precursor incidents: stopped shipments, suspicious orders, seizures of precursors and equipment,
thefts and diversions.

``precursor_incidents`` is a shared record (``SharedColumns``): every read goes through
``store.visibility.visible``. Its lines live in ``precursor_incident_items``: a chemical line names a
catalogue precursor with its quantity as reported and normalised (``mass_kg``, or ``count`` and
``count_unit`` where no sound mass exists); an equipment line names an equipment code and a count of
units. Chemicals that were seized are also written as a seizure record (``seizure_id``), so the seizure
statistics count them; services/precursor_incidents.py writes both in one transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.records import SharedColumns
from interdict.store.types import JSONList


class PrecursorIncident(SharedColumns, Base):
    __tablename__ = "precursor_incidents"

    reference: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2))
    place: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(300))
    narrative: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[list[str]] = mapped_column(JSONList, default=list)
    origin_country: Mapped[str] = mapped_column(String(2), default="")
    destination_country: Mapped[str] = mapped_column(String(2), default="")
    transit_countries: Mapped[list[str]] = mapped_column(JSONList, default=list)
    # An optional link to a pre-export notification the caller's agency may see (store/pen.py).
    notification_uuid: Mapped[str] = mapped_column(String(36), default="")
    # The seizure record written for the chemicals seized, when any were.
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"))

    __table_args__ = (
        Index("ix_precursor_incidents_occurred", "occurred_on", "id"),
        Index("ix_precursor_incidents_owner_occurred", "owner_agency_id", "occurred_on"),
        Index("ix_precursor_incidents_country_occurred", "country", "occurred_on"),
    )


class PrecursorIncidentItem(Base):
    """One line of an incident: a precursor chemical (``substance``) or a piece of equipment."""

    __tablename__ = "precursor_incident_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("precursor_incidents.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int] = mapped_column(Integer)
    item_kind: Mapped[str] = mapped_column(String(16))  # chemical | equipment
    substance: Mapped[str] = mapped_column(String(64), default="")
    equipment: Mapped[str] = mapped_column(String(32), default="")
    reported_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[float | None] = mapped_column(Float)
    count: Mapped[float | None] = mapped_column(Float)
    count_unit: Mapped[str] = mapped_column(String(16), default="")

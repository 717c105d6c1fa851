"""Pre-export notifications (PEN) of precursor chemicals, their log, and the competent authorities.

``precursor_authorities`` names, for each country, the agency that is its competent authority for
precursor control: the one that sends notifications of exports from the country and answers
notifications of imports into it. A platform admin designates it.

``pen_notifications`` is a shared record (``SharedColumns``) owned by the exporting authority. Its
distribution always names the importing country's authority and the authorities of the transit
countries, and nobody else, unless an authority shares it further (services/pen.py keeps the named
authorities in whatever distribution it is given). Every read goes through ``store.visibility.visible``.

The quantity is kept as notified (``quantity``, ``unit``) and normalised (``mass_kg``; ``count`` and
``count_unit`` where no sound mass exists, e.g. litres of a liquid without a documented density), as
for seizure lines (domain/quantities.py).

``pen_events`` is the notification's log, in order: notified, answered (with whether the answer came
after the deadline: late answers are recorded, never dropped), information provided, reminders,
shipment, arrival, withdrawal, sharing changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.records import SharedColumns
from interdict.store.types import JSONDict, JSONList, UTCDateTime


class PrecursorAuthority(Base):
    """The competent authority of a country for precursor control (sends and answers notifications)."""

    __tablename__ = "precursor_authorities"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # none: at the console
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PreExportNotification(SharedColumns, Base):
    """One pre-export notification, owned by the exporting country's authority."""

    __tablename__ = "pen_notifications"

    reference: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. PEN-CN-2026-000012
    exporting_country: Mapped[str] = mapped_column(String(2))
    importing_country: Mapped[str] = mapped_column(String(2))
    importing_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    exporter: Mapped[str] = mapped_column(String(300))
    exporter_address: Mapped[str] = mapped_column(Text, default="")
    importer: Mapped[str] = mapped_column(String(300))
    importer_address: Mapped[str] = mapped_column(Text, default="")
    consignee: Mapped[str] = mapped_column(String(300), default="")  # final consignee, where not the importer
    consignee_address: Mapped[str] = mapped_column(Text, default="")
    order_reference: Mapped[str] = mapped_column(String(100), default="")  # exporter's order or invoice number
    substance: Mapped[str] = mapped_column(String(64))  # catalogue code of a precursor
    reported_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[float | None] = mapped_column(Float)
    count: Mapped[float | None] = mapped_column(Float)
    count_unit: Mapped[str] = mapped_column(String(16), default="")
    # Route legs in order: {"country": "SG", "place": "Jurong", "mode": "sea", "free_trade_zone": true}
    route: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    transit_countries: Mapped[list[str]] = mapped_column(JSONList, default=list)
    # The authorities the distribution must keep naming, fixed when it was notified: the transit
    # countries' designated authorities ({"country": "SG", "agency_id": 12}; agency_id null where the
    # country had none).
    transit_authorities: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    transport_mode: Mapped[str] = mapped_column(String(16), default="")
    ship_date: Mapped[date] = mapped_column(Date)  # planned
    purpose: Mapped[str] = mapped_column(Text, default="")
    deadline_days: Mapped[int] = mapped_column(Integer, default=15)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_due: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(24))  # domain/pen.py
    answer: Mapped[str | None] = mapped_column(String(24))  # latest answer of the importing authority
    answer_reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer_late: Mapped[bool] = mapped_column(Boolean, default=False)
    shipped: Mapped[bool | None] = mapped_column(Boolean)
    shipped_on: Mapped[date | None] = mapped_column(Date)
    arrived_on: Mapped[date | None] = mapped_column(Date)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Diversion indicators raised when it was notified: [{"rule", "reason", "details"}] (domain/diversion.py)
    flags: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("pen_notifications.id"))

    __table_args__ = (
        Index("ix_pen_notifications_owner_notified", "owner_agency_id", "notified_at"),
        Index("ix_pen_notifications_importing_state", "importing_agency_id", "state"),
        Index("ix_pen_notifications_substance_importing", "substance", "importing_country"),
    )


class PenEvent(Base):
    """One entry of a notification's log."""

    __tablename__ = "pen_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("pen_notifications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    late: Mapped[bool] = mapped_column(Boolean, default=False)

"""Diversion rule settings per authority, and the annual legitimate requirements of each country.

``diversion_rule_settings`` holds, per agency and rule, whether the rule is on and its parameters, as the
agency last set them (domain/diversion.py declares the rules; a rule without a row is on with its
defaults).

``annual_requirements`` holds the annual legitimate requirement a country states for a precursor and a
year, as notified (``quantity``, ``unit``) and in kilograms. These estimates are published (the INCB
publishes the governments' estimates), so every signed-in user may read them; the country's competent
authority (``precursor_authorities``) or a platform admin maintains them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.types import JSONDict, UTCDateTime


class DiversionRuleSetting(Base):
    """One agency's choice for one diversion rule."""

    __tablename__ = "diversion_rule_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    params: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AnnualRequirement(Base):
    """A country's stated annual legitimate requirement for one precursor in one year."""

    __tablename__ = "annual_requirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    substance: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    quantity_kg: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("country", "substance", "year"),)

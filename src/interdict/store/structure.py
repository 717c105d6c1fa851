"""Cooperation structure: agencies, mechanisms and their members, sharing agreements."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interdict.store.base import Base
from interdict.store.types import JSONList, UTCDateTime


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_local: Mapped[str] = mapped_column(String(300), default="")
    local_language: Mapped[str] = mapped_column(String(8), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    organisation: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    mfa_required: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Mechanism(Base):
    __tablename__ = "mechanisms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_local: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    established: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[MechanismMember]] = relationship(
        back_populates="mechanism", order_by="MechanismMember.id"
    )


class MechanismMember(Base):
    __tablename__ = "mechanism_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mechanism_id: Mapped[int] = mapped_column(ForeignKey("mechanisms.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    joined: Mapped[date] = mapped_column(Date)
    left: Mapped[date | None] = mapped_column(Date)

    mechanism: Mapped[Mechanism] = relationship(back_populates="members")
    agency: Mapped[Agency] = relationship()


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # bilateral | mechanism
    agency_a_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_b_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    mechanism_id: Mapped[int | None] = mapped_column(ForeignKey("mechanisms.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(JSONList, default=list)
    allows_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency_a: Mapped[Agency | None] = relationship(foreign_keys=[agency_a_id])
    agency_b: Mapped[Agency | None] = relationship(foreign_keys=[agency_b_id])
    mechanism: Mapped[Mechanism | None] = relationship()


class StructureGeneration(Base):
    """One row: a counter bumped in the transaction of every change to agencies, mechanisms, memberships
    or agreements (``store.generation``), and a token drawn when the database was created. Together they
    name the state of the cooperation structure, so a process may keep what it derived from one state
    (``store.visibility.viewer_context``) until the counter moves."""

    __tablename__ = "structure_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(36))
    value: Mapped[int] = mapped_column(Integer, default=0)

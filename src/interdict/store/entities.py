"""FollowTheMoney entities, their matching keys, and the notices a blind cross-check hit leaves.

``entities`` holds one FtM entity per row (persons, companies, accounts, wallets, vessels, passports and
the relations between them). It is a shared record (``SharedColumns``), so every read goes through
``store.visibility.visible``; like a seizure it also carries its ``audience`` (services/sharing.py), so
that aggregates can apply the rule to the few audiences instead of to every entity. ``ftm_id`` is the
entity's id in FtM files; it is unique per owner agency only (two agencies may both have an entity
``p1``), which is what makes a re-import of the same file update instead of duplicate.

``entity_keys`` holds the entity's blocking keys (``interdict.domain.matching.subject_keys``), rewritten
in the transaction of every write. Its primary key is ``(key, entity_id)``: finding the entities that
share a key is a range scan of that index, and counting how many do (to set aside keys too common to
use) reads at most the cap plus one index entries. Keys longer than the column are stored as a digest
(``services.entities.stored_key``), the same on write and on look-up.

``crosscheck_notifications`` tells an owner agency that another agency's cross-check matched one of
its records that the other agency may not see (a *blind hit*). The row names the owner's entity; the
requester learns only the owner agency's code (services/entities.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.records import SharedColumns
from interdict.store.types import JSONDict, UTCDateTime

KEY_LENGTH = 200


class Entity(SharedColumns, Base):
    """One FtM entity. ``properties`` is the FtM property map (name -> list of strings), cleaned by FtM
    and with identifier properties in their normalised form (``domain.identifiers``)."""

    __tablename__ = "entities"

    ftm_id: Mapped[str] = mapped_column(String(200))
    schema: Mapped[str] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(String(500), default="")
    properties: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id"), index=True)
    source: Mapped[str] = mapped_column(String(200), default="manual")  # "manual" | "import:<sha256>"

    __table_args__ = (
        UniqueConstraint("owner_agency_id", "ftm_id", name="uq_entities_owner_ftm_id"),
        Index("ix_entities_dist_created", "distribution", "created_at"),
    )


class EntityKey(Base):
    """A blocking key of an entity. Primary key (key, entity_id): look-up by key is an index range."""

    __tablename__ = "entity_keys"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CrosscheckNotification(Base):
    """Agency ``requester`` cross-checked and matched ``entity``, which it may not see; for the owner."""

    __tablename__ = "crosscheck_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    requester_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_crosscheck_notifications_owner_created", "owner_agency_id", "created_at"),)

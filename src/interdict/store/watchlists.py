"""Published watch lists (sanctions and designation lists) as read-only collections.

``watch_lists`` holds one row per imported version of a list: its code ("ofac-sdn"), title, publisher,
publication date, the file's name and sha256, who imported it and when. Only the ``current`` version of
each code is screened; an older version stays, with its entries, as the provenance of the alerts it
raised. A list is public data published by its authority, not an agency's record: every signed-in user
may see it, and nothing of an agency is stored here.

``watch_list_entries`` holds the entries of a version (the list's own id, e.g. OFAC's ent_num, the
caption, programmes, the FtM properties for display, and the matching subject); ``watch_list_keys``
the blocking keys of the current versions' entries, the same keys as ``entity_keys``
(``domain.matching.subject_keys``), so a cross-check looks up both the same way.

``watch_list_alerts`` tells an agency that one of its entities, when written, matched a list entry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interdict.store.base import Base
from interdict.store.entities import KEY_LENGTH
from interdict.store.types import JSONDict, JSONList, UTCDateTime


class WatchList(Base):
    """One imported version of a published list."""

    __tablename__ = "watch_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(300), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))  # the file's name
    sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    programs: Mapped[list[Any]] = mapped_column(JSONList, default=list)  # the programmes imported (all: [])
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (Index("ix_watch_lists_code_sha256", "code", "sha256"),)


class WatchListEntry(Base):
    """One entry of a list version: what a hit names (list, entry, programmes) and what is matched."""

    __tablename__ = "watch_list_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("watch_lists.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str] = mapped_column(String(200))
    schema: Mapped[str] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(String(500))
    programs: Mapped[list[Any]] = mapped_column(JSONList, default=list)
    properties: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)  # FtM properties, for display
    subject: Mapped[dict[str, Any]] = mapped_column(JSONDict, default=dict)  # what the engine compares

    __table_args__ = (UniqueConstraint("list_id", "entry_id", name="uq_watch_list_entries_list_entry"),)


class WatchListKey(Base):
    """A blocking key of a current list entry (primary key (key, entry_id), as ``entity_keys``)."""

    __tablename__ = "watch_list_keys"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("watch_list_entries.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WatchListAlert(Base):
    """Agency ``agency``'s entity matched a list entry when it was written."""

    __tablename__ = "watch_list_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watch_list_entries.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_watch_list_alerts_agency_created", "agency_id", "created_at"),)

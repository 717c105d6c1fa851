"""Published watch lists stored on the platform: import, screening in every cross-check, and alerts when
an agency writes an entity that a list names.

**Import** (:meth:`WatchListService.import_list`, platform administrators): the file is read whole by
``io.watchlists.read_watch_list`` (OFAC's sdn.csv layout with aliases and identifiers parsed from its
remarks, or FtM JSON lines), optionally narrowed to some programmes. All or nothing: a refused file
writes nothing. The same file again (same code and sha256) changes nothing. A new file of a code
becomes the ``current`` version; the previous version's keys are removed (it is no longer screened),
its entries stay as the provenance of the alerts they raised. One audit row names the file, its digest
and counts.

**Screening** (:func:`screen`): the subject's keys are looked up in ``watch_list_keys`` exactly as the
cross-check looks them up in ``entity_keys`` (``entity_crosscheck.find_keyed``), the entries weighed by
the rarity of the keys they share, the heaviest compared by the same engine. A list is public data:
every signed-in user sees every hit, naming the list, the entry and its programmes.

**Alerts** (:func:`match_lists`): each entity written (created, changed, imported) is screened; a hit
at or above the alert threshold is an alert to the entity's own agency, once per entity and entry.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.matching import RECOMMENDED_THRESHOLD, Subject, compare, subject_keys
from interdict.domain.roles import Permission
from interdict.io.watchlists import WatchListError, read_watch_list
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_alerts import ALERT_THRESHOLD, MATCHED_SCHEMATA
from interdict.services.entity_crosscheck import KEY_CAP, MAX_CANDIDATES, chunks, find_keyed
from interdict.services.entity_rules import entity_keys, stored_key, subject_of
from interdict.services.linkage import entry_label, entry_subject, subject_from
from interdict.services.sharing import viewer
from interdict.store.entities import Entity
from interdict.store.visibility import visible
from interdict.store.watchlists import WatchList, WatchListAlert, WatchListEntry, WatchListKey

__all__ = ["ListHit", "WatchListAlertView", "WatchListService", "alerts_for", "match_lists", "screen"]


@dataclass(frozen=True)
class ListHit:
    """A list entry that matches: which list (code, title, publication date), entry and programmes."""

    list_code: str
    list_title: str
    published_on: date | None
    entry_id: str
    caption: str
    programs: list[str]
    score: float
    explanation: str


@dataclass(frozen=True)
class ImportedList:
    code: str
    title: str
    sha256: str
    entries: int
    unchanged: bool
    superseded: int  # entries of the previous version, no longer screened
    warnings: list[str]


def screen(
    session: Session,
    subject: Subject,
    *,
    threshold: float = RECOMMENDED_THRESHOLD,
    limit: int = 20,
    key_cap: int = KEY_CAP,
) -> list[ListHit]:
    """The current list entries that match ``subject`` at or above ``threshold``, best first."""
    if session.scalar(select(WatchList.id).where(WatchList.current.is_(True)).limit(1)) is None:
        return []  # no list loaded: one cheap look instead of the key look-ups
    keys = sorted({stored_key(k) for k in subject_keys(subject, for_index=False)})
    ids, _common, _sharing = find_keyed(session, WatchListKey.__tablename__, "entry_id", keys, key_cap,
                                        MAX_CANDIDATES)
    hits: list[ListHit] = []
    for chunk in chunks(ids):
        rows = session.execute(
            select(WatchListEntry, WatchList.code, WatchList.title, WatchList.published_on)
            .join(WatchList, WatchList.id == WatchListEntry.list_id)
            .where(WatchListEntry.id.in_(chunk), WatchList.current.is_(True))
        ).all()
        for entry, code, title, published in rows:
            result = compare(subject, subject_from(f"{code}:{entry.entry_id}", entry.subject))
            if result.score >= threshold:
                hits.append(ListHit(code, title, published, entry.entry_id, entry.caption, list(entry.programs),
                                    round(result.score, 4),
                                    f"{entry_label(title, entry.entry_id, entry.programs)}: {result.explanation}"))
    hits.sort(key=lambda h: (-h.score, h.list_code, h.entry_id))
    return hits[:limit]


def match_lists(session: Session, audit: AuditLog, actor: Actor, written: Sequence[Entity]) -> int:
    """Screen ``written`` (the actor's agency's entities, just stored) and alert the agency of each hit
    not alerted before; how many alerts were written."""
    if not written or actor.agency_id is None:
        return 0
    if session.scalar(select(WatchList.id).where(WatchList.current.is_(True)).limit(1)) is None:
        return 0  # no list loaded: nothing to screen against
    found: list[tuple[Entity, int, float, str]] = []
    for entity in written:
        if entity.schema not in MATCHED_SCHEMATA:
            continue
        subject = subject_of(entity.uuid, entity.schema, entity.properties)
        keys = sorted({stored_key(k) for k in subject_keys(subject, for_index=False)})
        ids, _, _ = find_keyed(session, WatchListKey.__tablename__, "entry_id", keys, KEY_CAP, MAX_CANDIDATES)
        for chunk in chunks(ids):
            for entry in session.scalars(
                select(WatchListEntry)
                .join(WatchList, WatchList.id == WatchListEntry.list_id)
                .where(WatchListEntry.id.in_(chunk), WatchList.current.is_(True))
            ):
                result = compare(subject, subject_from(entry.entry_id, entry.subject))
                if result.score >= ALERT_THRESHOLD:
                    found.append((entity, entry.id, result.score, result.explanation))
    if not found:
        return 0
    given = set(
        session.execute(
            select(WatchListAlert.entity_id, WatchListAlert.entry_id).where(
                WatchListAlert.entity_id.in_({e.id for e, *_ in found})
            )
        ).tuples()
    )
    alerts = []
    for entity, entry_id, score, why in found:
        if (entity.id, entry_id) in given:
            continue
        given.add((entity.id, entry_id))
        alerts.append(WatchListAlert(uuid=str(uuid.uuid4()), agency_id=entity.owner_agency_id, entity_id=entity.id,
                                     entry_id=entry_id, score=round(score, 4), explanation=why[:1000],
                                     created_at=actor.now))
    if alerts:
        session.add_all(alerts)
        session.flush()
        audit.record(session, actor, AuditEvent("watchlist.alerts", "ok", detail={
            "entities": len(written), "alerts": len(alerts)}))
    return len(alerts)


@dataclass(frozen=True)
class WatchListAlertView:
    uuid: str
    created_at: datetime
    entity_ref: str
    entity_caption: str
    list_code: str
    list_title: str
    entry_id: str
    entry_caption: str
    programs: list[str]
    score: float
    explanation: str


def alerts_for(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> list[WatchListAlertView]:
    """The watch-list alerts on the actor's agency's own entities, newest first."""
    if actor.agency_id is None:
        return []
    stmt = (
        select(WatchListAlert, Entity.uuid, Entity.caption, WatchList.code, WatchList.title, WatchListEntry)
        .join(Entity, Entity.id == WatchListAlert.entity_id)
        .join(WatchListEntry, WatchListEntry.id == WatchListAlert.entry_id)
        .join(WatchList, WatchList.id == WatchListEntry.list_id)
        .where(WatchListAlert.agency_id == actor.agency_id, visible(Entity, viewer(session, actor)))
        .order_by(WatchListAlert.created_at.desc(), WatchListAlert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        WatchListAlertView(a.uuid, a.created_at, ref, caption, code, title, entry.entry_id, entry.caption,
                           list(entry.programs), a.score, a.explanation)
        for a, ref, caption, code, title, entry in session.execute(stmt)
    ]


class WatchListService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def lists(self, session: Session) -> list[WatchList]:
        """The current version of every list, by code."""
        return list(session.scalars(select(WatchList).where(WatchList.current.is_(True)).order_by(WatchList.code)))

    def import_list(
        self,
        session: Session,
        actor: Actor,
        data: bytes,
        *,
        source: str,
        published: date | None = None,
        programs: Sequence[str] = (),
        code: str | None = None,
        title: str | None = None,
    ) -> ImportedList:
        """Import a published list as the current version of its code (see the module docstring)."""
        if not actor.can(Permission.MANAGE_STRUCTURE) or actor.user_id is None:
            raise ForbiddenError("only platform administrators import watch lists")
        if not data.strip():
            raise BadInputError(f"{source}: the file is empty", {"file": "empty"})
        try:
            listed = read_watch_list(data, source=source, published=published, programs=programs, code=code,
                                     title=title)
        except WatchListError as exc:
            raise BadInputError(f"{source}: {exc.detail}", {"file": exc.detail}) from None
        if not listed.entries:
            wanted = f" under programmes {', '.join(programs)}" if programs else ""
            raise BadInputError(f"{source}: the list has no entries{wanted}", {"file": "no entries"})
        sha = hashlib.sha256(data).hexdigest()
        chosen = sorted({p.upper() for p in programs})
        # A version is the file and the programmes taken from it: the same file narrowed differently is
        # another version.
        same = next((v for v in session.scalars(select(WatchList).where(
            WatchList.code == listed.code, WatchList.sha256 == sha)) if sorted(v.programs) == chosen), None)
        if same is not None and same.current:
            return ImportedList(listed.code, listed.title, sha, same.entries, True, 0, list(listed.warnings))
        previous = list(session.scalars(
            select(WatchList).where(WatchList.code == listed.code, WatchList.current.is_(True))))
        superseded = sum(p.entries for p in previous)
        for old in previous:
            old_ids = select(WatchListEntry.id).where(WatchListEntry.list_id == old.id)
            session.execute(delete(WatchListKey).where(WatchListKey.entry_id.in_(old_ids)))
            old.current = False
        if same is not None:  # an older version imported again: it becomes current once more
            version = same
            version.current = True
            version.imported_at, version.imported_by_id = actor.now, actor.user_id
            entries = list(session.scalars(select(WatchListEntry).where(WatchListEntry.list_id == same.id)))
        else:
            version = WatchList(
                uuid=str(uuid.uuid4()), code=listed.code, title=listed.title[:300], publisher=listed.publisher[:300],
                published_on=listed.published, source=source[:300], sha256=sha, entries=len(listed.entries),
                programs=chosen, current=True, imported_at=actor.now,
                imported_by_id=actor.user_id,
            )
            session.add(version)
            session.flush()
            entries = [
                WatchListEntry(list_id=version.id, entry_id=e.entry_id[:200], schema=e.schema,
                               caption=(e.listed_name or e.name)[:500], programs=list(e.programs),
                               properties=e.entity.to_dict().get("properties", {}), subject=entry_subject(e))
                for e in listed.entries
            ]
            session.add_all(entries)
            session.flush()
        self._write_keys(session, entries)
        self.audit.record(session, actor, AuditEvent(
            "watchlist.import", "ok", "watch_list", version.uuid, detail={
                "code": listed.code, "file": source[:200], "sha256": sha, "entries": len(entries),
                "programs": version.programs, "superseded": superseded}))
        return ImportedList(listed.code, listed.title, sha, len(entries), False, superseded, list(listed.warnings))

    @staticmethod
    def _write_keys(session: Session, entries: Sequence[WatchListEntry]) -> None:
        rows: list[dict[str, Any]] = []
        for entry in entries:
            subject = subject_from(entry.entry_id, entry.subject)
            rows += [{"key": key, "entry_id": entry.id} for key in sorted(entity_keys(subject))]
        for chunk in chunks(rows, 5_000):
            session.execute(insert(WatchListKey), list(chunk))

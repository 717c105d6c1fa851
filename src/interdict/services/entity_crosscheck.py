"""The cross-check: a subject against every entity on the platform, answered by the sharing rule.

1. **Keys.** The query's blocking keys (``domain.matching.subject_keys``, stored form). Each key's row
   count in ``entity_keys`` is read with a bound (at most ``key_cap`` + 1 index entries per key). A key
   more common than the cap is set aside and the result says so in ``notes`` ("key n2:SHNK|W is too
   common to use"): it would compare the query with thousands of records and decide nothing. There is
   no fall-back to a scan, silent or not.
2. **Candidates.** The entities that share a usable key, most shared keys first, at most
   ``max_candidates`` (a note says when more shared one).
3. **The sharing rule splits them.** The candidates the caller's agency may see are selected with the
   one visibility filter (``store.visibility.visible``); its own agency's records are always among them.
   The others are *not visible*; they are read here only to score them, and nothing of them leaves this
   module but what step 5 allows.
4. **Visible candidates** are compared (``domain.matching.compare``); those at or above the threshold
   come back, best first, at most ``limit``, each with its ref (uuid), caption, schema, owner agency,
   score and explanation. Reads of other agencies' records are audited as for any list.
5. **Blind hits.** A not-visible candidate whose owner allowed hit notification (``hit_notification``)
   and that scores at or above the threshold (never below ``RECOMMENDED_THRESHOLD``, whatever threshold
   the caller chose for its own candidates) yields, per owner agency, one :class:`BlindHit` carrying
   the agency's code and a fixed sentence; no count, id, caption or score. The owner is told: a
   ``crosscheck_notifications`` row per matched entity (naming the requester agency and user) and an
   audit row per entity under the owner's code. A not-visible candidate without hit notification leaves
   no trace in the answer at all.

The query itself is audited (what was asked, how many keys, candidates and blind hits).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.matching import RECOMMENDED_THRESHOLD, Subject, compare, subject_keys
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_rules import stored_key, subject_of
from interdict.services.records import audit_reads, owner_codes
from interdict.services.sharing import viewer
from interdict.store.entities import CrosscheckNotification, Entity, EntityKey
from interdict.store.visibility import visible

__all__ = ["KEY_CAP", "MAX_CANDIDATES", "BlindHit", "Candidate", "CrosscheckResult", "crosscheck"]

KIND = "entity"
KEY_CAP = 5_000
MAX_CANDIDATES = 2_000
MAX_LIMIT = 200
_CHUNK = 500  # ids per IN list, keys per compound statement


@dataclass(frozen=True)
class Candidate:
    """A visible entity that matches the query."""

    ref: str
    caption: str
    schema: str
    owner_agency: str
    score: float
    explanation: str


@dataclass(frozen=True)
class BlindHit:
    """An agency holds a matching record the caller may not see. Nothing else is said of it."""

    agency_code: str
    message: str


@dataclass(frozen=True)
class CrosscheckResult:
    candidates: list[Candidate] = field(default_factory=list)
    blind_hits: list[BlindHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def blind_hit(code: str) -> BlindHit:
    return BlindHit(agency_code=code, message=f"a record at agency {code} matches — request it")


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _key_counts(session: Session, keys: Sequence[str], cap: int) -> dict[str, int]:
    """How many entities carry each key, counted up to ``cap`` + 1 (an index range read per key)."""
    out: dict[str, int] = {}
    for chunk in _chunks(keys, 100):
        parts = [
            select(literal(k).label("key"), func.count().label("n")).select_from(
                select(EntityKey.entity_id).where(EntityKey.key == k).limit(cap + 1).subquery()
            )
            for k in chunk
        ]
        stmt = parts[0] if len(parts) == 1 else union_all(*parts)
        out.update({str(k): int(n) for k, n in session.execute(stmt).all()})
    return out


def _candidate_ids(session: Session, keys: Sequence[str], most: int) -> list[int]:
    """Entities sharing any of ``keys``, those sharing the most first; at most ``most`` + 1."""
    shared = func.count().label("shared")
    stmt = (
        select(EntityKey.entity_id, shared)
        .where(EntityKey.key.in_(list(keys)))
        .group_by(EntityKey.entity_id)
        .order_by(shared.desc(), EntityKey.entity_id)
        .limit(most + 1)
    )
    return [int(i) for i, _ in session.execute(stmt).all()]


def _check_bounds(limit: int, threshold: float) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInputError(
            f"limit must be between 1 and {MAX_LIMIT} (got {limit})", {"limit": "out of range"}
        )
    if not 0.0 <= threshold <= 1.0:
        raise BadInputError(
            f"threshold must be between 0 and 1 (got {threshold})", {"threshold": "out of range"}
        )


def crosscheck(
    session: Session,
    audit: AuditLog,
    actor: Actor,
    query: Subject,
    *,
    limit: int = 10,
    threshold: float = RECOMMENDED_THRESHOLD,
    key_cap: int = KEY_CAP,
    max_candidates: int = MAX_CANDIDATES,
) -> CrosscheckResult:
    """Cross-check ``query`` for the actor's agency (see the module docstring)."""
    _check_bounds(limit, threshold)
    if actor.agency_id is None or actor.user_id is None:
        raise BadInputError("a cross-check needs a user of an agency")
    ctx = viewer(session, actor)
    keys = {stored_key(k): k for k in subject_keys(query, for_index=False)}
    notes: list[str] = []
    if not keys:
        notes.append("the query gives no key to look up: add a full name, a full birth date or an identifier")
    counts = _key_counts(session, sorted(keys), key_cap) if keys else {}
    common = sorted(k for k, n in counts.items() if n > key_cap)
    notes += [f"key {keys[k]} is too common to use (more than {key_cap:,} records carry it)" for k in common]
    usable = sorted(k for k, n in counts.items() if 0 < n <= key_cap)
    ids = _candidate_ids(session, usable, max_candidates) if usable else []
    if len(ids) > max_candidates:
        ids = ids[:max_candidates]
        notes.append(
            f"more than {max_candidates:,} records share a key with the query: "
            f"the {max_candidates:,} sharing the most keys were compared"
        )

    shown: list[Entity] = []
    for chunk in _chunks(ids):
        shown += session.scalars(select(Entity).where(Entity.id.in_(chunk), visible(Entity, ctx)))
    seen_ids = {e.id for e in shown}
    hidden_ids = [i for i in ids if i not in seen_ids]

    scored: list[tuple[float, str, Entity, str]] = []
    for e in shown:
        result = compare(query, subject_of(e.uuid, e.schema, e.properties))
        if result.score >= threshold:
            scored.append((result.score, e.uuid, e, result.explanation))
    scored.sort(key=lambda t: (-t[0], t[1]))
    top = scored[:limit]

    # Not visible: scored here, never returned. Only owners who allowed hit notification count, and a
    # caller's lower threshold does not lower theirs (it would turn any shared key into a "match").
    blind_threshold = max(threshold, RECOMMENDED_THRESHOLD)
    matched: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for chunk in _chunks(hidden_ids):
        rows = session.execute(
            select(Entity.id, Entity.uuid, Entity.owner_agency_id, Entity.schema, Entity.properties).where(
                Entity.id.in_(chunk), Entity.hit_notification.is_(True)
            )
        ).all()
        for entity_id, entity_uuid, owner_id, schema, properties in rows:
            if owner_id == actor.agency_id:  # never: own records are visible; kept as a guard
                continue
            if compare(query, subject_of(entity_uuid, schema, properties)).score >= blind_threshold:
                matched[owner_id].append((entity_id, entity_uuid))

    codes = owner_codes(session, [e for _, _, e, _ in top])
    if matched:
        codes.update(owner_codes(session, [_Owner(o) for o in matched]))
    candidates = [
        Candidate(e.uuid, e.caption, e.schema, codes.get(e.owner_agency_id, "?"), round(score, 4), why)
        for score, _, e, why in top
    ]
    hits = sorted((blind_hit(codes.get(o, "?")) for o in matched), key=lambda h: h.agency_code)
    audit_reads(session, audit, actor, [e for _, _, e, _ in top], KIND, "crosscheck", codes)
    _notify(session, audit, actor, matched, codes)
    audit.record(
        session,
        actor,
        AuditEvent(
            "crosscheck.query",
            "ok",
            detail={
                "names": [n.original for n in query.names][:10],
                "identifier_kinds": sorted(query.identifiers),
                "keys": len(keys),
                "keys_too_common": len(common),
                "candidates": len(candidates),
                "blind_hits": len(hits),
            },
        ),
    )
    return CrosscheckResult(candidates, hits, notes)


@dataclass(frozen=True)
class _Owner:
    owner_agency_id: int


def _notify(
    session: Session,
    audit: AuditLog,
    actor: Actor,
    matched: dict[int, list[tuple[int, str]]],
    codes: dict[int, str],
) -> None:
    """Tell each owner which of its records matched: a notification row and an audit row per record."""
    assert actor.agency_id is not None and actor.user_id is not None
    events = []
    for owner_id, entities in sorted(matched.items()):
        for entity_id, entity_uuid in entities:
            note = CrosscheckNotification(
                uuid=str(uuid.uuid4()),
                owner_agency_id=owner_id,
                requester_agency_id=actor.agency_id,
                requested_by_id=actor.user_id,
                entity_id=entity_id,
                created_at=actor.now,
            )
            session.add(note)
            events.append(
                AuditEvent(
                    "crosscheck.blind_hit",
                    "ok",
                    KIND,
                    entity_uuid,
                    codes.get(owner_id),
                    None,
                    {"notification": note.uuid, "requester": actor.agency_code},
                )
            )
    if events:
        session.flush()
        audit.record_many(session, actor, events)

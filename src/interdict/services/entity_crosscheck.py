"""The cross-check: a subject against every entity on the platform, answered by the sharing rule.

1. **Keys.** The query's blocking keys (``domain.matching.subject_keys``, stored form). Each key's row
   count in ``entity_keys`` is read with a bound (at most ``key_cap`` + 1 index entries per key). A key
   more common than the cap is set aside and the result says so in ``notes`` ("key n2:SHNK|W is too
   common to use"): it would compare the query with thousands of records and decide nothing. There is
   no fall-back to a scan, silent or not.
2. **Candidates.** The entities that share a usable key, each weighed by the rarity of the keys it
   shares (:func:`find_keyed`); the ``max_candidates`` heaviest are compared (a note says when more
   shared one).
3. **The sharing rule splits them.** The candidates are read once, with the one visibility filter
   (``store.visibility.visible``) as a column: its own agency's records are always visible. The others
   are *not visible*; they are read here only to score them, and nothing of them leaves this module but
   what step 5 allows.
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

import math
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.matching import RECOMMENDED_THRESHOLD, Subject, compare, subject_keys
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_rules import stored_key, subject_of
from interdict.services.records import agency_codes, read_events
from interdict.services.sharing import viewer
from interdict.store.entities import CrosscheckNotification, Entity, EntityKey
from interdict.store.visibility import ViewerContext, visible

if TYPE_CHECKING:
    from interdict.services.watchlists import ListHit

__all__ = ["KEY_CAP", "MAX_CANDIDATES", "BlindHit", "Candidate", "CrosscheckResult", "crosscheck", "find_keyed"]

KIND = "entity"
KEY_CAP = 5_000
MAX_CANDIDATES = 50
BROAD = 10  # a note when more than BROAD x MAX_CANDIDATES records share a key with the query
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
    # Entries of the published watch lists that match (services/watchlists.py): public, so never blind.
    list_hits: list[ListHit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def blind_hit(code: str) -> BlindHit:
    return BlindHit(agency_code=code, message=f"a record at agency {code} matches — request it")


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of ``size`` (bounded IN lists and statements)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _key_counts(session: Session, keys: Sequence[str], cap: int, table: str) -> dict[str, int]:
    """How many rows carry each key, counted up to ``cap`` + 1 (an index range read per key, no row
    leaves the database), in one statement per hundred keys. Keys no row carries are left out."""
    out: dict[str, int] = {}
    for chunk in chunks(keys, 100):
        params = {f"k{i}": k for i, k in enumerate(chunk)}
        sql = " UNION ALL ".join(
            f"SELECT * FROM (SELECT CAST(:k{i} AS VARCHAR) AS key, COUNT(*) AS n FROM "
            f"(SELECT 1 AS one FROM {table} WHERE key = :k{i} LIMIT {cap + 1}) AS r{i}) AS q{i}"
            for i in range(len(chunk))
        )
        out.update({str(k): int(n) for k, n in session.execute(text(sql), params) if n})
    return out


def key_weight(count: int) -> int:
    """The weight of a key that ``count`` records carry: log(1 + KEY_CAP / count), in thousandths so
    that sums are exact and the ranking is the same on every store."""
    return round(1000 * math.log1p(KEY_CAP / count))


def find_keyed(
    session: Session,
    table: str,
    column: str,
    keys: Sequence[str],
    cap: int,
    most: int,
    exclude: Collection[int] = (),
) -> tuple[list[int], list[str], int]:
    """Steps 1 and 2 of the module docstring over any key table: the ``most`` heaviest ids sharing a
    usable key (never those of ``exclude``), the keys too common to use, and how many ids shared one.

    A shared key weighs by its rarity (:func:`key_weight`): one passport number or a whole name held by
    three records says more than a birth date held by fifty. An id's weight is the sum over the keys it
    shares; only the ``most`` heaviest are read and compared, so a query for a common name costs no
    more than one for a rare name. The keys are counted first and the weighing is one grouped query,
    so the rows of a broad key (thousands at a million records) never leave the database: fetching
    them into Python was most of a slow query's time (bench/README.md, issue 5)."""
    counts = _key_counts(session, keys, cap, table) if keys else {}
    common = sorted(k for k, n in counts.items() if n > cap)
    usable = sorted((k, key_weight(n)) for k, n in counts.items() if n <= cap)
    if not usable:
        return [], common, 0
    params: dict[str, Any] = {"most": most}
    rows = []
    for i, (k, w) in enumerate(usable):
        params[f"k{i}"], params[f"w{i}"] = k, w
        rows.append(f"(CAST(:k{i} AS VARCHAR), CAST(:w{i} AS BIGINT))")
    where = ""
    if exclude:
        params.update({f"x{i}": x for i, x in enumerate(exclude)})
        where = f"WHERE t.{column} NOT IN ({', '.join(f':x{i}' for i in range(len(exclude)))})"
    sql = (
        f"WITH w(k, weight) AS (VALUES {', '.join(rows)}) "
        f"SELECT t.{column} AS id, SUM(w.weight) AS total, COUNT(*) OVER () AS sharing "
        f"FROM w JOIN {table} t ON t.key = w.k {where} "
        f"GROUP BY t.{column} ORDER BY total DESC, t.{column} LIMIT :most"
    )
    found = session.execute(text(sql), params).all()
    return [int(r.id) for r in found], common, int(found[0].sharing) if found else 0


@dataclass(frozen=True)
class Candidates:
    """What :func:`find_candidates` read: the rows to compare, each with ``seen`` (the sharing rule's
    verdict for the viewer), the keys set aside as too common, and how many entities shared a key."""

    rows: list[Any]
    common: list[str]
    sharing: int


def find_candidates(
    session: Session,
    ctx: ViewerContext,
    subject: Subject,
    *,
    key_cap: int = KEY_CAP,
    most: int = MAX_CANDIDATES,
    exclude: Collection[int] = (),
) -> tuple[Candidates, dict[str, str]]:
    """Steps 1 to 3 of the module docstring, for the cross-check and for the alerts on write: the
    subject's keys, their rows, the ``most`` heaviest candidates (never those of ``exclude``), read once
    with the visibility filter as a column. Also returns the stored form of each key -> the key."""
    keys = {stored_key(k): k for k in subject_keys(subject, for_index=False)}
    ids, common, sharing = find_keyed(
        session, EntityKey.__tablename__, "entity_id", sorted(keys), key_cap, most, exclude
    )
    seen = visible(Entity, ctx).label("seen")
    rows: list[Any] = []
    for chunk in chunks(ids):
        rows += session.execute(
            select(
                Entity.id, Entity.uuid, Entity.owner_agency_id, Entity.schema, Entity.caption,
                Entity.distribution, Entity.hit_notification, Entity.properties, seen,
            ).where(Entity.id.in_(chunk))
        ).all()
    return Candidates(rows, common, sharing), keys


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
    # One read of the candidates, with the sharing rule's verdict as a column. What is not visible is
    # scored here and never returned; only owners who allowed hit notification can learn of a match,
    # and a caller's lower threshold does not lower theirs (it would turn any shared key into a "match").
    found, keys = find_candidates(session, ctx, query, key_cap=key_cap, most=max_candidates)
    common, sharing = found.common, found.sharing
    notes: list[str] = []
    if not keys:
        notes.append("the query gives no key to look up: add a full name, a full birth date or an identifier")
    notes += [f"key {keys[k]} is too common to use (more than {key_cap:,} records carry it)" for k in common]
    if sharing > BROAD * max_candidates:
        # Comparing the heaviest is the design (see find_keyed); a query this broad is worth a word.
        notes.append(
            f"{sharing:,} records share a key with the query: the {max_candidates:,} sharing the rarest "
            "keys were compared; add a birth date or an identifier to narrow it"
        )

    blind_threshold = max(threshold, RECOMMENDED_THRESHOLD)
    scored: list[tuple[float, str, Any, str]] = []
    matched: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in found.rows:
        if not row.seen and (not row.hit_notification or row.owner_agency_id == actor.agency_id):
            continue  # nothing of it can leave this function: not even worth comparing
        result = compare(query, subject_of(row.uuid, row.schema, row.properties))
        if row.seen:
            if result.score >= threshold:
                scored.append((result.score, row.uuid, row, result.explanation))
        elif result.score >= blind_threshold:
            matched[row.owner_agency_id].append((row.id, row.uuid))
    scored.sort(key=lambda t: (-t[0], t[1]))
    top = scored[:limit]

    codes = agency_codes(session, {e.owner_agency_id for _, _, e, _ in top} | set(matched))
    candidates = [
        Candidate(e.uuid, e.caption, e.schema, codes.get(e.owner_agency_id, "?"), round(score, 4), why)
        for score, _, e, why in top
    ]
    hits = sorted((blind_hit(codes.get(o, "?")) for o in matched), key=lambda h: h.agency_code)
    # One append to the audit chain: the foreign records disclosed, the owners told, the query itself.
    events = read_events(actor, [e for _, _, e, _ in top], KIND, "crosscheck", codes)
    events += _notify(session, actor, matched, codes)
    events.append(
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
        )
    )
    audit.record_many(session, actor, events)
    return CrosscheckResult(candidates, hits, notes)


def _notify(
    session: Session,
    actor: Actor,
    matched: dict[int, list[tuple[int, str]]],
    codes: dict[int, str],
) -> list[AuditEvent]:
    """Tell each owner which of its records matched: a notification row per record, and the audit
    event per record that the caller appends."""
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
    return events


def notifications_for(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """The blind hits on the actor's agency's own records, newest first: who asked (agency and user) and
    which record matched. The owner sees its own record; the requester learned only the owner's code."""
    from interdict.store.identity import User
    from interdict.store.structure import Agency

    if actor.agency_id is None:
        raise BadInputError("notifications belong to a user of an agency")
    stmt = (
        select(CrosscheckNotification, Agency.code, User.username, Entity.uuid, Entity.caption)
        .join(Agency, Agency.id == CrosscheckNotification.requester_agency_id)
        .join(User, User.id == CrosscheckNotification.requested_by_id)
        .join(Entity, Entity.id == CrosscheckNotification.entity_id)
        .where(CrosscheckNotification.owner_agency_id == actor.agency_id, visible(Entity, viewer(session, actor)))
        .order_by(CrosscheckNotification.created_at.desc(), CrosscheckNotification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        {"uuid": note.uuid, "requester_agency": code, "requested_by": username, "entity_ref": ref,
         "entity_caption": caption, "created_at": note.created_at}
        for note, code, username, ref, caption in session.execute(stmt)
    ]

"""Automatic cross-matching: every new or changed entity is matched against the store, and the agencies
concerned are alerted, each within what it may see.

When agency A writes entity E (one at a time or by import), E is looked up the way a cross-check looks
up a query (``entity_crosscheck``: its keys, the candidates weighed by the rarity of the keys they
share, the best compared). For every stored entity M of agency B that scores at or above
:data:`ALERT_THRESHOLD`:

* **A is alerted** about its E: naming M, with the score and the explanation, if A may see M (the one
  visibility filter, read as a column); otherwise, if B left M's hit notification on, only that "a
  record at agency B matches"; otherwise not at all.
* **B is alerted** about its M in the same way, with the roles reversed: E named if B may see E, a blind
  alert if it may not and A left E's hit notification on, nothing otherwise.
* Where A and B are the same agency, one alert tells it that it holds the person twice.

Entities written together (one import) are not matched against each other: the file's own duplicates
are the importer's business, and n² alerts of one file would bury the ones that matter. An entity
written again that still matches the same record alerts no one a second time. Relation schemata
(Ownership, Payment ...) have no names or identifiers of their own and are not matched.

Alerts are read back through :func:`alerts_for`, which checks the other side's visibility again: an
entity un-shared since the alert was made shows as a blind alert from then on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from interdict.domain.matching import RECOMMENDED_THRESHOLD, compare
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_crosscheck import find_candidates
from interdict.services.entity_rules import subject_of
from interdict.services.sharing import viewer
from interdict.store.alerts import CrosscheckAlert
from interdict.store.entities import Entity
from interdict.store.structure import Agency
from interdict.store.visibility import ViewerContext, viewer_context, visible

__all__ = ["ALERT_THRESHOLD", "AlertView", "alerts_for", "match_new"]

ALERT_THRESHOLD = RECOMMENDED_THRESHOLD
MATCHED_SCHEMATA = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vessel", "Vehicle",
                              "BankAccount", "CryptoWallet", "Airplane"})


def match_new(session: Session, audit: AuditLog, actor: Actor, written: Sequence[Entity]) -> int:
    """Match ``written`` (entities of the actor's agency, just stored) and write the alerts; how many."""
    if not written or actor.agency_id is None:
        return 0
    mine = viewer(session, actor)
    contexts: dict[int, ViewerContext] = {}
    batch = {e.id for e in written}
    alerts: list[CrosscheckAlert] = []
    for entity in written:
        if entity.schema not in MATCHED_SCHEMATA:
            continue
        subject = subject_of(entity.uuid, entity.schema, entity.properties)
        found, _ = find_candidates(session, mine, subject, exclude=batch)
        for row in found.rows:
            result = compare(subject, subject_of(row.uuid, row.schema, row.properties))
            if result.score < ALERT_THRESHOLD:
                continue
            other = row.owner_agency_id
            if other == actor.agency_id:
                alerts.append(_alert(entity.id, actor.agency_id, row.id, other, result.score, result.explanation,
                                     actor.now))
                continue
            # The writer's side: its new entity, and the stored one if it may see it.
            if row.seen:
                alerts.append(_alert(entity.id, actor.agency_id, row.id, other, result.score,
                                     result.explanation, actor.now))
            elif row.hit_notification:
                alerts.append(_alert(entity.id, actor.agency_id, None, other, None, None, actor.now))
            # The stored entity's owner: its entity, and the new one if it may see it.
            if other not in contexts:
                contexts[other] = viewer_context(session, other, actor.today)
            theirs = session.scalar(select(visible(Entity, contexts[other])).where(Entity.id == entity.id))
            if theirs:
                alerts.append(_alert(row.id, other, entity.id, actor.agency_id, result.score,
                                     result.explanation, actor.now))
            elif entity.hit_notification:
                alerts.append(_alert(row.id, other, None, actor.agency_id, None, None, actor.now))
    alerts = _new_only(session, alerts)
    if alerts:
        session.add_all(alerts)
        session.flush()
        audit.record(
            session,
            actor,
            AuditEvent(
                "crosscheck.alerts",
                "ok",
                detail={
                    "entities": len(written),
                    "alerts": len(alerts),
                    "blind": sum(a.other_entity_id is None for a in alerts),
                    "agencies": len({a.agency_id for a in alerts}),
                },
            ),
        )
    return len(alerts)


def _new_only(session: Session, alerts: list[CrosscheckAlert]) -> list[CrosscheckAlert]:
    """Drop alerts already given: an entity written again (an update, a re-import) that still matches
    the same record does not alert its agencies a second time."""
    if not alerts:
        return alerts
    owns = sorted({a.own_entity_id for a in alerts})
    given = {
        (agency, own, other, other_agency)
        for agency, own, other, other_agency in session.execute(
            select(CrosscheckAlert.agency_id, CrosscheckAlert.own_entity_id, CrosscheckAlert.other_entity_id,
                   CrosscheckAlert.other_agency_id).where(CrosscheckAlert.own_entity_id.in_(owns))
        )
    }
    out = []
    for a in alerts:
        key = (a.agency_id, a.own_entity_id, a.other_entity_id, a.other_agency_id)
        if key not in given:
            given.add(key)
            out.append(a)
    return out


def _alert(own: int, agency: int, other: int | None, other_agency: int, score: float | None,
           explanation: str | None, now: datetime) -> CrosscheckAlert:
    return CrosscheckAlert(
        uuid=str(uuid.uuid4()),
        agency_id=agency,
        own_entity_id=own,
        other_entity_id=other,
        other_agency_id=other_agency,
        score=None if score is None else round(score, 4),
        explanation=explanation[:1000] if explanation else None,
        created_at=now,
    )


@dataclass(frozen=True)
class AlertView:
    uuid: str
    created_at: datetime
    own_ref: str
    own_caption: str
    other_agency: str
    other_ref: str | None
    other_caption: str | None
    score: float | None
    explanation: str | None
    message: str


def alerts_for(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> list[AlertView]:
    """The actor's agency's alerts, newest first; the other side named only where it is visible now."""
    if actor.agency_id is None:
        return []
    ctx = viewer(session, actor)
    own, other = aliased(Entity), aliased(Entity)
    seen = visible(other, ctx).label("seen")
    stmt: Any = (
        select(CrosscheckAlert, own.uuid, own.caption, Agency.code, other.uuid, other.caption, seen)
        .join(own, own.id == CrosscheckAlert.own_entity_id)
        .join(Agency, Agency.id == CrosscheckAlert.other_agency_id)
        .outerjoin(other, other.id == CrosscheckAlert.other_entity_id)
        .where(CrosscheckAlert.agency_id == actor.agency_id, visible(own, ctx))
        .order_by(CrosscheckAlert.created_at.desc(), CrosscheckAlert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    out: list[AlertView] = []
    for alert, own_ref, own_caption, code, other_ref, other_caption, visible_now in session.execute(stmt):
        named = alert.other_entity_id is not None and bool(visible_now)
        out.append(AlertView(
            uuid=alert.uuid,
            created_at=alert.created_at,
            own_ref=own_ref,
            own_caption=own_caption,
            other_agency=code,
            other_ref=other_ref if named else None,
            other_caption=other_caption if named else None,
            score=alert.score if named else None,
            explanation=alert.explanation if named else None,
            message=(f"matches {other_caption} at agency {code}" if named
                     else f"a record at agency {code} matches — request it"),
        ))
    return out


"""Reading the audit log: supervisors and admins search their own agency's part of it; owners see who
accessed their records. Entries about records the viewer may no longer see are redacted (D4)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from interdict.domain.errors import ForbiddenError
from interdict.domain.roles import Permission
from interdict.schemas.audit import AccessEntry, AuditEntry
from interdict.services.context import Actor
from interdict.services.intel import KIND as INTEL_KIND
from interdict.services.records import get_visible, require_owner
from interdict.services.sharing import visible_select
from interdict.store.audit import AuditRow
from interdict.store.records import IntelReport

STRUCTURE_TYPES = ("agency", "mechanism", "agreement")


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor: str | None = None
    agency: str | None = None
    object_uuid: str | None = None
    outcome: str | None = None
    ts_from: str | None = None
    ts_to: str | None = None


def search(
    session: Session, actor: Actor, f: AuditFilters, limit: int, offset: int
) -> tuple[list[AuditEntry], bool]:
    if not actor.can(Permission.READ_AUDIT):
        raise ForbiddenError("the audit log is open to supervisors and admins")
    own = actor.agency_code
    scope = or_(AuditRow.actor_agency == own, AuditRow.object_owner == own)
    if actor.can(Permission.MANAGE_STRUCTURE):
        scope = or_(scope, AuditRow.object_type.in_(STRUCTURE_TYPES))
    stmt = select(AuditRow).where(scope)
    for column, value in (
        (AuditRow.action, f.action),
        (AuditRow.actor_user, f.actor),
        (AuditRow.actor_agency, f.agency),
        (AuditRow.object_uuid, f.object_uuid),
        (AuditRow.outcome, f.outcome),
    ):
        if value:
            stmt = stmt.where(column == value)
    if f.ts_from:
        stmt = stmt.where(AuditRow.ts >= f.ts_from)
    if f.ts_to:
        stmt = stmt.where(AuditRow.ts < f.ts_to)
    rows = list(session.scalars(stmt.order_by(AuditRow.seq.desc()).limit(limit + 1).offset(offset)))
    visible = _visible_records(
        session, actor, {r.object_uuid for r in rows if r.object_uuid and r.object_owner != own}
    )
    return [_entry(r, own, visible) for r in rows[:limit]], len(rows) > limit


def _visible_records(session: Session, actor: Actor, uuids: set[str | None]) -> set[str]:
    wanted = sorted(u for u in uuids if u)
    if not wanted:
        return set()
    stmt = visible_select(session, actor, IntelReport).where(IntelReport.uuid.in_(wanted))
    return {r.uuid for r in session.scalars(stmt)}


def _entry(r: AuditRow, own: str | None, visible: set[str]) -> AuditEntry:
    foreign_object = (
        r.object_owner is not None and r.object_owner != own and r.object_type not in STRUCTURE_TYPES
    )
    hide_object = foreign_object and r.object_uuid not in visible
    foreign_actor = r.actor_agency != own
    return AuditEntry(
        seq=r.seq,
        ts=r.ts,
        actor_user=None if foreign_actor else r.actor_user,
        actor_agency=r.actor_agency,
        node=r.node,
        action=r.action,
        object_type=r.object_type,
        object_uuid=None if hide_object else r.object_uuid,
        object_owner=r.object_owner,
        handling=None if hide_object else r.handling,
        outcome=r.outcome,
        request_id=r.request_id,
        source_ip=None if foreign_actor else r.source_ip,
        detail="{}" if (hide_object or foreign_actor) else r.detail,
        redacted=hide_object or foreign_actor,
    )


def access_log(
    session: Session, actor: Actor, ref: str, limit: int, offset: int
) -> tuple[list[AccessEntry], bool]:
    """Which agencies read, exported or cross-checked one of the caller's agency's records."""
    report = get_visible(session, actor, IntelReport, ref, "intelligence report")
    require_owner(actor, report, "see the access log of")
    stmt = (
        select(AuditRow)
        .where(
            AuditRow.object_uuid == report.uuid,
            and_(AuditRow.actor_agency.is_not(None), AuditRow.actor_agency != actor.agency_code),
        )
        .order_by(AuditRow.seq.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    rows = list(session.scalars(stmt))
    out = []
    for r in rows[:limit]:
        try:
            via = json.loads(r.detail).get("via")
        except (ValueError, AttributeError):
            via = None
        out.append(AccessEntry(ts=r.ts, agency=r.actor_agency, action=r.action, via=via, outcome=r.outcome))
    return out, len(rows) > limit


__all__ = ["INTEL_KIND", "AuditFilters", "access_log", "search"]

from __future__ import annotations

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.domain.errors import ForbiddenError
from interdict.domain.roles import Permission
from interdict.schemas.audit import AuditEntry, VerifyResult
from interdict.schemas.common import Page
from interdict.services import audit as audit_service
from interdict.services.auditlog import AuditFilters, search

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def search_audit(
    ctx: CtxDep,
    action: str | None = Query(None, max_length=64),
    actor: str | None = Query(None, max_length=64),
    agency: str | None = Query(None, max_length=32),
    object_uuid: str | None = Query(None, max_length=36),
    outcome: str | None = Query(None, max_length=16),
    ts_from: str | None = Query(None, max_length=32, alias="from"),
    ts_to: str | None = Query(None, max_length=32, alias="to"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[AuditEntry]:
    """Your agency's part of the log: its users' actions and actions on its records."""
    with ctx.unit() as (session, who):
        items, more = search(
            session,
            who,
            AuditFilters(action, actor, agency, object_uuid, outcome, ts_from, ts_to),
            limit,
            offset,
        )
        return Page[AuditEntry](items=items, limit=limit, offset=offset, has_more=more)


@router.get("/verify")
def verify_audit(ctx: CtxDep) -> VerifyResult:
    """Check the whole chain and its signed checkpoints (platform admins)."""
    with ctx.unit() as (_, actor):
        if not actor.can(Permission.MANAGE_STRUCTURE):
            raise ForbiddenError("verifying the audit chain needs the platform admin role")
    r = audit_service.verify_database(ctx.platform.db, ctx.platform.audit.public_key)
    return VerifyResult(
        ok=r.ok,
        rows=r.rows,
        checkpoints=r.checkpoints,
        head_seq=r.head_seq,
        first_broken_row=r.problem.seq if r.problem else None,
        problem=r.problem.reason if r.problem else None,
    )

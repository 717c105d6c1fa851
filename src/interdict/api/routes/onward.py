from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.common import Page
from interdict.schemas.intel import OnwardDecision, OnwardRequestPublic

router = APIRouter(prefix="/onward-requests", tags=["intel-reports"])


@router.get("")
def list_requests(
    ctx: CtxDep,
    status: Literal["pending", "approved", "declined"] | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[OnwardRequestPublic]:
    """Requests your agency made, and requests made to it as owner."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.onward.list(session, actor, status, limit, offset)
        return Page[OnwardRequestPublic](
            items=[ctx.platform.onward.public(session, r) for r in rows],
            limit=limit,
            offset=offset,
            has_more=more,
        )


@router.get("/{ref}")
def get_request(ref: str, ctx: CtxDep) -> OnwardRequestPublic:
    with ctx.unit() as (session, actor):
        return ctx.platform.onward.public(session, ctx.platform.onward.get(session, actor, ref))


@router.post("/{ref}/decision")
def decide(ref: str, body: OnwardDecision, ctx: CtxDep) -> OnwardRequestPublic:
    """The owner approves (the requested targets are added, or the distribution given) or declines."""
    with ctx.unit() as (session, actor):
        return ctx.platform.onward.public(session, ctx.platform.onward.decide(session, actor, ref, body))

"""Requests for information between agencies (``services/rfi.py``): send, list, read, and the actions of
the state machine. A request answers "not found" to everyone but the requesting and the recipient agency."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.common import Page
from interdict.schemas.rfi import (
    RfiAnswerIn,
    RfiCreate,
    RfiDeclineIn,
    RfiMessageIn,
    RfiOut,
    RfiSummary,
    RfiWithdrawIn,
)

router = APIRouter(prefix="/rfis", tags=["requests-for-information"])

StateFilter = Literal["sent", "acknowledged", "answered", "declined", "withdrawn", "overdue"]


@router.post("", status_code=201)
def send(body: RfiCreate, ctx: CtxDep) -> RfiOut:
    """Ask another agency (writer roles). The due date defaults to 15 days from today."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.create(session, actor, body))


@router.get("")
def list_requests(
    ctx: CtxDep,
    box: Literal["incoming", "outgoing"] | None = Query(
        None, description="Asked of your agency, or by it; both when omitted."
    ),
    state: StateFilter | None = Query(None, description="A state, or `overdue`: open after its due date."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[RfiSummary]:
    """Your agency's requests for information, newest first."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.rfi.list_for(session, actor, box, state, limit, offset)
        return Page[RfiSummary](
            items=ctx.platform.rfi.summaries(session, actor, rows), limit=limit, offset=offset, has_more=more
        )


@router.get("/overdue")
def overdue(
    ctx: CtxDep,
    limit: int = Query(200, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[RfiSummary]:
    """Supervisors: your agency's open requests past their due date, either side, longest overdue first."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.rfi.overdue_for(session, actor, limit, offset)
        return Page[RfiSummary](
            items=ctx.platform.rfi.summaries(session, actor, rows), limit=limit, offset=offset, has_more=more
        )


@router.get("/{ref}")
def get_request(ref: str, ctx: CtxDep) -> RfiOut:
    """One request with its thread, by reference (RFI-2026-000123) or uuid."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.get(session, actor, ref))


@router.post("/{ref}/acknowledge")
def acknowledge(ref: str, ctx: CtxDep) -> RfiOut:
    """The recipient confirms it has the request."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.acknowledge(session, actor, ref))


@router.post("/{ref}/messages")
def message(ref: str, body: RfiMessageIn, ctx: CtxDep) -> RfiOut:
    """A message in the thread, from either agency, while the request is open or answered."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.message(session, actor, ref, body))


@router.post("/{ref}/answer")
def answer(ref: str, body: RfiAnswerIn, ctx: CtxDep) -> RfiOut:
    """The recipient answers, attaching records of its own if it chooses (see ``records``)."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.answer(session, actor, ref, body))


@router.post("/{ref}/decline")
def decline(ref: str, body: RfiDeclineIn, ctx: CtxDep) -> RfiOut:
    """The recipient declines, saying why."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.decline(session, actor, ref, body))


@router.post("/{ref}/withdraw")
def withdraw(ref: str, ctx: CtxDep, body: RfiWithdrawIn | None = None) -> RfiOut:
    """The requester withdraws an open request (a reason is optional)."""
    with ctx.unit() as (session, actor):
        rfi = ctx.platform.rfi
        return rfi.public(session, actor, rfi.withdraw(session, actor, ref, body or RfiWithdrawIn()))

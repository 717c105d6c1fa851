"""Pre-export notifications of precursor chemicals and the competent authorities (``services/pen.py``).

A notification answers "not found" to every agency but its exporting authority, its importing authority,
the authorities of its transit countries and those it was shared with further. Only the importing
authority answers; only the exporting authority provides information, withdraws and records the shipment
and the arrival. Writes take the ``version`` read (a newer one answers 409)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.common import Page
from interdict.schemas.pen import (
    AnswerIn,
    ArrivalIn,
    AuthorityOut,
    DesignationIn,
    InformationIn,
    PenCreate,
    PenEventOut,
    PenOut,
    PenSharingIn,
    PenSummary,
    ShipmentIn,
    WithdrawalIn,
)

router = APIRouter(tags=["precursor control"])

Box = Literal["inbox", "outbox", "transit", "all"]
State = Literal[
    "awaiting_answer",
    "info_requested",
    "cleared",
    "objected",
    "withdrawn",
    "shipped",
    "not_shipped",
    "arrived",
]
BASE = "/precursors/notifications"


@router.post(BASE, status_code=201)
def notify(body: PenCreate, ctx: CtxDep) -> PenOut:
    """Notify an export (the writers of your country's designated competent authority). It goes to the
    importing country's authority and the authorities of the transit countries."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.create(session, actor, body))


@router.get(BASE)
def list_notifications(
    ctx: CtxDep,
    box: Box = Query(
        "all",
        description="inbox: addressed to your authority (overdue first, then by due day); outbox: notified by "
        "it; transit: naming it as a transit authority; all: every notification you may see.",
    ),
    state: State | None = Query(None),
    overdue: bool | None = Query(
        None, description="Only those awaiting an answer past the due day (or not)."
    ),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[PenSummary]:
    """The notifications your agency may see."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        rows, more = pen.list_for(session, actor, box, state, overdue, limit, offset)
        return Page[PenSummary](
            items=pen.summaries(session, actor, rows), limit=limit, offset=offset, has_more=more
        )


@router.get(BASE + "/{ref}")
def get_notification(ref: str, ctx: CtxDep) -> PenOut:
    """One notification by uuid or reference (``PEN-CN-2026-000012``), with the flags raised for your
    authority and what you may do now."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.get(session, actor, ref))


@router.post(BASE + "/{ref}/answer")
def answer(ref: str, body: AnswerIn, ctx: CtxDep) -> PenOut:
    """The importing authority answers: no_objection, objection (reason required) or information_requested
    (question required). After the deadline the answer is recorded as late."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.answer(session, actor, ref, body))


@router.post(BASE + "/{ref}/information")
def provide_information(ref: str, body: InformationIn, ctx: CtxDep) -> PenOut:
    """The exporting authority answers a request for information; the deadline starts again from today."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.provide_information(session, actor, ref, body))


@router.post(BASE + "/{ref}/shipment")
def record_shipment(ref: str, body: ShipmentIn, ctx: CtxDep) -> PenOut:
    """The exporting authority records whether the shipment went ahead (after no objection, or once the
    deadline has passed without an answer)."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.record_shipment(session, actor, ref, body))


@router.post(BASE + "/{ref}/arrival")
def record_arrival(ref: str, body: ArrivalIn, ctx: CtxDep) -> PenOut:
    """The exporting authority records the arrival of a shipped consignment."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.record_arrival(session, actor, ref, body))


@router.post(BASE + "/{ref}/withdrawal")
def withdraw(ref: str, body: WithdrawalIn, ctx: CtxDep) -> PenOut:
    """The exporting authority withdraws the notification (before shipment, unless objected)."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.withdraw(session, actor, ref, body))


@router.put(BASE + "/{ref}/distribution")
def change_distribution(ref: str, body: PenSharingIn, ctx: CtxDep) -> PenOut:
    """Share further: the exporting authority widens the distribution, the importing authority adds
    agencies. The importing and transit authorities always stay."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        return pen.public(session, actor, pen.change_distribution(session, actor, ref, body))


@router.get(BASE + "/{ref}/events")
def events(ref: str, ctx: CtxDep) -> list[PenEventOut]:
    """The notification's log, oldest first: notified, answers (late ones marked), reminders, shipment..."""
    with ctx.unit() as (session, actor):
        pen = ctx.platform.pen
        _, rows = pen.events(session, actor, ref)
        return pen.event_views(session, rows)


@router.get("/precursors/authorities")
def authorities(ctx: CtxDep) -> list[AuthorityOut]:
    """The competent authority of each country for precursor control."""
    with ctx.unit() as (session, actor):
        return ctx.platform.pen.authorities(session, actor)


@router.put("/precursors/authorities/{country}")
def designate(country: str, body: DesignationIn, ctx: CtxDep) -> AuthorityOut:
    """Designate (or re-designate) the competent authority of a country (platform admins)."""
    with ctx.unit() as (session, actor):
        return ctx.platform.pen.designate(session, actor, country, body.agency)

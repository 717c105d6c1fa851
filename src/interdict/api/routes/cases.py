"""Case files, joint investigations and syndicates (``services/cases.py``). A case answers "not found" to
everyone but its owner agency and its current participants; linked records appear only to those whose
agency may see them under the record's own sharing rule."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.cases import (
    CaseCreate,
    CaseOut,
    CaseStatusIn,
    CaseSummary,
    CaseUpdate,
    LinkIn,
    MessageIn,
    NoteIn,
    ParticipantIn,
    SyndicateOut,
    SyndicateRef,
)
from interdict.schemas.common import Page

router = APIRouter(tags=["cases"])

StatusFilter = Literal["open", "suspended", "closed"]


@router.post("/cases", status_code=201)
def create_case(body: CaseCreate, ctx: CtxDep) -> CaseOut:
    """Open a case owned by your agency (writer roles), inviting agencies at once if you choose."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.create(session, actor, body))


@router.get("/cases")
def list_cases(
    ctx: CtxDep,
    box: Literal["owned", "joined"] | None = Query(
        None,
        description="Your agency's own cases, or other agencies' cases it takes part in; both when omitted.",
    ),
    status: StatusFilter | None = Query(None),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[CaseSummary]:
    """The cases your agency owns or takes part in, last changed first."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        rows, more = cases.list_for(session, actor, status, box, limit, offset)
        return Page[CaseSummary](
            items=cases.summaries(session, actor, rows), limit=limit, offset=offset, has_more=more
        )


@router.get("/cases/{ref}")
def get_case(ref: str, ctx: CtxDep) -> CaseOut:
    """One case with its participants, the linked records you may see, and its log."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.get(session, actor, ref))


@router.patch("/cases/{ref}")
def update_case(ref: str, body: CaseUpdate, ctx: CtxDep) -> CaseOut:
    """The owner's writers change the title, summary, offences or syndicate (``version`` as read)."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.update(session, actor, ref, body))


@router.post("/cases/{ref}/status")
def set_status(ref: str, body: CaseStatusIn, ctx: CtxDep) -> CaseOut:
    """The owner suspends, closes or reopens the case; the reason goes to the case's log."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.set_status(session, actor, ref, body))


@router.post("/cases/{ref}/participants")
def invite(ref: str, body: ParticipantIn, ctx: CtxDep) -> CaseOut:
    """The owner invites another agency (a joint investigation)."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.invite(session, actor, ref, body))


@router.delete("/cases/{ref}/participants/{agency}")
def remove(ref: str, agency: str, ctx: CtxDep) -> CaseOut | None:
    """The owner removes a participant, or a participant leaves; it sees nothing of the case from now on
    (a participant that left gets an empty answer)."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        case = cases.remove(session, actor, ref, agency)
        if case.owner_agency_id != actor.agency_id:
            return None
        return cases.public(session, actor, case)


@router.post("/cases/{ref}/links", status_code=201)
def link(ref: str, body: LinkIn, ctx: CtxDep) -> CaseOut:
    """Link a seizure, entity or intelligence report your agency can see. Linking does not change who
    may see the record."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.link(session, actor, ref, body))


@router.delete("/cases/{ref}/links/{record}")
def unlink(ref: str, record: str, ctx: CtxDep) -> CaseOut:
    """Remove a link (the agency that made it, or the case's owner)."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.unlink(session, actor, ref, record))


@router.post("/cases/{ref}/notes", status_code=201)
def note(ref: str, body: NoteIn, ctx: CtxDep) -> CaseOut:
    """An entry of the investigation log, by any participant's writers."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.note(session, actor, ref, body))


@router.post("/cases/{ref}/messages", status_code=201)
def message(ref: str, body: MessageIn, ctx: CtxDep) -> CaseOut:
    """A message of the discussion, optionally replying to an earlier entry."""
    with ctx.unit() as (session, actor):
        cases = ctx.platform.cases
        return cases.public(session, actor, cases.message(session, actor, ref, body))


@router.get("/syndicates")
def list_syndicates(ctx: CtxDep) -> list[SyndicateRef]:
    """The syndicates (Organization entities you may see) of the cases your agency sees."""
    with ctx.unit() as (session, actor):
        return ctx.platform.cases.syndicates(session, actor)


@router.get("/syndicates/{ref}")
def get_syndicate(ref: str, ctx: CtxDep) -> SyndicateOut:
    """A syndicate: its cases that you see, and its members with their roles, each under its own rule."""
    with ctx.unit() as (session, actor):
        return ctx.platform.cases.syndicate(session, actor, ref)

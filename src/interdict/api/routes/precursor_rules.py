"""Diversion indicators (``services/diversion.py``): an authority's rules and their parameters, the annual
legitimate requirements countries state, and the re-evaluation of a notification's flags by one of its two
authorities. A notification the caller may not see answers "not found", as one that does not exist."""

from __future__ import annotations

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.common import Page
from interdict.schemas.diversion import (
    FlagOut,
    FlagsOut,
    RequirementIn,
    RequirementOut,
    RuleOut,
    RuleSettingIn,
)

router = APIRouter(tags=["precursor control"])


@router.get("/precursors/rules")
def list_rules(ctx: CtxDep) -> list[RuleOut]:
    """Every diversion rule as your agency runs it: on or off, its parameters, and what it flags."""
    with ctx.unit() as (session, actor):
        return ctx.platform.diversion.settings(session, actor)


@router.put("/precursors/rules/{rule}")
def set_rule(rule: str, body: RuleSettingIn, ctx: CtxDep) -> RuleOut:
    """Switch one of your agency's rules on or off, or change its parameters (supervisors and agency
    administrators). Parameters not sent keep their value."""
    with ctx.unit() as (session, actor):
        return ctx.platform.diversion.set_rule(session, actor, rule, body)


@router.get("/precursors/requirements")
def list_requirements(
    ctx: CtxDep,
    country: str | None = Query(None, max_length=2, description="ISO 3166-1 alpha-2 code."),
    substance: str | None = Query(None, max_length=200, description="A precursor's code or name."),
    year: int | None = Query(None, ge=1950, le=2200),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[RequirementOut]:
    """The annual legitimate requirements countries stated for precursors (published figures)."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.diversion.requirements(session, actor, country, substance, year, limit, offset)
        return Page[RequirementOut](items=rows, limit=limit, offset=offset, has_more=more)


@router.put("/precursors/requirements")
def set_requirement(body: RequirementIn, ctx: CtxDep) -> RequirementOut:
    """State (or replace) a country's requirement for a precursor and a year: the writers of the country's
    competent authority for precursors, or a platform admin."""
    with ctx.unit() as (session, actor):
        return ctx.platform.diversion.set_requirement(session, actor, body)


@router.post("/precursors/notifications/{ref}/flags")
def reevaluate_flags(ref: str, ctx: CtxDep) -> FlagsOut:
    """Re-run your authority's rules on a notification (its reference or uuid) now; your agency's flags are
    replaced, the other authority's kept. Only the exporting and the importing authority may."""
    with ctx.unit() as (session, actor):
        notification, mine = ctx.platform.diversion.reevaluate(session, actor, ref)
        return FlagsOut(reference=notification.reference, flags=[FlagOut(**f) for f in mine])

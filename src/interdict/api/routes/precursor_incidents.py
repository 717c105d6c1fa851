"""Precursor incidents: stopped shipments, suspicious orders, seizures of precursors and equipment,
thefts and diversions (services/precursor_incidents.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from interdict.api.context import CtxDep
from interdict.schemas.common import DistributionChange, Page
from interdict.schemas.precursor_incidents import (
    IncidentStatsOut,
    PrecursorIncidentCreate,
    PrecursorIncidentPublic,
)
from interdict.services.precursor_incidents import IncidentFilters

router = APIRouter(tags=["precursor control"])


def incident_filters(
    kind: str | None = Query(None, max_length=40),
    country: str | None = Query(None, min_length=2, max_length=2),
    substance: str | None = Query(None, max_length=200, description="Catalogue code or any name"),
    date_from: date | None = None,
    date_to: date | None = None,
) -> IncidentFilters:
    return IncidentFilters(kind, country, substance, date_from, date_to)


IncidentFiltersDep = Annotated[IncidentFilters, Depends(incident_filters)]


@router.get("/precursors/incidents")
def list_incidents(
    ctx: CtxDep,
    f: IncidentFiltersDep,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[PrecursorIncidentPublic]:
    """Precursor incidents your agency may see, latest first."""
    with ctx.unit() as (session, actor):
        svc = ctx.platform.precursor_incidents
        rows, more = svc.list(session, actor, f, limit, offset)
        items = svc.public_page(session, actor, rows)
        return Page[PrecursorIncidentPublic](items=items, limit=limit, offset=offset, has_more=more)


@router.post("/precursors/incidents", status_code=201)
def create_incident(body: PrecursorIncidentCreate, ctx: CtxDep) -> PrecursorIncidentPublic:
    """Report an incident. Chemicals seized (seizures and stopped shipments) are also written as a
    seizure record with the same sharing, so the seizure statistics count them."""
    with ctx.unit() as (session, actor):
        svc = ctx.platform.precursor_incidents
        incident = svc.create(session, actor, body)
        return svc.public_page(session, actor, [incident])[0]


@router.get("/precursors/incidents/stats")
def incident_stats(
    ctx: CtxDep,
    by: str = Query("kind", max_length=16, description="kind, country, year, substance, equipment or method"),
    date_from: date | None = None,
    date_to: date | None = None,
) -> IncidentStatsOut:
    """Incidents, kilograms of chemicals and units of equipment over the incidents your agency may see."""
    with ctx.unit() as (session, actor):
        return ctx.platform.precursor_incidents.stats(session, actor, by, date_from, date_to)


@router.get("/precursors/incidents/{ref}")
def get_incident(ref: str, ctx: CtxDep) -> PrecursorIncidentPublic:
    with ctx.unit() as (session, actor):
        svc = ctx.platform.precursor_incidents
        return svc.public_page(session, actor, [svc.get(session, actor, ref)])[0]


@router.put("/precursors/incidents/{ref}/distribution")
def change_incident_distribution(ref: str, body: DistributionChange, ctx: CtxDep) -> PrecursorIncidentPublic:
    """The owner agency changes who may see the incident; its seizure record follows."""
    with ctx.unit() as (session, actor):
        svc = ctx.platform.precursor_incidents
        incident = svc.change_distribution(session, actor, ref, body)
        return svc.public_page(session, actor, [incident])[0]

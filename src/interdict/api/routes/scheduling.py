"""Control status of substances by jurisdiction, imports of national lists, and the scheduling-gap report
(``services/scheduling*.py``). Every signed-in user reads statuses; writers record them for their own
agency's country, platform admins for any country and for regional bodies; the UN status is read-only.
The gap report counts only the seizures and precursor incidents the caller's agency may see."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Response, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.io.downloads import download
from interdict.schemas.scheduling import (
    ControlStatusCreate,
    GapReport,
    ImportResult,
    JurisdictionPublic,
    RecordResult,
    SubstanceStatusOut,
)
from interdict.services.scheduling_gaps import gap_csv

router = APIRouter(tags=["precursor control"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.get("/scheduling/jurisdictions")
def list_jurisdictions(ctx: CtxDep) -> list[JurisdictionPublic]:
    """UN (the conventions, read-only), the regional bodies with their members, and every country with a
    recorded status."""
    with ctx.unit() as (session, _actor):
        return ctx.platform.scheduling.jurisdictions(session)


@router.get("/scheduling/statuses")
def get_statuses(
    ctx: CtxDep,
    substance: str | None = Query(
        None, max_length=200, description="Catalogue code, CAS number or any name (required)"
    ),
    jurisdiction: str | None = Query(
        None, max_length=8, description="Only this jurisdiction (UN, EU, TH...)"
    ),
    on: date | None = Query(None, description="The day to answer for; today when omitted"),
) -> SubstanceStatusOut:
    """A substance's control status in every jurisdiction that recorded one (UN first), with history."""
    with ctx.unit() as (session, actor):
        return ctx.platform.scheduling.substance_status(
            session, _required(substance, "substance", "a substance"), jurisdiction, on, actor.today
        )


@router.post("/scheduling/statuses", status_code=201)
def record_status(body: ControlStatusCreate, ctx: CtxDep) -> RecordResult:
    """Record a status or a decontrol; it closes the status in force before it. The same status again
    changes nothing (``outcome: unchanged``)."""
    with ctx.unit() as (session, actor):
        return ctx.platform.scheduling.record(session, actor, body)


@router.post("/scheduling/imports")
async def import_list(ctx: CtxDep, file: UploadFile) -> ImportResult:
    """Import a national list (CSV or XLSX), all or nothing; every bad row is named by row and column."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as tmp:
        while chunk := await file.read(1 << 20):
            tmp.write(chunk)
        tmp.seek(0)
        with ctx.unit() as (session, actor):
            return ctx.platform.scheduling.import_file(session, actor, tmp, file.filename or "upload")


def _report(
    ctx: CtxDep,
    mechanism: str | None,
    on: date | None,
    category: str | None,
    date_from: date | None,
    date_to: date | None,
) -> GapReport:
    with ctx.unit() as (session, actor):
        code = _required(mechanism, "mechanism", "a mechanism code, e.g. MEKONG-MOU")
        return ctx.platform.scheduling.gaps(session, actor, code, on, category, date_from, date_to)


def _required(value: str | None, field: str, expected: str) -> str:
    """Required query parameters are checked here, after sign-in: an anonymous call answers 401 first."""
    if value is None or not value.strip():
        message = f"{field} is required: expected {expected}"
        raise BadInputError(message, {field: message})
    return value


@router.get("/scheduling/gaps", response_model=GapReport, responses=CSV_RESPONSE)
def get_gaps(
    ctx: CtxDep,
    mechanism: str | None = Query(None, max_length=32, description="Mechanism code, e.g. MEKONG-MOU (required)"),
    on: date | None = Query(None, description="The day the statuses are read for; today when omitted"),
    category: str | None = Query(None, max_length=16, description="Only substances of this category"),
    date_from: date | None = Query(None, description="Evidence period start; three years before date_to"),
    date_to: date | None = Query(None, description="Evidence period end; the day when omitted"),
    format: Literal["json", "csv"] = Query("json"),
) -> GapReport | Response:
    """Substances controlled in some of the mechanism's countries and not in others, with the evidence of
    seizures and precursor incidents in those countries that your agency may see."""
    report = _report(ctx, mechanism, on, category, date_from, date_to)
    if format == "csv":
        return _csv(report)
    return report


@router.get("/scheduling/gaps.csv", responses=CSV_RESPONSE, response_class=Response)
def get_gaps_csv(
    ctx: CtxDep,
    mechanism: str | None = Query(None, max_length=32, description="Mechanism code (required)"),
    on: date | None = Query(None),
    category: str | None = Query(None, max_length=16),
    date_from: date | None = Query(None),
    date_to: date | None = Query(None),
) -> Response:
    """The gap matrix as CSV (the same as ``/scheduling/gaps?format=csv``)."""
    return _csv(_report(ctx, mechanism, on, category, date_from, date_to))


def _csv(report: GapReport) -> Response:
    name = f"scheduling-gaps-{report.mechanism}-{report.on.isoformat()}.csv"
    return download(gap_csv(report).encode(), name, "text/csv; charset=utf-8")

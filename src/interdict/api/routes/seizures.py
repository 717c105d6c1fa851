from __future__ import annotations

import json
import tempfile
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Response, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.domain.sharing import Distribution
from interdict.io.downloads import download
from interdict.schemas.common import DistributionChange, Page, comma_list
from interdict.schemas.seizures import (
    ConsolidatedOut,
    ImportRefusal,
    ImportReport,
    OperationCreate,
    OperationPublic,
    OperationTag,
    ResultsIn,
    SeizureCreate,
    SeizurePublic,
    StatsOut,
)
from interdict.services.seizure_import import ImportOptions, ImportOutcome, template_csv, template_xlsx
from interdict.services.seizure_stats import StatsQuery, parse_by, stats_csv, stats_xlsx
from interdict.services.seizures import SeizureFilters
from interdict.services.sharing import DistributionRequest

router = APIRouter(tags=["seizures"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def seizure_filters(
    date_from: date | None = None,
    date_to: date | None = None,
    country: str | None = Query(None, min_length=2, max_length=2),
    substance: str | None = Query(None, max_length=200, description="Catalogue code or any name"),
    category: str | None = Query(None, max_length=16),
    owner: str | None = Query(None, max_length=32, description="Reporting agency code"),
    operation: str | None = Query(None, max_length=40),
    location_type: str | None = Query(None, max_length=16),
    distribution: Distribution | None = None,
) -> SeizureFilters:
    return SeizureFilters(
        date_from,
        date_to,
        country,
        substance,
        category,
        owner,
        operation,
        location_type,
        distribution.value if distribution else None,
    )


SeizureFiltersDep = Annotated[SeizureFilters, Depends(seizure_filters)]


@router.get("/seizures")
def list_seizures(
    ctx: CtxDep,
    f: SeizureFiltersDep,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[SeizurePublic]:
    """Seizures your agency may see, newest first."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.seizures.list(session, actor, f, limit, offset)
        items = ctx.platform.seizures.public_page(session, actor, rows)
        return Page[SeizurePublic](items=items, limit=limit, offset=offset, has_more=more)


@router.post("/seizures", status_code=201)
def create_seizure(body: SeizureCreate, ctx: CtxDep) -> SeizurePublic:
    """Substances by any name in any script; quantities are normalised to kg where a sound factor exists."""
    with ctx.unit() as (session, actor):
        seizure = ctx.platform.seizures.create(session, actor, body)
        return ctx.platform.seizures.public_page(session, actor, [seizure])[0]


@router.get(
    "/seizures/template",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string"}}}}
    },
)
def seizure_template(ctx: CtxDep, format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The published import template (CSV header, or a workbook with a guide sheet)."""
    with ctx.unit():  # the credential is checked here: the router only sees that one was sent
        pass
    if format == "xlsx":
        return download(template_xlsx(), "interdict-seizures-template.xlsx", XLSX)
    return download(template_csv().encode(), "interdict-seizures-template.csv", "text/csv; charset=utf-8")


@router.post("/seizures/imports", status_code=200)
async def import_seizures(
    ctx: CtxDep,
    file: UploadFile,
    layout: Annotated[str, Form(max_length=32)] = "interdict",
    mode: Annotated[Literal["all", "valid"], Form()] = "all",
    encoding: Annotated[str, Form(max_length=32)] = "utf-8",
    mapping: Annotated[
        str, Form(max_length=10_000, description='JSON object: {"field": "header in the file"}')
    ] = "{}",
    distribution: Annotated[Distribution, Form()] = Distribution.AGENCY,
    agencies: Annotated[str, Form(max_length=5000, description="Comma-separated agency codes")] = "",
    mechanisms: Annotated[str, Form(max_length=2000, description="Comma-separated mechanism codes")] = "",
) -> ImportReport:
    """Import a CSV or XLSX file. ``mode=all`` loads every row or none; ``mode=valid`` loads the valid
    rows and lists the refused ones (their file: ``/seizures/imports/refused`` is not kept; use the CLI
    or the web page to download it). Re-importing the same file creates no duplicates."""
    try:
        mapped = json.loads(mapping or "{}")
        if not isinstance(mapped, dict) or not all(isinstance(v, str) for v in mapped.values()):
            raise ValueError
    except ValueError:
        raise BadInputError(
            "mapping must be a JSON object of field to column header", {"mapping": "not a JSON object"}
        ) from None
    opts = ImportOptions(
        filename=file.filename or "upload",
        layout=layout,
        mapping=mapped,
        mode=mode,
        encoding=encoding,
        distribution=DistributionRequest(distribution.value, comma_list(agencies), comma_list(mechanisms)),
    )
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as tmp:
        while chunk := await file.read(1 << 20):
            tmp.write(chunk)
        tmp.seek(0)
        with ctx.unit() as (session, actor):
            outcome = ctx.platform.seizure_import.run(session, actor, tmp, opts)
    return import_report(outcome)


def import_report(o: ImportOutcome) -> ImportReport:
    return ImportReport(
        import_uuid=o.import_uuid,
        filename=o.filename,
        sha256=o.sha256,
        layout=o.layout,
        mode=o.mode,
        rows=o.rows,
        seizures_created=o.seizures_created,
        rows_loaded=o.rows_loaded,
        rows_unchanged=o.rows_unchanged,
        rows_refused=o.rows_refused,
        loaded=o.loaded,
        errors=[ImportRefusal(row=e.row, column=e.column, message=e.message) for e in o.errors],
        errors_truncated=o.errors_truncated,
    )


@router.get("/seizures/{ref}")
def get_seizure(ref: str, ctx: CtxDep) -> SeizurePublic:
    """A seizure you may not see answers exactly like one that does not exist."""
    with ctx.unit() as (session, actor):
        seizure = ctx.platform.seizures.get(session, actor, ref)
        return ctx.platform.seizures.public_page(session, actor, [seizure])[0]


@router.put("/seizures/{ref}/distribution")
def change_seizure_distribution(ref: str, body: DistributionChange, ctx: CtxDep) -> SeizurePublic:
    """Owner agency only; audited with the distribution before and after."""
    with ctx.unit() as (session, actor):
        seizure = ctx.platform.seizures.change_distribution(session, actor, ref, body)
        return ctx.platform.seizures.public_page(session, actor, [seizure])[0]


@router.put("/seizures/{ref}/operation")
def tag_seizure(ref: str, body: OperationTag, ctx: CtxDep) -> SeizurePublic:
    """Tag your agency's seizure to a joint operation it takes part in (null removes the tag)."""
    with ctx.unit() as (session, actor):
        seizure = ctx.platform.seizures.tag_operation(session, actor, ref, body.operation, body.version)
        return ctx.platform.seizures.public_page(session, actor, [seizure])[0]


# -- statistics --------------------------------------------------------------------------------------


def stats_query(
    by: str = Query(
        "substance",
        max_length=200,
        description="Comma-separated: substance, category, country, agency, port_type, port, origin, "
        "destination, route, operation, year, quarter, month",
    ),
    date_from: date | None = None,
    date_to: date | None = None,
    substance: str | None = Query(None, max_length=200),
    category: str | None = Query(None, max_length=16),
    country: str | None = Query(None, min_length=2, max_length=2),
    agency: str | None = Query(None, max_length=32),
    operation: str | None = Query(None, max_length=40),
    port_type: str | None = Query(None, max_length=16),
) -> StatsQuery:
    return StatsQuery(
        tuple(parse_by(by)), date_from, date_to, substance, category, country, agency, operation, port_type
    )


StatsDep = Annotated[StatsQuery, Depends(stats_query)]


@router.get("/stats/seizures")
def seizure_stats(ctx: CtxDep, q: StatsDep) -> StatsOut:
    """Totals over the seizures your agency may see, with the change against the previous period."""
    with ctx.unit() as (session, actor):
        return ctx.platform.stats.run(session, actor, q)


@router.get(
    "/stats/seizures/export",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string"}}}}
    },
)
def seizure_stats_export(ctx: CtxDep, q: StatsDep, format: Literal["csv", "xlsx"] = "csv") -> Response:
    with ctx.unit() as (session, actor):
        out = ctx.platform.stats.run(session, actor, q)
        ctx.platform.audit.record(
            session,
            actor,
            _export_event(actor.agency_code, {"by": list(q.by), "format": format, "rows": len(out.rows)}),
        )
    if format == "xlsx":
        return download(stats_xlsx(out), "seizure-statistics.xlsx", XLSX)
    return download(stats_csv(out).encode(), "seizure-statistics.csv", "text/csv; charset=utf-8")


def _export_event(agency: str | None, detail: dict[str, Any]) -> Any:
    from interdict.services.audit import AuditEvent

    return AuditEvent("stats.export", "ok", "seizure_statistics", None, agency, None, detail)


# -- joint operations --------------------------------------------------------------------------------


@router.get("/operations")
def list_operations(ctx: CtxDep) -> list[OperationPublic]:
    """Operations your agency takes part in."""
    with ctx.unit() as (session, actor):
        return [
            ctx.platform.operations.public(session, op) for op in ctx.platform.operations.list(session, actor)
        ]


@router.post("/operations", status_code=201)
def create_operation(body: OperationCreate, ctx: CtxDep) -> OperationPublic:
    """Your agency leads it; the participants named see it."""
    with ctx.unit() as (session, actor):
        op = ctx.platform.operations.create(session, actor, body)
        return ctx.platform.operations.public(session, op)


@router.get("/operations/{code}")
def get_operation(code: str, ctx: CtxDep) -> OperationPublic:
    with ctx.unit() as (session, actor):
        return ctx.platform.operations.public(session, ctx.platform.operations.get(session, actor, code))


@router.put("/operations/{code}/results")
def report_operation_results(code: str, body: ResultsIn, ctx: CtxDep) -> ConsolidatedOut:
    """Replace your agency's aggregate result (its whole result, tagged seizures included)."""
    with ctx.unit() as (session, actor):
        ctx.platform.operations.report_results(session, actor, code, body)
        return ctx.platform.operations.consolidated(session, actor, code)


@router.get("/operations/{code}/results")
def operation_results(code: str, ctx: CtxDep) -> ConsolidatedOut:
    """Consolidated results: aggregates and tagged seizures, never both for the same thing."""
    with ctx.unit() as (session, actor):
        return ctx.platform.operations.consolidated(session, actor, code)

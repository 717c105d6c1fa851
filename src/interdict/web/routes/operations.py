"""Joint operations: the list, the consolidated results page and export, and the form for an agency's
aggregate results (``OperationService``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.quantities import Unit
from interdict.domain.roles import Permission
from interdict.io.charts import bar_chart
from interdict.io.downloads import download
from interdict.schemas.seizures import ConsolidatedOut, ResultsIn
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    N_,
    ensure_writer,
    field_errors,
    posted,
)
from interdict.web.seizure_pages import (
    CONSOLIDATED_COLUMNS,
    RESULT_FIELDS,
    csv_text,
    gettext_of,
    line_count,
    lines_of,
    parse_number,
    parse_whole,
    reindex,
    show,
)

router = APIRouter(include_in_schema=False)


# -- joint operations ------------------------------------------------------------------------------------
@router.get("/operations")
@page
def operations_page(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ops = [
            ctx.platform.operations.public(session, op) for op in ctx.platform.operations.list(session, actor)
        ]
        return show(ctx, "seizures/operations.html", operations=ops)


def operation_context(
    ctx: WebContext, session: Session, actor: Actor, code: str, **extra: Any
) -> dict[str, Any]:
    out = ctx.platform.operations.consolidated(session, actor, code)
    gt = gettext_of(ctx)
    context: dict[str, Any] = {
        "result": out,
        "chart_svg": bar_chart(
            [(p.agency, p.mass_kg) for p in out.participants],
            title=gt(N_("Kilograms counted per participant")),
            unit=gt(N_("kg")),
            desc=gt(N_("Chart; the same figures are in the table below.")),
        ),
        "can_write": actor.can(Permission.WRITE_RECORDS),
        "my_agency": actor.agency_code,
        "units": [u.value for u in Unit],
        "values": {"lines": [dict.fromkeys(RESULT_FIELDS, "") for _ in range(6)]},
        "errors": {},
    }
    context.update(extra)
    rows = range(len(context["values"]["lines"]))
    context["shown"] = [f"lines[{i}].{f}" for i in rows for f in RESULT_FIELDS]
    return context


@router.get("/operations/{code}")
@page
def operation_page(ctx: WebDep, code: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return show(ctx, "seizures/operation.html", **operation_context(ctx, session, actor, code))


def results_payload(lines: list[dict[str, str]]) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    errors: dict[str, str] = {}
    payload, rows = [], []
    for i, line in enumerate(lines):
        if not any(line.values()):
            continue
        p = f"lines[{i}]."
        payload.append(
            {
                "substance": line["substance"],
                "quantity": parse_number(line["quantity"], p + "quantity", errors),
                "unit": line["unit"],
                "cases": parse_whole(line["cases"], p + "cases", errors, 0),
                "suspects_arrested": parse_whole(
                    line["suspects_arrested"], p + "suspects_arrested", errors, 0
                ),
                "note": line["note"],
            }
        )
        rows.append(i)
    if not payload:
        errors["lines[0].substance"] = N_("Fill in at least one line.")
    return payload, rows, errors


@router.post("/operations/{code}/results")
@page
async def report_results(ctx: WebDep, code: str) -> Response:
    form, _ = await posted(ctx)
    lines = lines_of(form, "lines", RESULT_FIELDS, line_count(form, 6, 200))
    errors: dict[str, str] = {}
    if form.get("action") != "add_line":
        payload, rows, errors = results_payload(lines)
        if not errors:
            try:
                with ctx.page_unit() as (session, actor):
                    ensure_writer(actor)
                    data = ResultsIn.model_validate({"lines": payload})
                    ctx.platform.operations.report_results(session, actor, code, data)
            except (ValidationError, BadInputError) as exc:
                errors = reindex(field_errors(exc, nested=True), "lines", rows)
            else:
                ctx.flash("ok", gettext_of(ctx)(N_("Results reported.")))
                return ctx.redirect(f"/operations/{code.upper()}#results")
    with ctx.page_unit() as (session, actor):
        context = operation_context(ctx, session, actor, code, values={"lines": lines}, errors=errors)
        return show(ctx, "seizures/operation.html", status=422 if errors else 200, **context)


def consolidated_csv(out: ConsolidatedOut) -> str:
    """Participants' totals, then the lines per participant and substance, then the total: one table."""
    records: list[dict[str, Any]] = [{"row": "participant", **p.model_dump()} for p in out.participants]
    records += [{"row": "substance", **line.model_dump()} for line in out.lines]
    records.append(
        {
            "row": "total",
            "cases": out.total_cases,
            "suspects_arrested": out.total_suspects,
            "mass_kg": out.total_mass_kg,
        }
    )
    return csv_text([CONSOLIDATED_COLUMNS, *([r.get(c) for c in CONSOLIDATED_COLUMNS] for r in records)])


@router.get("/operations/{code}/results.csv")
@page
def operation_csv(ctx: WebDep, code: str) -> Response:
    with ctx.page_unit() as (session, actor):
        out = ctx.platform.operations.consolidated(session, actor, code)
        detail = {"format": "csv", "lines": len(out.lines), "via": "web"}
        ctx.platform.audit.record(
            session,
            actor,
            AuditEvent(
                "operation.export", "ok", "operation", out.operation.uuid, actor.agency_code, None, detail
            ),
        )
    return download(
        consolidated_csv(out).encode(), f"{out.operation.code}-results.csv", "text/csv; charset=utf-8"
    )

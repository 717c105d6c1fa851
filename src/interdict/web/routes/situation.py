"""Situation monitoring pages: indicator figures (with history, import and production estimates),
early-warning signals (with publishing to a mechanism) and the regional situation report (page, HTML
and PDF downloads). The same services as ``interdict.api.routes.indicators`` and ``situation``."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from interdict.domain.errors import BadInputError
from interdict.domain.estimates import HEROIN_RATIO, heroin_from_opium, potential_opium, yield_for
from interdict.domain.indicators import CATALOGUE
from interdict.domain.roles import Permission
from interdict.io.downloads import download
from interdict.services.indicator_import import FIELDS, IndicatorImportOptions
from interdict.services.indicators import IndicatorFilters
from interdict.services.signals import SignalQuery, finding_id
from interdict.services.situation_report import ReportQuery
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import N_, field_errors, posted
from interdict.web.situation_report import document_html, document_pdf, page_context

router = APIRouter(include_in_schema=False)


def _date(text: str, name: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        errors[name] = N_("Give a date as YYYY-MM-DD.")
        return None


# -- indicators -------------------------------------------------------------------------------------------
@router.get("/indicators")
@page
def indicators_page(ctx: WebDep, indicator: str = "", area: str = "") -> Response:
    values = {"indicator": indicator.strip()[:100], "area": area.strip()[:100]}
    errors: dict[str, str] = {}
    with ctx.page_unit() as (session, actor):
        rows: list[Any] = []
        try:
            found = ctx.platform.indicators.latest(session, actor, IndicatorFilters(values["indicator"] or None,
                                                                                    values["area"] or None))  # fmt: skip
            rows = ctx.platform.indicators.public(session, found)
        except BadInputError as exc:
            errors = field_errors(exc)
        return ctx.page(
            "situation/indicators.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            rows=rows,
            catalogue=CATALOGUE,
            may_write=actor.can(Permission.WRITE_RECORDS),
            fields=FIELDS,
        )


@router.get("/indicators/history")
@page
def indicator_history(ctx: WebDep, indicator: str = "", area: str = "", period: str = "") -> Response:
    with ctx.page_unit() as (session, actor):
        rows = ctx.platform.indicators.history(session, actor, indicator[:100], area[:100], period[:16])
        return ctx.page("situation/history.html", rows=ctx.platform.indicators.public(session, rows))


def _mapping(text: str) -> dict[str, str]:
    """``field = Header`` lines."""
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, _, v = line.partition("=")
            if k.strip():
                out[k.strip()] = v.strip()
    return out


@router.post("/indicators/import")
@page
async def indicator_import(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    upload = raw.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadInputError("choose a file to upload", {"file": N_("Choose a file to upload.")})
    opts = IndicatorImportOptions(
        layout=form.get("layout", "long"),
        mapping=_mapping(form.get("mapping", "")),
        constants=_mapping(form.get("constants", "")),
    )

    def run() -> Any:
        with ctx.page_unit() as (session, actor):
            return ctx.platform.indicator_import.run(session, actor, upload.file, upload.filename or "upload", opts)

    await run_in_threadpool(run)
    ctx.flash("ok", "indicators_imported")
    return ctx.redirect("/indicators")


@router.get("/indicators/estimate")
@page
def estimate_page(
    ctx: WebDep, area: str = "MM", hectares: str = "", yield_kg_ha: str = "", ratio: str = ""
) -> Response:
    values = {"area": area.strip()[:10].upper(), "hectares": hectares, "yield_kg_ha": yield_kg_ha, "ratio": ratio}
    errors: dict[str, str] = {}
    result = None
    numbers: dict[str, float | None] = {}
    for name in ("hectares", "yield_kg_ha", "ratio"):
        try:
            numbers[name] = float(values[name]) if values[name].strip() else None
        except ValueError:
            errors[name] = N_("Give a number.")
    if not errors and numbers["hectares"] is not None:
        try:
            y = yield_for(values["area"]).set(value=numbers["yield_kg_ha"])
            r = HEROIN_RATIO.set(value=numbers["ratio"])
            opium = potential_opium(numbers["hectares"], y)
            result = (opium, heroin_from_opium(opium, r))
        except ValueError:
            errors["form"] = N_("The numbers must be positive.")
    with ctx.page_unit():
        return ctx.page("situation/estimate.html", status=422 if errors else 200, values=values, errors=errors,
                        result=result, default_yield=yield_for(values["area"]), default_ratio=HEROIN_RATIO)  # fmt: skip


# -- signals ----------------------------------------------------------------------------------------------
def _signal_query(date_from: str, date_to: str, substance: str, errors: dict[str, str]) -> SignalQuery | None:
    start = _date(date_from, "date_from", errors)
    end = _date(date_to, "date_to", errors)
    if errors or start is None or end is None:
        if not errors:
            errors["date_from"] = N_("Give both dates.")
        return None
    return SignalQuery(start, end, substance=substance.strip()[:200] or None)


@router.get("/signals")
@page
def signals_page(ctx: WebDep, date_from: str = "", date_to: str = "", substance: str = "") -> Response:
    values = {"date_from": date_from, "date_to": date_to, "substance": substance}
    errors: dict[str, str] = {}
    q = _signal_query(date_from, date_to, substance, errors) if (date_from or date_to) else None
    with ctx.page_unit() as (session, actor):
        out = None
        if q is not None:
            try:
                out = ctx.platform.signals.run(session, actor, q)
            except BadInputError as exc:
                errors = field_errors(exc)
        return ctx.page(
            "situation/signals.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            out=out,
            fid=finding_id,
            may_publish=actor.can(Permission.WRITE_RECORDS),
        )


@router.post("/signals/publish")
@page
async def signals_publish(ctx: WebDep) -> Response:
    form, _ = await posted(ctx)
    errors: dict[str, str] = {}
    q = _signal_query(form.get("date_from", ""), form.get("date_to", ""), form.get("substance", ""), errors)
    if q is None:
        raise BadInputError("the signal query is not valid", errors)

    def run() -> str:
        with ctx.page_unit() as (session, actor):
            return ctx.platform.signals.publish(
                session, actor, q, form.get("signal", "")[:32], form.get("mechanism", "")[:32]
            ).uuid

    ref = await run_in_threadpool(run)
    ctx.flash("ok", "report_created")
    return ctx.redirect(f"/intel/{ref}")


# -- the report -------------------------------------------------------------------------------------------
def _report_query(
    mechanism: str, region: str, date_from: str, date_to: str, errors: dict[str, str]
) -> ReportQuery | None:
    start = _date(date_from, "date_from", errors)
    end = _date(date_to, "date_to", errors)
    if not mechanism.strip() and not region.strip():
        errors["mechanism"] = N_("Give a mechanism or a region.")
    if errors or start is None or end is None:
        return None
    return ReportQuery(start, end, mechanism.strip()[:32] or None, region.strip()[:40] or None)


def _report(ctx: WebContext, q: ReportQuery) -> Any:
    with ctx.page_unit() as (session, actor):
        return ctx.platform.situation.build(session, actor, q)


@router.get("/situation/report")
@page
def report_page(ctx: WebDep, mechanism: str = "", region: str = "", date_from: str = "", date_to: str = "") -> Response:
    values = {"mechanism": mechanism, "region": region, "date_from": date_from, "date_to": date_to}
    errors: dict[str, str] = {}
    context: dict[str, Any] = {"report": None}
    if any(values.values()):
        q = _report_query(mechanism, region, date_from, date_to, errors)
        if q is not None:
            try:
                report = _report(ctx, q)
            except BadInputError as exc:
                errors = field_errors(exc)
            else:
                context.update(page_context(report, ctx.lang))
                link = urlencode({k: v for k, v in values.items() if v})
                context["pdf_url"] = f"/situation/report.pdf?{link}"
                context["html_url"] = f"/situation/report.html?{link}"
    with ctx.page_unit():
        return ctx.page("situation/report.html", status=422 if errors else 200, values=values, errors=errors, **context)


def _export(ctx: WebContext, mechanism: str, region: str, date_from: str, date_to: str, fmt: str) -> Response:
    errors: dict[str, str] = {}
    q = _report_query(mechanism, region, date_from, date_to, errors)
    if q is None:
        raise BadInputError("the report query is not valid", errors)
    report = _report(ctx, q)
    name = f"situation-{(q.mechanism or q.region or 'report').lower()}-{q.date_from}-{q.date_to}"
    if fmt == "pdf":
        return download(document_pdf(report, ctx.lang), f"{name}.pdf", "application/pdf")
    return download(document_html(report, ctx.lang).encode(), f"{name}.html", "text/html; charset=utf-8")


@router.get("/situation/report.pdf")
@page
def report_pdf(ctx: WebDep, mechanism: str = "", region: str = "", date_from: str = "", date_to: str = "") -> Response:
    return _export(ctx, mechanism, region, date_from, date_to, "pdf")


@router.get("/situation/report.html")
@page
def report_html(ctx: WebDep, mechanism: str = "", region: str = "", date_from: str = "", date_to: str = "") -> Response:
    return _export(ctx, mechanism, region, date_from, date_to, "html")

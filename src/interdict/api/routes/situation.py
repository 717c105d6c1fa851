"""Early-warning signals and the regional situation report, over what the caller's agency may see
(``services/signals.py``, ``services/situation_report.py``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.io.downloads import download
from interdict.schemas.common import Strict
from interdict.services.signals import KINDS, SignalQuery, finding_id
from interdict.services.situation_report import ReportQuery

router = APIRouter(tags=["situation"])


class FindingOut(BaseModel):
    id: str = Field(description="Stable for the same query: give it to /signals/publish")
    kind: str
    status: str = Field(description="signal | cannot_judge | none")
    subject: dict[str, str]
    period: str
    message: str
    figures: dict[str, Any]


class SignalsOut(BaseModel):
    first_month: str
    last_month: str
    scope: str
    cannot_judge: int = Field(description="Series too short or too sparse to judge (listed with unjudged=true)")
    findings: list[FindingOut]


class PublishIn(Strict):
    date_from: date
    date_to: date
    substance: str | None = Field(None, max_length=200)
    signal: str = Field(min_length=1, max_length=32)
    mechanism: str = Field(min_length=1, max_length=32)


class PublishedOut(BaseModel):
    uuid: str
    title: str


def _dates(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """Required, but checked after sign-in, so anonymous callers get 401 whatever they send."""
    missing = {k: "required" for k, v in (("date_from", date_from), ("date_to", date_to)) if v is None}
    if date_from is None or date_to is None:
        raise BadInputError(f"missing {', '.join(missing)}", missing)
    return date_from, date_to


def _query(date_from: date, date_to: date, substance: str | None, kinds: str | None, route_by: str) -> SignalQuery:
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip()) if kinds else KINDS
    return SignalQuery(date_from, date_to, substance=substance, kinds=chosen, route_by=route_by)


@router.get("/signals")
def signals(
    ctx: CtxDep,
    date_from: date | None = None,
    date_to: date | None = None,
    substance: str | None = Query(None, max_length=200),
    kinds: str | None = Query(None, max_length=100, description="Comma-separated: change, spike, route_shift, emerging"),
    route_by: Literal["route", "port"] = "route",
    unjudged: bool = Query(False, description="Also list the series that cannot be judged"),
) -> SignalsOut:
    """Spikes, route shifts and emerging substances in the seizures your agency may see."""
    with ctx.unit() as (session, actor):
        start, end = _dates(date_from, date_to)
        out = ctx.platform.signals.run(session, actor, _query(start, end, substance, kinds, route_by))
    return SignalsOut(
        first_month=out.first_month,
        last_month=out.last_month,
        scope=out.scope,
        cannot_judge=sum(f.status == "cannot_judge" for f in out.findings),
        findings=[
            FindingOut(
                id=finding_id(f),
                kind=f.kind,
                status=f.status,
                subject=dict(f.subject),
                period=f.period,
                message=f.message,
                figures=dict(f.figures),
            )
            for f in out.findings
            if unjudged or f.status == "signal"
        ],
    )


@router.post("/signals/publish", status_code=201)
def publish(body: PublishIn, ctx: CtxDep) -> PublishedOut:
    """Publish one signal to a mechanism you belong to, as an intelligence report shared with its members.
    Refused when the signal does not hold over the seizures every member may see."""
    with ctx.unit() as (session, actor):
        q = SignalQuery(body.date_from, body.date_to, substance=body.substance)
        report = ctx.platform.signals.publish(session, actor, q, body.signal, body.mechanism)
        return PublishedOut(uuid=report.uuid, title=report.title)


@router.get(
    "/situation/report",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": {"type": "object"}},
            }
        }
    },
)
def situation_report(
    ctx: CtxDep,
    date_from: date | None = None,
    date_to: date | None = None,
    mechanism: str | None = Query(None, max_length=32),
    region: str | None = Query(None, max_length=40),
    format: Literal["html", "pdf", "json"] = "html",
    lang: Literal["en", "zh", "ru"] = "en",
) -> Response:
    """The regional situation report for a mechanism you belong to, or a region, as HTML, PDF or JSON
    (the figures behind the document)."""
    from interdict.web.situation_report import document_html, document_pdf

    with ctx.unit() as (session, actor):
        date_from, date_to = _dates(date_from, date_to)
        report = ctx.platform.situation.build(session, actor, ReportQuery(date_from, date_to, mechanism, region))
    name = f"situation-{(mechanism or region or 'report').lower()}-{date_from}-{date_to}"
    if format == "json":
        return JSONResponse(jsonable_encoder(asdict(report)))
    if format == "pdf":
        return download(document_pdf(report, lang), f"{name}.pdf", "application/pdf")
    return download(document_html(report, lang).encode(), f"{name}.html", "text/html; charset=utf-8")

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.intel import IntelCategory
from interdict.domain.sharing import Distribution
from interdict.io.downloads import download
from interdict.schemas.audit import AccessEntry
from interdict.schemas.common import DistributionChange, Page
from interdict.schemas.intel import (
    AttachmentPublic,
    IntelReportCreate,
    IntelReportPublic,
    IntelReportUpdate,
    OnwardRequestCreate,
    OnwardRequestPublic,
)
from interdict.services.auditlog import access_log
from interdict.services.intel import IntelFilters

router = APIRouter(prefix="/intel-reports", tags=["intel-reports"])


def report_filters(
    category: IntelCategory | None = None,
    tag: str | None = Query(None, max_length=100),
    country: str | None = Query(None, min_length=2, max_length=2),
    owner: str | None = Query(None, max_length=32, description="Owner agency code."),
    distribution: Distribution | None = None,
    q: str | None = Query(None, max_length=200, description="Words in the title or body."),
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> IntelFilters:
    """The list filters, shared by list, count and export."""
    return IntelFilters(
        category.value if category else None,
        tag,
        country,
        owner,
        distribution.value if distribution else None,
        q,
        created_from,
        created_to,
    )


FiltersDep = Annotated[IntelFilters, Depends(report_filters)]
FILTER_DOC = "Filters combine with AND; only reports your agency may see are ever considered."


@router.get("", description=FILTER_DOC)
def list_reports(
    ctx: CtxDep,
    f: FiltersDep,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    with_total: bool = False,
) -> Page[IntelReportPublic]:
    with ctx.unit() as (session, actor):
        rows, more, total = ctx.platform.intel.list(session, actor, f, limit, offset, with_total)
        items = ctx.platform.intel.public_page(session, actor, rows)
        return Page[IntelReportPublic](items=items, limit=limit, offset=offset, has_more=more, total=total)


@router.get("/count", description=FILTER_DOC)
def count_reports(ctx: CtxDep, f: FiltersDep) -> dict[str, int]:
    with ctx.unit() as (session, actor):
        return {"count": ctx.platform.intel.count(session, actor, f)}


@router.get(
    "/export",
    description=FILTER_DOC + " Other agencies' reports marked no_onward_sharing are withheld.",
    response_class=Response,
    responses={
        200: {"content": {m: {"schema": {"type": "string"}} for m in ("text/csv", "application/x-ndjson")}}
    },
)
def export_reports(ctx: CtxDep, f: FiltersDep, format: Literal["csv", "jsonl"] = "csv") -> Response:
    with ctx.unit() as (session, actor):
        text, exported, withheld = ctx.platform.intel.export(session, actor, f, format)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return Response(
        text,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="intel-reports.{format}"',
            "X-Interdict-Exported": str(exported),
            "X-Interdict-Withheld": str(withheld),
        },
    )


@router.post("", status_code=201)
def create_report(body: IntelReportCreate, ctx: CtxDep) -> IntelReportPublic:
    """The owner is always your agency; it cannot be set."""
    with ctx.unit() as (session, actor):
        report = ctx.platform.intel.create(session, actor, body)
        return ctx.platform.intel.public(session, actor, report)


@router.get("/{ref}")
def get_report(ref: str, ctx: CtxDep) -> IntelReportPublic:
    """A report you may not see answers exactly like one that does not exist."""
    with ctx.unit() as (session, actor):
        report = ctx.platform.intel.get(session, actor, ref)
        return ctx.platform.intel.public(session, actor, report)


@router.patch("/{ref}")
def update_report(ref: str, body: IntelReportUpdate, ctx: CtxDep) -> IntelReportPublic:
    with ctx.unit() as (session, actor):
        report = ctx.platform.intel.update(session, actor, ref, body)
        return ctx.platform.intel.public(session, actor, report)


@router.put("/{ref}/distribution")
def change_distribution(ref: str, body: DistributionChange, ctx: CtxDep) -> IntelReportPublic:
    """Owner agency only; audited with the distribution before and after."""
    with ctx.unit() as (session, actor):
        report = ctx.platform.intel.change_distribution(session, actor, ref, body)
        return ctx.platform.intel.public(session, actor, report)


@router.get("/{ref}/access-log")
def report_access_log(
    ref: str, ctx: CtxDep, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)
) -> Page[AccessEntry]:
    """Which agencies read or exported this report (owner agency only)."""
    with ctx.unit() as (session, actor):
        items, more = access_log(session, actor, ref, limit, offset)
        return Page[AccessEntry](items=items, limit=limit, offset=offset, has_more=more)


@router.post("/{ref}/attachments", status_code=201)
async def add_attachment(ref: str, file: UploadFile, ctx: CtxDep) -> AttachmentPublic:
    data = await file.read(ctx.platform.settings.attachment_max_bytes + 1)
    with ctx.unit() as (session, actor):
        att = ctx.platform.attachments.add(session, actor, ref, file.filename or "attachment", data)
        return AttachmentPublic(
            uuid=att.uuid,
            filename=att.filename,
            content_type=att.content_type,
            size=att.size,
            sha256=att.sha256,
            created_at=att.created_at,
        )


@router.get("/{ref}/attachments/{att_ref}", response_class=Response)
def get_attachment(ref: str, att_ref: str, ctx: CtxDep) -> Response:
    with ctx.unit() as (session, actor):
        att, data = ctx.platform.attachments.get(session, actor, ref, att_ref)
    return download(data, att.filename, att.content_type)


@router.post("/{ref}/onward-requests", status_code=201)
def request_onward(ref: str, body: OnwardRequestCreate, ctx: CtxDep) -> OnwardRequestPublic:
    """Ask the owner agency to share this report further."""
    with ctx.unit() as (session, actor):
        req = ctx.platform.onward.request(session, actor, ref, body)
        return ctx.platform.onward.public(session, req)

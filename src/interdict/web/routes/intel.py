"""Intelligence-report pages: the list with filters, reading, writing with a Markdown preview,
attachments, each report's sharing panel and onward-sharing requests.

The same services as the JSON API (``interdict.api.routes.intel``): one feature, two faces. Every read
goes through ``IntelService`` and so through the one visibility filter; a report the user may not see
answers with the same 404 page as one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError
from interdict.domain.roles import Permission
from interdict.io.downloads import download
from interdict.io.markdown import render as render_markdown
from interdict.schemas.intel import IntelReportCreate, IntelReportUpdate, OnwardRequestCreate
from interdict.services.context import Actor
from interdict.services.intel import IntelFilters
from interdict.services.sharing import audience
from interdict.store.records import IntelReport
from interdict.store.structure import Agency
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    CATEGORIES,
    DISTRIBUTIONS,
    N_,
    PAGE_SIZE,
    SHARING_FIELDS,
    bounded,
    choices,
    content_payload,
    content_values,
    distribution_form,
    empty_report,
    ensure_writer,
    field_errors,
    new_values,
    page_url,
    post_distribution,
    posted,
)
from interdict.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/intel")
@page
def list_page(
    ctx: WebDep,
    category: str = "",
    owner: str = "",
    distribution: str = "",
    country: str = "",
    tag: str = "",
    q: str = "",
    offset: str = "0",
    limit: str = str(PAGE_SIZE),
) -> Response:
    values = {
        "category": category.strip(),
        "owner": owner.strip(),
        "distribution": distribution.strip(),
        "country": country.strip().upper(),
        "tag": tag.strip(),
        "q": q.strip(),
    }
    errors: dict[str, str] = {}
    if values["category"] and values["category"] not in CATEGORIES:
        errors["category"] = N_("Choose a category from the list.")
    if values["distribution"] and values["distribution"] not in DISTRIBUTIONS:
        errors["distribution"] = N_("Choose a distribution from the list.")
    if values["country"] and not re.fullmatch(r"[A-Z]{2}", values["country"]):
        errors["country"] = N_("Give a two-letter country code, e.g. TH.")
    too_long = {
        "owner": (32, N_("At most 32 characters.")),
        "tag": (100, N_("At most 100 characters.")),
        "q": (200, N_("At most 200 characters.")),
    }
    for name, (most, message) in too_long.items():
        if len(values[name]) > most:
            errors[name] = message
    size = bounded(limit, PAGE_SIZE, 1, 200)
    start = bounded(offset, 0, 0, 1_000_000)
    with ctx.page_unit() as (session, actor):
        agencies = list(session.scalars(select(Agency).order_by(Agency.code)))
        items: list[Any] = []
        more = False
        if not errors:
            f = IntelFilters(
                category=values["category"] or None,
                tag=values["tag"] or None,
                country=values["country"] or None,
                owner=values["owner"] or None,
                distribution=values["distribution"] or None,
                q=values["q"] or None,
            )
            rows, more, _ = ctx.platform.intel.list(session, actor, f, size, start)
            items = ctx.platform.intel.public_page(session, actor, rows)
        kept = {k: v for k, v in values.items() if v}
        if size != PAGE_SIZE:
            kept["limit"] = str(size)

        def link(to: int) -> str:
            return page_url("/intel", kept, to)

        return ctx.page(
            "intel/list.html",
            status=422 if errors else 200,
            items=items,
            values=values,
            errors=errors,
            agencies=agencies,
            categories=CATEGORIES,
            distributions=DISTRIBUTIONS,
            offset=start,
            limit=size,
            prev_url=link(max(start - size, 0)) if start > 0 else None,
            next_url=link(start + size) if more else None,
            can_write=actor.can(Permission.WRITE_RECORDS),
        )


@router.get("/intel/new")
@page
def new_form(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return ctx.page(
            "intel/new.html", values=empty_report(), errors={}, preview=None, **choices(session, actor)
        )


@router.post("/intel/new")
@page
async def create(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values = new_values(form, raw)
    errors: dict[str, str] = {}
    preview = None
    if form.get("action") == "preview":
        preview = render_markdown(values["body"])
    else:
        try:
            with ctx.page_unit() as (session, actor):
                ensure_writer(actor)
                payload = {**content_payload(values), **{k: values[k] for k in SHARING_FIELDS}}
                data = IntelReportCreate.model_validate(payload)
                report = ctx.platform.intel.create(session, actor, data)
                created = report.uuid
        except (ValidationError, BadInputError) as exc:
            errors = field_errors(exc)
        else:
            ctx.flash("ok", "report_created")
            return ctx.redirect(f"/intel/{created}")
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return ctx.page(
            "intel/new.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            preview=preview,
            **choices(session, actor),
        )


@router.post("/intel/preview")
@page
async def preview(ctx: WebDep) -> Response:
    """The preview area of the write and edit forms, for HTMX (CSRF-checked; nothing is saved)."""
    form = await ctx.form()
    with ctx.page_unit():
        html = render("intel/_preview.html", ctx.lang, preview=render_markdown(form.get("body", "")))
    return ctx.finish(HTMLResponse(html))


# -- read ------------------------------------------------------------------------------------------------
def read_context(ctx: WebContext, session: Session, actor: Actor, ref: str, **extra: Any) -> dict[str, Any]:
    report = ctx.platform.intel.get(session, actor, ref)
    public = ctx.platform.intel.public(session, actor, report)
    is_owner = report.owner_agency_id == actor.agency_id
    sharing = public.sharing
    context: dict[str, Any] = {
        "report": public,
        "is_owner": is_owner,
        "can_write": actor.can(Permission.WRITE_RECORDS),
        "audience": audience(session, IntelReport, report.uuid, actor.today) if is_owner else [],
        "dist_values": distribution_form(sharing),
        "dist_errors": {},
        "att_errors": {},
        "attachment_max_bytes": ctx.platform.settings.attachment_max_bytes,
        "onward_values": {"add_agencies": [], "add_mechanisms": [], "reason": ""},
        "onward_errors": {},
        **choices(session, actor),
    }
    context["onward_agency_choices"] = [
        a for a in context["agency_choices"] if a.code != sharing.owner_agency
    ]
    context.update(extra)
    return context


@router.get("/intel/{ref}")
@page
def read(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page("intel/read.html", **read_context(ctx, session, actor, ref))


def _reread(ctx: WebContext, ref: str, status: int, **extra: Any) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page("intel/read.html", status=status, **read_context(ctx, session, actor, ref, **extra))


# -- edit ------------------------------------------------------------------------------------------------
def edit_values(report: IntelReport) -> dict[str, str]:
    return {
        "title": report.title,
        "body": report.body,
        "category": report.category,
        "source_reliability": report.source_reliability,
        "info_accuracy": str(report.info_accuracy),
        "tags": ", ".join(report.tags),
        "countries": ", ".join(report.countries),
        "substances": ", ".join(report.substances),
        "version": str(report.version),
    }


def _owned_for_edit(ctx: WebContext, session: Session, actor: Actor, ref: str) -> IntelReport:
    report = ctx.platform.intel.get(session, actor, ref)
    if report.owner_agency_id != actor.agency_id:
        raise ForbiddenError("only the owner agency may change this record")
    ensure_writer(actor)
    return report


@router.get("/intel/{ref}/edit")
@page
def edit_form(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        report = _owned_for_edit(ctx, session, actor, ref)
        return ctx.page(
            "intel/edit.html",
            report=report,
            values=edit_values(report),
            errors={},
            preview=None,
            conflict=None,
            **choices(session, actor),
        )


@router.post("/intel/{ref}/edit")
@page
async def edit(ctx: WebDep, ref: str) -> Response:
    form, _ = await posted(ctx)
    values = content_values(form)
    values["version"] = form.get("version", "")
    errors: dict[str, str] = {}
    preview = None
    conflict: str | None = None
    status = 200
    if form.get("action") == "preview":
        preview = render_markdown(values["body"])
    else:
        try:
            with ctx.page_unit() as (session, actor):
                _owned_for_edit(ctx, session, actor, ref)
                payload = content_payload(values)
                payload["version"] = values["version"]
                report = ctx.platform.intel.update(
                    session, actor, ref, IntelReportUpdate.model_validate(payload)
                )
                saved = report.uuid
        except ConflictError as exc:
            conflict, status = exc.detail, 409
        except (ValidationError, BadInputError) as exc:
            errors, status = field_errors(exc), 422
        else:
            ctx.flash("ok", "report_updated")
            return ctx.redirect(f"/intel/{saved}")
    with ctx.page_unit() as (session, actor):
        report = _owned_for_edit(ctx, session, actor, ref)
        if conflict is not None:
            # Keep what was typed; the version moves on, so saving again is a deliberate overwrite.
            values["version"] = str(report.version)
        return ctx.page(
            "intel/edit.html",
            status=status,
            report=report,
            current_html=(
                ctx.platform.intel.public(session, actor, report).body_html if conflict is not None else None
            ),
            values=values,
            errors=errors,
            preview=preview,
            conflict=conflict,
            **choices(session, actor),
        )


# -- sharing ---------------------------------------------------------------------------------------------
@router.post("/intel/{ref}/distribution")
@page
async def change_distribution(ctx: WebDep, ref: str) -> Response:
    return await post_distribution(
        ctx,
        lambda session, actor, data: ctx.platform.intel.change_distribution(session, actor, ref, data),
        lambda values, errors: _reread(ctx, ref, 422, dist_values=values, dist_errors=errors),
        "/intel/{uuid}",
        nested=False,
    )


@router.post("/intel/{ref}/onward")
@page
async def request_onward(ctx: WebDep, ref: str) -> Response:
    form, raw = await posted(ctx)
    values: dict[str, Any] = {
        "add_agencies": [str(v) for v in raw.getlist("add_agencies")],
        "add_mechanisms": [str(v) for v in raw.getlist("add_mechanisms")],
        "reason": form.get("reason", ""),
    }
    try:
        with ctx.page_unit() as (session, actor):
            data = OnwardRequestCreate.model_validate(values)
            req = ctx.platform.onward.request(session, actor, ref, data)
            record = req.record_uuid
    except (ValidationError, BadInputError) as exc:
        return _reread(ctx, ref, 422, onward_values=values, onward_errors=field_errors(exc))
    ctx.flash("ok", "onward_requested")
    return ctx.redirect(f"/intel/{record}")


# -- attachments -----------------------------------------------------------------------------------------
@router.post("/intel/{ref}/attachments")
@page
async def add_attachment(ctx: WebDep, ref: str) -> Response:
    _, raw = await posted(ctx)
    upload = raw.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            message = N_("Choose a file to upload.")
            raise BadInputError(message, {"file": message})
        data = await upload.read(ctx.platform.settings.attachment_max_bytes + 1)
        with ctx.page_unit() as (session, actor):
            att = ctx.platform.attachments.add(session, actor, ref, upload.filename, data)
            record = att.record_uuid
    except BadInputError as exc:
        return _reread(ctx, ref, 422, att_errors=field_errors(exc))
    ctx.flash("ok", "attachment_added")
    return ctx.redirect(f"/intel/{record}#attachments")


@router.get("/intel/{ref}/attachments/{att_ref}")
@page
def download_attachment(ctx: WebDep, ref: str, att_ref: str) -> Response:
    """Always a download, never rendered by the browser: the type was checked by content on upload."""
    with ctx.page_unit() as (session, actor):
        att, data = ctx.platform.attachments.get(session, actor, ref, att_ref)
    return download(data, att.filename, att.content_type)

"""Seizure pages: the list with filters, one seizure with its sharing panel, the report form and the
bulk import (statistics: routes/stats.py; joint operations: routes/operations.py).

The same services as the JSON API (``interdict.api.routes.seizures``): one feature, two faces. Every read
goes through ``SeizureService``, ``SeizureStats`` or ``OperationService`` and so through the one
visibility filter; a seizure the user may not see answers with the same 404 page as one that does not
exist. Forms keep what was typed and show each problem next to its field, keyed as the services key
them (``items[0].unit``, ``country``, ``lines[2].quantity``).
"""

from __future__ import annotations

import re
from typing import IO, Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.ports import LocationType, ports
from interdict.domain.quantities import Unit
from interdict.domain.roles import Permission
from interdict.domain.seizures import AssetKind, TransportMode
from interdict.domain.substances import catalogue
from interdict.io.downloads import download
from interdict.schemas.seizures import SeizureCreate
from interdict.services.context import Actor
from interdict.services.seizure_import import (
    LAYOUTS,
    ImportOptions,
    ImportOutcome,
    template_csv,
    template_xlsx,
)
from interdict.services.seizures import SeizureFilters
from interdict.services.sharing import DistributionRequest, audience
from interdict.store.seizures import Seizure
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    DISTRIBUTIONS,
    N_,
    PAGE_SIZE,
    bounded,
    choices,
    distribution_form,
    ensure_writer,
    field_errors,
    page_url,
    post_distribution,
    posted,
    sharing_values,
    split_list,
)
from interdict.web.i18n import substance_name
from interdict.web.seizure_pages import (
    ASSET_FIELDS,
    ENCODINGS,
    ITEM_FIELDS,
    REFUSED_INLINE_MAX,
    XLSX,
    gettext_of,
    line_count,
    lines_of,
    parse_date,
    parse_number,
    parse_whole,
    reindex,
    show,
)

router = APIRouter(include_in_schema=False)


# -- list ------------------------------------------------------------------------------------------------
@router.get("/seizures")
@page
def list_page(
    ctx: WebDep,
    date_from: str = "",
    date_to: str = "",
    country: str = "",
    substance: str = "",
    operation: str = "",
    offset: str = "0",
    limit: str = str(PAGE_SIZE),
) -> Response:
    values = {
        "date_from": date_from.strip(),
        "date_to": date_to.strip(),
        "country": country.strip().upper(),
        "substance": substance.strip(),
        "operation": operation.strip().upper(),
    }
    errors: dict[str, str] = {}
    start_day = parse_date(values["date_from"], "date_from", errors)
    end_day = parse_date(values["date_to"], "date_to", errors)
    if start_day and end_day and start_day > end_day:
        errors["date_to"] = N_("The end date is before the start date.")
    if values["country"] and not re.fullmatch(r"[A-Z]{2}", values["country"]):
        errors["country"] = N_("Give a two-letter country code, e.g. TH.")
    if len(values["substance"]) > 200:
        errors["substance"] = N_("At most 200 characters.")
    elif values["substance"] and catalogue().resolve(values["substance"]) is None:
        errors["substance"] = N_("No substance in the catalogue has this name.")
    if len(values["operation"]) > 40:
        errors["operation"] = N_("At most 40 characters.")
    size = bounded(limit, PAGE_SIZE, 1, 200)
    start = bounded(offset, 0, 0, 1_000_000)
    with ctx.page_unit() as (session, actor):
        items: list[Any] = []
        more = False
        if not errors:
            f = SeizureFilters(
                date_from=start_day,
                date_to=end_day,
                country=values["country"] or None,
                substance=values["substance"] or None,
                operation=values["operation"] or None,
            )
            rows, more = ctx.platform.seizures.list(session, actor, f, size, start)
            items = ctx.platform.seizures.public_page(session, actor, rows)
        kept = {k: v for k, v in values.items() if v}
        if size != PAGE_SIZE:
            kept["limit"] = str(size)

        def link(to: int) -> str:
            return page_url("/seizures", kept, to)

        return show(
            ctx,
            "seizures/list.html",
            status=422 if errors else 200,
            items=items,
            values=values,
            errors=errors,
            offset=start,
            limit=size,
            prev_url=link(max(start - size, 0)) if start > 0 else None,
            next_url=link(start + size) if more else None,
            can_write=actor.can(Permission.WRITE_RECORDS),
            operations=ctx.platform.operations.list(session, actor),
        )


# -- create ----------------------------------------------------------------------------------------------
def empty_seizure(lines: int = 3) -> dict[str, Any]:
    return {
        "seized_on": "",
        "country": "",
        "reference": "",
        "subdivision": "",
        "place": "",
        "latitude": "",
        "longitude": "",
        "location_type": "inland",
        "port": "",
        "concealment": "",
        "transport_mode": "",
        "origin_country": "",
        "transit_countries": "",
        "destination_country": "",
        "suspects_arrested": "0",
        "suspect_nationalities": "",
        "operation": "",
        "narrative": "",
        "items": [dict.fromkeys(ITEM_FIELDS, "") for _ in range(lines)],
        "assets": [dict.fromkeys(ASSET_FIELDS, "") for _ in range(2)],
        "distribution": "agency",
        "agencies": [],
        "mechanisms": [],
        "handling_conditions": [],
        "handling_notes": "",
        "contains_personal_data": False,
        "hit_notification": True,
    }


def seizure_values(form: dict[str, str], raw: FormData) -> dict[str, Any]:
    values = empty_seizure()
    for name in values:
        if isinstance(values[name], str):
            values[name] = form.get(name, "").strip()
    values["items"] = lines_of(form, "items", ITEM_FIELDS, line_count(form, 3, 50))
    values["assets"] = lines_of(form, "assets", ASSET_FIELDS, 2)
    values.update(sharing_values(form, raw))
    values["contains_personal_data"] = bool(form.get("contains_personal_data"))
    values["hit_notification"] = bool(form.get("hit_notification"))
    return values


def seizure_payload(values: dict[str, Any]) -> tuple[dict[str, Any], list[int], list[int], dict[str, str]]:
    """The payload for ``SeizureCreate``, the form lines its items and assets came from, and the problems
    found before the service sees it (numbers and dates that are not numbers and dates)."""
    errors: dict[str, str] = {}
    payload: dict[str, Any] = {
        name: values[name]
        for name in (
            "country", "reference", "subdivision", "place", "location_type", "port", "concealment",
            "transport_mode", "origin_country", "destination_country", "narrative", "distribution",
            "agencies", "mechanisms", "handling_conditions", "handling_notes", "contains_personal_data",
            "hit_notification",
        )
    }  # fmt: skip
    payload["seized_on"] = parse_date(values["seized_on"], "seized_on", errors)
    if payload["seized_on"] is None and "seized_on" not in errors:
        errors["seized_on"] = N_("Give the date of the seizure.")
    payload["transit_countries"] = split_list(values["transit_countries"])
    payload["suspect_nationalities"] = split_list(values["suspect_nationalities"])
    payload["operation"] = values["operation"] or None
    payload["latitude"] = parse_number(values["latitude"], "latitude", errors)
    payload["longitude"] = parse_number(values["longitude"], "longitude", errors)
    payload["suspects_arrested"] = parse_whole(values["suspects_arrested"], "suspects_arrested", errors, 0)
    items, item_rows = [], []
    for i, line in enumerate(values["items"]):
        if not any(line.values()):
            continue
        p = f"items[{i}]."
        quantity = parse_number(line["quantity"], p + "quantity", errors)
        if quantity is None and p + "quantity" not in errors:
            errors[p + "quantity"] = N_("Give the quantity.")
        purity = parse_number(line["purity_pct"], p + "purity_pct", errors)
        items.append({**line, "quantity": quantity or 0.0, "purity_pct": purity})
        item_rows.append(i)
    if not items:
        errors["items[0].substance"] = N_("Give at least one substance.")
    payload["items"] = items
    assets, asset_rows = [], []
    for i, line in enumerate(values["assets"]):
        if not any(line.values()):
            continue
        p = f"assets[{i}]."
        count = parse_whole(line["count"], p + "count", errors, 1)
        value = parse_number(line["value"], p + "value", errors)
        assets.append({**line, "count": count, "value": value})
        asset_rows.append(i)
    payload["assets"] = assets
    return payload, item_rows, asset_rows, errors


def new_context(session: Session, actor: Actor, ctx: WebContext, values: dict[str, Any]) -> dict[str, Any]:
    lang = ctx.lang
    shown = [name for name in values if name not in ("items", "assets")]
    shown += [f"items[{i}].{f}" for i in range(len(values["items"])) for f in ITEM_FIELDS]
    shown += [f"assets[{i}].{f}" for i in range(len(values["assets"])) for f in ASSET_FIELDS]
    return {
        "values": values,
        "shown": shown,
        "units": [u.value for u in Unit],
        "operations": ctx.platform.operations.list(session, actor),
        "location_types": [t.value for t in LocationType],
        "transport_modes": [m.value for m in TransportMode],
        "asset_kinds": [k.value for k in AssetKind],
        "substance_names": sorted({n for s in catalogue() for n in (s.name, substance_name(s.code, lang))}),
        "port_labels": sorted(p.label for p in ports()),
        **choices(session, actor),
    }


@router.get("/seizures/new")
@page
def new_form(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return show(ctx, "seizures/new.html", errors={}, **new_context(session, actor, ctx, empty_seizure()))


@router.post("/seizures/new")
@page
async def create(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values = seizure_values(form, raw)
    errors: dict[str, str] = {}
    if form.get("action") != "add_line":
        payload, item_rows, asset_rows, errors = seizure_payload(values)
        if not errors:
            try:
                with ctx.page_unit() as (session, actor):
                    ensure_writer(actor)
                    seizure = ctx.platform.seizures.create(
                        session, actor, SeizureCreate.model_validate(payload)
                    )
                    created = seizure.uuid
            except (ValidationError, BadInputError, ConflictError) as exc:
                errors = reindex(field_errors(exc, nested=True), "items", item_rows, ITEM_FIELDS)
                errors = reindex(errors, "assets", asset_rows)
            else:
                ctx.flash("ok", gettext_of(ctx)(N_("Seizure recorded.")))
                return ctx.redirect(f"/seizures/{created}")
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return show(
            ctx,
            "seizures/new.html",
            status=422 if errors else 200,
            errors=errors,
            **new_context(session, actor, ctx, values),
        )


# -- import ----------------------------------------------------------------------------------------------
def import_context(**extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "layouts": list(LAYOUTS.values()),
        "encodings": ENCODINGS,
        "values": {"layout": "interdict", "mode": "all", "encoding": "utf-8", "distribution": "agency",
                   "agencies": [], "mechanisms": [], "handling_conditions": []},
        "errors": {},
        "outcome": None,
        "refused_inline_max": REFUSED_INLINE_MAX,
    }  # fmt: skip
    context.update(extra)
    return context


@router.get("/seizures/import")
@page
def import_form(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return show(ctx, "seizures/import.html", **import_context(**choices(session, actor)))


@router.post("/seizures/imports")
@page
async def import_file(ctx: WebDep) -> Response:
    """The upload: posted to ``…/imports`` so that the import size limit applies, not the form limit."""
    form, raw = await posted(ctx)
    values: dict[str, Any] = {k: form.get(k, "") for k in ("layout", "mode", "encoding")}
    values.update(sharing_values(form, raw))
    values["contains_personal_data"] = bool(form.get("contains_personal_data"))
    errors: dict[str, str] = {}
    upload = raw.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = N_("Choose a file to upload.")
    if values["layout"] not in LAYOUTS:
        errors["layout"] = N_("Choose a layout from the list.")
    if values["mode"] not in ("all", "valid"):
        errors["mode"] = N_("Choose how to treat rows with problems.")
    if values["encoding"] not in ENCODINGS:
        errors["encoding"] = N_("Choose an encoding from the list.")
    if values["distribution"] not in DISTRIBUTIONS:
        errors["distribution"] = N_("Choose a distribution from the list.")
    outcome: ImportOutcome | None = None
    if not errors:
        assert isinstance(upload, UploadFile)
        opts = ImportOptions(
            filename=upload.filename or "upload",
            layout=values["layout"],
            mode=values["mode"],
            encoding=values["encoding"],
            distribution=DistributionRequest(
                values["distribution"],
                values["agencies"],
                values["mechanisms"],
                values["handling_conditions"],
            ),
            contains_personal_data=values["contains_personal_data"],
        )
        try:
            outcome = await run_in_threadpool(run_import, ctx, upload.file, opts)
        except BadInputError as exc:
            errors = field_errors(exc, nested=True)
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        status = 422 if errors or (outcome is not None and not outcome.loaded) else 200
        context = import_context(values=values, errors=errors, outcome=outcome, **choices(session, actor))
        return show(ctx, "seizures/import.html", status=status, **context)


def run_import(ctx: WebContext, stream: IO[bytes], opts: ImportOptions) -> ImportOutcome:
    """One unit of work for the whole file, in a worker thread: the import reads and writes in chunks."""
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return ctx.platform.seizure_import.run(session, actor, stream, opts)


@router.post("/seizures/import/refused.csv")
@page
async def refused_download(ctx: WebDep) -> Response:
    """The refused rows of the import just shown, posted back from the page (nothing is kept on the
    server) and returned as a download."""
    form = await ctx.form()
    with ctx.page_unit():
        pass
    return download(form.get("refused_csv", "").encode(), "refused-rows.csv", "text/csv; charset=utf-8")


@router.get("/seizures/template.csv")
@page
def template_csv_download(ctx: WebDep) -> Response:
    with ctx.page_unit():
        pass
    return download(template_csv().encode(), "interdict-seizures-template.csv", "text/csv; charset=utf-8")


@router.get("/seizures/template.xlsx")
@page
def template_xlsx_download(ctx: WebDep) -> Response:
    with ctx.page_unit():
        pass
    return download(template_xlsx(), "interdict-seizures-template.xlsx", XLSX)


# -- read ------------------------------------------------------------------------------------------------
def read_context(ctx: WebContext, session: Session, actor: Actor, ref: str, **extra: Any) -> dict[str, Any]:
    seizure = ctx.platform.seizures.get(session, actor, ref)
    public = ctx.platform.seizures.public_page(session, actor, [seizure])[0]
    is_owner = seizure.owner_agency_id == actor.agency_id
    sharing = public.sharing
    port = ports().get(public.port) if public.port else None
    context: dict[str, Any] = {
        "seizure": public,
        "port": port,
        "is_owner": is_owner,
        "can_write": actor.can(Permission.WRITE_RECORDS),
        "my_operations": {op.code for op in ctx.platform.operations.list(session, actor)},
        "audience": audience(session, Seizure, seizure.uuid, actor.today) if is_owner else [],
        "dist_values": distribution_form(sharing),
        "dist_errors": {},
        **choices(session, actor),
    }
    context.update(extra)
    return context


@router.get("/seizures/{ref}")
@page
def read(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return show(ctx, "seizures/read.html", **read_context(ctx, session, actor, ref))


@router.post("/seizures/{ref}/distribution")
@page
async def change_distribution(ctx: WebDep, ref: str) -> Response:
    def refused(values: dict[str, Any], errors: dict[str, str]) -> Response:
        with ctx.page_unit() as (session, actor):
            context = read_context(ctx, session, actor, ref, dist_values=values, dist_errors=errors)
            return show(ctx, "seizures/read.html", status=422, **context)

    return await post_distribution(
        ctx,
        lambda session, actor, data: ctx.platform.seizures.change_distribution(session, actor, ref, data),
        refused,
        "/seizures/{uuid}#sharing",
    )

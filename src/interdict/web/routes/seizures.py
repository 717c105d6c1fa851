"""Seizure pages: the list with filters, one seizure with its sharing panel, the report form, the bulk
import, statistics with charts and a map, and joint operations with their consolidated results.

The same services as the JSON API (``interdict.api.routes.seizures``): one feature, two faces. Every read
goes through ``SeizureService``, ``SeizureStats`` or ``OperationService`` and so through the one
visibility filter; a seizure the user may not see answers with the same 404 page as one that does not
exist. Forms keep what was typed and show each problem next to its field, keyed as the services key
them (``items[0].unit``, ``country``, ``lines[2].quantity``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from interdict.domain.errors import BadInputError, ConflictError, InterdictError
from interdict.domain.ports import LocationType, ports
from interdict.domain.quantities import Unit
from interdict.domain.roles import Permission
from interdict.domain.seizures import AssetKind, TransportMode
from interdict.domain.substances import catalogue
from interdict.io.charts import bar_chart, period_key, time_series
from interdict.io.csvsafe import cell
from interdict.io.downloads import download
from interdict.io.worldmap import MapPoint, country_bbox, render_map
from interdict.schemas.common import DistributionChange
from interdict.schemas.seizures import ConsolidatedOut, ResultsIn, SeizureCreate, StatsOut
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
from interdict.services.seizure_import import (
    LAYOUTS,
    ImportOptions,
    ImportOutcome,
    template_csv,
    template_xlsx,
)
from interdict.services.seizure_stats import (
    KEYS,
    TIME_KEYS,
    StatsQuery,
    group_rows,
    locations,
    parse_by,
    stats_csv,
    stats_xlsx,
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
    ensure_writer,
    posted,
    sharing_values,
)
from interdict.web.i18n import translations

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BARS = 20  # bars in the statistics chart; the table has every row
ITEM_FIELDS = ("substance", "quantity", "unit", "purity_pct", "form")
ASSET_FIELDS = ("kind", "description", "count", "value", "currency")
RESULT_FIELDS = ("substance", "quantity", "unit", "cases", "suspects_arrested", "note")
ENCODINGS = ("utf-8", "gb18030", "windows-1251", "cp874", "latin-1")
CONSOLIDATED_COLUMNS = (
    "row", "agency", "substance", "cases", "suspects_arrested", "mass_kg", "share_mass_pct", "count",
    "count_unit", "basis", "tagged_seizures", "tagged_mass_kg", "tagged_count", "reported_cases",
    "reported_mass_kg", "reported_count", "note",
)  # fmt: skip
REFUSED_INLINE_MAX = 900_000  # refused rows offered for download by posting them back (body limit)
NOT_NUMBER = N_("Give a number, with a point as the decimal mark, e.g. 12.5.")
NOT_WHOLE = N_("Give a whole number, e.g. 3.")
NOT_DATE = N_("Give a date as YYYY-MM-DD.")

# Labels of the statistics keys and of the values the pages show from codes, translated when shown.
KEY_LABELS = {
    "substance": N_("Substance"),
    "category": N_("Category of substance"),
    "country": N_("Country of seizure"),
    "agency": N_("Reporting agency"),
    "port_type": N_("Type of location"),
    "port": N_("Port or crossing"),
    "origin": N_("Country of origin"),
    "destination": N_("Country of destination"),
    "route": N_("Route (origin > destination)"),
    "operation": N_("Joint operation"),
    "year": N_("Year"),
    "quarter": N_("Quarter"),
    "month": N_("Month"),
}
CATEGORY_LABELS = {
    "opioid": N_("Opioids"),
    "ats": N_("Amphetamine-type stimulants"),
    "cocaine": N_("Cocaine-type"),
    "cannabis": N_("Cannabis-type"),
    "hallucinogen": N_("Hallucinogens and dissociatives"),
    "sedative": N_("Sedatives and hypnotics"),
    "nps": N_("New psychoactive substances"),
    "precursor": N_("Precursor chemicals"),
    "other": N_("Other"),
}
LOCATION_LABELS = {
    "inland": N_("Inland (road, rail, premises)"),
    "border_crossing": N_("Land border crossing"),
    "airport": N_("Airport"),
    "seaport": N_("Seaport"),
    "river_port": N_("River port"),
    "postal_hub": N_("Postal or courier hub"),
}
SPECIAL_VALUES = {"(unknown)": N_("(unknown)"), "(none)": N_("(none)")}


# -- shared helpers --------------------------------------------------------------------------------------
def gettext_of(ctx: WebContext) -> Callable[[str], str]:
    return translations(ctx.lang).gettext


def substance_name(code: str, lang: str) -> str:
    """The catalogue's name in the page's language (its first Chinese or Russian name), else English."""
    sub = catalogue().get(code)
    if sub is None:
        return code
    local = {"zh": sub.names_zh, "ru": sub.names_ru}.get(lang, ())
    return local[0] if local else sub.name


def key_value(key: str, value: str, lang: str) -> str:
    """How a statistics key's value reads: substance and category names, location types, "(none)"."""
    gt = translations(lang).gettext
    if value in SPECIAL_VALUES:
        return gt(SPECIAL_VALUES[value])
    if key == "substance":
        return substance_name(value, lang)
    if key == "category":
        return gt(CATEGORY_LABELS.get(value, value))
    if key == "port_type":
        return gt(LOCATION_LABELS.get(value, value))
    return value


def show(ctx: WebContext, template: str, status: int = 200, **context: Any) -> Response:
    """``ctx.page`` with the label helpers every seizure page uses."""
    lang = ctx.lang
    return ctx.page(
        template,
        status=status,
        sname=lambda code: substance_name(code, lang),
        kv=lambda key, value: key_value(key, value, lang),
        key_labels=KEY_LABELS,
        category_labels=CATEGORY_LABELS,
        location_labels=LOCATION_LABELS,
        **context,
    )


def parse_date(text: str, name: str, errors: dict[str, str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = NOT_DATE
        return None


def parse_number(text: str, name: str, errors: dict[str, str]) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors[name] = NOT_NUMBER
        return None
    return value


def parse_whole(text: str, name: str, errors: dict[str, str], default: int) -> int:
    text = text.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        errors[name] = NOT_WHOLE
        return default


def field_key(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the services name fields: ``("items", 0, "unit")`` -> ``items[0].unit``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "form"


def reindex(
    errors: dict[str, str], family: str, rows: Sequence[int], lone: Sequence[str] = ()
) -> dict[str, str]:
    """Errors keyed by position in the payload (``items[0].unit``) rekeyed by the form's line, since blank
    lines are left out; a lone line's errors come unprefixed from the rules (``unit``): ``lone`` names them."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        found = re.match(rf"^{family}\[(\d+)\]\.(\w+)$", key)
        if found and int(found.group(1)) < len(rows):
            key = f"{family}[{rows[int(found.group(1))]}].{found.group(2)}"
        elif key in lone and len(rows) == 1:
            key = f"{family}[{rows[0]}].{key}"
        out.setdefault(key, message)
    return out


def problems_of(exc: ValidationError | InterdictError) -> dict[str, str]:
    if isinstance(exc, InterdictError):
        return dict(exc.errors) or {"form": exc.detail}
    out: dict[str, str] = {}
    for err in exc.errors():
        out.setdefault(field_key(err.get("loc") or ("form",)), str(err.get("msg", "invalid")))
    return out


def line_count(form: dict[str, str], default: int, most: int) -> int:
    count = bounded(form.get("lines", ""), default, 1, most)
    return min(count + 1, most) if form.get("action") == "add_line" else count


def lines_of(form: dict[str, str], family: str, fields: Sequence[str], count: int) -> list[dict[str, str]]:
    return [{f: form.get(f"{family}[{i}].{f}", "").strip() for f in fields} for i in range(count)]


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()


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
            params = {**kept, "offset": str(to)} if to else kept
            return "/seizures?" + urlencode(params) if params else "/seizures"

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


def split_codes(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;]", text) if p.strip()]


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
    payload["transit_countries"] = split_codes(values["transit_countries"])
    payload["suspect_nationalities"] = split_codes(values["suspect_nationalities"])
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
                errors = reindex(problems_of(exc), "items", item_rows, ITEM_FIELDS)
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
            errors = problems_of(exc)
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
        "dist_values": {
            "distribution": sharing.distribution.value,
            "agencies": sharing.agencies,
            "mechanisms": sharing.mechanisms,
            "handling_conditions": sharing.handling_conditions,
            "reason": "",
        },
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
    form, raw = await posted(ctx)
    values: dict[str, Any] = sharing_values(form, raw)
    values["reason"] = form.get("reason", "")
    try:
        with ctx.page_unit() as (session, actor):
            data = DistributionChange.model_validate(values)
            seizure = ctx.platform.seizures.change_distribution(session, actor, ref, data)
            changed = seizure.uuid
    except (ValidationError, BadInputError) as exc:
        with ctx.page_unit() as (session, actor):
            context = read_context(ctx, session, actor, ref, dist_values=values, dist_errors=problems_of(exc))
            return show(ctx, "seizures/read.html", status=422, **context)
    ctx.flash("ok", "distribution_changed")
    return ctx.redirect(f"/seizures/{changed}#sharing")


# -- statistics ------------------------------------------------------------------------------------------
StatsForm = tuple[dict[str, Any], StatsQuery | None, dict[str, str]]


def stats_form(
    by: list[str] = Query([]),
    date_from: str = "",
    date_to: str = "",
    substance: str = "",
    country: str = "",
) -> StatsForm:
    """The page's query as typed, the service's query (None when the form has problems), the problems;
    ``by`` comes from two selects of the same name, or as ``by=a,b`` like the API's."""
    keys = [k.strip() for part in by for k in part.split(",") if k.strip()] or ["substance"]
    values: dict[str, Any] = {
        "by": keys,
        "date_from": date_from.strip(),
        "date_to": date_to.strip(),
        "substance": substance.strip(),
        "country": country.strip().upper(),
    }
    errors: dict[str, str] = {}
    parsed: list[str] = []
    try:
        parsed = parse_by(keys)
    except BadInputError:
        errors["by"] = N_("Choose keys from the lists, and at most one of year, quarter and month.")
    start = parse_date(values["date_from"], "date_from", errors)
    end = parse_date(values["date_to"], "date_to", errors)
    if start and end and start > end:
        errors["date_to"] = N_("The end date is before the start date.")
    if values["country"] and not re.fullmatch(r"[A-Z]{2}", values["country"]):
        errors["country"] = N_("Give a two-letter country code, e.g. TH.")
    if len(values["substance"]) > 200:
        errors["substance"] = N_("At most 200 characters.")
    elif values["substance"] and catalogue().resolve(values["substance"]) is None:
        errors["substance"] = N_("No substance in the catalogue has this name.")
    if errors:
        return values, None, errors
    query = StatsQuery(
        tuple(parsed), start, end, values["substance"] or None, None, values["country"] or None
    )
    return values, query, errors


StatsFormDep = Annotated[StatsForm, Depends(stats_form)]


def stats_link(path: str, values: dict[str, Any]) -> str:
    params = {"by": ",".join(values["by"])}
    params.update({k: values[k] for k in ("date_from", "date_to", "substance", "country") if values[k]})
    return f"{path}?{urlencode(params)}"


def bars_of(out: StatsOut, key: str, lang: str) -> list[tuple[str, float]]:
    mass = group_rows(out, key)
    order = (
        sorted(mass, key=period_key) if key in TIME_KEYS else sorted(mass, key=lambda k: (-mass[k], k))[:BARS]
    )
    return [(key_value(key, k, lang), mass[k]) for k in order]


def series_of(out: StatsOut, lang: str) -> dict[str, list[tuple[str, float]]] | None:
    """One line per value of the other key (the eight largest), over the time key; None without one."""
    time_key = next((k for k in out.by if k in TIME_KEYS), None)
    if time_key is None:
        return None
    other = next((k for k in out.by if k != time_key), None)
    if other is None:
        total = group_rows(out, time_key)
        return {
            translations(lang).gettext(N_("All seizures")): sorted(
                total.items(), key=lambda kv: period_key(kv[0])
            )
        }
    totals = group_rows(out, other)
    top = sorted(totals, key=lambda k: (-totals[k], k))[:8]
    lines: dict[str, dict[str, float]] = {k: defaultdict(float) for k in top}
    for row in out.rows:
        if row.key[other] in lines:
            lines[row.key[other]][row.key[time_key]] += row.mass_kg
    return {
        key_value(other, k, lang): sorted(v.items(), key=lambda kv: period_key(kv[0]))
        for k, v in lines.items()
    }


def map_of(ctx: WebContext, session: Session, actor: Actor, q: StatsQuery, out: StatsOut) -> dict[str, Any]:
    """Where the matching seizures were made (aggregated by the statistics, so no seizure is read one
    by one), over countries shaded by total kg."""
    gt = gettext_of(ctx)
    where = locations(session, actor, q)
    places = []
    points = []
    for loc in where.places:
        port = ports().get(loc.port) if loc.port else None
        name = f"{port.name}, {loc.country}" if port else f"{loc.lat:.1f}, {loc.lon:.1f}, {loc.country}"
        places.append((name, loc.seizures, loc.mass_kg))
        points.append(MapPoint(loc.lat, loc.lon, loc.mass_kg, name))
    if "country" in q.by:
        shade = group_rows(out, "country")
    else:
        by_country = ctx.platform.stats.run(session, actor, StatsQuery(("country",), *_filters_of(q)))
        shade = group_rows(by_country, "country")
    shade = {c: kg for c, kg in shade.items() if len(c) == 2}
    svg = render_map(
        points,
        shade,
        bbox=country_bbox(q.country) if q.country else None,
        title=gt(N_("Where the seizures were made")),
        desc=gt(N_("Map; the places and country totals are in the tables below it.")),
    )
    return {
        "map_svg": svg,
        "map_places": places,
        "map_unplaced": where.unplaced,
        "map_shade": sorted(shade.items(), key=lambda kv: -kv[1]),
    }


def _filters_of(q: StatsQuery) -> tuple[Any, ...]:
    return (q.date_from, q.date_to, q.substance, q.category, q.country, q.agency, q.operation, q.port_type)


@router.get("/stats")
@page
def stats_page(ctx: WebDep, form: StatsFormDep) -> Response:
    values, q, errors = form
    with ctx.page_unit() as (session, actor):
        gt = gettext_of(ctx)
        context: dict[str, Any] = {"out": None, "bar_svg": None, "series_svg": None, "map_svg": None}
        if q is not None:
            try:
                out = ctx.platform.stats.run(session, actor, q)
            except BadInputError as exc:
                errors = problems_of(exc)
            else:
                first = gt(KEY_LABELS[q.by[0]]) if q.by else ""
                note = gt(N_("Chart; the same figures are in the table below."))
                context["out"] = out
                context["count_units"] = sorted({u for r in out.rows for u in r.counts})
                context["bar_svg"] = bar_chart(
                    bars_of(out, q.by[0], ctx.lang) if q.by else [("", out.total_mass_kg)],
                    title=gt(N_("Kilograms seized — %(key)s")) % {"key": first},
                    unit=gt(N_("kg")),
                    desc=note,
                )
                series = series_of(out, ctx.lang)
                if series is not None:
                    context["series_svg"] = time_series(
                        series, title=gt(N_("Kilograms seized over time")), unit=gt(N_("kg")), desc=note
                    )
                context.update(map_of(ctx, session, actor, q, out))
                context["csv_url"] = stats_link("/stats/export.csv", values)
                context["xlsx_url"] = stats_link("/stats/export.xlsx", values)
        return show(
            ctx,
            "seizures/stats.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            keys=KEYS,
            **context,
        )


def stats_export(ctx: WebContext, form: StatsForm, fmt: str) -> Response:
    _, q, errors = form
    if q is None:
        raise BadInputError("the statistics query is not valid", errors)
    with ctx.page_unit() as (session, actor):
        out = ctx.platform.stats.run(session, actor, q)
        detail = {"by": list(q.by), "format": fmt, "rows": len(out.rows), "via": "web"}
        ctx.platform.audit.record(
            session,
            actor,
            AuditEvent("stats.export", "ok", "seizure_statistics", None, actor.agency_code, None, detail),
        )
    if fmt == "xlsx":
        return download(stats_xlsx(out), "seizure-statistics.xlsx", XLSX)
    return download(stats_csv(out).encode(), "seizure-statistics.csv", "text/csv; charset=utf-8")


@router.get("/stats/export.csv")
@page
def stats_export_csv(ctx: WebDep, form: StatsFormDep) -> Response:
    return stats_export(ctx, form, "csv")


@router.get("/stats/export.xlsx")
@page
def stats_export_xlsx(ctx: WebDep, form: StatsFormDep) -> Response:
    return stats_export(ctx, form, "xlsx")


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
                errors = reindex(problems_of(exc), "lines", rows)
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

"""The statistics page: charts, an offline map and the table, with CSV and XLSX exports, over the
seizures the user's agency may see (``SeizureStats``)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.ports import ports
from interdict.domain.substances import catalogue
from interdict.io.charts import bar_chart, period_key, time_series
from interdict.io.downloads import download
from interdict.io.worldmap import MapPoint, country_bbox, render_map
from interdict.schemas.seizures import StatsOut
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
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
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    N_,
    field_errors,
)
from interdict.web.i18n import translations
from interdict.web.seizure_pages import (
    BARS,
    KEY_LABELS,
    XLSX,
    gettext_of,
    key_value,
    parse_date,
    show,
)

router = APIRouter(include_in_schema=False)

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
        legend=gt(N_("Circle area is proportional to the kilograms; largest {largest} kg")),
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
                errors = field_errors(exc, nested=True)
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

"""Indicator figures (``services/indicators.py``): enter, list the latest revision, a figure's history,
import a table, and production estimates with the user's factors. Every signed-in user reads figures;
writer roles enter them (docs/SITUATION.md)."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.domain.estimates import (
    HEROIN_RATIO,
    HEROIN_SHARE,
    Estimate,
    Factor,
    heroin_from_opium,
    potential_opium,
    yield_for,
)
from interdict.domain.indicators import CATALOGUE
from interdict.schemas.indicators import (
    EstimateOut,
    FactorOut,
    IndicatorCatalogueEntry,
    IndicatorImportResult,
    IndicatorValueCreate,
    IndicatorValuePublic,
)
from interdict.services.indicator_import import IndicatorImportOptions
from interdict.services.indicators import IndicatorFilters

router = APIRouter(prefix="/indicators", tags=["indicators"])


@router.get("/catalogue")
def indicator_catalogue(ctx: CtxDep) -> list[IndicatorCatalogueEntry]:
    """The indicators that figures may be given for, each with its unit."""
    with ctx.unit():
        return [IndicatorCatalogueEntry(**i.__dict__) for i in CATALOGUE]


@router.post("/values", status_code=201)
def add_value(body: IndicatorValueCreate, ctx: CtxDep) -> IndicatorValuePublic:
    """Enter one figure with its source (writer roles). A figure that exists becomes a new revision."""
    with ctx.unit() as (session, actor):
        svc = ctx.platform.indicators
        return svc.public(session, [svc.add(session, actor, body)])[0]


@router.get("/values")
def list_values(
    ctx: CtxDep,
    indicator: str | None = Query(None, max_length=100),
    area: str | None = Query(None, max_length=100),
    period_from: date | None = None,
    period_to: date | None = None,
    source: str | None = Query(None, max_length=200),
    limit: int = Query(1000, ge=1, le=5000),
) -> list[IndicatorValuePublic]:
    """The latest revision of every matching figure."""
    with ctx.unit() as (session, actor):
        svc = ctx.platform.indicators
        rows = svc.latest(session, actor, IndicatorFilters(indicator, area, period_from, period_to, source), limit)
        return svc.public(session, rows)


@router.get("/values/history")
def value_history(
    ctx: CtxDep,
    indicator: str | None = Query(None, max_length=100),
    area: str | None = Query(None, max_length=100),
    period: str | None = Query(None, max_length=16),
) -> list[IndicatorValuePublic]:
    """Every revision of one figure, oldest first, with its provenance."""
    with ctx.unit() as (session, actor):
        _required(indicator=indicator, area=area, period=period)
        assert indicator and area and period
        svc = ctx.platform.indicators
        return svc.public(session, svc.history(session, actor, indicator, area, period))


def _required(**values: object) -> None:
    """Required query parameters, checked after sign-in (so anonymous callers get 401 whatever they send)."""
    missing = {k: "required" for k, v in values.items() if v in (None, "")}
    if missing:
        raise BadInputError(f"missing {', '.join(missing)}", missing)


def _json_map(text: str, name: str) -> dict[str, str]:
    try:
        value = json.loads(text or "{}")
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError
    except ValueError:
        raise BadInputError(f"{name} must be a JSON object of strings", {name: "not a JSON object"}) from None
    return value


@router.post("/imports")
async def import_values(
    ctx: CtxDep,
    file: UploadFile,
    layout: Annotated[Literal["long", "wide"], Form()] = "long",
    encoding: Annotated[str, Form(max_length=32)] = "utf-8",
    mapping: Annotated[str, Form(max_length=10_000, description='JSON: {"field": "header"}')] = "{}",
    constants: Annotated[str, Form(max_length=10_000, description='JSON: {"field": "value for every row"}')] = "{}",
    values: Annotated[str, Form(max_length=50_000, description='JSON: {"field": {"in file": "ours"}}')] = "{}",
) -> IndicatorImportResult:
    """Import a CSV or XLSX table, all or nothing; problems are listed by row and column."""
    try:
        translated = json.loads(values or "{}")
        if not isinstance(translated, dict) or not all(isinstance(v, dict) for v in translated.values()):
            raise ValueError
    except ValueError:
        raise BadInputError("values must be a JSON object of objects", {"values": "not a JSON object"}) from None
    opts = IndicatorImportOptions(layout, _json_map(mapping, "mapping"), translated, _json_map(constants, "constants"),
                                  encoding)  # fmt: skip
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as tmp:
        while chunk := await file.read(1 << 20):
            tmp.write(chunk)
        tmp.seek(0)
        with ctx.unit() as (session, actor):
            return ctx.platform.indicator_import.run(session, actor, tmp, file.filename or "upload", opts)


def _factor(f: Factor) -> FactorOut:
    return FactorOut(name=f.name, value=f.value, low=f.low, high=f.high, unit=f.unit, source=f.source)


def _out(e: Estimate) -> EstimateOut:
    return EstimateOut(what=e.what, value=e.value, low=e.low, high=e.high, unit=e.unit, steps=list(e.steps),
                       factors=[_factor(f) for f in e.factors])  # fmt: skip


@router.get("/estimates/opium-heroin")
def estimate(
    ctx: CtxDep,
    area: str | None = Query(None, max_length=10, description="Country whose documented yield is the default, e.g. MM"),
    hectares: float | None = Query(None, ge=0, description="Default: the latest cultivation figure of the area"),
    hectares_low: float | None = Query(None, ge=0),
    hectares_high: float | None = Query(None, ge=0),
    yield_kg_ha: float | None = Query(None, gt=0),
    yield_low: float | None = Query(None, gt=0),
    yield_high: float | None = Query(None, gt=0),
    ratio: float | None = Query(None, gt=0, description="kg of opium per kg of heroin"),
    ratio_low: float | None = Query(None, gt=0),
    ratio_high: float | None = Query(None, gt=0),
    share: float | None = Query(None, gt=0, le=1, description="Share of the opium processed into heroin"),
) -> list[EstimateOut]:
    """Potential opium and heroin, with every factor's source; give factors to see their effect."""
    with ctx.unit() as (session, actor):
        _required(area=area)
        assert area is not None
        if hectares is None:
            rows = ctx.platform.indicators.latest(session, actor, IndicatorFilters("opium_poppy_cultivation", area))
            if not rows:
                raise BadInputError(f"no cultivation figure for {area!r}; give hectares", {"hectares": "missing"})
            last = max(rows, key=lambda r: r.period_end)
            hectares, hectares_low, hectares_high = last.value, last.low, last.high
    try:
        y = yield_for(area).set(yield_kg_ha, yield_low, yield_high)
        r = HEROIN_RATIO.set(ratio, ratio_low, ratio_high)
        s = HEROIN_SHARE.set(share)
        opium = potential_opium(hectares, y, hectares_low, hectares_high)
        return [_out(opium), _out(heroin_from_opium(opium, r, s))]
    except ValueError as exc:
        raise BadInputError(str(exc), {"factors": str(exc)}) from None

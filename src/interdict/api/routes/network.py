"""The network the caller's agency may see (``services/network.py``): key players, communities and the
graph to draw; paths, ego networks, disruption, money; exports for Gephi, i2 and FtM tools.

Every answer is computed on the graph of records the caller's agency may see: a hidden record is not a
node, not a hop on a path and not in any count. Every route takes the same filters."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.services.network import NetworkFilters, for_export, graph_view

router = APIRouter(prefix="/network", tags=["network"])


def filter_params(
    since: date | None = Query(None, description="Leave out relations dated before this day"),
    until: date | None = Query(None, description="Leave out relations dated after this day"),
    relation: list[str] = Query(
        [], description="Relation types to keep (FtM schemata: Payment, Ownership...)"
    ),
    country: list[str] = Query([], description="Keep nodes of these countries (ISO 3166 alpha-2)"),
    case: str | None = Query(None, description="Only around this case (uuid)"),
    syndicate: str | None = Query(None, description="Only around this syndicate (Organization entity uuid)"),
    depth: int = Query(1, ge=1, le=4, description="Hops around the case or syndicate"),
) -> NetworkFilters:
    return NetworkFilters(since, until, tuple(relation), tuple(country), case, syndicate, depth)


FiltersDep = Annotated[NetworkFilters, Depends(filter_params)]


def _required(name: str, value: str | None) -> str:
    """Checked inside the unit of work, after authentication: a request without credentials gets 401."""
    if not value:
        raise BadInputError(f"{name} is required: a node id", {name: "required"})
    return value


@router.get("")
def network(
    ctx: CtxDep,
    f: FiltersDep,
    directed: bool = Query(False, description="Measure along the relations' direction"),
    limit: int = Query(20, ge=1, le=200, description="Key players listed"),
) -> dict[str, Any]:
    """Key players with their measures and reasons, communities, cohesion figures, and the graph."""
    with ctx.unit() as (session, actor):
        net = ctx.platform.network.build(session, actor, f, directed=directed)
        return graph_view(net, limit)


@router.get("/path")
def path(
    ctx: CtxDep,
    f: FiltersDep,
    source: str | None = Query(None, description="Node id (uuid) to start from (required)"),
    target: str | None = Query(None, description="Node id (uuid) to reach (required)"),
    k: int = Query(1, ge=1, le=20),
) -> dict[str, Any]:
    """The k shortest paths between two nodes, with the records along each hop."""
    from interdict.domain.network_paths import k_shortest_paths

    with ctx.unit() as (session, actor):
        source, target = _required("source", source), _required("target", target)
        net = ctx.platform.network.build(session, actor, f, directed=False)
        return {"paths": [p.as_dict() for p in k_shortest_paths(net, source, target, k)]}


@router.get("/ego")
def ego(
    ctx: CtxDep,
    f: FiltersDep,
    node: str | None = Query(None, description="Node id (uuid) (required)"),
    hops: int = Query(1, ge=1, le=4),
) -> dict[str, Any]:
    """The nodes within ``hops`` of a node, drawn like the whole network (the page expands a node with it)."""
    from interdict.domain.network_paths import ego_network

    with ctx.unit() as (session, actor):
        node = _required("node", node)
        net = ctx.platform.network.build(session, actor, f, directed=False)
        e = ego_network(net, node, hops)
        return {"center": node, "distances": e.distances, **graph_view(e.network)}


@router.get("/disrupt")
def disrupt(
    ctx: CtxDep,
    f: FiltersDep,
    remove: list[str] = Query([], description="Node ids to remove"),
    suggest: int = Query(0, ge=0, le=20, description="Suggest this many nodes to remove"),
) -> dict[str, Any]:
    """Fragmentation after removing nodes, and/or the k nodes whose removal disrupts most."""
    from interdict.domain.network_paths import disrupt as simulate
    from interdict.domain.network_paths import suggest_removals

    with ctx.unit() as (session, actor):
        if not remove and not suggest:
            raise BadInputError("give remove (node ids) or suggest (a number)", {"remove": "missing"})
        net = ctx.platform.network.build(session, actor, f, directed=False)
        out: dict[str, Any] = {}
        if remove:
            out["removal"] = simulate(net, remove).as_dict()
        if suggest:
            out["suggestion"] = suggest_removals(net, suggest).as_dict()
        return out


class RateIn(BaseModel):
    date: date
    currency: str = Field(min_length=3, max_length=3)
    rate: Decimal = Field(
        gt=0, le=Decimal("1e12"), description="Units of the base currency for one unit of the currency"
    )


class MoneyIn(BaseModel):
    origin: str | None = Field(None, description="Node id (uuid) to trace from (or to, backward)")
    direction: Literal["forward", "backward"] = "forward"
    base: str = Field("USD", min_length=3, max_length=3)
    rates: list[RateIn] = Field(default_factory=list, max_length=100_000)
    max_hops: int = Field(5, ge=1, le=50)
    min_amount: Decimal = Field(Decimal(0), ge=0, le=Decimal("1e15"))
    max_gap_days: float | None = Field(None, gt=0, le=36_500)
    flows: Literal["country", "group"] | None = None
    flags: bool = False
    threshold: Decimal | None = Field(
        None, gt=0, le=Decimal("1e15"), description="Reporting threshold, for structuring flags"
    )


@router.post("/money")
def money(body: MoneyIn, ctx: CtxDep, f: FiltersDep) -> dict[str, Any]:
    """Trace funds through Payment relations in time order, aggregate flows, flag patterns. Reads only;
    POST because the rate table travels in the body."""
    from interdict.domain import money as m

    rates = m.RateTable(body.base, [m.Rate(r.date, r.currency, r.rate) for r in body.rates])
    with ctx.unit() as (session, actor):
        net = ctx.platform.network.build(session, actor, f, directed=True)
        out: dict[str, Any] = {}
        if body.origin:
            gap = timedelta(days=body.max_gap_days) if body.max_gap_days else None
            rules = m.TraceRules(body.direction, body.max_hops, body.min_amount, gap)
            out["trace"] = m.trace(net, body.origin, rates, rules).as_dict()
        if body.flows:
            out["flows"] = [x.as_dict() for x in m.flows(net, rates, body.flows)]
        if body.flags:
            out["flags"] = [x.as_dict() for x in m.flags(net, rates, m.FlagRules(threshold=body.threshold))]
        return out


EXPORTS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "i2": ("text/csv; charset=utf-8", "csv"),
    "ftm": ("application/x-ndjson", "jsonl"),
}


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {media.split(";")[0]: {"schema": {"type": "string"}} for media, _ in EXPORTS.values()}}},
)
def export(
    ctx: CtxDep, f: FiltersDep, format: Literal["graphml", "gexf", "i2", "ftm"] = Query("graphml")
) -> Response:
    """The network as GraphML or GEXF (Gephi), CSV for i2 Analyst's Notebook, or FtM JSON lines. Other
    agencies' records marked no onward sharing are withheld; ``X-Withheld-Records`` says how many."""
    from interdict.domain.network import analyze
    from interdict.io import network_exports as x

    with ctx.unit() as (session, actor):
        built = ctx.platform.network.build(session, actor, f, directed=True)
        net, withheld = for_export(built, actor.agency_id)
        if format == "graphml":
            body = x.to_graphml(net, analyze(net))
        elif format == "gexf":
            body = x.to_gexf(net, analyze(net))
        elif format == "i2":
            body = x.to_i2_csv(net).encode()
        else:
            body = "".join(line + "\n" for line in x.to_ftm_lines(net)).encode()
    media, ext = EXPORTS[format]
    headers = {
        "Content-Disposition": f'attachment; filename="network.{ext}"',
        "X-Withheld-Records": str(withheld),
    }
    return Response(body, media_type=media, headers=headers)

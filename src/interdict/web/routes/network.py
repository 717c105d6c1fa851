"""The network page: filters, cohesion figures, key players with their reasons, communities, and an
interactive graph (Cytoscape.js, served from ``web/static``) that colours communities, sizes nodes by rank
and expands a node's ego network on click. The same service as ``interdict.api.routes.network``.

The page's script cannot call the API (the API takes bearer tokens only, never the page's cookie), so
the page serves the graph it draws as JSON on two GET routes of its own, under the same session."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from interdict.domain.errors import BadInputError, InterdictError
from interdict.services.network import NetworkFilters, graph_view
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import N_, bounded

router = APIRouter(include_in_schema=False)

FIELDS = ("since", "until", "relation", "country", "case", "syndicate", "depth")


def _filters(values: dict[str, str]) -> tuple[NetworkFilters, dict[str, str]]:
    errors: dict[str, str] = {}

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            errors[name] = N_("Give a date as YYYY-MM-DD.")
            return None

    since, until = day("since"), day("until")
    f = NetworkFilters(
        since,
        until,
        split(values["relation"]),
        tuple(c.upper() for c in split(values["country"])),
        values["case"] or None,
        values["syndicate"] or None,
        bounded(values["depth"], 1, 1, 4),
    )
    return f, errors


def split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.replace(";", ",").split(",") if x.strip())


def _values(params: dict[str, str]) -> dict[str, str]:
    return {k: params.get(k, "").strip()[:200] for k in FIELDS}


@router.get("/network")
@page
def network_page(
    ctx: WebDep, since: str = "", until: str = "", relation: str = "", country: str = "", case: str = "",
    syndicate: str = "", depth: str = "1",
) -> Response:  # fmt: skip
    values = _values(locals() | {"depth": depth})
    f, errors = _filters(values)
    view: dict[str, Any] | None = None
    with ctx.page_unit() as (session, actor):
        if not errors:
            try:
                view = graph_view(ctx.platform.network.build(session, actor, f, directed=False), limit=25)
            except BadInputError as exc:
                errors = {"filters": exc.detail}
        query = urlencode({k: v for k, v in values.items() if v})
        return ctx.page("network/index.html", status=422 if errors else 200, values=values, errors=errors, view=view,
                        query=query)  # fmt: skip


def _json(ctx: WebContext, build: Any) -> Response:
    try:
        with ctx.page_unit() as (session, actor):
            return JSONResponse(build(session, actor))
    except InterdictError as exc:
        return JSONResponse({"detail": exc.detail, "code": exc.code}, status_code=exc.status)


@router.get("/network/graph.json")
def network_graph(
    ctx: WebDep, since: str = "", until: str = "", relation: str = "", country: str = "", case: str = "",
    syndicate: str = "", depth: str = "1",
) -> Response:  # fmt: skip
    f, errors = _filters(_values(locals() | {"depth": depth}))
    if errors:
        return JSONResponse({"detail": "; ".join(errors.values())}, status_code=422)
    return _json(ctx, lambda s, a: graph_view(ctx.platform.network.build(s, a, f, directed=False), limit=25))


@router.get("/network/ego.json")
def network_ego(
    ctx: WebDep, node: str = "", hops: str = "1", since: str = "", until: str = "", relation: str = "",
    country: str = "", case: str = "", syndicate: str = "", depth: str = "1",
) -> Response:  # fmt: skip
    from interdict.domain.network_paths import ego_network

    f, errors = _filters(_values(locals() | {"depth": depth}))
    if errors:
        return JSONResponse({"detail": "; ".join(errors.values())}, status_code=422)

    def build(s: Any, a: Any) -> dict[str, Any]:
        e = ego_network(ctx.platform.network.build(s, a, f, directed=False), node, bounded(hops, 1, 1, 3))
        return {"center": node, **graph_view(e.network)}

    return _json(ctx, build)

"""Mount the pages and their static assets on the application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from interdict.domain.errors import InterdictError
from interdict.web.context import WebContext
from interdict.web.routes import (
    admin,
    audit,
    auth,
    cases,
    crosscheck,
    dashboard,
    entities,
    intel,
    network,
    onward,
    operations,
    precursor_incidents,
    precursor_rules,
    precursors,
    rfi,
    scheduling,
    seizures,
    situation,
    stats,
    structure,
)

STATIC = Path(__file__).parent / "static"
PAGE_MODULES = (
    auth, dashboard, structure, admin, audit, intel, onward, seizures, stats, operations, entities, crosscheck, rfi,
    cases, situation, network, precursors, precursor_incidents, precursor_rules, scheduling,
)


def html_error(request: Request, status: int) -> Response:
    """Unknown pages, wrong methods and oversized forms outside the API: a page in the user's language."""
    ctx = WebContext(request)
    titles = {404: "Not found", 405: "Method not allowed", 413: "Too large"}  # see web/vocabulary.py
    error = InterdictError(titles.get(status, "Error"))
    error.status, error.code = status, {413: "payload_too_large"}.get(status, "http_error")
    return ctx.page("error.html", status=status, error=error, title=titles.get(status, "Error"))


def install(app: FastAPI) -> None:
    app.state.html_error = html_error
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)

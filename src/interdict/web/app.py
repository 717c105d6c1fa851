"""Mount the pages and their static assets on the application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from interdict.web.routes import admin, audit, auth, dashboard, intel, onward, structure

STATIC = Path(__file__).parent / "static"
PAGE_MODULES = (auth, dashboard, structure, admin, audit, intel, onward)


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)

"""The application factory. No work at import: everything hangs off ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI

from interdict import __version__
from interdict.api import problems
from interdict.api.context import Authenticated, utcnow
from interdict.api.middleware import GuardMiddleware
from interdict.api.routes import (
    audit,
    auth,
    cases,
    crosscheck,
    entities,
    health,
    indicators,
    intel,
    network,
    onward,
    precursor_incidents,
    precursor_rules,
    precursors,
    rfi,
    scheduling,
    seizures,
    situation,
    structure,
    users,
    watchlists,
)
from interdict.services.platform import Platform
from interdict.settings import Settings

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None, platform: Platform | None = None, clock: Callable[[], datetime] = utcnow
) -> FastAPI:
    settings = settings or (platform.settings if platform else Settings())
    platform = platform or Platform(settings)
    app = FastAPI(
        title="Interdict API",
        version=__version__,
        description="Cooperation platform for drug-law-enforcement agencies. Every read of a shared record goes "
        "through the originator's sharing rule; records you may not see answer as if they did not exist.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the hosted Swagger UI loads from a CDN; deployments are offline
        redoc_url=None,
    )
    app.state.platform = platform
    app.state.clock = clock
    problems.install(app)
    api = APIRouter(prefix=API_PREFIX, responses=problems.RESPONSES)
    api.include_router(health.router)
    api.include_router(auth.public_router)
    for module in (auth, structure, users, audit, intel, onward, seizures, entities, crosscheck, rfi, cases, watchlists,
                   indicators, situation, network, precursors, precursor_incidents, precursor_rules, scheduling):
        api.include_router(module.router, dependencies=Authenticated)
    app.include_router(api)

    from interdict.web.app import install as install_pages

    install_pages(app)

    app.add_middleware(
        GuardMiddleware,
        max_body=settings.max_body_bytes,
        max_upload=settings.attachment_max_bytes + 65536,
        max_import=settings.import_max_bytes + 65536,
        hsts=settings.environment == "production",
    )
    return app

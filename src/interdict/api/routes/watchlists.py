"""Published watch lists: ``/api/v1/watchlists``. The lists are public data, readable by every signed-in
user; only platform administrators import them. Alerts name only the caller agency's own entities."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.schemas.common import comma_list
from interdict.schemas.crosscheck import WatchListAlertOut, WatchListImportOut, WatchListOut
from interdict.services.watchlists import alerts_for

router = APIRouter(tags=["watch lists"])

MAX_LIST_BYTES = 64 << 20


@router.get("/watchlists")
def list_watchlists(ctx: CtxDep) -> list[WatchListOut]:
    """The lists screened in every cross-check, each with its provenance and publication date."""
    with ctx.unit() as (session, _):
        return [
            WatchListOut(code=w.code, title=w.title, publisher=w.publisher, published_on=w.published_on,
                         source=w.source, sha256=w.sha256, entries=w.entries, programs=list(w.programs),
                         imported_at=w.imported_at)
            for w in ctx.platform.watchlists.lists(session)
        ]


@router.post("/watchlists/imports")
async def import_watchlist(
    ctx: CtxDep,
    file: UploadFile,
    published: Annotated[date | None, Form(description="The list's publication date")] = None,
    programs: Annotated[str, Form(max_length=2000, description="Comma-separated programme codes")] = "",
    code: Annotated[str | None, Form(max_length=40, description="FtM lists: the list's code")] = None,
    title: Annotated[str | None, Form(max_length=300, description="FtM lists: the list's title")] = None,
) -> WatchListImportOut:
    """Platform administrators: import OFAC's sdn.csv or an FtM list as the current version of its code."""
    data = await file.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        raise BadInputError(f"the file is larger than {MAX_LIST_BYTES >> 20} MiB", {"file": "too large"})
    with ctx.unit() as (session, actor):
        done = ctx.platform.watchlists.import_list(
            session, actor, data, source=file.filename or "upload", published=published,
            programs=comma_list(programs), code=code or None, title=title or None,
        )  # fmt: skip
    return WatchListImportOut(**done.__dict__)


@router.get("/watchlists/alerts")
def watchlist_alerts(
    ctx: CtxDep, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
) -> list[WatchListAlertOut]:
    """Your agency's entities that matched a watch-list entry when they were written, newest first."""
    with ctx.unit() as (session, actor):
        return [WatchListAlertOut(**a.__dict__) for a in alerts_for(session, actor, limit, offset)]

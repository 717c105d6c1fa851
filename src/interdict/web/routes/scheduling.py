"""Control status and scheduling gaps, as pages: ``/scheduling`` (a substance's status in every
jurisdiction with its history, and the import form for those who may record statuses) and
``/scheduling/gaps`` (the gap matrix of a mechanism, with a CSV download). The same service as
``interdict.api.routes.scheduling``: the pages only parse forms and render."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.substances import SubstanceCategory
from interdict.io.downloads import download
from interdict.schemas.scheduling import ImportResult, SubstanceStatusOut
from interdict.services.context import Actor
from interdict.services.scheduling import may_write_any
from interdict.services.scheduling_gaps import gap_csv
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import N_, posted

router = APIRouter(include_in_schema=False)

MAX_IMPORT_BYTES = 8 << 20
CATEGORIES = [c.value for c in SubstanceCategory]


def _day(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Enter a date as YYYY-MM-DD.")
        return None


def _index(
    ctx: WebContext,
    session: Session,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    result: ImportResult | None = None,
    import_errors: dict[str, str] | None = None,
) -> Response:
    found: SubstanceStatusOut | None = None
    day = _day(values.get("on", ""), "on", errors)
    if values.get("substance") and not errors:
        try:
            found = ctx.platform.scheduling.substance_status(
                session, values["substance"], values.get("jurisdiction") or None, day, actor.today
            )
        except BadInputError as exc:
            errors.update({k: v for k, v in exc.errors.items()} or {"substance": exc.detail})
            status = 422
    return ctx.page(
        "scheduling/index.html",
        status=422 if errors and status == 200 else status,
        values=values,
        errors=errors,
        found=found,
        may_import=may_write_any(session, actor),
        result=result,
        import_errors=import_errors or {},
    )


@router.get("/scheduling")
@page
def scheduling_index(ctx: WebDep, substance: str = "", jurisdiction: str = "", on: str = "") -> Response:
    values = {"substance": substance[:200], "jurisdiction": jurisdiction[:8], "on": on[:10]}
    with ctx.page_unit() as (session, actor):
        return _index(ctx, session, actor, values, {})


@router.post("/scheduling/imports")
@page
async def scheduling_import(ctx: WebDep) -> Response:
    _form, raw = await posted(ctx)
    upload = raw.get("file")
    problems: dict[str, str] = {}
    result: ImportResult | None = None
    data = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems["file"] = N_("Choose a file to upload.")
    else:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            problems["file"] = N_(
                "The file is larger than 8 MiB; use the command line: interdict scheduling import."
            )
    if not problems:
        assert isinstance(upload, UploadFile)
        import io

        try:
            with ctx.page_unit() as (session, actor):
                result = ctx.platform.scheduling.import_file(
                    session, actor, io.BytesIO(data), upload.filename or ""
                )
        except (BadInputError, ForbiddenError) as exc:
            problems = dict(exc.errors) or {"file": exc.detail}
    with ctx.page_unit() as (session, actor):
        values = {"substance": "", "jurisdiction": "", "on": ""}
        return _index(ctx, session, actor, values, {}, 422 if problems else 200, result, problems)


def _gap_values(mechanism: str, on: str, category: str) -> dict[str, str]:
    return {
        "mechanism": mechanism[:32],
        "on": on[:10],
        "category": category if category in CATEGORIES else "",
    }


@router.get("/scheduling/gaps")
@page
def scheduling_gaps(ctx: WebDep, mechanism: str = "", on: str = "", category: str = "") -> Response:
    values = _gap_values(mechanism, on, category)
    errors: dict[str, str] = {}
    day = _day(values["on"], "on", errors)
    with ctx.page_unit() as (session, actor):
        mechanisms = ctx.platform.structure.visible_mechanisms(session, actor)
        report: Any = None
        if values["mechanism"] and not errors:
            report = ctx.platform.scheduling.gaps(
                session, actor, values["mechanism"], day, values["category"] or None
            )
        return ctx.page(
            "scheduling/gaps.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            mechanisms=mechanisms,
            categories=CATEGORIES,
            report=report,
        )


@router.get("/scheduling/gaps.csv")
@page
def scheduling_gaps_csv(ctx: WebDep, mechanism: str = "", on: str = "", category: str = "") -> Response:
    values = _gap_values(mechanism, on, category)
    errors: dict[str, str] = {}
    day = _day(values["on"], "on", errors)
    if errors:
        raise BadInputError(f"on {values['on']!r} is not a date; expected YYYY-MM-DD", {"on": "YYYY-MM-DD"})
    with ctx.page_unit() as (session, actor):
        report = ctx.platform.scheduling.gaps(
            session, actor, values["mechanism"], day, values["category"] or None
        )
    name = f"scheduling-gaps-{report.mechanism}-{report.on.isoformat()}.csv"
    return download(gap_csv(report).encode(), name, "text/csv; charset=utf-8")

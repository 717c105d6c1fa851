"""The cross-check page: ask who else knows a person, see candidates with what matched and blind hits,
and the inbox of other agencies' cross-checks that matched one's own records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.services.context import Actor
from interdict.services.entity_alerts import alerts_for
from interdict.services.entity_crosscheck import CrosscheckResult, notifications_for
from interdict.services.entity_rules import query_subject
from interdict.services.watchlists import alerts_for as list_alerts_for
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import field_errors, posted, split_list

router = APIRouter(include_in_schema=False)

FIELDS = ("names", "birth_date", "nationality", "country", "phone", "email", "passport", "id_number")
# Form field -> identifier kind of the matching engine.
ID_FIELDS = {"phone": "phone", "email": "email", "passport": "passport", "id_number": "national_id"}


def _context(
    ctx: WebContext, session: Session, actor: Actor, values: dict[str, str], **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "values": values,
        "errors": {},
        "result": None,
        "inbox": notifications_for(session, actor, 50, 0),
        "alerts": alerts_for(session, actor, 50, 0),
        "list_alerts": list_alerts_for(session, actor, 50, 0),
        "watch_lists": ctx.platform.watchlists.lists(session),
    }
    context.update(extra)
    return context


@router.get("/crosscheck")
@page
def crosscheck_page(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        values = dict.fromkeys(FIELDS, "")
        return ctx.page("crosscheck/index.html", **_context(ctx, session, actor, values))


@router.post("/crosscheck")
@page
async def crosscheck_run(ctx: WebDep) -> Response:
    form, _ = await posted(ctx)
    values = {f: form.get(f, "").strip() for f in FIELDS}
    result: CrosscheckResult | None = None
    errors: dict[str, str] = {}
    with ctx.page_unit() as (session, actor):
        try:
            query = query_subject(
                names=split_list(values["names"].replace("\r", "")),
                birth_date=values["birth_date"] or None,
                nationalities=split_list(values["nationality"]),
                identifiers=[(kind, v) for f, kind in ID_FIELDS.items() for v in split_list(values[f])],
                country=values["country"] or None,
            )
            result = ctx.platform.entities.crosscheck(session, actor, query, 20)
        except BadInputError as exc:
            errors = field_errors(exc)
            errors = {("id_number" if k == "national_id" else "nationality" if k == "nationality" else k): v
                      for k, v in errors.items()}
    with ctx.page_unit() as (session, actor):
        context = _context(ctx, session, actor, values, errors=errors, result=result)
        return ctx.page("crosscheck/index.html", status=422 if errors else 200, **context)

"""Onward-sharing requests: those the user's agency made, and those made to it as owner, with the
owner's approve and decline forms. The same service as ``interdict.api.routes.onward``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from interdict.domain.errors import BadInputError
from interdict.domain.roles import Permission
from interdict.schemas.intel import OnwardDecision
from interdict.services.sharing import visible_select
from interdict.store.records import IntelReport
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import DISTRIBUTIONS, N_, bounded, choices, field_errors, page_url, posted

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUSES = ("pending", "approved", "declined")


def _list_page(ctx: WebContext, status: str, offset: int, code: int = 200, **extra: Any) -> Response:
    with ctx.page_unit() as (session, actor):
        rows, more = ctx.platform.onward.list(session, actor, status or None, PAGE_SIZE, offset)
        items = [ctx.platform.onward.public(session, r) for r in rows]
        # Titles and authors only of the agency's own reports (no read of another agency's record here).
        owned = [r.record_uuid for r in rows if r.owner_agency_id == actor.agency_id]
        reports = (
            {
                u: (t, a)
                for u, t, a in session.execute(
                    visible_select(session, actor, IntelReport)
                    .with_only_columns(IntelReport.uuid, IntelReport.title, IntelReport.created_by_id)
                    .where(IntelReport.uuid.in_(owned), IntelReport.owner_agency_id == actor.agency_id)
                )
            }
            if owned
            else {}
        )
        may_decide = actor.can(Permission.DECIDE_ONWARD_SHARING)
        deciders = {u for u, (_, author) in reports.items() if may_decide or author == actor.user_id}
        kept = {"status": status} if status else {}

        def link(to: int) -> str:
            return page_url("/onward", kept, to)

        context: dict[str, Any] = {
            **choices(session, actor),
            "distributions": DISTRIBUTIONS,
            "decision_values": {},
            "decision_errors": {},
            "failed": None,
        }
        context.update(extra)
        return ctx.page(
            "onward/list.html",
            status=code,
            items=items,
            titles={u: t for u, (t, _) in reports.items()},
            deciders=deciders,
            my_agency=actor.agency_code,
            current_status=status,
            statuses=STATUSES,
            prev_url=link(max(offset - PAGE_SIZE, 0)) if offset > 0 else None,
            next_url=link(offset + PAGE_SIZE) if more else None,
            **context,
        )


@router.get("/onward")
@page
def onward_list(ctx: WebDep, status: str = "", offset: str = "0") -> Response:
    status = status if status in STATUSES else ""
    return _list_page(ctx, status, bounded(offset, 0, 0, 1_000_000))


@router.post("/onward/{ref}/decision")
@page
async def decide(ctx: WebDep, ref: str) -> Response:
    form, raw = await posted(ctx)
    decision = form.get("decision", "")
    values: dict[str, Any] = {
        "note": form.get("note", ""),
        "distribution": form.get("distribution", ""),
        "agencies": [str(v) for v in raw.getlist("agencies")],
        "mechanisms": [str(v) for v in raw.getlist("mechanisms")],
    }
    try:
        if decision not in ("approve", "decline"):
            message = N_("Choose approve or decline.")
            raise BadInputError(message, {"form": message})
        explicit = decision == "approve" and bool(values["distribution"])
        data = OnwardDecision.model_validate(
            {
                "approve": decision == "approve",
                "note": values["note"],
                "distribution": values["distribution"] if explicit else None,
                "agencies": values["agencies"] if explicit else None,
                "mechanisms": values["mechanisms"] if explicit else None,
            }
        )
        with ctx.page_unit() as (session, actor):
            ctx.platform.onward.decide(session, actor, ref, data)
    except (ValidationError, BadInputError) as exc:
        errors = field_errors(exc)
        if isinstance(exc, BadInputError):
            errors.setdefault("form", exc.detail)  # e.g. "give the new distribution explicitly"
        return _list_page(ctx, "", 0, 422, decision_values=values, decision_errors=errors, failed=ref.lower())
    ctx.flash("ok", "onward_approved" if decision == "approve" else "onward_declined")
    return ctx.redirect("/onward")

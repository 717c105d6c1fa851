"""Requests for information, as pages: the incoming and outgoing lists (and, for supervisors, the overdue
one), a form to send a request, and a request's page with its thread and the actions its state allows.
The same service as ``interdict.api.routes.rfi``: the pages only parse forms and render."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from interdict.domain.errors import BadInputError, NotFoundError
from interdict.domain.roles import Permission, Role
from interdict.schemas.rfi import RfiAnswerIn, RfiCreate, RfiDeclineIn, RfiMessageIn, RfiWithdrawIn
from interdict.services.rfi import FILTERS
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import bounded, choices, field_errors, page_url, posted, split_list

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
BOXES = ("incoming", "outgoing", "overdue")
NEW_FIELDS = ("recipient", "subject_kind", "subject_ref", "title", "body", "priority", "due_on")
ACTIONS = ("acknowledge", "messages", "answer", "decline", "withdraw")
FLASH = {
    "acknowledge": "rfi_acknowledged",
    "messages": "rfi_message_sent",
    "answer": "rfi_answered",
    "decline": "rfi_declined",
    "withdraw": "rfi_withdrawn",
}


@router.get("/rfi")
@page
def rfi_list(ctx: WebDep, box: str = "incoming", state: str = "", offset: str = "0") -> Response:
    box = box if box in BOXES else "incoming"
    state = state if state in FILTERS else ""
    start = bounded(offset, 0, 0, 1_000_000)
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.rfi
        if box == "overdue":
            rows, more = service.overdue_for(session, actor, PAGE_SIZE, start)
        else:
            rows, more = service.list_for(session, actor, box, state or None, PAGE_SIZE, start)
        kept = {"box": box, **({"state": state} if state else {})}

        def link(to: int) -> str:
            return page_url("/rfi", kept, to)

        return ctx.page(
            "rfi/list.html",
            items=service.summaries(session, actor, rows),
            box=box,
            current_state=state,
            states=FILTERS,
            supervisor=Role.SUPERVISOR in actor.roles,
            may_send=actor.can(Permission.WRITE_RECORDS),
            prev_url=link(max(start - PAGE_SIZE, 0)) if start > 0 else None,
            next_url=link(start + PAGE_SIZE) if more else None,
        )


def _new_page(ctx: WebContext, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page(
            "rfi/new.html",
            status=status,
            values=values,
            errors=errors,
            agency_choices=choices(session, actor)["agency_choices"],
        )


@router.get("/rfi/new")
@page
def rfi_new(
    ctx: WebDep, recipient: str = "", subject_kind: str = "question", subject_ref: str = ""
) -> Response:
    """The form; a link may fill in the recipient and the subject (e.g. from a blind hit)."""
    values = dict.fromkeys(NEW_FIELDS, "")
    values.update(recipient=recipient[:32], subject_kind=subject_kind[:16], subject_ref=subject_ref[:200])
    values["priority"] = "routine"
    return _new_page(ctx, values, {})


@router.post("/rfi/new")
@page
async def rfi_send(ctx: WebDep) -> Response:
    form, _ = await posted(ctx)
    values = {f: form.get(f, "") for f in NEW_FIELDS}
    try:
        data = RfiCreate.model_validate(
            {**values, "subject_ref": values["subject_ref"] or None, "due_on": values["due_on"] or None}
        )
        with ctx.page_unit() as (session, actor):
            reference = ctx.platform.rfi.create(session, actor, data).reference
    except (ValidationError, BadInputError) as exc:
        return _new_page(ctx, values, field_errors(exc), 422)
    ctx.flash("ok", "rfi_sent")
    return ctx.redirect(f"/rfi/{reference}")


def _read_page(
    ctx: WebContext, ref: str, status: int = 200, failed: str = "", values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.rfi
        rfi = service.public(session, actor, service.get(session, actor, ref))
        return ctx.page(
            "rfi/read.html",
            status=status,
            rfi=rfi,
            incoming=rfi.recipient_agency == actor.agency_code,
            failed=failed,
            values=values or {},
            errors=errors or {},
        )


@router.get("/rfi/{ref}")
@page
def rfi_read(ctx: WebDep, ref: str) -> Response:
    return _read_page(ctx, ref)


@router.post("/rfi/{ref}/{action}")
@page
async def rfi_act(ctx: WebDep, ref: str, action: str) -> Response:
    form, _ = await posted(ctx)
    values = {k: form.get(k, "") for k in ("body", "reason", "records")}
    if action not in ACTIONS:
        raise NotFoundError(f"no action {action!r} on requests for information")
    try:
        with ctx.page_unit() as (session, actor):
            service = ctx.platform.rfi
            if action == "acknowledge":
                req = service.acknowledge(session, actor, ref)
            elif action == "messages":
                req = service.message(session, actor, ref, RfiMessageIn(body=values["body"]))
            elif action == "answer":
                data = RfiAnswerIn(body=values["body"], records=split_list(values["records"]))
                req = service.answer(session, actor, ref, data)
            elif action == "decline":
                req = service.decline(session, actor, ref, RfiDeclineIn(reason=values["reason"]))
            else:
                req = service.withdraw(session, actor, ref, RfiWithdrawIn(reason=values["reason"]))
            reference = req.reference
    except (ValidationError, BadInputError) as exc:
        return _read_page(ctx, ref, 422, failed=action, values=values, errors=_errors(exc))
    ctx.flash("ok", FLASH[action])
    return ctx.redirect(f"/rfi/{reference}")


def _errors(exc: ValidationError | BadInputError) -> dict[str, str]:
    """Field messages, and the service's whole message where it names no field of the form."""
    errors = field_errors(exc)
    if isinstance(exc, BadInputError) and not set(errors) & {"body", "reason", "records"}:
        errors["form"] = exc.detail
    return errors

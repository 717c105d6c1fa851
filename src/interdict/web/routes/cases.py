"""Case files and joint investigations, as pages: the list (own and joined cases), a form to open a case,
a case's page (its participants, the linked records the viewer may see, its log and discussion, and the
forms its status and the viewer's roles allow), and the syndicates with their cases and members. The same
service as ``interdict.api.routes.cases``: the pages only parse forms and render."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from interdict.domain.cases import Offence
from interdict.domain.errors import BadInputError, NotFoundError
from interdict.domain.roles import Permission
from interdict.schemas.cases import (
    CaseCreate,
    CaseStatusIn,
    CaseUpdate,
    LinkIn,
    MessageIn,
    NoteIn,
    ParticipantIn,
)
from interdict.services.cases import STATUSES
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import bounded, choices, field_errors, page_url, posted, split_list

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
BOXES = ("all", "owned", "joined")
OFFENCES = [o.value for o in Offence]
FORM_FIELDS = ("title", "summary", "syndicate")
ACTIONS = ("update", "status", "invite", "remove", "link", "unlink", "notes", "messages")
FLASH = {
    "update": "case_updated",
    "status": "case_status_changed",
    "invite": "case_agency_invited",
    "remove": "case_agency_removed",
    "link": "case_record_linked",
    "unlink": "case_record_unlinked",
    "notes": "case_note_added",
    "messages": "case_message_sent",
}


@router.get("/cases")
@page
def case_list(ctx: WebDep, box: str = "all", status: str = "", offset: str = "0") -> Response:
    box = box if box in BOXES else "all"
    status = status if status in STATUSES else ""
    start = bounded(offset, 0, 0, 1_000_000)
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.cases
        rows, more = service.list_for(
            session, actor, status or None, None if box == "all" else box, PAGE_SIZE, start
        )
        kept = {"box": box, **({"status": status} if status else {})}

        def link(to: int) -> str:
            return page_url("/cases", kept, to)

        return ctx.page(
            "cases/list.html",
            items=service.summaries(session, actor, rows),
            box=box,
            current_status=status,
            statuses=STATUSES,
            may_open=actor.can(Permission.WRITE_RECORDS),
            prev_url=link(max(start - PAGE_SIZE, 0)) if start > 0 else None,
            next_url=link(start + PAGE_SIZE) if more else None,
        )


def _new_page(
    ctx: WebContext, values: dict[str, object], errors: dict[str, str], status: int = 200
) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page(
            "cases/new.html",
            status=status,
            values=values,
            errors=errors,
            offences=OFFENCES,
            agency_choices=choices(session, actor)["agency_choices"],
        )


@router.get("/cases/new")
@page
def case_new(ctx: WebDep, syndicate: str = "") -> Response:
    values: dict[str, object] = dict.fromkeys(FORM_FIELDS, "")
    values.update(syndicate=syndicate[:64], offences=[], participants=[])
    return _new_page(ctx, values, {})


@router.post("/cases/new")
@page
async def case_open(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values: dict[str, object] = {f: form.get(f, "") for f in FORM_FIELDS}
    values["offences"] = [str(v) for v in raw.getlist("offences")]
    values["participants"] = [str(v) for v in raw.getlist("participants")]
    try:
        data = CaseCreate.model_validate({**values, "syndicate": values["syndicate"] or None})
        with ctx.page_unit() as (session, actor):
            ref = ctx.platform.cases.create(session, actor, data).uuid
    except (ValidationError, BadInputError) as exc:
        return _new_page(ctx, values, field_errors(exc), 422)
    ctx.flash("ok", "case_opened")
    return ctx.redirect(f"/cases/{ref}")


def _read_page(
    ctx: WebContext,
    ref: str,
    status: int = 200,
    failed: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.cases
        case = service.public(session, actor, service.get(session, actor, ref))
        return ctx.page(
            "cases/read.html",
            status=status,
            case=case,
            owner=case.owner_agency == actor.agency_code,
            me=actor.agency_code,
            offences=OFFENCES,
            agency_choices=[
                a
                for a in choices(session, actor)["agency_choices"]
                if a.code not in {p.agency for p in case.participants}
            ],
            failed=failed,
            values=values or {},
            errors=errors or {},
        )


@router.get("/cases/{ref}")
@page
def case_read(ctx: WebDep, ref: str) -> Response:
    return _read_page(ctx, ref)


@router.post("/cases/{ref}/{action}")
@page
async def case_act(ctx: WebDep, ref: str, action: str) -> Response:
    if action not in ACTIONS:
        raise NotFoundError(f"no action {action!r} on cases")
    form, raw = await posted(ctx)
    values = {
        k: form.get(k, "")
        for k in (
            "body",
            "reason",
            "status",
            "agency",
            "record",
            "note",
            "reply_to",
            "title",
            "summary",
            "syndicate",
            "version",
        )
    }
    try:
        with ctx.page_unit() as (session, actor):
            service = ctx.platform.cases
            if action == "update":
                data = CaseUpdate.model_validate(
                    {
                        "version": bounded(values["version"], 0, 0, 2**31),
                        "title": values["title"],
                        "summary": values["summary"],
                        "offences": [str(v) for v in raw.getlist("offences")],
                        "syndicate": values["syndicate"],
                    }
                )
                service.update(session, actor, ref, data)
            elif action == "status":
                service.set_status(
                    session,
                    actor,
                    ref,
                    CaseStatusIn.model_validate({"status": values["status"], "reason": values["reason"]}),
                )
            elif action == "invite":
                service.invite(session, actor, ref, ParticipantIn(agency=values["agency"]))
            elif action == "remove":
                service.remove(session, actor, ref, values["agency"])
            elif action == "link":
                for record in split_list(values["record"]) or [""]:
                    service.link(session, actor, ref, LinkIn(record=record, note=values["note"]))
            elif action == "unlink":
                service.unlink(session, actor, ref, values["record"])
            elif action == "notes":
                service.note(session, actor, ref, NoteIn(body=values["body"]))
            else:
                service.message(
                    session, actor, ref, MessageIn(body=values["body"], reply_to=values["reply_to"] or None)
                )
            left = action == "remove" and values["agency"].strip().upper() == actor.agency_code
    except (ValidationError, BadInputError) as exc:
        return _read_page(ctx, ref, 422, failed=action, values=values, errors=_errors(exc))
    ctx.flash("ok", "case_left" if left else FLASH[action])
    return ctx.redirect("/cases" if left else f"/cases/{ref}")


def _errors(exc: ValidationError | BadInputError) -> dict[str, str]:
    """Field messages, and the service's whole message where it names no field of the form."""
    errors = field_errors(exc)
    if isinstance(exc, BadInputError) and not set(errors) & {
        "body",
        "reason",
        "agency",
        "record",
        "note",
        "reply_to",
        "title",
        "summary",
        "offences",
        "syndicate",
    }:
        errors["form"] = exc.detail
    return errors


@router.get("/syndicates")
@page
def syndicate_list(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page("cases/syndicates.html", items=ctx.platform.cases.syndicates(session, actor))


@router.get("/syndicates/{ref}")
@page
def syndicate_read(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page(
            "cases/syndicate.html",
            syndicate=ctx.platform.cases.syndicate(session, actor, ref),
            may_open=actor.can(Permission.WRITE_RECORDS),
        )

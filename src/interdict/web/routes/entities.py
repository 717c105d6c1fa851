"""Entity pages: the list with filters, one entity with its properties and sharing panel, the form for a
new entity, the FtM import and export.

The same service as the JSON API (``interdict.api.routes.entities``): every read goes through
``EntityService`` and so through the one visibility filter; an entity the user may not see answers with
the same 404 page as one that does not exist. Properties are typed one per line as ``property: value``
(``phone: 138 0013 8000``), the way an analyst copies them from a report; the service checks each value
with FtM and the identifier rules and names the property and the value it refuses.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.roles import Permission
from interdict.io.downloads import download
from interdict.services.context import Actor
from interdict.services.entities import EntityDraft, EntityFilters, ImportResult
from interdict.services.entity_rules import NODE_SCHEMATA, SCHEMATA
from interdict.services.sharing import DistributionRequest, audience
from interdict.store.entities import Entity
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    DISTRIBUTIONS,
    N_,
    PAGE_SIZE,
    bounded,
    choices,
    distribution_form,
    ensure_writer,
    field_errors,
    page_url,
    post_distribution,
    posted,
    sharing_values,
)

router = APIRouter(include_in_schema=False)

MAX_IMPORT_BYTES = 64 << 20


def parse_properties(text: str, errors: dict[str, str]) -> dict[str, list[str]]:
    """``property: value`` lines into an FtM property map; a line without a colon is an error."""
    out: dict[str, list[str]] = {}
    for n, line in enumerate(text.replace("\r", "").split("\n"), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or not value.strip():
            errors["properties"] = N_("Write one property per line as “property: value”, e.g. “phone: 138 0013 8000”.")
            errors["properties_line"] = str(n)
            continue
        out.setdefault(name.strip(), []).append(value.strip())
    return out


def properties_text(properties: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}: {value}" for name, values in properties.items() for value in values)


# -- list ------------------------------------------------------------------------------------------------
@router.get("/entities")
@page
def list_page(ctx: WebDep, schema: str = "", q: str = "", owner: str = "", offset: str = "0") -> Response:
    values = {"schema": schema.strip(), "q": q.strip()[:200], "owner": owner.strip().upper()[:32]}
    errors: dict[str, str] = {}
    if values["schema"] and values["schema"] not in SCHEMATA:
        errors["schema"] = N_("Choose a schema from the list.")
    start = bounded(offset, 0, 0, 1_000_000)
    with ctx.page_unit() as (session, actor):
        items: list[Any] = []
        more = False
        if not errors:
            f = EntityFilters(values["schema"] or None, values["owner"] or None, values["q"] or None)
            rows, more = ctx.platform.entities.list(session, actor, f, PAGE_SIZE, start)
            items = ctx.platform.entities.public_page(session, actor, rows)
        kept = {k: v for k, v in values.items() if v}

        def link(to: int) -> str:
            return page_url("/entities", kept, to)

        return ctx.page(
            "entities/list.html",
            status=422 if errors else 200,
            items=items,
            values=values,
            errors=errors,
            schemata=SCHEMATA,
            prev_url=link(max(start - PAGE_SIZE, 0)) if start > 0 else None,
            next_url=link(start + PAGE_SIZE) if more else None,
            can_write=actor.can(Permission.WRITE_RECORDS),
        )


# -- create ----------------------------------------------------------------------------------------------
def empty_entity() -> dict[str, Any]:
    return {
        "schema": "Person",
        "id": "",
        "properties": "",
        "distribution": "agency",
        "agencies": [],
        "mechanisms": [],
        "handling_conditions": [],
        "handling_notes": "",
        "personal_data": "auto",
        "hit_notification": True,
    }


def _personal(choice: str) -> bool | None:
    return {"yes": True, "no": False}.get(choice)


@router.get("/entities/new")
@page
def new_form(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return ctx.page(
            "entities/new.html", values=empty_entity(), errors={}, schemata=SCHEMATA, **choices(session, actor)
        )


@router.post("/entities/new")
@page
async def create(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values = empty_entity()
    for name in ("schema", "id", "properties", "handling_notes", "personal_data"):
        values[name] = form.get(name, "").strip()
    values.update(sharing_values(form, raw))
    values["hit_notification"] = bool(form.get("hit_notification"))
    errors: dict[str, str] = {}
    properties = parse_properties(values["properties"], errors)
    if values["schema"] not in SCHEMATA:
        errors["schema"] = N_("Choose a schema from the list.")
    if values["distribution"] not in DISTRIBUTIONS:
        errors["distribution"] = N_("Choose a distribution from the list.")
    if not errors:
        draft = EntityDraft(
            schema=values["schema"],
            properties=properties,
            ftm_id=values["id"] or None,
            distribution=DistributionRequest(
                values["distribution"], values["agencies"], values["mechanisms"], values["handling_conditions"]
            ),
            handling_notes=values["handling_notes"],
            contains_personal_data=_personal(values["personal_data"]),
            hit_notification=values["hit_notification"],
        )
        try:
            with ctx.page_unit() as (session, actor):
                ensure_writer(actor)
                created = ctx.platform.entities.create(session, actor, draft).uuid
        except (BadInputError, ConflictError) as exc:
            errors = field_errors(exc, nested=True)
        else:
            ctx.flash("ok", "entity_created")
            return ctx.redirect(f"/entities/{created}")
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return ctx.page(
            "entities/new.html",
            status=422,
            values=values,
            errors=errors,
            schemata=SCHEMATA,
            **choices(session, actor),
        )


# -- import and export -----------------------------------------------------------------------------------
def _import_page(ctx: WebContext, session: Session, actor: Actor, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "values": {"distribution": "agency", "agencies": [], "mechanisms": [], "handling_conditions": [],
                   "personal_data": "auto"},
        "errors": {},
        "result": None,
        **choices(session, actor),
    }  # fmt: skip
    context.update(extra)
    return ctx.page("entities/import.html", status=status, **context)


@router.get("/entities/import")
@page
def import_form(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return _import_page(ctx, session, actor)


@router.post("/entities/imports")
@page
async def import_file(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values: dict[str, Any] = sharing_values(form, raw)
    values["personal_data"] = form.get("personal_data", "auto")
    errors: dict[str, str] = {}
    upload = raw.get("file")
    data = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = N_("Choose a file to upload.")
    else:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            errors["file"] = N_("The file is larger than 64 MiB; use the command line: interdict entities import.")
    if values["distribution"] not in DISTRIBUTIONS:
        errors["distribution"] = N_("Choose a distribution from the list.")
    result: ImportResult | None = None
    if not errors:
        assert isinstance(upload, UploadFile)
        try:
            with ctx.page_unit() as (session, actor):
                ensure_writer(actor)
                result = ctx.platform.entities.import_ftm(
                    session,
                    actor,
                    data,
                    DistributionRequest(
                        values["distribution"], values["agencies"], values["mechanisms"],
                        values["handling_conditions"],
                    ),
                    filename=upload.filename or "upload",
                    contains_personal_data=_personal(values["personal_data"]),
                )  # fmt: skip
        except BadInputError as exc:
            errors = field_errors(exc, nested=True)
            errors.setdefault("file", exc.detail)
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return _import_page(
            ctx, session, actor, status=422 if errors else 200, values=values, errors=errors, result=result
        )


@router.get("/entities/export.jsonl")
@page
def export(ctx: WebDep, schema: str = "") -> Response:
    with ctx.page_unit() as (session, actor):
        if schema and schema not in SCHEMATA:
            raise BadInputError(f"unknown schema {schema!r}", {"schema": "unknown"})
        lines = ctx.platform.entities.export_ftm(session, actor, schema=schema or None)
        data = "".join(line + "\n" for line in lines).encode()
    return download(data, "interdict-entities.ftm.jsonl", "application/x-ndjson")


# -- read ------------------------------------------------------------------------------------------------
def read_context(ctx: WebContext, session: Session, actor: Actor, ref: str, **extra: Any) -> dict[str, Any]:
    entity = ctx.platform.entities.get(session, actor, ref)
    public = ctx.platform.entities.public_page(session, actor, [entity])[0]
    is_owner = entity.owner_agency_id == actor.agency_id
    sharing = public.sharing
    context: dict[str, Any] = {
        "entity": public,
        "is_node": public.schema_ in NODE_SCHEMATA,
        "is_owner": is_owner,
        "can_write": actor.can(Permission.WRITE_RECORDS),
        "audience": audience(session, Entity, entity.uuid, actor.today) if is_owner else [],
        "dist_values": distribution_form(sharing),
        "dist_errors": {},
        **choices(session, actor),
    }
    context.update(extra)
    return context


@router.get("/entities/{ref}")
@page
def read(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return ctx.page("entities/read.html", **read_context(ctx, session, actor, ref))


@router.post("/entities/{ref}/distribution")
@page
async def change_distribution(ctx: WebDep, ref: str) -> Response:
    def refused(values: dict[str, Any], errors: dict[str, str]) -> Response:
        with ctx.page_unit() as (session, actor):
            context = read_context(ctx, session, actor, ref, dist_values=values, dist_errors=errors)
            return ctx.page("entities/read.html", status=422, **context)

    return await post_distribution(
        ctx,
        lambda session, actor, data: ctx.platform.entities.change_distribution(session, actor, ref, data),
        refused,
        "/entities/{uuid}#sharing",
    )

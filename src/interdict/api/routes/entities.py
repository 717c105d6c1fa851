"""FollowTheMoney entities: ``/api/v1/entities``. Every read goes through the visibility filter; an
entity the caller may not see answers exactly like one that does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile

from interdict.api.context import CtxDep
from interdict.domain.errors import BadInputError
from interdict.domain.sharing import Distribution
from interdict.io.downloads import download
from interdict.schemas.common import DistributionChange, Page, comma_list
from interdict.schemas.entities import EntityCreate, EntityImportReport, EntityPublic, EntityUpdate
from interdict.services.entities import EntityDraft, EntityFilters
from interdict.services.sharing import DistributionRequest

router = APIRouter(tags=["entities"])

MAX_IMPORT_BYTES = 64 << 20
NDJSON = "application/x-ndjson"


@router.get("/entities")
def list_entities(
    ctx: CtxDep,
    schema: str | None = Query(None, max_length=40, description="FtM schema, e.g. Person"),
    owner: str | None = Query(None, max_length=32, description="Owner agency code"),
    q: str | None = Query(None, max_length=200, description="Part of the entity's caption"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> Page[EntityPublic]:
    """Entities your agency may see, newest first."""
    with ctx.unit() as (session, actor):
        rows, more = ctx.platform.entities.list(session, actor, EntityFilters(schema, owner, q), limit, offset)
        items = ctx.platform.entities.public_page(session, actor, rows)
        return Page[EntityPublic](items=items, limit=limit, offset=offset, has_more=more)


@router.post("/entities", status_code=201)
def create_entity(body: EntityCreate, ctx: CtxDep) -> EntityPublic:
    """Create an entity of your agency; it is matched against the store at once (alerts inbox)."""
    draft = EntityDraft(
        schema=body.schema_,
        properties=body.properties,
        ftm_id=body.id,
        distribution=DistributionRequest(
            body.distribution.value, body.agencies, body.mechanisms, body.handling_conditions
        ),
        handling_notes=body.handling_notes,
        contains_personal_data=body.contains_personal_data,
        hit_notification=body.hit_notification,
    )
    with ctx.unit() as (session, actor):
        entity = ctx.platform.entities.create(session, actor, draft)
        return ctx.platform.entities.public_page(session, actor, [entity])[0]


@router.post("/entities/imports")
async def import_entities(
    ctx: CtxDep,
    file: UploadFile,
    distribution: Annotated[Distribution, Form()] = Distribution.AGENCY,
    agencies: Annotated[str, Form(max_length=5000, description="Comma-separated agency codes")] = "",
    mechanisms: Annotated[str, Form(max_length=2000, description="Comma-separated mechanism codes")] = "",
    contains_personal_data: Annotated[bool | None, Form()] = None,
    hit_notification: Annotated[bool, Form()] = True,
) -> EntityImportReport:
    """Import FtM JSON lines, all or nothing; a re-import of the same file creates no duplicates."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise BadInputError(
            f"the file is larger than {MAX_IMPORT_BYTES >> 20} MiB; use `interdict entities import`",
            {"file": "too large"},
        )
    with ctx.unit() as (session, actor):
        result = ctx.platform.entities.import_ftm(
            session,
            actor,
            data,
            DistributionRequest(distribution.value, comma_list(agencies), comma_list(mechanisms)),
            filename=file.filename or "upload",
            contains_personal_data=contains_personal_data,
            hit_notification=hit_notification,
        )
    return EntityImportReport(
        sha256=result.sha256,
        entities=result.entities,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        sharing_kept=result.sharing_kept,
        alerts=result.alerts,
    )


@router.get(
    "/entities/export",
    response_class=Response,
    responses={200: {"content": {NDJSON: {"schema": {"type": "string"}}}}},
)
def export_entities(ctx: CtxDep, schema: str | None = Query(None, max_length=40)) -> Response:
    """The entities your agency may see as FtM JSON lines (other agencies' ids prefixed with their
    code; their entities marked no_onward_sharing withheld, counted in ``X-Interdict-Withheld``)."""
    with ctx.unit() as (session, actor):
        lines = ctx.platform.entities.export_ftm(session, actor, schema=schema)
        data = "".join(line + "\n" for line in lines).encode()
    response = download(data, "interdict-entities.ftm.jsonl", NDJSON)
    response.headers["X-Interdict-Exported"] = str(lines.exported)
    response.headers["X-Interdict-Withheld"] = str(lines.withheld)
    return response


@router.get("/entities/{ref}")
def get_entity(ref: str, ctx: CtxDep) -> EntityPublic:
    with ctx.unit() as (session, actor):
        entity = ctx.platform.entities.get(session, actor, ref)
        return ctx.platform.entities.public_page(session, actor, [entity])[0]


@router.patch("/entities/{ref}")
def update_entity(ref: str, body: EntityUpdate, ctx: CtxDep) -> EntityPublic:
    """Replace the properties (owner agency, writer roles); keys are rewritten and the entity re-matched."""
    with ctx.unit() as (session, actor):
        entity = ctx.platform.entities.update(session, actor, ref, body.properties, body.version)
        return ctx.platform.entities.public_page(session, actor, [entity])[0]


@router.put("/entities/{ref}/distribution")
def change_entity_distribution(ref: str, body: DistributionChange, ctx: CtxDep) -> EntityPublic:
    """Owner agency only; audited with the distribution before and after."""
    with ctx.unit() as (session, actor):
        entity = ctx.platform.entities.change_distribution(session, actor, ref, body)
        return ctx.platform.entities.public_page(session, actor, [entity])[0]

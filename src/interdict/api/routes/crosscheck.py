"""Cross-check against everything the caller's agency may see, and the inbox of blind hits on its own."""

from __future__ import annotations

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.domain.matching import RECOMMENDED_THRESHOLD
from interdict.schemas.crosscheck import (
    AlertOut,
    BlindHitOut,
    CandidateOut,
    CrosscheckOut,
    CrosscheckQuery,
    ListHitOut,
    NotificationOut,
)
from interdict.services.entity_alerts import alerts_for
from interdict.services.entity_crosscheck import notifications_for
from interdict.services.entity_rules import query_subject

router = APIRouter(tags=["cross-check"])


@router.post("/crosscheck")
def crosscheck(body: CrosscheckQuery, ctx: CtxDep) -> CrosscheckOut:
    """Scored candidates from the records your agency may see, each with what matched. A match among
    records you may not see, whose owner allows it, answers only "a record at agency X matches —
    request it", and that agency is told who asked."""
    with ctx.unit() as (session, actor):
        query = query_subject(
            names=body.names,
            birth_date=body.birth_date,
            nationalities=body.nationalities,
            identifiers=[(i.kind, i.value) for i in body.identifiers],
            country=body.country,
            schema=body.schema_,
        )
        threshold = RECOMMENDED_THRESHOLD if body.threshold is None else body.threshold
        result = ctx.platform.entities.crosscheck(session, actor, query, body.limit, threshold=threshold)
        return CrosscheckOut(
            candidates=[
                CandidateOut.model_validate(
                    {"ref": c.ref, "caption": c.caption, "schema": c.schema, "owner_agency": c.owner_agency,
                     "score": c.score, "explanation": c.explanation}
                )
                for c in result.candidates
            ],
            blind_hits=[BlindHitOut(agency_code=h.agency_code, message=h.message) for h in result.blind_hits],
            notes=result.notes,
            list_hits=[ListHitOut(**h.__dict__) for h in result.list_hits],
        )


@router.get("/crosscheck/notifications")
def notifications(
    ctx: CtxDep, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
) -> list[NotificationOut]:
    """Your agency's records that matched other agencies' cross-checks, newest first."""
    with ctx.unit() as (session, actor):
        return [NotificationOut(**n) for n in notifications_for(session, actor, limit, offset)]


@router.get("/crosscheck/alerts")
def alerts(
    ctx: CtxDep, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
) -> list[AlertOut]:
    """Automatic cross-matching: your agency's entities that matched others when either was written,
    newest first. The other entity is named only while your agency may see it."""
    with ctx.unit() as (session, actor):
        return [AlertOut(**a.__dict__) for a in alerts_for(session, actor, limit, offset)]

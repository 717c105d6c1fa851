from __future__ import annotations

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.domain.roles import Permission
from interdict.schemas.structure import (
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    AgreementCreate,
    AgreementPublic,
    MechanismCreate,
    MechanismPublic,
    MemberPublic,
    MembershipChange,
)
from interdict.services.context import Actor
from interdict.services.structure import country_name, get_agency
from interdict.store.structure import Agency, Agreement, Mechanism

router = APIRouter(tags=["structure"])


def agency_public(a: Agency) -> AgencyPublic:
    return AgencyPublic(
        code=a.code,
        name_en=a.name_en,
        name_local=a.name_local,
        local_language=a.local_language,
        country=a.country,
        country_name=country_name(a.country),
        organisation=a.organisation,
        kind=a.kind,
        mfa_required=a.mfa_required,
        active=a.active,
    )


def mechanism_public(m: Mechanism, actor: Actor) -> MechanismPublic:
    # Visible mechanisms only reach here; their rosters are shown to members and platform admins alone.
    members = [
        MemberPublic(
            agency=x.agency.code, agency_name=x.agency.name_en, role=x.role, joined=x.joined, left=x.left
        )
        for x in m.members
    ]
    if not actor.can(Permission.MANAGE_STRUCTURE):
        members = [x for x in members if x.left is None or x.left > actor.today]
    return MechanismPublic(
        code=m.code,
        name_en=m.name_en,
        name_local=m.name_local,
        kind=m.kind,
        description=m.description,
        established=m.established,
        members=members,
    )


def agreement_public(a: Agreement) -> AgreementPublic:
    agencies = [x.code for x in (a.agency_a, a.agency_b) if x is not None]
    return AgreementPublic(
        uuid=a.uuid,
        title=a.title,
        kind=a.kind,
        agencies=agencies,
        mechanism=a.mechanism.code if a.mechanism else None,
        categories=a.categories,
        allows_personal_data=a.allows_personal_data,
        valid_from=a.valid_from,
        valid_to=a.valid_to,
        reference=a.reference,
        created_at=a.created_at,
    )


@router.get("/agencies")
def list_agencies(
    ctx: CtxDep,
    country: str | None = Query(None, max_length=2),
    kind: str | None = Query(None, max_length=32),
) -> list[AgencyPublic]:
    with ctx.unit() as (session, _):
        return [agency_public(a) for a in ctx.platform.structure.list_agencies(session, country, kind)]


@router.post("/agencies", status_code=201)
def create_agency(body: AgencyCreate, ctx: CtxDep) -> AgencyPublic:
    with ctx.unit() as (session, actor):
        return agency_public(ctx.platform.structure.create_agency(session, actor, body))


@router.get("/agencies/{code}")
def get_agency_route(code: str, ctx: CtxDep) -> AgencyPublic:
    with ctx.unit() as (session, _):
        return agency_public(get_agency(session, code))


@router.patch("/agencies/{code}")
def update_agency(code: str, body: AgencyUpdate, ctx: CtxDep) -> AgencyPublic:
    with ctx.unit() as (session, actor):
        return agency_public(ctx.platform.structure.update_agency(session, actor, code, body))


@router.get("/mechanisms")
def list_mechanisms(ctx: CtxDep) -> list[MechanismPublic]:
    """Mechanisms your agency is a current member of (all of them for platform admins)."""
    with ctx.unit() as (session, actor):
        return [mechanism_public(m, actor) for m in ctx.platform.structure.visible_mechanisms(session, actor)]


@router.post("/mechanisms", status_code=201)
def create_mechanism(body: MechanismCreate, ctx: CtxDep) -> MechanismPublic:
    with ctx.unit() as (session, actor):
        return mechanism_public(ctx.platform.structure.create_mechanism(session, actor, body), actor)


@router.get("/mechanisms/{code}")
def get_mechanism(code: str, ctx: CtxDep) -> MechanismPublic:
    with ctx.unit() as (session, actor):
        return mechanism_public(ctx.platform.structure.get_mechanism(session, actor, code), actor)


@router.post("/mechanisms/{code}/members", status_code=201)
def join_mechanism(code: str, body: MembershipChange, ctx: CtxDep) -> MechanismPublic:
    with ctx.unit() as (session, actor):
        ctx.platform.structure.join(session, actor, code, body)
        return mechanism_public(ctx.platform.structure.get_mechanism(session, actor, code), actor)


@router.post("/mechanisms/{code}/members/leave")
def leave_mechanism(code: str, body: MembershipChange, ctx: CtxDep) -> MechanismPublic:
    """End a membership. Records distributed to the mechanism stop being visible to that agency from
    that date, on its very next request."""
    with ctx.unit() as (session, actor):
        ctx.platform.structure.leave(session, actor, code, body)
        return mechanism_public(ctx.platform.structure.get_mechanism(session, actor, code), actor)


@router.get("/agreements")
def list_agreements(ctx: CtxDep) -> list[AgreementPublic]:
    with ctx.unit() as (session, actor):
        return [agreement_public(a) for a in ctx.platform.structure.visible_agreements(session, actor)]


@router.post("/agreements", status_code=201)
def create_agreement(body: AgreementCreate, ctx: CtxDep) -> AgreementPublic:
    with ctx.unit() as (session, actor):
        return agreement_public(ctx.platform.structure.create_agreement(session, actor, body))

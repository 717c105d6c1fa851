"""Agencies, the mechanisms the user's agency belongs to, their members and agreements.

The same presentation as the JSON API (``interdict.api.routes.structure``), so both faces show the
same roster: current members to members, the full history to platform admins. A mechanism the user
may not see answers exactly like a missing one (roster confidentiality).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from interdict.api.routes.structure import agency_public, agreement_public, mechanism_public
from interdict.domain.roles import Permission
from interdict.services.structure import current_members
from interdict.web.context import WebDep, page

router = APIRouter(include_in_schema=False)


@router.get("/structure")
@page
def structure(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.structure
        agencies = [agency_public(a) for a in service.list_agencies(session)]
        visible = service.visible_mechanisms(session, actor)
        mechanisms = [mechanism_public(m, actor) for m in visible]
        counts = {m.code: len(current_members(m, actor.today)) for m in visible}
        bilateral = [
            agreement_public(a) for a in service.visible_agreements(session, actor) if a.kind == "bilateral"
        ]
        return ctx.page(
            "structure/index.html",
            agencies=agencies,
            mechanisms=mechanisms,
            counts=counts,
            bilateral=bilateral,
            all_mechanisms=actor.can(Permission.MANAGE_STRUCTURE),
        )


@router.get("/structure/mechanisms/{code}")
@page
def mechanism(ctx: WebDep, code: str) -> Response:
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.structure
        mech = service.get_mechanism(session, actor, code[:32])
        agreements = [
            agreement_public(a)
            for a in service.visible_agreements(session, actor)
            if a.mechanism_id == mech.id
        ]
        names = {a.code: a for a in service.list_agencies(session)}
        return ctx.page(
            "structure/mechanism.html",
            mechanism=mechanism_public(mech, actor),
            agreements=agreements,
            agencies=names,
        )

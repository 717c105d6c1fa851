"""The dashboard: the user's agency, its mechanisms, recent records shared with it, recent audit events."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from interdict.domain.roles import Permission
from interdict.schemas.audit import AuditEntry
from interdict.services.auditlog import AuditFilters, search
from interdict.services.intel import IntelFilters
from interdict.services.structure import current_members
from interdict.store.structure import Agency
from interdict.web.context import WebDep, page

router = APIRouter(include_in_schema=False)


@router.get("/")
@page
def dashboard(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        agency = session.get(Agency, actor.agency_id)
        mine = [
            m
            for m in ctx.platform.structure.visible_mechanisms(session, actor)
            if any(x.agency_id == actor.agency_id for x in current_members(m, actor.today))
        ]
        rows, _, _ = ctx.platform.intel.list(session, actor, IntelFilters(), limit=10, offset=0)
        recent = ctx.platform.intel.public_page(session, actor, rows)
        events: list[AuditEntry] = []
        if actor.can(Permission.READ_AUDIT):
            events, _ = search(session, actor, AuditFilters(), limit=10, offset=0)
        return ctx.page("dashboard.html", agency=agency, mechanisms=mine, recent=recent, events=events)

"""Searching the audit log: a plain GET form (works without JavaScript), the table, pagination.

``services.auditlog.search`` scopes the log to the user's agency and redacts, as for the JSON API;
users without the audit permission get the 403 page.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from interdict.domain.errors import ForbiddenError
from interdict.domain.roles import Permission
from interdict.schemas.audit import AuditEntry
from interdict.services.auditlog import AuditFilters, search
from interdict.web.context import WebDep, page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_OFFSET = 1_000_000
OUTCOMES = ("ok", "denied")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.get("/audit")
@page
def audit(
    ctx: WebDep,
    action: str = "",
    user: str = "",
    agency: str = "",
    record: str = "",
    outcome: str = "",
    ts_from: str = Query("", alias="from"),
    ts_to: str = Query("", alias="to"),
    offset: str = "0",
) -> Response:
    values = {
        "action": action.strip()[:64],
        "user": user.strip()[:64],
        "agency": agency.strip()[:32],
        "record": record.strip()[:36],
        "outcome": outcome if outcome in OUTCOMES else "",
        "from": ts_from.strip()[:10],
        "to": ts_to.strip()[:10],
    }
    start = int(offset) if offset.isdigit() and len(offset) <= 7 else 0
    start = min(start, MAX_OFFSET)
    errors: dict[str, str] = {}
    day_from = _day(values["from"]) if values["from"] else None
    day_to = _day(values["to"]) if values["to"] else None
    if values["from"] and day_from is None:
        errors["from"] = "date"
    if values["to"] and day_to is None:
        errors["to"] = "date"
    with ctx.page_unit() as (session, actor):
        if not actor.can(Permission.READ_AUDIT):
            raise ForbiddenError("the audit log is open to supervisors and admins")
        events: list[AuditEntry] = []
        more = False
        if not errors:
            filters = AuditFilters(
                action=values["action"] or None,
                actor=values["user"] or None,
                agency=values["agency"] or None,
                object_uuid=values["record"] or None,
                outcome=values["outcome"] or None,
                ts_from=day_from.isoformat() if day_from else None,
                # "to" is a whole day, inclusive: everything before the next midnight.
                ts_to=(day_to + timedelta(days=1)).isoformat() if day_to else None,
            )
            events, more = search(session, actor, filters, PAGE_SIZE, start)
        query = {k: v for k, v in values.items() if v}
        prev_url = next_url = None
        if start > 0:
            prev_url = "/audit?" + urlencode({**query, "offset": max(0, start - PAGE_SIZE)})
        if more:
            next_url = "/audit?" + urlencode({**query, "offset": start + PAGE_SIZE})
        return ctx.page(
            "audit/search.html",
            status=422 if errors else 200,
            values=values,
            errors=errors,
            events=events,
            offset=start,
            prev_url=prev_url,
            next_url=next_url,
        )

"""Precursor incidents as pages: the list with its filters and statistics table, the report form, and one
incident with its lines, its linked seizure and notification (where the viewer may see them) and its
sharing panel. The same service as ``interdict.api.routes.precursor_incidents``: the pages only parse
forms and render; an incident the user may not see answers with the same 404 page as a missing one."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.precursor_incidents import (
    Equipment,
    IncidentKind,
    Method,
    StatsKey,
    parse_chemical_text,
    parse_equipment_text,
)
from interdict.domain.roles import Permission
from interdict.schemas.precursor_incidents import PrecursorIncidentCreate
from interdict.services.context import Actor
from interdict.services.precursor_incidents import IncidentFilters
from interdict.services.sharing import audience
from interdict.store.precursor_incidents import PrecursorIncident
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import (
    N_,
    bounded,
    choices,
    distribution_form,
    ensure_writer,
    field_errors,
    page_url,
    post_distribution,
    posted,
    sharing_values,
    split_list,
)
from interdict.web.seizure_pages import gettext_of, show

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
BASE = "/precursors/incidents"
FILTERS = ("kind", "country", "substance", "date_from", "date_to")
TEXT_FIELDS = (
    "kind",
    "occurred_on",
    "country",
    "place",
    "summary",
    "narrative",
    "chemicals",
    "equipment",
    "origin_country",
    "transit_countries",
    "destination_country",
    "reference",
    "notification",
    "handling_notes",
)
LINE_FIELDS = ("chemicals", "equipment")


def vocabularies() -> dict[str, Any]:
    return {
        "kinds": [k.value for k in IncidentKind],
        "methods": [m.value for m in Method],
        "equipment_codes": [e.value for e in Equipment],
        "stats_keys": [k.value for k in StatsKey],
    }


def _date(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = N_("Use the form YYYY-MM-DD.")
        return None


# -- list and statistics -----------------------------------------------------------------------------------
@router.get(BASE)
@page
def list_page(
    ctx: WebDep,
    kind: str = "",
    country: str = "",
    substance: str = "",
    date_from: str = "",
    date_to: str = "",
    by: str = "kind",
    offset: str = "0",
) -> Response:
    values = {
        "kind": kind,
        "country": country[:2],
        "substance": substance[:200],
        "date_from": date_from,
        "date_to": date_to,
    }
    by = by if by in StatsKey.__members__.values() else "kind"
    errors: dict[str, str] = {}
    start_on, end_on = _date(date_from, "date_from", errors), _date(date_to, "date_to", errors)
    if kind and kind not in IncidentKind.__members__.values():
        errors["kind"] = N_("Choose a kind from the list.")
    start = bounded(offset, 0, 0, 1_000_000)
    kept = {k: v for k, v in {**values, "by": by}.items() if v}
    with ctx.page_unit() as (session, actor):
        svc = ctx.platform.precursor_incidents
        items: list[Any] = []
        stats = None
        more = False
        if not errors:
            f = IncidentFilters(
                kind or None, values["country"] or None, values["substance"] or None, start_on, end_on
            )
            rows, more = svc.list(session, actor, f, PAGE_SIZE, start)
            items = svc.public_page(session, actor, rows)
            try:
                stats = svc.stats(session, actor, by, start_on, end_on)
            except BadInputError as exc:
                errors.update(field_errors(exc))
        return show(
            ctx,
            "precursor_incidents/list.html",
            status=422 if errors else 200,
            items=items,
            stats=stats,
            by=by,
            values=values,
            errors=errors,
            offset=start,
            can_write=actor.can(Permission.WRITE_RECORDS),
            prev_url=page_url(BASE, kept, max(start - PAGE_SIZE, 0)) if start > 0 else None,
            next_url=page_url(BASE, kept, start + PAGE_SIZE) if more else None,
            **vocabularies(),
        )


# -- the report form ---------------------------------------------------------------------------------------
def empty_incident() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(
        kind=IncidentKind.PRECURSOR_SEIZURE.value,
        methods=[],
        distribution="agency",
        agencies=[],
        mechanisms=[],
        handling_conditions=[],
        contains_personal_data=False,
        hit_notification=True,
    )
    return values


def incident_payload(values: dict[str, Any]) -> dict[str, Any]:
    """The API's body from the form; a line that is not 'name; quantity; unit' raises BadInputError."""
    chemicals = [parse_chemical_text(t, n) for n, t in enumerate(_lines(values["chemicals"]), start=1)]
    machines = [parse_equipment_text(t, n) for n, t in enumerate(_lines(values["equipment"]), start=1)]
    payload = {k: v for k, v in values.items() if k not in LINE_FIELDS}
    payload.update(
        occurred_on=values["occurred_on"] or None,
        transit_countries=split_list(values["transit_countries"]),
        chemicals=[{"substance": c.substance, "quantity": c.quantity, "unit": c.unit} for c in chemicals],
        equipment=[{"equipment": e.equipment, "count": e.count, "unit": e.unit} for e in machines],
    )
    return payload


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def fold_line_errors(errors: dict[str, str]) -> dict[str, str]:
    """Problems of single lines (``chemicals[1].unit``) shown together under their text area."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        group = next((g for g in LINE_FIELDS if key.startswith(g)), "chemicals" if key == "lines" else key)
        out[group] = f"{out[group]} {message}" if group in out else message
    return out


def _new_page(ctx: WebContext, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    with ctx.page_unit() as (session, actor):
        ensure_writer(actor)
        return show(
            ctx,
            "precursor_incidents/new.html",
            status=status,
            values=values,
            errors=errors,
            **vocabularies(),
            **choices(session, actor),
        )


@router.get(f"{BASE}/new")
@page
def new_form(ctx: WebDep) -> Response:
    return _new_page(ctx, empty_incident(), {})


@router.post(f"{BASE}/new")
@page
async def create(ctx: WebDep) -> Response:
    form, raw = await posted(ctx)
    values: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    values.update(sharing_values(form, raw))
    values["methods"] = [str(v) for v in raw.getlist("methods")]
    values["contains_personal_data"] = bool(form.get("contains_personal_data"))
    values["hit_notification"] = bool(form.get("hit_notification"))
    try:
        data = PrecursorIncidentCreate.model_validate(incident_payload(values))
        with ctx.page_unit() as (session, actor):
            created = ctx.platform.precursor_incidents.create(session, actor, data).uuid
    except (ValidationError, BadInputError, ConflictError) as exc:
        return _new_page(ctx, values, fold_line_errors(field_errors(exc, nested=True)), 422)
    ctx.flash("ok", gettext_of(ctx)(N_("Precursor incident recorded.")))
    return ctx.redirect(f"{BASE}/{created}")


# -- one incident ------------------------------------------------------------------------------------------
def read_context(ctx: WebContext, session: Session, actor: Actor, ref: str, **extra: Any) -> dict[str, Any]:
    svc = ctx.platform.precursor_incidents
    incident = svc.get(session, actor, ref)
    public = svc.public_page(session, actor, [incident])[0]
    is_owner = incident.owner_agency_id == actor.agency_id
    context: dict[str, Any] = {
        "incident": public,
        "is_owner": is_owner,
        "can_write": actor.can(Permission.WRITE_RECORDS),
        "audience": audience(session, PrecursorIncident, incident.uuid, actor.today) if is_owner else [],
        "dist_values": distribution_form(public.sharing),
        "dist_errors": {},
        **choices(session, actor),
    }
    context.update(extra)
    return context


@router.get(BASE + "/{ref}")
@page
def read(ctx: WebDep, ref: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return show(ctx, "precursor_incidents/read.html", **read_context(ctx, session, actor, ref))


@router.post(BASE + "/{ref}/distribution")
@page
async def change_distribution(ctx: WebDep, ref: str) -> Response:
    def refused(values: dict[str, Any], errors: dict[str, str]) -> Response:
        with ctx.page_unit() as (session, actor):
            context = read_context(ctx, session, actor, ref, dist_values=values, dist_errors=errors)
            return show(ctx, "precursor_incidents/read.html", status=422, **context)

    return await post_distribution(
        ctx,
        lambda session, actor, data: ctx.platform.precursor_incidents.change_distribution(
            session, actor, ref, data
        ),
        refused,
        BASE + "/{uuid}#sharing",
    )

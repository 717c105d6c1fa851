"""Pre-export notifications as pages: the authority's inbox (awaiting answer, overdue ones first and
highlighted; information requested; its outbox; notifications naming it as a transit authority), the form
to notify an export, and a notification's page (its facts and route, the flags raised for the viewer's
authority with their reasons, the log, the importing authority's answer form, the exporting authority's
forms, and the sharing panel). The same service as ``interdict.api.routes.precursors``: the pages only
parse forms and render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from interdict.domain.diversion import RULES as DIVERSION_RULES
from interdict.domain.errors import BadInputError, ConflictError, NotFoundError
from interdict.domain.pen import DEFAULT_DEADLINE_DAYS
from interdict.domain.roles import Permission
from interdict.domain.substances import SubstanceCategory, catalogue
from interdict.schemas.common import comma_list
from interdict.schemas.pen import (
    AnswerIn,
    ArrivalIn,
    InformationIn,
    PenCreate,
    PenSharingIn,
    ShipmentIn,
    WithdrawalIn,
)
from interdict.services.pen_authorities import authorities_of
from interdict.services.sharing import audience
from interdict.store.pen import PreExportNotification
from interdict.store.structure import Agency
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import bounded, choices, distribution_form, field_errors, posted, sharing_values

router = APIRouter(include_in_schema=False)

BOX_SIZE = 50
LEGS = 4
ACTIONS = ("answer", "information", "shipment", "arrival", "withdrawal", "distribution")
TEXT_FIELDS = (
    "importing_country",
    "exporter",
    "exporter_address",
    "importer",
    "importer_address",
    "consignee",
    "consignee_address",
    "order_reference",
    "substance",
    "quantity",
    "unit",
    "transport_mode",
    "ship_date",
    "purpose",
    "deadline_days",
    "transit_countries",
)
TRANSPORT_MODES = ("", "sea", "air", "road", "rail", "post", "multimodal")
UNITS = ("kg", "g", "t", "l", "ml", "lb")


@router.get("/precursors")
@page
def inbox(ctx: WebDep) -> Response:
    with ctx.page_unit() as (session, actor):
        pen = ctx.platform.pen

        def box(name: str, state: str | None = None) -> list[Any]:
            rows, _ = pen.list_for(session, actor, name, state, None, BOX_SIZE, 0)
            return pen.summaries(session, actor, rows)

        agency = session.get(Agency, actor.agency_id) if actor.agency_id is not None else None
        country = agency.country if agency else None
        found = authorities_of(session, [country]) if country else {}
        designated = bool(country and country in found and found[country].agency_id == actor.agency_id)
        return ctx.page(
            "precursors/inbox.html",
            awaiting=box("inbox", "awaiting_answer"),
            asked=box("inbox", "info_requested"),
            outbox=box("outbox"),
            transit=box("transit"),
            designated=designated,
            may_notify=designated and actor.can(Permission.WRITE_RECORDS),
        )


def _precursors() -> list[Any]:
    return sorted(catalogue().by_category(SubstanceCategory.PRECURSOR), key=lambda s: s.name.casefold())


def _new_page(ctx: WebContext, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    with ctx.page_unit() as (session, actor):
        from interdict.services.pen_authorities import list_authorities

        return ctx.page(
            "precursors/new.html",
            status=status,
            values=values,
            errors=errors,
            substances=_precursors(),
            units=UNITS,
            modes=TRANSPORT_MODES,
            authorities=[a for a in list_authorities(session) if a.agency != actor.agency_code],
            legs=range(LEGS),
        )


@router.get("/precursors/notifications/new")
@page
def notification_new(ctx: WebDep) -> Response:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update(deadline_days=str(DEFAULT_DEADLINE_DAYS), unit="kg", legs=[{} for _ in range(LEGS)])
    return _new_page(ctx, values, {})


def _legs(form: dict[str, str]) -> list[dict[str, Any]]:
    legs = []
    for i in range(LEGS):
        leg = {
            "country": form.get(f"leg-{i}-country", ""),
            "place": form.get(f"leg-{i}-place", ""),
            "mode": form.get(f"leg-{i}-mode", ""),
            "free_trade_zone": bool(form.get(f"leg-{i}-ftz")),
        }
        legs.append(leg)
    return legs


@router.post("/precursors/notifications/new")
@page
async def notification_create(ctx: WebDep) -> Response:
    form, _ = await posted(ctx)
    values: dict[str, Any] = {f: form.get(f, "") for f in TEXT_FIELDS}
    values["legs"] = _legs(form)
    values["contains_personal_data"] = bool(form.get("contains_personal_data"))
    values["confirm_duplicate"] = bool(form.get("confirm_duplicate"))
    try:
        data = PenCreate.model_validate(
            {
                **{k: v for k, v in values.items() if k not in ("legs", "transit_countries")},
                "quantity": values["quantity"] or "0",
                "deadline_days": bounded(values["deadline_days"], -1, -1, 10_000),
                "route": [leg for leg in values["legs"] if leg["country"].strip()],
                "transit_countries": comma_list(values["transit_countries"]),
            }
        )
        with ctx.page_unit() as (session, actor):
            ref = ctx.platform.pen.create(session, actor, data).reference
    except (ValidationError, BadInputError) as exc:
        return _new_page(ctx, values, field_errors(exc), 422)
    except ConflictError as exc:  # a duplicate: say which, and offer to confirm
        return _new_page(ctx, values, {"confirm_duplicate": exc.detail}, 409)
    return ctx.redirect(f"/precursors/notifications/{ref}")


def _read_page(
    ctx: WebContext,
    ref: str,
    status: int = 200,
    failed: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.page_unit() as (session, actor):
        pen = ctx.platform.pen
        n, rows = pen.events(session, actor, ref)
        out = pen.public(session, actor, n)
        owner = out.role == "exporter"
        dist_values = values if failed == "distribution" and values else distribution_form(out.sharing)
        offered = choices(session, actor)
        return ctx.page(
            "precursors/read.html",
            status=status,
            n=out,
            rule_labels={code: rule.label for code, rule in DIVERSION_RULES.items()},
            events=pen.event_views(session, rows),
            audience=audience(session, PreExportNotification, n.uuid, actor.today) if owner else [],
            is_owner=owner,
            dist_values=dist_values,
            dist_errors=errors if failed == "distribution" else {},
            distributions=offered["distributions"] if owner else ["agencies"],
            conditions=offered["conditions"],
            agency_choices=offered["agency_choices"],
            mechanism_choices=offered["mechanism_choices"] if owner else [],
            failed=failed,
            values=values or {},
            errors=errors or {},
        )


@router.get("/precursors/notifications/{ref}")
@page
def notification_read(ctx: WebDep, ref: str) -> Response:
    return _read_page(ctx, ref)


@router.post("/precursors/notifications/{ref}/{action}")
@page
async def notification_act(ctx: WebDep, ref: str, action: str) -> Response:
    if action not in ACTIONS:
        raise NotFoundError(f"no action {action!r} on pre-export notifications")
    form, raw = await posted(ctx)
    values: dict[str, Any] = {
        k: form.get(k, "")
        for k in ("answer", "reason", "information", "shipped", "shipped_on", "arrived_on", "note", "version")
    }
    version = bounded(values["version"], 0, 0, 2**31)
    try:
        with ctx.page_unit() as (session, actor):
            pen = ctx.platform.pen
            if action == "answer":
                data: Any = AnswerIn.model_validate(
                    {"version": version, "answer": values["answer"], "reason": values["reason"]}
                )
                pen.answer(session, actor, ref, data)
            elif action == "information":
                pen.provide_information(
                    session,
                    actor,
                    ref,
                    InformationIn.model_validate({"version": version, "information": values["information"]}),
                )
            elif action == "shipment":
                shipped = values["shipped"] != "no"
                pen.record_shipment(
                    session,
                    actor,
                    ref,
                    ShipmentIn.model_validate(
                        {
                            "version": version,
                            "shipped": shipped,
                            "note": values["note"],
                            "shipped_on": (values["shipped_on"] or None) if shipped else None,
                        }
                    ),
                )
            elif action == "arrival":
                pen.record_arrival(
                    session,
                    actor,
                    ref,
                    ArrivalIn.model_validate(
                        {"version": version, "arrived_on": values["arrived_on"], "note": values["note"]}
                    ),
                )
            elif action == "withdrawal":
                pen.withdraw(session, actor, ref, WithdrawalIn(version=version, reason=values["reason"]))
            else:
                values = {**sharing_values(form, raw), "reason": form.get("reason", "")}
                data = PenSharingIn.model_validate({**values, "version": version})
                pen.change_distribution(session, actor, ref, data)
    except (ValidationError, BadInputError) as exc:
        errors = field_errors(exc)
        if isinstance(exc, BadInputError):
            errors.setdefault("form", exc.detail)
        return _read_page(ctx, ref, 422, failed=action, values=values, errors=errors)
    if action == "distribution":
        ctx.flash("ok", "distribution_changed")
    return ctx.redirect(f"/precursors/notifications/{ref}")

"""Diversion rules and annual legitimate requirements, as pages: the agency's rules (on or off, their
parameters and what each flags, with a form for supervisors and agency administrators) and the table of
requirements with its filters (with a form for the country's competent authority). The same service as
``interdict.api.routes.precursor_rules``: the pages only parse forms and render."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from interdict.domain.diversion import RULES
from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.substances import SubstanceCategory, catalogue
from interdict.schemas.diversion import RequirementIn, RuleSettingIn
from interdict.web.context import WebContext, WebDep, page
from interdict.web.forms import bounded, field_errors, posted

router = APIRouter(include_in_schema=False)

REQUIREMENT_FIELDS = ("country", "substance", "year", "quantity", "unit", "source", "note")


def _rules_page(ctx: WebContext, failed: str = "", values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, saved: str = "", status: int = 200) -> Response:
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.diversion
        return ctx.page("precursor_rules/rules.html", status=status, rules=service.settings(session, actor),
                        may_edit=service.may_edit_rules(actor), failed=failed, values=values or {},
                        errors=errors or {}, saved=saved if saved in RULES else "")


@router.get("/precursors/rules")
@page
def rules_page(ctx: WebDep, saved: str = "") -> Response:
    return _rules_page(ctx, saved=saved)


@router.post("/precursors/rules/{rule}")
@page
async def rule_set(ctx: WebDep, rule: str) -> Response:
    form, _raw = await posted(ctx)
    known = RULES.get(rule)
    params = {p.name: form.get(f"param_{p.name}", "") for p in known.params} if known else {}
    try:
        data = RuleSettingIn(enabled=form.get("enabled") == "on", params=params)
        with ctx.page_unit() as (session, actor):
            ctx.platform.diversion.set_rule(session, actor, rule, data)
    except (ValidationError, BadInputError, ForbiddenError) as exc:
        status = 403 if isinstance(exc, ForbiddenError) else 422
        errors = {"form": exc.detail} if isinstance(exc, ForbiddenError) else field_errors(exc)
        return _rules_page(ctx, rule, params, errors, status=status)
    return ctx.redirect(f"/precursors/rules?saved={rule}#rule-{rule}")


def _precursors() -> list[tuple[str, str]]:
    return sorted(((s.code, s.name) for s in catalogue().by_category(SubstanceCategory.PRECURSOR)),
                  key=lambda item: item[1].lower())


def _requirements_page(ctx: WebContext, country: str = "", substance: str = "", year: str = "",
                       offset: str = "0", values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None, saved: bool = False, status: int = 200) -> Response:
    start = bounded(offset, 0, 0, 1_000_000)
    chosen_year = bounded(year, 0, 0, 2200) or None
    with ctx.page_unit() as (session, actor):
        service = ctx.platform.diversion
        filter_errors: dict[str, str] = {}
        try:
            rows, more = service.requirements(session, actor, country or None, substance or None, chosen_year,
                                              100, start)
        except BadInputError as exc:
            rows, more, filter_errors = [], False, field_errors(exc)
        maintained = service.maintained_countries(session, actor)
        return ctx.page(
            "precursor_rules/requirements.html", status=status, items=rows, more=more, start=start,
            filters={"country": country, "substance": substance, "year": year}, filter_errors=filter_errors,
            may_write=maintained is None or bool(maintained), countries=maintained,
            precursors=_precursors(), values=values or {"country": (maintained or [""])[0]}, errors=errors or {},
            saved=saved,
        )


@router.get("/precursors/requirements")
@page
def requirements_page(ctx: WebDep, country: str = "", substance: str = "", year: str = "", offset: str = "0",
                      saved: str = "") -> Response:
    return _requirements_page(ctx, country[:2], substance[:200], year[:4], offset, saved=saved == "1")


@router.post("/precursors/requirements")
@page
async def requirement_set(ctx: WebDep) -> Response:
    form, _raw = await posted(ctx)
    values = {f: form.get(f, "") for f in REQUIREMENT_FIELDS}
    try:
        data = RequirementIn.model_validate(values)
        with ctx.page_unit() as (session, actor):
            out = ctx.platform.diversion.set_requirement(session, actor, data)
    except (ValidationError, BadInputError, ForbiddenError) as exc:
        status = 403 if isinstance(exc, ForbiddenError) else 422
        errors = {"form": exc.detail} if isinstance(exc, ForbiddenError) else field_errors(exc)
        return _requirements_page(ctx, values=values, errors=errors, status=status)
    return ctx.redirect(f"/precursors/requirements?country={out.country}&saved=1")

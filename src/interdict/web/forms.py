"""Form handling shared by the intelligence-report and onward-sharing pages: field lists, parsing posted
forms into the schemas' shapes, field-level error messages, the choices a form offers."""

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from interdict.domain.errors import BadInputError, InterdictError
from interdict.domain.intel import INFO_ACCURACY, IntelCategory, SourceReliability
from interdict.domain.sharing import Distribution, HandlingCondition
from interdict.schemas.common import DistributionChange, SharingOut
from interdict.services.context import Actor
from interdict.services.records import require_writer
from interdict.services.sharing import viewer
from interdict.store.structure import Agency, Mechanism
from interdict.web.context import WebContext

PAGE_SIZE = 25
CATEGORIES = [c.value for c in IntelCategory]
RELIABILITIES = [r.value for r in SourceReliability]
ACCURACIES = [str(a) for a in INFO_ACCURACY]
DISTRIBUTIONS = [d.value for d in Distribution]
CONDITIONS = [c.value for c in HandlingCondition]
CONTENT_FIELDS = ("title", "body", "category", "source_reliability", "info_accuracy")
LIST_FIELDS = ("tags", "countries", "substances")
SHARING_FIELDS = (
    "distribution",
    "agencies",
    "mechanisms",
    "handling_conditions",
    "handling_notes",
    "contains_personal_data",
    "hit_notification",
)


# -- form helpers ----------------------------------------------------------------------------------------
def N_(message: str) -> str:
    """Marks a message for extraction (babel.cfg); the templates translate it when they show it."""
    return message


def split_list(text: str) -> list[str]:
    """Comma-, semicolon- or line-separated items, blanks dropped."""
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


def field_key(loc: Sequence[int | str]) -> str:
    """A pydantic error location as the services name fields: ``("items", 0, "unit")`` -> ``items[0].unit``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "form"


def field_errors(exc: ValidationError | InterdictError, nested: bool = False) -> dict[str, str]:
    """``{field: message}`` from a pydantic error or a service's error. ``nested``: keyed by the whole
    location (``items[0].unit``), for forms with lines; otherwise by the top-level field."""
    if isinstance(exc, InterdictError):
        return dict(exc.errors) or {"form": exc.detail}
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("form",)
        out.setdefault(field_key(loc) if nested else str(loc[0]), str(err.get("msg", "invalid")))
    return out


async def posted(ctx: WebContext) -> tuple[dict[str, str], FormData]:
    """The CSRF-checked form as single values, and the raw form for multi-selects and files."""
    form = await ctx.form()
    return form, await ctx.request.form()


def content_values(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "") for name in (*CONTENT_FIELDS, *LIST_FIELDS)}


def content_payload(values: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = {name: values[name] for name in CONTENT_FIELDS}
    payload.update({name: split_list(values[name]) for name in LIST_FIELDS})
    return payload


def sharing_values(form: dict[str, str], raw: FormData, prefix: str = "") -> dict[str, Any]:
    return {
        "distribution": form.get(prefix + "distribution", ""),
        "agencies": [str(v) for v in raw.getlist(prefix + "agencies")],
        "mechanisms": [str(v) for v in raw.getlist(prefix + "mechanisms")],
        "handling_conditions": [str(v) for v in raw.getlist(prefix + "handling_conditions")],
    }


def distribution_form(sharing: SharingOut) -> dict[str, Any]:
    """The owner's distribution-change form, filled with the record's sharing now."""
    return {
        "distribution": sharing.distribution.value,
        "agencies": sharing.agencies,
        "mechanisms": sharing.mechanisms,
        "handling_conditions": sharing.handling_conditions,
        "reason": "",
    }


def new_values(form: dict[str, str], raw: FormData) -> dict[str, Any]:
    values: dict[str, Any] = content_values(form)
    values.update(sharing_values(form, raw))
    values["handling_notes"] = form.get("handling_notes", "")
    values["contains_personal_data"] = bool(form.get("contains_personal_data"))
    values["hit_notification"] = bool(form.get("hit_notification"))
    return values


def empty_report() -> dict[str, Any]:
    return {
        "title": "",
        "body": "",
        "category": IntelCategory.OTHER.value,
        "source_reliability": SourceReliability.X.value,
        "info_accuracy": "4",
        "tags": "",
        "countries": "",
        "substances": "",
        "distribution": Distribution.AGENCY.value,
        "agencies": [],
        "mechanisms": [],
        "handling_conditions": [],
        "handling_notes": "",
        "contains_personal_data": False,
        "hit_notification": True,
    }


def choices(session: Session, actor: Actor) -> dict[str, Any]:
    """What the forms offer: other active agencies, and the mechanisms the user's agency is a current
    member of (the only ones it may name; platform admins included)."""
    agencies = list(
        session.scalars(
            select(Agency).where(Agency.active.is_(True), Agency.id != actor.agency_id).order_by(Agency.code)
        )
    )
    mine = viewer(session, actor).mechanism_ids
    mechanisms = (
        list(session.scalars(select(Mechanism).where(Mechanism.id.in_(mine)).order_by(Mechanism.code)))
        if mine
        else []
    )
    return {
        "agency_choices": agencies,
        "mechanism_choices": mechanisms,
        "categories": CATEGORIES,
        "reliabilities": RELIABILITIES,
        "accuracies": ACCURACIES,
        "distributions": DISTRIBUTIONS,
        "conditions": CONDITIONS,
    }


def ensure_writer(actor: Actor) -> None:
    """The services' writer check, for pages that refuse before showing a form."""
    require_writer(actor)


# -- list ------------------------------------------------------------------------------------------------


def bounded(text: str, default: int, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        return default
    return min(max(value, lo), hi)


# -- write -----------------------------------------------------------------------------------------------


def page_url(path: str, kept: Mapping[str, str], offset: int) -> str:
    """A list page's link: its filters (``kept``) and, past the first page, the offset."""
    params = {**kept, "offset": str(offset)} if offset else dict(kept)
    return f"{path}?{urlencode(params)}" if params else path


async def post_distribution(
    ctx: WebContext,
    change: Callable[[Session, Actor, DistributionChange], Any],
    refused: Callable[[dict[str, Any], dict[str, str]], Response],
    done: str,
    *,
    nested: bool = True,
) -> Response:
    """The owner's distribution form posted: ``change`` (the service's own) in one unit of work, then
    a redirect to ``done`` (``{uuid}`` filled in) with the flash; or the page again from ``refused``
    with what was typed and each problem next to its field."""
    form, raw = await posted(ctx)
    values: dict[str, Any] = sharing_values(form, raw)
    values["reason"] = form.get("reason", "")
    try:
        with ctx.page_unit() as (session, actor):
            changed = change(session, actor, DistributionChange.model_validate(values)).uuid
    except (ValidationError, BadInputError) as exc:
        return refused(values, field_errors(exc, nested=nested))
    ctx.flash("ok", "distribution_changed")
    return ctx.redirect(done.format(uuid=changed))

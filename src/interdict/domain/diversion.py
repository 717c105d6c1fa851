"""Diversion indicators on pre-export notifications: the rules, their parameters, and the flags they raise.

Each rule is a pure function of one notification (:class:`Notice`), what one authority may see around it
(:class:`Evidence`: the other notifications visible to it, the importing country's stated annual
legitimate requirement, the cross-check hits on the parties) and that authority's parameters. The
service (``services/diversion.py``) gathers the evidence through the sharing rule; nothing here reads a
database or a clock.

A rule is declared as data (:class:`Rule`): a code, a label, a description shown to users as the rule's
explanation, and parameters with defaults and bounds. Every rule is on, with its defaults, until an
authority changes it (:func:`effective`). A flag names its rule, says why in one English sentence with
the figures, and carries the figures and references in ``details``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from interdict.domain.errors import BadInputError
from interdict.domain.matching import RECOMMENDED_THRESHOLD
from interdict.domain.names import name_form

#: States in which a notification no longer counts towards the quantities going to a country.
DEAD_STATES = frozenset({"withdrawn", "objected"})


# --- rules as data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter of a rule. ``kind``: ``number`` (float), ``integer`` or ``countries`` (ISO codes)."""

    name: str
    label: str
    kind: str
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None

    @property
    def bounds(self) -> str:
        if self.kind == "countries":
            return "a list of ISO 3166-1 alpha-2 country codes"
        return f"{'an integer' if self.kind == 'integer' else 'a number'} from {self.minimum:g} to {self.maximum:g}"


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    description: str
    params: tuple[Param, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: (list(p.default) if isinstance(p.default, list | tuple) else p.default) for p in self.params}


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "excess_quantity",
            "Quantity above the annual legitimate requirement",
            "Flags a notification when it, together with the other live notifications (not withdrawn, not "
            "objected) of the same substance to the same importing country for shipment in the same calendar "
            "year, exceeds that country's stated annual legitimate requirement for the substance by more than "
            "the margin. Only the notifications the authority may see are counted. Where the importing "
            "country has stated no requirement for that substance and year, or the quantity has no mass, the "
            "rule cannot judge and raises no flag.",
            (Param("margin_pct", "Margin (%)", "number", 10.0,
                   "How far above the requirement the total may go before it is flagged, in per cent.", 0, 1000),),
        ),
        Rule(
            "new_consignee",
            "Consignee never seen before",
            "Flags a notification whose consignee (the importer when no consignee is named) appears in no "
            "earlier notification to the same importing country that the authority may see, neither as "
            "importer nor as consignee. Names are compared after removing case, punctuation, accents and "
            "legal forms (Co., Ltd, LLC, 有限公司 ...); names in other scripts are compared by their "
            "romanised form.",
        ),
        Rule(
            "crosscheck_hit",
            "Party matches a cross-check hit",
            "Flags a notification whose exporter, importer or consignee matches an entity the authority may "
            "see on the platform, or an entry of a published watch list, at or above the score threshold, "
            "scored as the cross-check scores (name and address). A name alone, without an address, rarely "
            "reaches the recommended threshold of 0.5. Records the authority may not see are never used.",
            (Param("threshold", "Score threshold", "number", RECOMMENDED_THRESHOLD,
                   "The lowest match score that counts as a hit (the cross-check recommends 0.5).", 0.1, 1.0),),
        ),
        Rule(
            "country_of_concern",
            "Route through a country of concern",
            "Flags a notification when a leg of its route or a named transit country is in the authority's "
            "list of countries of concern. The list is empty until the authority fills it, and an empty list "
            "never flags.",
            (Param("countries", "Countries of concern", "countries", [],
                   "ISO 3166-1 alpha-2 codes of the countries of concern."),),
        ),
        Rule(
            "split_order",
            "Order split under a threshold",
            "Flags a notification when the same exporter sent the same substance to the same importer in "
            "several notifications (this one included, withdrawn ones left out) notified within the window "
            "of days before or after it, each under the threshold quantity, together at or over it: one "
            "order split into parts that each stay under a threshold.",
            (Param("window_days", "Window (days)", "integer", 30,
                   "Notifications notified this many days before or after this one count together.", 1, 365),
             Param("threshold_kg", "Threshold (kg)", "number", 100.0,
                   "The quantity each part stays under and the parts together reach, in kilograms.", 0.001,
                   1_000_000)),
        ),
        Rule(
            "free_trade_zone",
            "Transit through a free-trade zone",
            "Flags a notification whose route has a leg marked as passing through a free-trade zone, where "
            "goods may be relabelled or re-exported with little control.",
        ),
        Rule(
            "prior_objection",
            "Importer with an earlier objection",
            "Flags a notification whose importer (compared as for new consignees) had an earlier notification "
            "objected to, among those the authority may see.",
        ),
    )
}


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool
    params: dict[str, Any]


def effective(stored: Mapping[str, RuleSetting]) -> dict[str, RuleSetting]:
    """Every rule's setting for one authority: what it stored, else on with the defaults. Stored parameters
    missing from a rule (added since) take their defaults; parameters the rule no longer has are dropped."""
    out: dict[str, RuleSetting] = {}
    for code, rule in RULES.items():
        found = stored.get(code)
        params = rule.defaults
        if found is not None:
            params.update({k: v for k, v in found.params.items() if k in params})
        out[code] = RuleSetting(found.enabled if found is not None else True, params)
    return out


def rule_of(code: str) -> Rule:
    rule = RULES.get(code)
    if rule is None:
        known = ", ".join(RULES)
        raise BadInputError(f"unknown diversion rule {code!r}; expected one of {known}", {"rule": f"one of {known}"})
    return rule


def check_params(code: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` checked against rule ``code``'s parameters and converted (text as from a form or the CLI is
    accepted); every problem is reported together, naming the rule, the parameter, the value and the bounds."""
    rule = rule_of(code)
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in given.items():
        param = rule.param(name)
        if param is None:
            known = ", ".join(p.name for p in rule.params) or "none"
            errors[f"params.{name}"] = f"rule {code} has no parameter {name!r} (its parameters: {known})"
            continue
        try:
            out[name] = _convert(param, value)
        except ValueError:
            errors[f"params.{name}"] = f"rule {code}: parameter {name} = {value!r} is not {param.bounds}"
    if errors:
        raise BadInputError("; ".join(errors.values()), errors)
    return out


def _convert(param: Param, value: Any) -> Any:
    if param.kind == "countries":
        return _countries(value)
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
    number: float = int(value) if param.kind == "integer" else float(value)
    if param.kind == "integer" and isinstance(value, float) and not value.is_integer():
        raise ValueError
    assert param.minimum is not None and param.maximum is not None
    if not param.minimum <= number <= param.maximum:  # NaN fails here too
        raise ValueError
    return number


def _countries(value: Any) -> list[str]:
    import pycountry

    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError
        code = item.strip().upper()
        if not code:
            continue
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ValueError
        out.append(code)
    return sorted(set(out))


# --- what a rule looks at ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    country: str
    place: str = ""
    mode: str = ""
    free_trade_zone: bool = False


@dataclass(frozen=True)
class Notice:
    """What the rules read of one notification."""

    reference: str
    exporting_country: str
    importing_country: str
    exporter: str
    importer: str
    consignee: str
    substance: str
    mass_kg: float | None
    ship_date: date
    notified_at: datetime
    state: str = "awaiting_answer"
    route: tuple[Leg, ...] = ()
    transit_countries: tuple[str, ...] = ()

    @property
    def final_party(self) -> str:
        return self.consignee.strip() or self.importer

    @property
    def substance_name(self) -> str:
        """The catalogue's name of the substance, for the reasons people read."""
        from interdict.domain.substances import catalogue

        found = catalogue().get(self.substance)
        return found.name if found else self.substance


@dataclass(frozen=True)
class Requirement:
    country: str
    substance: str
    year: int
    quantity_kg: float
    source: str = ""


@dataclass(frozen=True)
class Hit:
    """A party of the notification matches something the authority may see."""

    party: str  # exporter | importer | consignee
    name: str
    kind: str  # entity | watch_list
    ref: str  # the entity's uuid, or "LIST:entry"
    label: str  # how to name it to the authority (caption and owner, or list entry)
    score: float


@dataclass(frozen=True)
class Evidence:
    """What one authority may see around the notification: other notifications (never the notification
    itself), the requirement for its country, substance and ship year, and the hits on its parties."""

    others: tuple[Notice, ...] = ()
    requirement: Requirement | None = None
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class Flag:
    rule: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)


# --- names of companies --------------------------------------------------------------------------------

# Legal forms written without spaces in Chinese and Japanese company names: the org-type table of rigour
# matches whole words, which these scripts do not separate, so they are stripped from the end by hand.
_CJK_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "株式会社", "有限会社", "公司")
# Words rigour leaves behind when they end a longer legal form ("Company Limited" -> "Company") or that it
# does not list on their own; removed only at the end of a name.
_TRAILING_FORMS = frozenset({"co", "company", "corp", "corporation", "inc", "incorporated", "limited", "ltd",
                             "public", "private", "pvt", "plc", "tbk", "the"})


def party_key(name: str) -> str:
    """A company or person name reduced for comparison: legal forms, case, punctuation and accents removed,
    other scripts romanised (``domain/names.py``), tokens sorted. Equal keys are taken as the same party;
    "" for a name with nothing left."""
    from rigour.names import remove_org_types

    text = unicodedata.normalize("NFKC", name or "").strip()
    for form in _CJK_FORMS:
        if text.endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    tokens = list(name_form(text).tokens)
    # rigour's table of legal forms (Co., Ltd; Sdn Bhd; LLC; ООО ...), applied to the romanised tokens.
    tokens = remove_org_types(" ".join(tokens)).split()
    while len(tokens) > 1 and tokens[-1] in _TRAILING_FORMS:
        tokens.pop()
    return " ".join(sorted(tokens))


# --- the rules ---------------------------------------------------------------------------------------


def _kg(value: float) -> str:
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{text} kg"


def _refs(notices: Iterable[Notice]) -> list[str]:
    return sorted(n.reference for n in notices)


def excess_quantity(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    req = evidence.requirement
    if req is None or notice.mass_kg is None:
        return None
    year = notice.ship_date.year
    others = [
        o for o in evidence.others
        if o.importing_country == notice.importing_country and o.substance == notice.substance
        and o.ship_date.year == year and o.state not in DEAD_STATES and o.mass_kg is not None
    ]
    others_kg = sum(o.mass_kg or 0.0 for o in others)
    total = notice.mass_kg + others_kg
    margin = float(params["margin_pct"])
    limit = req.quantity_kg * (1 + margin / 100)
    if total <= limit:
        return None
    over = (total / req.quantity_kg - 1) * 100 if req.quantity_kg > 0 else None
    beyond = f"{over:.0f}% above it" if over is not None else "against a requirement of zero"
    reason = (
        f"{_kg(total)} of {notice.substance_name} notified for {notice.importing_country} in {year} "
        f"({_kg(notice.mass_kg)} in this notification, {_kg(others_kg)} in {len(others)} other live "
        f"notification(s)) against a stated annual legitimate requirement of {_kg(req.quantity_kg)}: "
        f"{beyond}, beyond the {margin:g}% margin."
    )
    return Flag("excess_quantity", reason, {
        "year": year, "requirement_kg": req.quantity_kg, "requirement_source": req.source,
        "this_kg": notice.mass_kg, "others_kg": round(others_kg, 6), "total_kg": round(total, 6),
        "limit_kg": round(limit, 6), "margin_pct": margin, "others": _refs(others),
    })


def _earlier(notice: Notice, others: Iterable[Notice]) -> list[Notice]:
    return [o for o in others if (o.notified_at, o.reference) < (notice.notified_at, notice.reference)]


def new_consignee(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    name = notice.final_party
    key = party_key(name)
    if not key:
        return None
    earlier = [o for o in _earlier(notice, evidence.others) if o.importing_country == notice.importing_country]
    seen = {party_key(o.importer) for o in earlier} | {party_key(o.consignee) for o in earlier if o.consignee}
    if key in seen:
        return None
    role = "consignee" if notice.consignee.strip() else "importer (no consignee named)"
    reason = (
        f"The {role} {name!r} appears in none of the {len(earlier)} earlier notification(s) to "
        f"{notice.importing_country} on record."
    )
    return Flag("new_consignee", reason, {"party": name, "key": key, "earlier_checked": len(earlier)})


def crosscheck_hit(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    threshold = float(params["threshold"])
    hits = sorted((h for h in evidence.hits if h.score >= threshold),
                  key=lambda h: (-h.score, h.party, h.kind, h.ref))
    if not hits:
        return None
    described = "; ".join(f"{h.party} {h.name!r} matches {h.label} (score {h.score:.2f})" for h in hits[:5])
    more = f"; and {len(hits) - 5} more" if len(hits) > 5 else ""
    return Flag("crosscheck_hit", f"{described}{more}.", {
        "threshold": threshold,
        "hits": [{"party": h.party, "name": h.name, "kind": h.kind, "ref": h.ref, "label": h.label,
                  "score": h.score} for h in hits],
    })


def country_of_concern(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    concern = set(params["countries"])
    if not concern:
        return None
    on_route = sorted({leg.country.upper() for leg in notice.route} & concern)
    in_transit = sorted({c.upper() for c in notice.transit_countries} & concern)
    found = sorted(set(on_route) | set(in_transit))
    if not found:
        return None
    reason = f"The route passes through {', '.join(found)}, on the authority's list of countries of concern."
    return Flag("country_of_concern", reason, {"countries": found, "route": on_route, "transit": in_transit})


def split_order(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    if notice.mass_kg is None:
        return None
    window = int(params["window_days"])
    threshold = float(params["threshold_kg"])
    exporter, importer = party_key(notice.exporter), party_key(notice.importer)
    day = notice.notified_at.date()
    parts = [
        o for o in evidence.others
        if o.substance == notice.substance and o.state != "withdrawn" and o.mass_kg is not None
        and abs((o.notified_at.date() - day).days) <= window
        and party_key(o.exporter) == exporter and party_key(o.importer) == importer
    ]
    if not parts or notice.mass_kg >= threshold or any((o.mass_kg or 0.0) >= threshold for o in parts):
        return None
    total = notice.mass_kg + sum(o.mass_kg or 0.0 for o in parts)
    if total < threshold:
        return None
    reason = (
        f"{len(parts) + 1} notifications of {notice.substance_name} from {notice.exporter!r} to {notice.importer!r} "
        f"within {window} days, each under {_kg(threshold)}, together {_kg(total)}."
    )
    return Flag("split_order", reason, {
        "window_days": window, "threshold_kg": threshold, "total_kg": round(total, 6),
        "parts": len(parts) + 1, "others": _refs(parts),
    })


def free_trade_zone(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    legs = [leg for leg in notice.route if leg.free_trade_zone]
    if not legs:
        return None
    named = ", ".join(f"{leg.place} ({leg.country})" if leg.place else leg.country for leg in legs)
    return Flag("free_trade_zone", f"The route passes through a free-trade zone: {named}.", {
        "legs": [{"country": leg.country, "place": leg.place, "mode": leg.mode} for leg in legs],
    })


def prior_objection(notice: Notice, evidence: Evidence, params: Mapping[str, Any]) -> Flag | None:
    key = party_key(notice.importer)
    if not key:
        return None
    objected = [o for o in _earlier(notice, evidence.others) if o.state == "objected" and party_key(o.importer) == key]
    if not objected:
        return None
    refs = _refs(objected)
    reason = (f"The importer {notice.importer!r} had {len(objected)} earlier notification(s) objected to: "
              f"{', '.join(refs)}.")
    return Flag("prior_objection", reason, {"importer": notice.importer, "objected": refs})


Check = Callable[[Notice, Evidence, Mapping[str, Any]], Flag | None]

CHECKS: dict[str, Check] = {
    "excess_quantity": excess_quantity,
    "new_consignee": new_consignee,
    "crosscheck_hit": crosscheck_hit,
    "country_of_concern": country_of_concern,
    "split_order": split_order,
    "free_trade_zone": free_trade_zone,
    "prior_objection": prior_objection,
}


def evaluate(notice: Notice, evidence: Evidence, settings: Mapping[str, RuleSetting]) -> list[Flag]:
    """The flags the enabled rules raise, in the order of :data:`RULES`. ``settings``: from :func:`effective`."""
    flags: list[Flag] = []
    for code, check in CHECKS.items():
        setting = settings.get(code)
        if setting is None or not setting.enabled:
            continue
        flag = check(notice, evidence, {**RULES[code].defaults, **setting.params})
        if flag is not None:
            flags.append(flag)
    return flags


def legs_of(route: Sequence[Any]) -> tuple[Leg, ...]:
    """Route legs from the stored JSON (``{"country","place","mode","free_trade_zone"}``); others ignored."""
    out = []
    for leg in route:
        if isinstance(leg, Mapping) and isinstance(leg.get("country"), str):
            out.append(Leg(str(leg["country"]).upper(), str(leg.get("place") or ""), str(leg.get("mode") or ""),
                           bool(leg.get("free_trade_zone"))))
    return tuple(out)


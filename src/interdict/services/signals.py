"""Early-warning signals over the seizures the requesting agency may see, and publishing one as an alert.

The monthly series come from the seizure statistics (``SeizureStats``) restricted by the sharing rule
(``visible_lines``: ``visible`` applied to the audiences); the rules are in ``domain/signals.py``.

Publishing a signal to a mechanism shares figures with every member, so the signal is computed again
over the seizures that *every* current member may see (the intersection of their visible audiences),
and published only if it still holds there, with those figures. Nothing an agency could not already
count for itself reaches it through an alert. The alert is an intelligence report (category emerging
threat or trafficking route) distributed to the mechanism, so the one sharing rule governs it from
then on.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, NotFoundError
from interdict.domain.intel import IntelCategory
from interdict.domain.sharing import Distribution
from interdict.domain.signals import (
    CHANGE_FACTOR,
    CHANGE_MIN,
    Finding,
    change,
    detect_spikes,
    emerging,
    month_index,
    month_label,
    route_shift,
)
from interdict.domain.substances import catalogue
from interdict.schemas.intel import IntelReportCreate
from interdict.services.context import Actor
from interdict.services.intel import IntelService
from interdict.services.seizure_stats import SeizureStats, StatsQuery, require_order, visible_lines
from interdict.store.records import Audience, IntelReport
from interdict.store.seizures import SeizureItem
from interdict.store.structure import Mechanism, MechanismMember
from interdict.store.visibility import viewer_context, visible

KINDS = ("change", "spike", "route_shift", "emerging")
TOP_ROUTES = 20  # per substance; the others are pooled as one "other routes" series
OTHER_ROUTES = "(other routes)"
LOOKBACK_MONTHS = 36
Key = tuple[str, ...]
Rows = dict[Key, tuple[int, float, dict[str, float]]]


@dataclass(frozen=True)
class SignalQuery:
    date_from: date
    date_to: date
    substance: str | None = None
    country: str | None = None
    countries: tuple[str, ...] = ()  # restrict to these seizing countries (a mechanism's or region's)
    kinds: tuple[str, ...] = KINDS
    route_by: str = "route"  # route (origin>destination) | port
    lookback_months: int = LOOKBACK_MONTHS


@dataclass(frozen=True)
class SignalOut:
    findings: list[Finding]
    first_month: str
    last_month: str
    scope: str
    # The monthly series by (substance, country, month) the findings were computed from, for callers
    # that chart them (the situation report) without a second pass over the seizures.
    by_country: Rows = field(default_factory=dict)


def finding_id(f: Finding) -> str:
    text = json.dumps([f.kind, dict(f.subject), f.period], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check(q: SignalQuery) -> None:
    require_order(q.date_from, q.date_to)
    bad = [k for k in q.kinds if k not in KINDS]
    if bad:
        raise BadInputError(f"unknown signal kind {bad[0]!r}; choose from {', '.join(KINDS)}", {"kinds": bad[0]})
    if q.route_by not in ("route", "port"):
        raise BadInputError(f"route_by {q.route_by!r} is not route or port", {"route_by": "route or port"})
    if (q.date_to.year - q.date_from.year) * 12 + q.date_to.month - q.date_from.month > 240:
        raise BadInputError(
            f"a signal period is at most 20 years: {q.date_from.isoformat()} to {q.date_to.isoformat()} is longer",
            {"date_to": "more than 20 years after date_from"},
        )


class SignalService:
    def __init__(self, stats: SeizureStats, intel: IntelService) -> None:
        self.stats = stats
        self.intel = intel

    def run(self, session: Session, actor: Actor, q: SignalQuery) -> SignalOut:
        _check(q)
        out = self._run(session, visible_lines(session, actor), q)
        return replace(out, scope=f"seizures visible to {actor.agency_code}")

    def _run(self, session: Session, seen: Any, q: SignalQuery) -> SignalOut:
        first = month_index(f"{q.date_from:%Y-%m}") - q.lookback_months
        last = month_index(f"{q.date_to:%Y-%m}")
        start = date(first // 12, first % 12 + 1, 1)
        findings: list[Finding] = []
        by_country = self._monthly(session, seen, q, ("substance", "country", "month"), start)
        if "change" in q.kinds:
            findings += _changes(by_country, first, last, q)
        if "spike" in q.kinds:
            findings += _spikes(by_country, ("substance", "country"), first, last, q)
        if "route_shift" in q.kinds or "spike" in q.kinds:
            by_route = _top_routes(self._monthly(session, seen, q, ("substance", q.route_by, "month"), start))
            if "spike" in q.kinds:
                findings += _spikes(by_route, ("substance", q.route_by), first, last, q)
            if "route_shift" in q.kinds:
                findings += _shifts(by_route, q.route_by, first, last, q)
        if "emerging" in q.kinds:
            findings += _emerging(by_country, first, last)
        order = {"signal": 0, "cannot_judge": 1, "none": 2}
        findings.sort(key=lambda f: (order[f.status], f.kind, f.period, sorted(f.subject.items())))
        return SignalOut(findings, month_label(first), month_label(last), "", by_country)

    def _monthly(self, session: Session, seen: Any, q: SignalQuery, by: tuple[str, ...], start: date) -> Rows:
        sq = StatsQuery(by=by, date_from=start, date_to=q.date_to, substance=q.substance, country=q.country)
        # The statistics' own aggregate with the caller's filter of visible lines: the same grouping,
        # labels and once-per-seizure counting as every other statistic.
        if q.countries and "country" not in by:
            return self._in_countries(session, seen, q, by, start)
        rows, _ = self.stats._aggregate(session, seen, sq, start, q.date_to)
        if q.countries:
            i = by.index("country")
            rows = {k: v for k, v in rows.items() if k[i] in q.countries}
        return rows

    def _in_countries(self, session: Session, seen: Any, q: SignalQuery, by: tuple[str, ...], start: date) -> Rows:
        """Route or port rows of seizures made in the wanted countries: grouped with country, then summed."""
        wide = (*by[:-1], "country", by[-1])
        sq = StatsQuery(by=wide, date_from=start, date_to=q.date_to, substance=q.substance, country=q.country)
        full, _ = self.stats._aggregate(session, seen, sq, start, q.date_to)
        acc: dict[Key, list[Any]] = defaultdict(lambda: [0, 0.0, {}])
        for k, (n, kg, _) in full.items():
            if k[len(by) - 1] in q.countries:
                key = (*k[: len(by) - 1], k[-1])
                acc[key][0] += n
                acc[key][1] += kg
        return {k: (v[0], v[1], v[2]) for k, v in acc.items()}

    # -- publishing --------------------------------------------------------------------------------------
    def publish(
        self, session: Session, actor: Actor, q: SignalQuery, signal_id: str, mechanism: str
    ) -> IntelReport:
        """Publish one signal of ``q`` to the members of ``mechanism`` as an intelligence report."""
        _check(q)
        mech = session.scalar(select(Mechanism).where(Mechanism.code == mechanism.strip().upper()))
        day = actor.today
        members: list[int] = []
        if mech is not None:
            members = list(session.scalars(
                select(MechanismMember.agency_id).where(
                    MechanismMember.mechanism_id == mech.id,
                    MechanismMember.joined <= day,
                    (MechanismMember.left.is_(None)) | (MechanismMember.left > day),
                )
            ))  # fmt: skip
        if mech is None or actor.agency_id not in members:
            raise BadInputError(
                f"unknown mechanism or not a member: {mechanism!r}", {"mechanism": "unknown or not a member"}
            )
        mine = self.run(session, actor, q)
        wanted = next((f for f in mine.findings if finding_id(f) == signal_id and f.status == "signal"), None)
        if wanted is None:
            raise NotFoundError(f"no signal {signal_id!r} for this query")
        common: set[int] | None = None
        for agency_id in members:
            ids = set(session.scalars(select(Audience.id).where(visible(Audience, viewer_context(session, agency_id, day)))))
            common = ids if common is None else common & ids
        seen = SeizureItem.audience_id.in_(sorted(common)) if common else false()
        shared = self._run(session, seen, q)
        # The same signal over the shared seizures: the same month for a spike; for a route shift or an
        # emerging substance the same subject (its change point or window may move on fewer seizures).
        found = next(
            (
                f
                for f in shared.findings
                if f.status == "signal"
                and (finding_id(f) == signal_id or (f.kind == wanted.kind != "spike" and f.subject == wanted.subject))
            ),
            None,
        )
        if found is None:
            raise BadInputError(
                "this signal does not hold over the seizures that every member of "
                f"{mech.code} may see, so it cannot be published to them",
                {"signal": "not supported by the seizures all members share"},
            )
        return self.intel.create(session, actor, _alert(found, mech.code, shared))


def _alert(f: Finding, mechanism: str, out: SignalOut) -> IntelReportCreate:
    category = IntelCategory.TRAFFICKING_ROUTE if f.kind == "route_shift" else IntelCategory.EMERGING_THREAT
    substance = f.subject.get("substance", "")
    countries = [c for c in (f.subject.get("country", ""), *f.subject.get("route", "").split(">")) if len(c) == 2]
    lines = [
        f"**Early-warning signal ({f.kind.replace('_', ' ')})**, {f.period}",
        "",
        f.message,
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {k} | {json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v} |" for k, v in f.figures.items()),
        "",
        f"Computed over the seizures that every current member of {mechanism} may see, months "
        f"{out.first_month} to {out.last_month} (rules: docs/SITUATION.md).",
    ]
    return IntelReportCreate(
        title=f"Early warning: {f.kind.replace('_', ' ')} — {', '.join(f.subject.values())} ({f.period})"[:300],
        body="\n".join(lines),
        category=category,
        tags=["early-warning", f.kind],
        countries=sorted({c.upper() for c in countries if _is_country(c)}),
        substances=[substance] if substance else [],
        distribution=Distribution.MECHANISMS,
        mechanisms=[mechanism],
    )


def _is_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code.upper()) is not None


def _top_routes(rows: Rows) -> Rows:
    """The TOP_ROUTES routes (or ports) of each substance with the most seizures, the rest pooled as
    OTHER_ROUTES: displacement is judged between the main routes, and a substance seized on a thousand
    origin-destination pairs does not become a thousand series."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (sub, route, _month), (n, _kg, _c) in rows.items():
        if route not in ("(unknown)", "?>?", ""):
            totals[sub][route] += n
    keep = {
        sub: set(sorted(routes, key=lambda r: (-routes[r], r))[:TOP_ROUTES]) for sub, routes in totals.items()
    }
    out: dict[Key, list[Any]] = {}
    for (sub, route, month), (n, kg, _c) in rows.items():
        if route in ("(unknown)", "?>?", ""):
            continue
        key = (sub, route if route in keep[sub] else OTHER_ROUTES, month)
        acc = out.setdefault(key, [0, 0.0, {}])
        acc[0] += n
        acc[1] += kg
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _matrix(rows: Rows, width: int, first: int, metric: int) -> tuple[list[Key], np.ndarray]:
    """Series keyed by all but the month, as a matrix of months (``metric``: 0 seizures, 1 kg)."""
    series: dict[Key, np.ndarray] = {}
    for key, vals in rows.items():
        idx = month_index(key[-1]) - first
        if idx < 0:
            continue
        series.setdefault(key[:-1], np.zeros(width))[idx] += float(vals[1] if metric else vals[0])
    names = sorted(series)
    return names, (np.vstack([series[k] for k in names]) if names else np.zeros((0, width)))


def _changes(rows: Rows, first: int, last: int, q: SignalQuery) -> list[Finding]:
    """Each substance and country over the asked period against the previous period of the same length
    and against the same months of up to three earlier years (periods of at most a year). A country's
    months count only from its first seizure the caller may see (of any substance): before that there is
    no observation, not an observed zero. The sums are taken for all series at once; the rule
    (``domain.signals.change``) is applied to those it may flag."""
    names, m = _matrix(rows, last - first + 1, first, 1)
    if not names:
        return []
    pf = month_index(f"{q.date_from:%Y-%m}") - first
    pl = last - first
    length = pl - pf + 1
    label = f"{month_label(first + pf)}..{month_label(last)}"
    # The first month each country has a visible seizure, as a column index.
    seen_from: dict[str, int] = {}
    for i, (_sub, country) in enumerate(names):
        nz = np.flatnonzero(m[i])
        if nz.size:
            seen_from[country] = min(seen_from.get(country, nz[0]), int(nz[0]))
    start = np.array([seen_from.get(c, pl + 1) for _s, c in names])
    current = m[:, pf : pl + 1].sum(axis=1)
    has_prev = start <= pf - length
    previous = m[:, max(0, pf - length) : pf].sum(axis=1)
    years = np.clip((pf - start) // 12, 0, 3) if length <= 12 else np.zeros(len(names), dtype=int)
    earlier = np.stack([m[:, max(0, pf - 12 * y) : max(0, pl + 1 - 12 * y)].sum(axis=1) for y in (1, 2, 3)], axis=1)
    base = np.full(len(names), np.nan)
    for k in (2, 3):
        rows_k = years == k
        if rows_k.any():
            base[rows_k] = np.median(earlier[rows_k, :k], axis=1)
    judged = ~np.isnan(base)
    with np.errstate(invalid="ignore"):
        moved = (current >= CHANGE_FACTOR * base) | (current <= base / CHANGE_FACTOR)
        flag = judged & moved & (np.maximum(current, np.nan_to_num(base)) >= CHANGE_MIN)
    maybe = np.flatnonzero(flag | (~judged & (current > 0)))  # unjudged series with seizures say so
    out = []
    for i in maybe.tolist():
        f = change(
            dict(zip(("substance", "country"), names[i], strict=True)),
            label,
            float(current[i]),
            float(previous[i]) if has_prev[i] else None,
            earlier[i, : int(years[i])].tolist(),
        )
        if f.status != "none":
            out.append(f)
    return out


def _spikes(rows: Rows, keys: tuple[str, ...], first: int, last: int, q: SignalQuery) -> list[Finding]:
    names, m = _matrix(rows, last - first + 1, first, 1)
    subjects = [dict(zip(keys, k, strict=True)) for k in names]
    start = month_index(f"{q.date_from:%Y-%m}")
    return detect_spikes(subjects, m, first, start, last, unit="kg")


def _shifts(rows: Rows, route_by: str, first: int, last: int, q: SignalQuery) -> list[Finding]:
    width = last - first + 1
    counts: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    kg: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for (sub, route, month), (n, mass, _) in rows.items():
        idx = month_index(month) - first
        if route in ("(unknown)", "?>?", "") or idx < 0:
            continue
        counts[sub].setdefault(route, np.zeros(width))[idx] += n
        kg[sub].setdefault(route, np.zeros(width))[idx] += mass
    out = []
    for sub in sorted(counts):
        f = route_shift({"substance": sub}, {r: v.tolist() for r, v in counts[sub].items()}, first,
                        {r: v.tolist() for r, v in kg[sub].items()})  # fmt: skip
        if f.status != "none":
            out.append(f)
    return out


def _emerging(rows: Rows, first: int, last: int) -> list[Finding]:
    width = last - first + 1
    by_area: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for (sub, country, month), (n, _, _) in rows.items():
        idx = month_index(month) - first
        if idx >= 0 and country not in ("(unknown)", ""):
            by_area[country].setdefault(sub, np.zeros(width))[idx] += n
    out = []
    for area in sorted(by_area):
        # The area's history starts with its first seizure of any substance seen by the caller.
        total = np.sum(list(by_area[area].values()), axis=0)
        start = int(np.flatnonzero(total)[0]) if total.any() else width
        for sub in sorted(by_area[area]):
            f = emerging({"substance": sub, "country": area}, by_area[area][sub][start:].tolist(), first + start)
            if f.status != "none":
                out.append(f)
    return out


def substance_name(code: str) -> str:
    sub = catalogue().resolve(code)
    return sub.name if sub is not None else code


def figures_text(figures: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in figures.items() if not isinstance(v, dict))


"""The regional situation report: what one agency may see of a mechanism's or region's drug situation.

Built only from what the requesting agency may see: seizure statistics and signals over its visible
seizures (``SeizureStats`` and ``SignalService``, both through the sharing rule), the joint operations
it takes part in (``OperationService``), and published indicator figures (seen by every user). The
area is the countries of the mechanism's current member agencies, or of the region. Every number
carries its source; pages and PDF (``web/situation_report.py``) render this structure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.areas import REGIONS, area_name, resolve_area
from interdict.domain.errors import BadInputError
from interdict.domain.estimates import Estimate, heroin_from_opium, potential_opium, yield_for
from interdict.domain.indicators import INDICATORS, parse_period, previous_period
from interdict.domain.signals import Finding
from interdict.schemas.seizures import StatsOut
from interdict.services.context import Actor
from interdict.services.indicators import IndicatorFilters, IndicatorService
from interdict.services.operations import OperationService
from interdict.services.seizure_stats import Location, SeizureStats, StatsQuery, locations, require_order
from interdict.services.signals import SignalQuery, SignalService
from interdict.store.indicators import IndicatorValue
from interdict.store.structure import Agency, Mechanism, MechanismMember

TOP_ROUTES = 10
SEIZURE_SOURCE = "Seizure reports in Interdict visible to {agency} on {day} (sharing rule: docs/SHARING.md)"


@dataclass(frozen=True)
class ReportQuery:
    date_from: date
    date_to: date
    mechanism: str | None = None
    region: str | None = None


@dataclass
class KeyFigure:
    label: str
    value: float
    unit: str
    previous: float | None
    change_pct: float | None
    source: str


@dataclass
class IndicatorLine:
    indicator: str
    name: str
    area: str
    area_name: str
    period: str
    value: float
    unit: str
    low: float | None
    high: float | None
    previous: float | None
    change_pct: float | None
    source: str


@dataclass
class SituationReport:
    title: str
    area_label: str
    countries: list[str]
    date_from: date
    date_to: date
    previous_from: date
    previous_to: date
    agency: str
    generated_on: date
    key_figures: list[KeyFigure]
    by_substance: StatsOut
    by_country: dict[str, float]
    by_port_type: dict[str, float]
    monthly: dict[str, dict[str, float]]  # substance -> month -> kg
    routes: list[dict[str, Any]]
    places: list[Location]
    findings: list[Finding]
    operations: list[dict[str, Any]]
    indicators: list[IndicatorLine]
    estimates: list[tuple[str, Estimate]]
    sources: list[str] = field(default_factory=list)
    scope: str = ""


def _monthly(rows: Any, subs: list[str], first: str, last: str) -> dict[str, dict[str, float]]:
    """kg by substance and month within [first, last] from the signals' (substance, country, month) series
    (already restricted to the report's countries)."""
    acc: dict[str, dict[str, float]] = {s: defaultdict(float) for s in subs}
    for (sub, _country, month), (_n, kg, _c) in rows.items():
        if sub in acc and first <= month <= last:
            acc[sub][month] += kg
    return {k: dict(v) for k, v in acc.items()}


def _pct(cur: float, prev: float | None) -> float | None:
    return None if not prev else round((cur - prev) / prev * 100, 1)


class SituationReportService:
    def __init__(
        self, stats: SeizureStats, signals: SignalService, operations: OperationService, indicators: IndicatorService
    ) -> None:
        self.stats = stats
        self.signals = signals
        self.operations = operations
        self.indicators = indicators

    def area(self, session: Session, actor: Actor, q: ReportQuery) -> tuple[str, str, list[str]]:
        """(title, area label, seizing countries) of the report's mechanism or region."""
        if bool(q.mechanism) == bool(q.region):
            raise BadInputError("give a mechanism or a region", {"mechanism": "one of mechanism or region"})
        if q.region:
            a = resolve_area(q.region)
            countries = [m for m in a.members if len(m) == 2] or [a.code[:2]]
            return a.name, a.name, countries
        code = (q.mechanism or "").strip().upper()
        mech = session.scalar(select(Mechanism).where(Mechanism.code == code))
        day = actor.today
        members: list[Agency] = []
        if mech is not None:
            members = list(session.scalars(
                select(Agency).join(MechanismMember, MechanismMember.agency_id == Agency.id).where(
                    MechanismMember.mechanism_id == mech.id, MechanismMember.joined <= day,
                    (MechanismMember.left.is_(None)) | (MechanismMember.left > day),
                )
            ))  # fmt: skip
        # Rosters are for members: anyone else learns nothing, not even that the mechanism exists.
        if mech is None or actor.agency_id not in {a.id for a in members}:
            raise BadInputError(f"unknown mechanism or not a member: {code!r}", {"mechanism": "unknown or not a member"})
        countries = sorted({a.country for a in members if a.country})
        return mech.name_en, mech.code, countries

    def build(self, session: Session, actor: Actor, q: ReportQuery) -> SituationReport:
        require_order(q.date_from, q.date_to)
        title, label, countries = self.area(session, actor, q)
        cs = set(countries)
        length = (q.date_to - q.date_from).days + 1
        prev_to = q.date_from - timedelta(days=1)
        prev_from = prev_to - timedelta(days=length - 1)
        by_sc = self.stats.run(session, actor, StatsQuery(("substance", "country"), q.date_from, q.date_to))
        rows = [r for r in by_sc.rows if r.key["country"] in cs]
        sub_kg: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        by_country: dict[str, float] = defaultdict(float)
        for r in rows:
            s = sub_kg[r.key["substance"]]
            s[0] += r.mass_kg
            s[1] += r.previous_mass_kg or 0.0
            s[2] += r.seizures
            by_country[r.key["country"]] += r.mass_kg
        by_substance = by_sc.model_copy(update={"rows": rows})
        agency = actor.agency_code or ""
        seized_source = SEIZURE_SOURCE.format(agency=agency, day=actor.today.isoformat())
        by_c = self.stats.run(session, actor, StatsQuery(("country",), q.date_from, q.date_to))
        n_now = sum(r.seizures for r in by_c.rows if r.key["country"] in cs)
        n_prev = sum(r.previous_seizures or 0 for r in by_c.rows if r.key["country"] in cs)
        key = [
            KeyFigure("seizures", n_now, "seizures", n_prev, _pct(n_now, n_prev), seized_source),
            KeyFigure("mass seized", round(sum(v[0] for v in sub_kg.values()), 3), "kg",
                      round(sum(v[1] for v in sub_kg.values()), 3),
                      _pct(sum(v[0] for v in sub_kg.values()), sum(v[1] for v in sub_kg.values())), seized_source),
        ]  # fmt: skip
        for sub, (kg, prev, _) in sorted(sub_kg.items(), key=lambda kv: -kv[1][0])[:6]:
            key.append(KeyFigure(sub, round(kg, 3), "kg", round(prev, 3), _pct(kg, prev), seized_source))
        ports = self.stats.run(session, actor, StatsQuery(("port_type", "country"), q.date_from, q.date_to))
        by_port: dict[str, float] = defaultdict(float)
        for r in ports.rows:
            if r.key["country"] in cs:
                by_port[r.key["port_type"]] += r.mass_kg
        routes = self._routes(session, actor, cs, q)
        places = [p for p in locations(session, actor, StatsQuery((), q.date_from, q.date_to)).places if p.country in cs]
        signals = self.signals.run(session, actor, SignalQuery(q.date_from, q.date_to, countries=tuple(countries)))
        findings = signals.findings
        top = [k for k, _ in sorted(sub_kg.items(), key=lambda kv: -kv[1][0])[:6]]
        monthly = _monthly(signals.by_country, top, f"{q.date_from:%Y-%m}", f"{q.date_to:%Y-%m}")
        ops = self._operations(session, actor, q)
        indicators, estimates = self._indicators(session, actor, q, countries, q.region)
        sources = [seized_source]
        sources += sorted({i.source for i in indicators})
        sources += sorted({f.source for _, e in estimates for f in e.factors})
        if ops:
            sources.append(f"Joint operations in which {agency} takes part: results as reported by the participants")
        return SituationReport(
            title=title, area_label=label, countries=countries, date_from=q.date_from, date_to=q.date_to,
            previous_from=prev_from, previous_to=prev_to, agency=agency, generated_on=actor.today,
            key_figures=key, by_substance=by_substance, by_country=dict(by_country), by_port_type=dict(by_port),
            monthly=monthly, routes=routes, places=places[:200], findings=findings, operations=ops,
            indicators=indicators, estimates=estimates, sources=sources,
            scope=(f"This report contains only what {agency} may see on {actor.today.isoformat()}: seizures "
                   f"shared with {agency} under their owners' distribution, joint operations {agency} takes "
                   "part in, and published indicator figures. Other agencies' reports of the same area may differ."),
        )  # fmt: skip

    def _routes(self, session: Session, actor: Actor, cs: set[str], q: ReportQuery) -> list[dict[str, Any]]:
        out = self.stats.run(session, actor, StatsQuery(("route", "country"), q.date_from, q.date_to))
        acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for r in out.rows:
            if r.key["country"] in cs and r.key["route"] != "?>?":
                a = acc[r.key["route"]]
                a[0] += r.seizures
                a[1] += r.mass_kg
                a[2] += r.previous_mass_kg or 0.0
        top = sorted(acc.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP_ROUTES]
        return [
            {"route": k, "seizures": int(v[0]), "mass_kg": round(v[1], 3), "previous_mass_kg": round(v[2], 3),
             "change_pct": _pct(v[1], v[2])}
            for k, v in top
        ]  # fmt: skip

    def _operations(self, session: Session, actor: Actor, q: ReportQuery) -> list[dict[str, Any]]:
        out = []
        for op in self.operations.list(session, actor):
            if op.ends_on < q.date_from or op.starts_on > q.date_to:
                continue
            c = self.operations.consolidated(session, actor, op.code)
            out.append({
                "code": op.code, "name": op.name, "starts_on": op.starts_on, "ends_on": op.ends_on,
                "participants": len(c.participants), "cases": c.total_cases, "suspects": c.total_suspects,
                "mass_kg": round(c.total_mass_kg, 3), "scope": c.scope,
            })  # fmt: skip
        return out

    def _indicators(
        self, session: Session, actor: Actor, q: ReportQuery, countries: list[str], region: str | None
    ) -> tuple[list[IndicatorLine], list[tuple[str, Estimate]]]:
        areas = list(countries)
        if region:
            areas.append(resolve_area(region).code)
        # The regions the area overlaps, and their countries: a report on the Mekong mechanism shows the
        # Golden Triangle's cultivation even where Myanmar's agency is not a member.
        for region_def in REGIONS.values():
            if set(region_def.members) & set(countries):
                areas += [x for x in (region_def.code, *region_def.members) if x not in areas]
        lines: list[IndicatorLine] = []
        estimates: list[tuple[str, Estimate]] = []
        for a in areas:
            rows = self.indicators.latest(session, actor, IndicatorFilters(area=a, period_to=q.date_to))
            latest: dict[str, IndicatorValue] = {}
            by_period: dict[tuple[str, str], IndicatorValue] = {}
            for r in rows:
                by_period[(r.indicator, r.period)] = r
                # annual figures first (the surveys'), then the latest period
                cur = latest.get(r.indicator)
                if cur is None or (r.period_end, len(r.period) == 4) > (cur.period_end, len(cur.period) == 4):
                    latest[r.indicator] = r
            for ind, r in sorted(latest.items()):
                prev = by_period.get((ind, previous_period(parse_period(r.period)).label))
                meta = INDICATORS.get(ind)
                lines.append(IndicatorLine(
                    ind, meta.name if meta else ind, a, area_name(a), r.period, r.value, r.unit, r.low, r.high,
                    prev.value if prev else None, _pct(r.value, prev.value if prev else None),
                    ", ".join(x for x in (r.source, r.source_table, f"p. {r.source_page}" if r.source_page else "") if x),
                ))  # fmt: skip
                if ind == "opium_poppy_cultivation":
                    opium = potential_opium(r.value, yield_for(a), r.low, r.high)
                    estimates.append((f"{area_name(a)} {r.period}", opium))
                    estimates.append((f"{area_name(a)} {r.period}", heroin_from_opium(opium)))
        return lines, estimates

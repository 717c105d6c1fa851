"""Seizure statistics over what the asking agency may see.

Totals (seizures, kg, and counts that have no mass: plants, hectares, tablets of unknown mass) grouped
by any of the keys below, with the change against the previous period. The statistics read the
seizure lines alone (each carries its seizure's facts and audience); the sharing rule is applied to
the audiences (``visible_lines``), which at a million seizures costs a fraction of applying it to
every seizure.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Numeric, and_, case, cast, false, func, literal, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.substances import catalogue
from interdict.io.csvsafe import cell
from interdict.schemas.seizures import StatsOut, StatsRow
from interdict.services.context import Actor
from interdict.services.sharing import viewer
from interdict.store.records import Audience
from interdict.store.seizures import Operation, Seizure, SeizureItem
from interdict.store.structure import Agency
from interdict.store.visibility import visible

TIME_KEYS = ("year", "quarter", "month")
KEYS = (
    "substance",
    "category",
    "country",
    "agency",
    "port_type",
    "port",
    "origin",
    "destination",
    "route",
    "operation",
    *TIME_KEYS,
)
ALIASES = {
    "location_type": "port_type",
    "route_leg": "route",
    "reporting_agency": "agency",
    "owner": "agency",
}
COUNT_UNITS = ("tablets", "plants", "ha", "blotters", "l", "ml")


def parse_by(text: str | Sequence[str]) -> list[str]:
    parts = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for raw in parts:
        key = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not key:
            continue
        if key not in KEYS:
            raise BadInputError(
                f"cannot group by {raw!r}; choose from {', '.join(KEYS)}", {"by": f"unknown key {raw!r}"}
            )
        if key not in out:
            out.append(key)
    if sum(k in TIME_KEYS for k in out) > 1:
        raise BadInputError("group by at most one of year, quarter, month", {"by": "more than one period"})
    return out


@dataclass(frozen=True)
class StatsQuery:
    by: tuple[str, ...] = ("substance",)
    date_from: date | None = None
    date_to: date | None = None
    substance: str | None = None
    category: str | None = None
    country: str | None = None
    agency: str | None = None
    operation: str | None = None
    port_type: str | None = None


def _columns(key: str) -> list[Any]:
    """What each key groups by: columns of the lines alone (they carry their seizure's facts)."""
    match key:
        case "substance":
            return [SeizureItem.substance]
        case "category":
            return [SeizureItem.category]
        case "country":
            return [SeizureItem.country]
        case "agency":
            return [SeizureItem.owner_agency_id]
        case "port_type":
            return [SeizureItem.location_type]
        case "port":
            return [SeizureItem.port_code]
        case "origin":
            return [SeizureItem.origin_country]
        case "destination":
            return [SeizureItem.destination_country]
        case "route":
            return [SeizureItem.origin_country, SeizureItem.destination_country]
        case "operation":
            return [func.coalesce(SeizureItem.operation_id, 0)]
        case "year":
            return [SeizureItem.seized_month // 100]
        case "quarter":
            return [SeizureItem.seized_month // 100, (SeizureItem.seized_month % 100 + 2) // 3]
        case "month":
            return [SeizureItem.seized_month]
    raise AssertionError(key)


def visible_lines(session: Session, actor: Actor) -> Any:
    """WHERE clause: the seizure lines the actor's agency may see. The sharing rule (``visible``) is
    applied to the audiences (a few hundred rows), and a line is kept when its seizure's audience is
    among those: an integer test per line instead of the rule per seizure."""
    # Read first, then given as a list of integers: as a subquery its per-row probes of record_shares
    # make PostgreSQL plan the whole aggregate without parallel workers.
    ids = sorted(session.scalars(select(Audience.id).where(visible(Audience, viewer(session, actor)))))
    return SeizureItem.audience_id.in_(ids) if ids else false()


def _first(q: StatsQuery, by: tuple[str, ...]) -> Any:
    """Each seizure counted once per group without COUNT(DISTINCT): by the first line of each
    substance (or category) where lines are grouped or filtered by it, else by its first line."""
    if "substance" in by or q.substance:
        return SeizureItem.first_of_substance.is_(True)
    if "category" in by or q.category:
        return SeizureItem.first_of_category.is_(True)
    return SeizureItem.line == 1


def require_order(date_from: date | None, date_to: date | None) -> None:
    """A period's start may not come after its end (statistics, signals, situation reports)."""
    if date_from and date_to and date_from > date_to:
        raise BadInputError(
            f"date_from {date_from.isoformat()} is after date_to {date_to.isoformat()}", {"date_from": "after date_to"}
        )


class SeizureStats:
    def run(self, session: Session, actor: Actor, q: StatsQuery) -> StatsOut:
        require_order(q.date_from, q.date_to)
        seen = visible_lines(session, actor)  # the sharing rule, once for every query of this answer
        current, whole_count = self._aggregate(session, seen, q, q.date_from, q.date_to)
        previous: dict[tuple[str, ...], tuple[int, float, dict[str, float]]] = {}
        prev_from = prev_to = None
        time_key = next((k for k in q.by if k in TIME_KEYS), None)
        if time_key is not None:
            # The previous period of each row is the row of the same other keys one period earlier.
            i = q.by.index(time_key)
            lookup = current
            if q.date_from is not None:
                # Rows for the period before date_from are outside the asked range: fetch them too.
                earlier = _period_start(q.date_from, time_key, back=1)
                lookup = {
                    **self._aggregate(session, seen, q, earlier, q.date_from - timedelta(days=1))[0],
                    **current,
                }
            for key in current:
                prev_label = _previous_label(key[i], time_key)
                prev_key = (*key[:i], prev_label, *key[i + 1 :])
                if prev_key in lookup:
                    previous[key] = lookup[prev_key]
        elif q.date_from is not None and q.date_to is not None:
            length = (q.date_to - q.date_from).days + 1
            prev_to = q.date_from - timedelta(days=1)
            prev_from = prev_to - timedelta(days=length - 1)
            previous = self._aggregate(session, seen, q, prev_from, prev_to)[0]
        rows = []
        for key in sorted(current, key=lambda k: (-current[k][1], k)):
            n, kg, counts = current[key]
            prev = previous.get(key)
            change = None
            if prev is not None and prev[1] > 0:
                change = round((kg - prev[1]) / prev[1] * 100, 1)
            rows.append(
                StatsRow(
                    key=dict(zip(q.by, key, strict=True)) if q.by else {},
                    seizures=n,
                    mass_kg=round(kg, 3),
                    counts={u: round(v, 3) for u, v in counts.items() if v},
                    previous_seizures=prev[0] if prev else (0 if time_key or prev_from else None),
                    previous_mass_kg=round(prev[1], 3) if prev else (0.0 if time_key or prev_from else None),
                    change_mass_pct=change,
                )
            )
        if any(k in ("substance", "category") for k in q.by):
            # A seizure of two substances is in two rows: count it once.
            # Each seizure's first line is in exactly one row: their sum counts every seizure once,
            # from the same scan (a seizure of two substances is in two rows).
            total_n = whole_count
            total_kg = sum(r[1] for r in current.values())
        else:
            total_n, total_kg = sum(r[0] for r in current.values()), sum(r[1] for r in current.values())
        return StatsOut(
            by=list(q.by),
            date_from=q.date_from,
            date_to=q.date_to,
            previous_from=prev_from,
            previous_to=prev_to,
            rows=rows,
            total_seizures=total_n,
            total_mass_kg=round(total_kg, 3),
            scope=f"seizures visible to {actor.agency_code}",
        )

    def _filters(self, session: Session, q: StatsQuery, start: date | None, end: date | None) -> list[Any]:
        where: list[Any] = []
        if start:
            where.append(SeizureItem.seized_on >= start)
        if end:
            where.append(SeizureItem.seized_on <= end)
        if q.country:
            where.append(SeizureItem.country == q.country.upper())
        if q.port_type:
            where.append(SeizureItem.location_type == q.port_type)
        if q.agency:
            where.append(
                SeizureItem.owner_agency_id
                == (session.scalar(select(Agency.id).where(Agency.code == q.agency)) or -1)
            )
        if q.operation:
            where.append(
                SeizureItem.operation_id
                == (session.scalar(select(Operation.id).where(Operation.code == q.operation.upper())) or -1)
            )
        if q.substance:
            sub = catalogue().resolve(q.substance)
            where.append(SeizureItem.substance == (sub.code if sub else q.substance))
        if q.category:
            where.append(SeizureItem.category == q.category)
        return where

    def _aggregate(
        self, session: Session, seen: Any, q: StatsQuery, start: date | None, end: date | None
    ) -> tuple[dict[tuple[str, ...], tuple[int, float, dict[str, float]]], int]:
        """Rows by key, and the number of seizures over all rows (each counted once)."""
        cols: list[Any] = []
        spans: list[tuple[str, int]] = []
        for name in q.by:
            c = _columns(name)
            spans.append((name, len(c)))
            cols.extend(c)
        first = _first(q, q.by)
        measures = [
            func.coalesce(func.sum(case((first, 1), else_=0)), 0),
            func.coalesce(func.sum(case((_first(q, ()), 1), else_=0)), 0),
            func.coalesce(func.sum(SeizureItem.mass_kg), 0.0),
            *(
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(SeizureItem.count_unit == u, SeizureItem.mass_kg.is_(None)),
                                SeizureItem.count,
                            )
                        )
                    ),
                    0.0,
                )
                for u in COUNT_UNITS
            ),
        ]
        where = self._filters(session, q, start, end)
        out: dict[tuple[str, ...], tuple[int, float, dict[str, float]]] = {}
        ones = 0
        labels = _Labels(session)
        stmt = select(*(cols or [literal("all")]), *measures).where(seen, *where)
        if cols:
            stmt = stmt.group_by(*cols)
        width = len(cols) or 1
        for row in session.execute(stmt):
            key = labels.key(spans, list(row[:width])) if cols else ("all",)
            counts = {u: float(v) for u, v in zip(COUNT_UNITS, row[width + 3 :], strict=True)}
            out[key] = (int(row[width]), float(row[width + 2]), counts)
            ones += int(row[width + 1])
        return out, ones


@dataclass(frozen=True)
class Location:
    """A place on the map: seizures made there (coordinates to 0.1 degree, or the port's position)."""

    lat: float
    lon: float
    country: str
    port: str
    seizures: int
    mass_kg: float


@dataclass(frozen=True)
class Locations:
    places: list[Location]
    unplaced: int  # visible seizures matching the query with neither coordinates nor a port


def locations(session: Session, actor: Actor, q: StatsQuery, limit: int = 500) -> Locations:
    """Where the visible seizures matching ``q`` were made, aggregated like the other statistics: no
    seizure is read one by one, so none is disclosed by the map."""
    from interdict.domain.ports import ports

    lat = cast(func.round(cast(Seizure.latitude, Numeric), 1), Numeric)
    lon = cast(func.round(cast(Seizure.longitude, Numeric), 1), Numeric)
    where = SeizureStats()._filters(session, q, q.date_from, q.date_to)
    acc: dict[tuple[Any, ...], list[Any]] = {}
    stmt = (
        select(
            lat,
            lon,
            SeizureItem.country,
            SeizureItem.port_code,
            func.coalesce(func.sum(case((_first(q, ()), 1), else_=0)), 0),
            func.coalesce(func.sum(SeizureItem.mass_kg), 0.0),
        )
        .select_from(SeizureItem)
        .join(Seizure, Seizure.id == SeizureItem.seizure_id)
        .where(visible_lines(session, actor), *where)
        .group_by(lat, lon, SeizureItem.country, SeizureItem.port_code)
    )
    for la, lo, country, port, n, kg in session.execute(stmt):
        acc[(la, lo, country, port)] = [int(n), float(kg or 0.0)]
    places: dict[tuple[float, float, str, str], list[Any]] = {}
    unplaced = 0
    for (la, lo, country, port), (n, kg) in acc.items():
        if la is None or lo is None:
            p = ports().get(port) if port else None
            if p is None:
                unplaced += n
                continue
            la, lo = p.lat, p.lon
        spot = places.setdefault((round(float(la), 1), round(float(lo), 1), country, port or ""), [0, 0.0])
        spot[0] += n
        spot[1] += kg
    ordered = sorted(places.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))[:limit]
    return Locations(
        [Location(la, lo, c, port, n, round(kg, 3)) for (la, lo, c, port), (n, kg) in ordered], unplaced
    )


class _Labels:
    """Turns grouped database values into the labels users read (agency codes, 2024-Q1 ...)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._agencies: dict[int, str] | None = None
        self._operations: dict[int, str] | None = None

    def agency(self, agency_id: int) -> str:
        if self._agencies is None:
            self._agencies = dict(self.session.execute(select(Agency.id, Agency.code)).all())
        return self._agencies.get(agency_id, "?")

    def operation(self, op_id: int) -> str:
        if not op_id:
            return "(none)"
        if self._operations is None:
            self._operations = dict(self.session.execute(select(Operation.id, Operation.code)).all())
        return self._operations.get(op_id, "?")

    def key(self, spans: list[tuple[str, int]], raw: list[Any]) -> tuple[str, ...]:
        out = []
        i = 0
        for name, width in spans:
            vals = raw[i : i + width]
            i += width
            match name:
                case "agency":
                    out.append(self.agency(int(vals[0])))
                case "operation":
                    out.append(self.operation(int(vals[0])))
                case "route":
                    out.append(f"{vals[0] or '?'}>{vals[1] or '?'}")
                case "year":
                    out.append(f"{int(vals[0]):04d}")
                case "quarter":
                    out.append(f"{int(vals[0]):04d}-Q{int(vals[1])}")
                case "month":
                    m = int(vals[0])
                    out.append(f"{m // 100:04d}-{m % 100:02d}")
                case _:
                    out.append(str(vals[0]) if vals[0] not in (None, "") else "(unknown)")
        return tuple(out)


def _previous_label(label: str, key: str) -> str:
    if key == "year":
        return f"{int(label) - 1:04d}"
    if key == "quarter":
        y, qn = int(label[:4]), int(label[-1])
        return f"{y - 1:04d}-Q4" if qn == 1 else f"{y:04d}-Q{qn - 1}"
    y, m = int(label[:4]), int(label[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def _period_start(day: date, key: str, back: int) -> date:
    if key == "year":
        return date(day.year - back, 1, 1)
    if key == "quarter":
        q0 = (day.month - 1) // 3 * 3 + 1
        month = q0 - 3 * back
        year = day.year
        while month < 1:
            month += 12
            year -= 1
        return date(year, month, 1)
    month, year = day.month - back, day.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def stats_csv(out: StatsOut) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    units = sorted({u for r in out.rows for u in r.counts})
    w.writerow(
        [
            *out.by,
            "seizures",
            "mass_kg",
            *(f"count_{u}" for u in units),
            "previous_seizures",
            "previous_mass_kg",
            "change_mass_pct",
        ]
    )
    for r in out.rows:
        w.writerow(
            [
                *(cell(r.key[k]) for k in out.by),
                r.seizures,
                r.mass_kg,
                *(r.counts.get(u, "") for u in units),
                "" if r.previous_seizures is None else r.previous_seizures,
                "" if r.previous_mass_kg is None else r.previous_mass_kg,
                "" if r.change_mass_pct is None else r.change_mass_pct,
            ]
        )
    return buf.getvalue()


def stats_xlsx(out: StatsOut) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "statistics"
    rows = list(csv.reader(io.StringIO(stats_csv(out))))
    ws.append(rows[0])
    for r in rows[1:]:
        ws.append([_cell_value(v) for v in r])
    meta = wb.create_sheet("about")
    meta.append(["scope", out.scope])
    meta.append(["from", str(out.date_from or "")])
    meta.append(["to", str(out.date_to or "")])
    meta.append(["total seizures", out.total_seizures])
    meta.append(["total kg", out.total_mass_kg])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell_value(v: str) -> Any:
    try:
        return float(v) if v and not v.startswith("'") and v.replace(".", "", 1).lstrip("-").isdigit() else v
    except ValueError:
        return v


def group_rows(out: StatsOut, key: str) -> dict[str, float]:
    """Mass by one key of the result, for charts."""
    acc: dict[str, float] = defaultdict(float)
    for r in out.rows:
        acc[r.key[key]] += r.mass_kg
    return dict(acc)

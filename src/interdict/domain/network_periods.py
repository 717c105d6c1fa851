"""The network period by period (pure): how each key player's position changes.

A period is a half-open time window ``[start, end)``: calendar months, quarters or years of the edges'
times, or phases the analyst names (e.g. the phases of an investigation). The network of a period holds
the edges timed inside it and the nodes they join; edges without a time belong to no period and are
counted. Each period is analysed like the whole (``domain.network.analyze``); the key players of the whole
network are then followed through the periods: their rank and betweenness in each, or absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from interdict.domain.errors import BadInputError
from interdict.domain.network import Analysis, Network, analyze, build_network

__all__ = ["Period", "PeriodView", "Timeline", "calendar_periods", "timeline"]

MAX_PERIODS = 120


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive


def _bucket(t: datetime, by: str) -> tuple[datetime, datetime, str]:
    if by == "year":
        return datetime(t.year, 1, 1, tzinfo=UTC), datetime(t.year + 1, 1, 1, tzinfo=UTC), f"{t.year}"
    if by == "quarter":
        q = (t.month - 1) // 3
        start = datetime(t.year, 3 * q + 1, 1, tzinfo=UTC)
        end = datetime(t.year + (q == 3), (3 * q + 3) % 12 + 1, 1, tzinfo=UTC)
        return start, end, f"{t.year}-Q{q + 1}"
    if by == "month":
        start = datetime(t.year, t.month, 1, tzinfo=UTC)
        end = datetime(t.year + (t.month == 12), t.month % 12 + 1, 1, tzinfo=UTC)
        return start, end, f"{t.year}-{t.month:02d}"
    raise BadInputError(f"periods are by month, quarter or year, not {by!r}", {"by": by})


def calendar_periods(net: Network, by: str) -> list[Period]:
    """The calendar periods (``month``, ``quarter``, ``year``) that hold at least one edge."""
    if by not in ("month", "quarter", "year"):
        raise BadInputError(f"periods are by month, quarter or year, not {by!r}", {"by": by})
    found = {_bucket(e.time, by) for e in net.edges if e.time is not None}
    periods = [Period(label, start, end) for start, end, label in sorted(found)]
    if len(periods) > MAX_PERIODS:
        raise BadInputError(
            f"{len(periods)} periods by {by}: at most {MAX_PERIODS}; choose a longer period", {"by": by}
        )
    return periods


@dataclass(frozen=True)
class PeriodView:
    period: Period
    edges: int
    analysis: Analysis | None  # None when no edge falls in the period


@dataclass(frozen=True)
class Timeline:
    views: list[PeriodView]
    untimed_edges: int
    tracked: list[str]  # node ids of the key players followed
    positions: dict[str, list[dict[str, Any] | None]]  # node id -> per period {rank, betweenness...} or None

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": [
                {
                    "label": v.period.label,
                    "start": v.period.start.isoformat(),
                    "end": v.period.end.isoformat(),
                    "edges": v.edges,
                    "nodes": v.analysis.cohesion.nodes if v.analysis else 0,
                    "top": [p.node.id for p in v.analysis.top(5)] if v.analysis else [],
                }
                for v in self.views
            ],
            "untimed_edges": self.untimed_edges,
            "positions": self.positions,
        }


def timeline(net: Network, periods: Sequence[Period], *, track: int = 10, **kw: Any) -> Timeline:
    """Analyse each period and follow the ``track`` top players of the whole network through them."""
    if not periods:
        raise BadInputError("no periods: the edges carry no times", {"time": "missing"})
    for p in periods:
        if p.end <= p.start:
            raise BadInputError(f"period {p.label!r} ends before it starts", {"period": p.label})
    whole = analyze(net, **kw)
    tracked = [p.node.id for p in whole.top(track)]
    views = []
    positions: dict[str, list[dict[str, Any] | None]] = {t: [] for t in tracked}
    for p in periods:
        edges = [e for e in net.edges if e.time is not None and p.start <= e.time < p.end]
        ends = {e.source for e in edges} | {e.target for e in edges}
        nodes = [n for n in net.nodes if n.id in ends]
        analysis = analyze(build_network(edges, nodes, directed=net.directed), **kw) if edges else None
        views.append(PeriodView(p, len(edges), analysis))
        found = {k.node.id: k for k in analysis.players} if analysis else {}
        for t in tracked:
            k = found.get(t)
            positions[t].append(
                None
                if k is None
                else {
                    "rank": k.rank,
                    "degree": k.degree,
                    "betweenness": k.betweenness,
                    "community": k.community,
                }
            )
    untimed = sum(1 for e in net.edges if e.time is None)
    return Timeline(views, untimed, tracked, positions)

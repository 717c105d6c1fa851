"""Money through a network (pure): trace funds, aggregate flows, flag patterns.

A *payment* is an edge of kind ``Payment`` with an amount and a currency, from payer to beneficiary (FtM
``Payment``: payer, beneficiary, amount, currency, date). Amounts are Decimals, never floats.

**Currency.** Every amount is also converted to one base currency with the user's rate table: the rate
of the payment's currency *on the payment date*, i.e. the latest rate dated on or before it (a table
of month-end or daily rates both work). A payment in a currency with no rate on or before its date is
an error naming the currency and the date; nothing is guessed.

**Tracing** (:func:`trace`) follows payments in time order. Forward from an account: its payments out
(at or after ``since``), then from each beneficiary the payments it made *after* the money arrived,
and so on; backward: the payments into the account (at or before ``until``), then into each payer
*before* it paid on. Each node is expanded from its earliest arrival (forward) or latest departure
(backward), and each payment is listed once. The trace stops at thresholds: ``max_hops``, payments
under ``min_amount`` (base currency) are not followed, and with ``max_gap`` the next payment must come
within that time of the one before. Undated payments cannot be ordered and are not followed (counted).

**Flags** (:func:`flags`), each with its figures: *fan-in* / *fan-out* (payments from / to at least
``min_parties`` distinct counterparties within ``window``), *rapid pass-through* (at least ``share`` of an
incoming payment leaves the account within ``within``), *structuring* (at least ``min_count`` payments
by one payer, within ``window``, each just under the reporting ``threshold``: within ``margin`` of it).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from interdict.domain.errors import BadInputError
from interdict.domain.network import Edge, Network

__all__ = [
    "Flag",
    "FlagRules",
    "Flow",
    "Rate",
    "RateTable",
    "Trace",
    "TraceRules",
    "flags",
    "flows",
    "payments",
    "trace",
]

PAYMENT = "payment"


@dataclass(frozen=True)
class Rate:
    day: date
    currency: str
    rate: Decimal  # units of the base currency for one unit of ``currency``


class RateTable:
    """Rates to one base currency by date; :meth:`convert` uses the latest rate on or before the day."""

    def __init__(self, base: str, rates: Iterable[Rate] = ()) -> None:
        self.base = base.upper()
        table: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for r in rates:
            if r.rate <= 0:
                raise BadInputError(
                    f"rate {r.rate} for {r.currency} on {r.day} is not positive", {"rate": str(r.rate)}
                )
            table[r.currency.upper()].append((r.day, r.rate))
        self._days = {c: [d for d, _ in sorted(v)] for c, v in table.items()}
        self._rates = {c: [x for _, x in sorted(v)] for c, v in table.items()}

    def rate(self, currency: str, day: date) -> Decimal:
        cur = currency.upper()
        if cur == self.base:
            return Decimal(1)
        days = self._days.get(cur, [])
        i = bisect.bisect_right(days, day)
        if i == 0:
            raise BadInputError(
                f"no {cur} to {self.base} rate on or before {day.isoformat()}: add one to the rate table",
                {"currency": cur, "date": day.isoformat()},
            )
        return self._rates[cur][i - 1]

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal:
        return amount * self.rate(currency, day)


@dataclass(frozen=True)
class Payment:
    edge: Edge
    base_amount: Decimal

    @property
    def time(self) -> datetime:
        assert self.edge.time is not None
        return self.edge.time

    def as_dict(self) -> dict[str, Any]:
        e = self.edge
        return {
            "id": e.id,
            "from": e.source,
            "to": e.target,
            "time": e.time.isoformat() if e.time else None,
            "amount": str(e.amount),
            "currency": e.currency,
            "base_amount": str(self.base_amount),
        }


def payments(net: Network, rates: RateTable) -> tuple[list[Payment], int]:
    """The dated payments of ``net`` in time order, converted; and how many were undated."""
    out, undated = [], 0
    missing: list[str] = []
    for e in net.edges:
        if e.kind.lower() != PAYMENT or e.amount is None:
            continue
        if not e.currency:
            missing.append(e.id or f"{e.source}->{e.target}")
            continue
        if e.time is None:
            undated += 1
            continue
        out.append(Payment(e, rates.convert(e.amount, e.currency, e.time.date())))
    if missing:
        raise BadInputError(f"payments without a currency: {', '.join(missing[:5])}", {"currency": "missing"})
    out.sort(key=lambda p: (p.time, p.edge.id))
    return out, undated


# -- tracing -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TraceRules:
    direction: str = "forward"  # or "backward"
    max_hops: int = 5
    min_amount: Decimal = Decimal(0)
    max_gap: timedelta | None = None
    since: datetime | None = None  # forward: the origin's payments at or after this time
    until: datetime | None = None  # backward: the origin's payments at or before this time


@dataclass(frozen=True)
class Step:
    hop: int
    payment: Payment

    def as_dict(self) -> dict[str, Any]:
        return {"hop": self.hop, **self.payment.as_dict()}


@dataclass(frozen=True)
class Trace:
    origin: str
    direction: str
    base: str
    steps: list[Step]  # in time order
    reached: dict[str, dict[str, Any]]  # node -> {hops, total (base currency), payments}
    undated: int
    below_threshold: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "direction": self.direction,
            "base_currency": self.base,
            "steps": [s.as_dict() for s in self.steps],
            "reached": self.reached,
            "undated_payments": self.undated,
            "below_threshold": self.below_threshold,
        }


def trace(net: Network, origin: str, rates: RateTable, rules: TraceRules = TraceRules()) -> Trace:
    """Follow the money from (forward) or to (backward) ``origin``; see the module docstring."""
    net.index(origin)
    if rules.direction not in ("forward", "backward"):
        raise BadInputError(
            f"direction is forward or backward, not {rules.direction!r}", {"direction": rules.direction}
        )
    if not 1 <= rules.max_hops <= 50:
        raise BadInputError(
            f"max hops must be between 1 and 50, not {rules.max_hops}", {"max_hops": str(rules.max_hops)}
        )
    forward = rules.direction == "forward"
    pays, undated = payments(net, rates)
    by_node: dict[str, list[Payment]] = defaultdict(list)
    for p in pays:
        by_node[p.edge.source if forward else p.edge.target].append(p)
    used: set[int] = set()
    steps: list[Step] = []
    below = 0
    best: dict[str, datetime | None] = {origin: rules.since if forward else rules.until}
    frontier: list[tuple[str, datetime | None, int]] = [(origin, best[origin], 0)]
    while frontier:
        nxt: list[tuple[str, datetime | None, int]] = []
        for node, at, hop in frontier:
            if best.get(node, at) != at:
                continue  # reached again with an earlier arrival (later departure) since
            for p in by_node.get(node, ()):
                if not _in_time(p.time, at, rules.max_gap if hop else None, forward) or id(p) in used:
                    continue
                if p.base_amount < rules.min_amount:
                    below += 1
                    continue
                used.add(id(p))
                steps.append(Step(hop + 1, p))
                other = p.edge.target if forward else p.edge.source
                if hop + 1 < rules.max_hops and other != origin and _better(best, other, p.time, forward):
                    best[other] = p.time
                    nxt.append((other, p.time, hop + 1))
        frontier = nxt
    steps.sort(key=lambda s: (s.payment.time, s.hop, s.payment.edge.id))
    return Trace(origin, rules.direction, rates.base, steps, _reached(steps, forward), undated, below)


def _in_time(t: datetime, at: datetime | None, gap: timedelta | None, forward: bool) -> bool:
    if at is None:
        return True
    if forward:
        return t >= at and (gap is None or t - at <= gap)
    return t <= at and (gap is None or at - t <= gap)


def _better(best: dict[str, datetime | None], node: str, t: datetime, forward: bool) -> bool:
    if node not in best:
        return True
    old = best[node]
    return old is not None and (t < old if forward else t > old)


def _reached(steps: Sequence[Step], forward: bool) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for s in steps:
        node = s.payment.edge.target if forward else s.payment.edge.source
        r = out.setdefault(node, {"hops": s.hop, "total": Decimal(0), "payments": 0})
        r["hops"] = min(r["hops"], s.hop)
        r["total"] += s.payment.base_amount
        r["payments"] += 1
    return {k: {**v, "total": str(v["total"])} for k, v in sorted(out.items())}


# -- flows -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    total: Decimal
    payments: int

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "total": str(self.total), "payments": self.payments}


UNKNOWN = "unknown"


def flows(net: Network, rates: RateTable, by: str = "country") -> list[Flow]:
    """Payments summed (base currency) between the nodes' countries (``by="country"``) or groups."""
    if by not in ("country", "group"):
        raise BadInputError(f"flows are by country or group, not {by!r}", {"by": by})
    nodes = {n.id: n for n in net.nodes}
    sums: dict[tuple[str, str], list[Any]] = {}
    for p in payments(net, rates)[0]:
        a, b = (getattr(nodes[x], by) or UNKNOWN for x in (p.edge.source, p.edge.target))
        acc = sums.setdefault((a, b), [Decimal(0), 0])
        acc[0] += p.base_amount
        acc[1] += 1
    return sorted(
        (Flow(a, b, total, count) for (a, b), (total, count) in sums.items()),
        key=lambda f: (-f.total, f.source),
    )


# -- flags -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlagRules:
    min_parties: int = 5
    window: timedelta = timedelta(days=7)
    within: timedelta = timedelta(hours=48)
    share: Decimal = Decimal("0.8")
    threshold: Decimal | None = None  # the reporting threshold, base currency; no structuring flag without
    margin: Decimal = Decimal("0.1")
    min_count: int = 3
    structuring_window: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Flag:
    kind: str  # fan_in, fan_out, pass_through, structuring
    node: str
    figures: dict[str, Any]
    payments: tuple[str, ...]
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            "figures": self.figures,
            "payments": list(self.payments),
            "text": self.text,
        }


def flags(net: Network, rates: RateTable, rules: FlagRules = FlagRules()) -> list[Flag]:
    pays = payments(net, rates)[0]
    out = (
        _fan(pays, rules, inward=True)
        + _fan(pays, rules, inward=False)
        + _pass_through(pays, rules, rates.base)
    )
    if rules.threshold is not None:
        out += _structuring(pays, rules, rates.base)
    return sorted(out, key=lambda f: (f.kind, f.node))


def _pid(p: Payment) -> str:
    return p.edge.id or f"{p.edge.source}->{p.edge.target}@{p.time.isoformat()}"


def _fan(pays: Sequence[Payment], rules: FlagRules, inward: bool) -> list[Flag]:
    """One flag per account: the window holding the most distinct counterparties, if enough."""
    by_node: dict[str, list[Payment]] = defaultdict(list)
    for p in pays:
        by_node[p.edge.target if inward else p.edge.source].append(p)
    out = []
    for node, ps in by_node.items():
        best: list[Payment] = []
        lo = 0
        for hi in range(len(ps)):
            while ps[hi].time - ps[lo].time > rules.window:
                lo += 1
            win = ps[lo : hi + 1]
            if _parties(win, inward) > _parties(best, inward):
                best = win
        n = _parties(best, inward)
        if n >= rules.min_parties:
            kind, word = ("fan_in", "from") if inward else ("fan_out", "to")
            total = sum((p.base_amount for p in best), Decimal(0))
            figures = {
                "counterparties": n,
                "payments": len(best),
                "total": str(total),
                "first": best[0].time.isoformat(),
                "last": best[-1].time.isoformat(),
            }
            text = f"{len(best)} payments {word} {n} distinct accounts within {_span(best)}"
            out.append(Flag(kind, node, figures, tuple(_pid(p) for p in best), text))
    return out


def _parties(ps: Sequence[Payment], inward: bool) -> int:
    return len({p.edge.source if inward else p.edge.target for p in ps})


def _span(ps: Sequence[Payment]) -> str:
    hours = (ps[-1].time - ps[0].time).total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 72 else f"{hours / 24:.0f} days"


def _pass_through(pays: Sequence[Payment], rules: FlagRules, base: str) -> list[Flag]:
    outgoing: dict[str, list[Payment]] = defaultdict(list)
    for p in pays:
        outgoing[p.edge.source].append(p)
    out = []
    for p in pays:
        node = p.edge.target
        leaving = [q for q in outgoing.get(node, ()) if p.time <= q.time <= p.time + rules.within]
        sent = sum((q.base_amount for q in leaving), Decimal(0))
        if not leaving or p.base_amount <= 0 or sent < rules.share * p.base_amount:
            continue
        hours = (leaving[-1].time - p.time).total_seconds() / 3600
        figures = {
            "received": str(p.base_amount),
            "sent_on": str(sent),
            "hours": round(hours, 1),
            "currency": base,
        }
        text = f"received {p.base_amount} {base} and sent on {sent} {base} within {hours:.0f} hours"
        out.append(Flag("pass_through", node, figures, (_pid(p), *(_pid(q) for q in leaving)), text))
    return out


def _structuring(pays: Sequence[Payment], rules: FlagRules, base: str) -> list[Flag]:
    assert rules.threshold is not None
    low = rules.threshold * (1 - rules.margin)
    near: dict[str, list[Payment]] = defaultdict(list)
    for p in pays:
        if low <= p.base_amount < rules.threshold:
            near[p.edge.source].append(p)
    out = []
    for node, ps in near.items():
        best: list[Payment] = []
        lo = 0
        for hi in range(len(ps)):
            while ps[hi].time - ps[lo].time > rules.structuring_window:
                lo += 1
            if hi + 1 - lo > len(best):
                best = ps[lo : hi + 1]
        if len(best) >= rules.min_count:
            total = sum((p.base_amount for p in best), Decimal(0))
            figures = {
                "payments": len(best),
                "threshold": str(rules.threshold),
                "amounts": [str(p.base_amount) for p in best],
                "total": str(total),
                "currency": base,
            }
            text = (
                f"{len(best)} payments within {_span(best)}, each just under the {rules.threshold} {base} "
                f"threshold (from {low} {base}), {total} {base} in all"
            )
            out.append(Flag("structuring", node, figures, tuple(_pid(p) for p in best), text))
    return out

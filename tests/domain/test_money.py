"""Money through a network (``interdict.domain.money``): tracing known flows forward and backward,
FX at the payment date, thresholds, flows between countries and groups, and pattern flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError
from interdict.domain.money import FlagRules, Rate, RateTable, TraceRules, flags, flows, trace
from interdict.domain.network import Edge, Network, Node, build_network

USD = RateTable(
    "USD", [Rate(date(2024, 1, 1), "EUR", Decimal("1.10")), Rate(date(2024, 2, 1), "EUR", Decimal("1.20"))]
)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day - 1, hours=hour)


def pay(pid: str, a: str, b: str, amount: str, day: int, currency: str = "USD", hour: int = 0) -> Edge:
    return Edge(a, b, "Payment", time=at(day, hour), id=pid, amount=Decimal(amount), currency=currency)


def chain() -> Network:
    """A pays B 100 on day 1; B pays C 60 (day 2) and D 40 (day 3); B paid E 30 on day 0 (before the money
    came); C pays F 50 EUR on day 40 (February rate); D receives 5 from G on day 5."""
    nodes = [
        Node("A", country="TH", group="S1"),
        Node("B", country="LA", group="S1"),
        Node("C", country="MM", group="S2"),
        Node("D", country="MM", group="S2"),
        Node("E", country="LA"),
        Node("F", country="CN", group="S2"),
        Node("G"),
    ]
    edges = [
        pay("p1", "A", "B", "100", 1),
        pay("p2", "B", "C", "60", 2),
        pay("p3", "B", "D", "40", 3),
        pay("p0", "B", "E", "30", 0),
        pay("p4", "C", "F", "50", 40, "EUR"),
        pay("p5", "G", "D", "5", 5),
        Edge("A", "C", "Associate", id="r1"),
    ]
    return build_network(edges, nodes, directed=True)


def test_forward_trace_follows_money_in_time_order() -> None:
    t = trace(chain(), "A", USD)
    assert [s.payment.edge.id for s in t.steps] == ["p1", "p2", "p3", "p4"]
    assert [s.hop for s in t.steps] == [1, 2, 2, 3]
    assert t.steps[-1].payment.base_amount == Decimal("60.00")  # 50 EUR at the February rate 1.20
    assert t.reached["B"] == {"hops": 1, "total": "100", "payments": 1}
    assert "E" not in t.reached  # paid before the money arrived
    assert "G" not in t.reached


def test_backward_trace() -> None:
    t = trace(chain(), "D", USD, TraceRules(direction="backward"))
    assert sorted(s.payment.edge.id for s in t.steps) == ["p1", "p3", "p5"]
    assert t.reached["A"]["hops"] == 2


def test_thresholds_stop_the_trace() -> None:
    net = chain()
    assert [s.payment.edge.id for s in trace(net, "A", USD, TraceRules(max_hops=1)).steps] == ["p1"]
    small = trace(net, "A", USD, TraceRules(min_amount=Decimal(50)))
    assert [s.payment.edge.id for s in small.steps] == ["p1", "p2", "p4"] and small.below_threshold == 1
    gap = trace(net, "A", USD, TraceRules(max_gap=timedelta(days=1)))
    assert [s.payment.edge.id for s in gap.steps] == ["p1", "p2"]
    late = trace(net, "A", USD, TraceRules(since=at(2)))
    assert late.steps == []


def test_missing_rate_names_currency_and_date() -> None:
    with pytest.raises(BadInputError) as err:
        trace(chain(), "A", RateTable("USD"))
    assert err.value.errors == {"currency": "EUR", "date": "2024-02-09"}
    early = RateTable("USD", [Rate(date(2024, 3, 1), "EUR", Decimal(1))])
    with pytest.raises(BadInputError, match="no EUR to USD rate on or before 2024-02-09"):
        trace(chain(), "A", early)


def test_flows_between_countries_and_groups() -> None:
    by_country = {(f.source, f.target): (f.total, f.payments) for f in flows(chain(), USD)}
    assert by_country[("TH", "LA")] == (Decimal(100), 1)
    assert by_country[("LA", "MM")] == (Decimal(100), 2)
    assert by_country[("MM", "CN")] == (Decimal("60.00"), 1)
    assert by_country[("unknown", "MM")] == (Decimal(5), 1)
    by_group = {(f.source, f.target): f.total for f in flows(chain(), USD, "group")}
    assert by_group[("S1", "S2")] == Decimal(100) and by_group[("S1", "unknown")] == Decimal(30)


def test_fan_in_and_fan_out() -> None:
    edges = [pay(f"i{i}", f"s{i}", "mule", "10", 1, hour=i) for i in range(5)]
    edges += [pay(f"o{i}", "boss", f"r{i}", "10", 10 + 2 * i) for i in range(5)]  # spread over 9 days
    fl = flags(build_network(edges, directed=True), USD, FlagRules(min_parties=5))
    fan_in = [f for f in fl if f.kind == "fan_in"]
    assert [f.node for f in fan_in] == ["mule"]
    assert fan_in[0].figures["counterparties"] == 5 and fan_in[0].figures["total"] == "50"
    assert not [f for f in fl if f.kind == "fan_out"]  # more than 7 days apart
    wide = flags(build_network(edges, directed=True), USD, FlagRules(min_parties=5, window=timedelta(days=9)))
    assert [f.node for f in wide if f.kind == "fan_out"] == ["boss"]


def test_rapid_pass_through() -> None:
    edges = [
        pay("in", "a", "mule", "1000", 1),
        pay("out1", "mule", "b", "500", 1, hour=5),
        pay("out2", "mule", "c", "450", 2),
    ]
    fl = [f for f in flags(build_network(edges, directed=True), USD) if f.kind == "pass_through"]
    assert len(fl) == 1 and fl[0].node == "mule"
    assert fl[0].figures == {"received": "1000", "sent_on": "950", "hours": 24.0, "currency": "USD"}
    slow = [*edges[:2], pay("out2", "mule", "c", "450", 5)]
    assert not [f for f in flags(build_network(slow, directed=True), USD) if f.kind == "pass_through"]


def test_structuring_just_under_the_threshold() -> None:
    amounts = ["9500", "9900", "9999", "10000", "8000"]
    edges = [pay(f"d{i}", "smurf", "bank", a, 1 + i) for i, a in enumerate(amounts)]
    rules = FlagRules(threshold=Decimal(10000), min_parties=99)
    fl = [f for f in flags(build_network(edges, directed=True), USD, rules) if f.kind == "structuring"]
    assert len(fl) == 1 and fl[0].node == "smurf"
    assert fl[0].figures["amounts"] == ["9500", "9900", "9999"]
    assert "just under the 10000 USD threshold" in fl[0].text
    assert not [
        f for f in flags(build_network(edges, directed=True), USD, FlagRules()) if f.kind == "structuring"
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 1000), st.integers(0, 30)).filter(
            lambda x: x[0] != x[1]
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_forward_step_leaves_after_the_money_arrived(rows: list[tuple[int, int, int, int]]) -> None:
    edges = [pay(f"p{i}", f"n{a}", f"n{b}", str(amt), day) for i, (a, b, amt, day) in enumerate(rows)]
    net = build_network(edges, directed=True)
    origin = edges[0].source
    t = trace(net, origin, USD)
    arrived: dict[str, datetime] = {}
    for s in sorted(t.steps, key=lambda s: s.hop):
        e = s.payment.edge
        if e.source != origin:
            assert e.source in arrived and e.time is not None and e.time >= arrived[e.source]
        assert e.time is not None
        arrived[e.target] = min(arrived.get(e.target, e.time), e.time)
    assert len({s.payment.edge.id for s in t.steps}) == len(t.steps)

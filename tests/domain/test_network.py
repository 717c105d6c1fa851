"""Networks (``interdict.domain.network``, ``network_paths``, ``network_periods``) on graphs with known
answers: a star, a path, two cliques joined by one bridge node; and rules that hold for every graph."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError
from interdict.domain.network import (
    Edge,
    Network,
    Node,
    analyze,
    betweenness,
    brokerage,
    build_network,
    communities,
)
from interdict.domain.network_paths import (
    disrupt,
    ego_network,
    fragmentation,
    k_shortest_paths,
    shortest_path,
    suggest_removals,
)
from interdict.domain.network_periods import Period, calendar_periods, timeline


def star(leaves: int = 5) -> Network:
    return build_network([Edge("hub", f"l{i}") for i in range(leaves)])


def path(n: int = 5) -> Network:
    return build_network([Edge(f"p{i}", f"p{i + 1}") for i in range(n - 1)])


def bridged_cliques(size: int = 5) -> Network:
    a = [f"a{i}" for i in range(size)]
    b = [f"b{i}" for i in range(size)]
    edges = [Edge(x, y) for x, y in itertools.combinations(a, 2)]
    edges += [Edge(x, y) for x, y in itertools.combinations(b, 2)]
    edges += [Edge("bridge", "a0"), Edge("bridge", "b0")]
    return build_network(edges)


def by_id(net: Network) -> dict[str, object]:
    return {p.node.id: p for p in analyze(net).players}


# -- known answers -----------------------------------------------------------------------------------
def test_star_hub_is_first_on_every_measure() -> None:
    a = analyze(star(5))
    hub = a.players[0]
    assert hub.node.id == "hub"
    assert hub.degree == 5
    assert hub.betweenness == 10  # C(5, 2) pairs of leaves, all through the hub
    assert a.cohesion.nodes == 6 and a.cohesion.edges == 5 and a.cohesion.components == 1
    assert a.cohesion.clustering == 0
    assert any(r.startswith("highest betweenness") for r in hub.reasons)
    assert all(p.betweenness == 0 for p in a.players[1:])


def test_path_betweenness_is_the_number_of_pairs_each_node_separates() -> None:
    a = analyze(path(5))
    values = {p.node.id: p.betweenness for p in a.players}
    assert values == {"p0": 0, "p1": 3, "p2": 4, "p3": 3, "p4": 0}
    assert a.players[0].node.id == "p2"


def test_bridge_ranks_first_in_betweenness_and_brokerage() -> None:
    net = bridged_cliques(5)
    a = analyze(net)
    top_bt = max(a.players, key=lambda p: p.betweenness)
    top_brk = max(a.players, key=lambda p: p.brokerage)
    assert top_bt.node.id == "bridge" and top_brk.node.id == "bridge"
    assert sorted(a.community_sizes.values()) == [5, 6]
    bridge = next(p for p in a.players if p.node.id == "bridge")
    assert "highest betweenness: on many shortest paths between others" in bridge.reasons
    assert any(r.startswith("highest brokerage: bridges communities 1 and 2") for r in bridge.reasons)
    assert bridge.brokerage == 25  # every pair a_i, b_j (5 x 5) crosses it


def test_removing_the_bridge_splits_the_graph() -> None:
    d = disrupt(bridged_cliques(5), ["bridge"])
    assert d.before.components == 1 and d.after.components == 2
    assert d.after.largest_component == 5
    assert d.before.reachability == 1.0
    assert d.after.reachability == pytest.approx(2 * 5 * 4 / (10 * 9))
    assert d.after.efficiency < d.before.efficiency


def test_suggestions_find_the_bridge_both_ways() -> None:
    s = suggest_removals(bridged_cliques(5), 1)
    assert s.greedy.removed in (("a0",), ("b0",), ("bridge",))
    assert s.by_betweenness.removed == ("bridge",)
    assert s.by_betweenness.after.components == 2
    assert s.better in ("greedy", "betweenness", "equal")


def test_greedy_beats_or_equals_betweenness_on_a_path() -> None:
    s = suggest_removals(path(9), 2)
    assert s.greedy.after.reachability <= s.by_betweenness.after.reachability


# -- paths and ego -----------------------------------------------------------------------------------
def test_shortest_and_k_shortest_paths_carry_their_records() -> None:
    edges = [
        Edge("a", "b", "call", id="r1"),
        Edge("b", "c", "call", id="r2"),
        Edge("b", "c", "call", id="r3"),
        Edge("a", "d", id="r4"),
        Edge("d", "e", id="r5"),
        Edge("e", "c", id="r6"),
    ]
    net = build_network(edges)
    p = shortest_path(net, "a", "c")
    assert p is not None and [n.id for n in p.nodes] == ["a", "b", "c"]
    assert [r.id for r in p.hops[1].records] == ["r2", "r3"]
    paths = k_shortest_paths(net, "a", "c", 3)
    assert [len(x.hops) for x in paths] == [2, 3]
    assert shortest_path(build_network([*edges, Edge("x", "y")]), "a", "x") is None


def test_directed_paths_follow_direction_unless_asked_not_to() -> None:
    net = build_network([Edge("a", "b"), Edge("c", "b")], directed=True)
    assert shortest_path(net, "a", "c") is None
    p = shortest_path(net, "a", "c", follow_direction=False)
    assert p is not None and p.length == 2


def test_ego_network_to_depth() -> None:
    ego = ego_network(path(7), "p3", 2)
    assert ego.distances == {"p1": 2, "p2": 1, "p3": 0, "p4": 1, "p5": 2}
    assert ego.network.graph.ecount() == 4


def test_unknown_node_is_named() -> None:
    with pytest.raises(BadInputError, match="no node 'zz'"):
        shortest_path(path(3), "p0", "zz")


# -- building ----------------------------------------------------------------------------------------
def test_self_loops_and_repeats_are_dropped_with_warnings_naming_them() -> None:
    net = build_network(
        [Edge("a", "b"), Edge("a", "a"), Edge("a", "b"), Edge("b", "a", weight=2)],
        where=["row 2", "row 3", "row 4", "row 5"],
    )
    assert net.warnings == (
        "row 3: self-loop on 'a' dropped",
        "row 4: repeats row 2 in every field; counted once",
    )
    assert net.graph.ecount() == 1 and net.graph.es[0]["weight"] == 3


def test_unknown_ids_refused_when_nodes_are_given() -> None:
    with pytest.raises(BadInputError) as err:
        build_network([Edge("a", "ghost")], [Node("a")], where=["row 2"])
    assert err.value.errors == {"row 2 target": "unknown node id 'ghost'"}


def test_empty_network_refused() -> None:
    with pytest.raises(BadInputError, match="empty"):
        build_network([])


def test_sampling_is_announced_and_scaled() -> None:
    net = bridged_cliques(10)
    bt = betweenness(net, exact_limit=5, samples=8)
    assert bt.sampled and bt.sources == 8
    assert "estimated from 8 random source nodes of 21" in bt.note
    a = analyze(net, exact_limit=5, samples=8)
    assert a.sampled and a.notes == (bt.note,)


# -- periods -----------------------------------------------------------------------------------------
def t(month: int, day: int = 1) -> datetime:
    return datetime(2024, month, day, tzinfo=UTC)


def test_timeline_follows_key_players_through_periods() -> None:
    edges = [Edge("boss", f"x{i}", time=t(1, i + 1)) for i in range(4)]
    edges += [Edge("deputy", f"y{i}", time=t(3, i + 1)) for i in range(4)] + [
        Edge("boss", "deputy", time=t(3))
    ]
    edges.append(Edge("boss", "z"))
    net = build_network(edges)
    periods = calendar_periods(net, "month")
    assert [p.label for p in periods] == ["2024-01", "2024-03"]
    tl = timeline(net, periods, track=2)
    assert tl.untimed_edges == 1
    assert tl.positions["boss"][0]["rank"] == 1  # type: ignore[index]
    assert tl.positions["deputy"][0] is None
    assert tl.positions["deputy"][1]["rank"] == 1  # type: ignore[index]
    assert calendar_periods(net, "quarter")[0].label == "2024-Q1"
    assert [p.label for p in calendar_periods(net, "year")] == ["2024"]
    with pytest.raises(BadInputError, match="month, quarter or year, not 'week'"):
        calendar_periods(net, "week")
    with pytest.raises(BadInputError, match="ends before it starts"):
        timeline(net, [Period("bad", t(3), t(1))])


# -- for every graph ---------------------------------------------------------------------------------
graphs = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11)).filter(lambda e: e[0] != e[1]), min_size=1, max_size=40
).map(lambda es: build_network([Edge(f"n{a}", f"n{b}") for a, b in es]))


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_sampling_every_node_equals_exact(net: Network) -> None:
    n = net.graph.vcount()
    exact = betweenness(net).values
    assert betweenness(net, exact_limit=0, samples=n).values == pytest.approx(exact)


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_brokerage_never_exceeds_betweenness(net: Network) -> None:
    bt = betweenness(net).values
    brk = brokerage(net, communities(net))
    assert all(b <= x + 1e-9 for b, x in zip(brk, bt, strict=True))


@settings(max_examples=60, deadline=None)
@given(graphs, st.data())
def test_removing_nodes_never_connects_more(net: Network, data: st.DataObject) -> None:
    ids = [n.id for n in net.nodes]
    remove = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids)))
    d = disrupt(net, remove)
    assert d.after.largest_component <= d.before.largest_component
    assert d.after.nodes == d.before.nodes - len(set(remove))
    assert 0 <= d.after.reachability <= 1 and 0 <= d.after.efficiency <= 1


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_shortest_path_length_is_the_distance(net: Network) -> None:
    a, b = net.nodes[0].id, net.nodes[-1].id
    dist = net.graph.distances(source=0, target=len(net.nodes) - 1)[0][0]
    p = shortest_path(net, a, b)
    assert (p is None) == (dist == float("inf"))
    if p is not None:
        assert p.length == dist
        assert all(len(h.records) >= 1 for h in p.hops)


def test_fragmentation_of_an_empty_graph() -> None:
    net = path(2)
    g = net.graph.copy()
    g.delete_vertices([0, 1])
    f = fragmentation(g, 2)
    assert f.nodes == 0 and f.reachability == 0 and f.largest_share == 0


def test_directed_network_is_analysed_with_merged_records() -> None:
    net = build_network(
        [Edge("a", "b", id="1"), Edge("b", "a", id="2"), Edge("b", "c", id="3")], directed=True
    )
    a = analyze(net)
    assert net.graph.ecount() == 3
    assert {p.node.id for p in a.players} == {"a", "b", "c"}
    assert a.players[0].node.id == "b"


def test_reasons_read_as_sentences() -> None:
    hub = analyze(star(3)).players[0]
    assert "highest degree: 3 direct links" in hub.reasons
    assert "highest weighted degree: links weighing 3 in all" in hub.reasons

"""The compiled sampled-betweenness kernel (``domain/network_kernels.py``) against igraph's subset
betweenness, and the large-network paths of ``domain/network.py`` (NetworKit's Leiden, PRPACK) run on
small graphs with known answers by lowering their thresholds."""

from __future__ import annotations

import itertools
import random

import igraph as ig
import networkit as nk
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdict.domain import network, network_kernels
from interdict.domain.network import (
    Edge,
    Network,
    betweenness,
    brokerage,
    build_network,
    communities,
    pagerank,
)
from interdict.domain.network_kernels import adjacency, subset_betweenness


def igraph_subset(g: ig.Graph, sources: list[int], directed: bool) -> np.ndarray:
    return np.asarray(g.betweenness(directed=directed, sources=sources), dtype=float)


def ours(g: ig.Graph, sources: list[int], directed: bool, groups: list[int] | None = None) -> np.ndarray:
    pairs = np.asarray(g.get_edgelist(), dtype=np.int32).reshape(-1, 2)
    adj = adjacency(g.vcount(), pairs, directed=directed)
    return subset_betweenness(adj, sources, directed=directed, groups=groups)


def igraph_between_groups(g: ig.Graph, sources: list[int], groups: list[int]) -> np.ndarray:
    """Paths from each source to the nodes of other groups, one igraph call per group (undirected)."""
    total = np.zeros(g.vcount())
    for c in set(groups):
        src = [v for v in sources if groups[v] == c]
        outside = [v for v in range(g.vcount()) if groups[v] != c]
        if src and outside:
            total += np.asarray(g.betweenness(directed=False, sources=src, targets=outside))
    return total


@st.composite
def graphs_and_sources(draw: st.DrawFn) -> tuple[ig.Graph, list[int], bool]:
    n = draw(st.integers(1, 14))
    directed = draw(st.booleans())
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=45))
    g = ig.Graph(n=n, edges=[p for p in pairs if p[0] != p[1]], directed=directed)
    g.simplify()
    sources = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1)))
    return g, sources, directed


@settings(max_examples=150, deadline=None)
@given(graphs_and_sources())
def test_kernel_equals_igraph_subset_betweenness(case: tuple[ig.Graph, list[int], bool]) -> None:
    g, sources, directed = case
    assert ours(g, sources, directed) == pytest.approx(igraph_subset(g, sources, directed), abs=1e-9)


@pytest.mark.parametrize("directed", [False, True])
def test_more_sources_than_one_batch_and_small_batches(
    directed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    g = ig.Graph.Erdos_Renyi(n=400, m=1_200, directed=directed)
    g.add_vertices(5)  # isolated nodes: reached by nobody, a source reaching nobody
    sources = sorted(rng.sample(range(405), 150))  # three batches of 64 at most
    expected = igraph_subset(g, sources, directed)
    assert ours(g, sources, directed) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # A memory budget that only fits three sources at a time: fifty batches, same answer.
    monkeypatch.setattr(network_kernels, "MEMORY_BUDGET", 405 * 16 * 2 * 3)
    assert ours(g, sources, directed) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(graphs_and_sources(), st.data())
def test_kernel_between_groups_equals_igraph_per_group(
    case: tuple[ig.Graph, list[int], bool], data: st.DataObject
) -> None:
    g, sources, _ = case
    g = g.as_undirected(mode="collapse")
    groups = data.draw(st.lists(st.integers(0, 3), min_size=g.vcount(), max_size=g.vcount()))
    expected = igraph_between_groups(g, sources, groups)
    assert ours(g, sources, False, groups) == pytest.approx(expected, abs=1e-9)


def random_network(seed: int, directed: bool) -> tuple[Network, list[int]]:
    """900 random links among 300 ids, and 40 sampled sources (node indexes)."""
    rng = random.Random(seed)
    edges = [Edge(f"n{rng.randrange(300)}", f"n{rng.randrange(300)}") for _ in range(900)]
    net = build_network(edges, directed=directed)
    return net, sorted(random.Random(seed + 1).sample(range(net.graph.vcount()), 40))


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_brokerage_is_the_scaled_count_between_communities(directed: bool) -> None:
    net, sources = random_network(17, directed)
    n = net.graph.vcount()
    membership = communities(net)
    assert len(set(membership)) > 2
    undirected = net.graph.as_undirected(mode="collapse") if directed else net.graph
    expected = igraph_between_groups(undirected, sources, membership) * n / 40
    assert brokerage(net, membership, sources=sources) == pytest.approx(list(expected), rel=1e-9, abs=1e-9)


def test_groups_must_cover_every_node() -> None:
    adj = adjacency(3, np.asarray([[0, 1], [1, 2]], dtype=np.int32), directed=False)
    with pytest.raises(ValueError, match="one group per node: 2 for 3 nodes"):
        subset_betweenness(adj, [0], directed=False, groups=[1, 2])


def test_path_graph_from_every_node_counts_the_pairs_each_node_separates() -> None:
    g = ig.Graph(n=5, edges=[(0, 1), (1, 2), (2, 3), (3, 4)])
    assert list(ours(g, list(range(5)), False)) == [0.0, 3.0, 4.0, 3.0, 0.0]


def test_bad_sources_are_refused_and_no_sources_give_zeros() -> None:
    adj = adjacency(3, np.asarray([[0, 1], [1, 2]], dtype=np.int32), directed=False)
    with pytest.raises(ValueError, match=r"source node indexes must lie in 0\.\.2"):
        subset_betweenness(adj, [0, 3], directed=False)
    assert list(subset_betweenness(adj, [], directed=False)) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_betweenness_is_the_scaled_subset(directed: bool) -> None:
    net, _ = random_network(11, directed)
    n = net.graph.vcount()
    bt = betweenness(net, exact_limit=10, samples=40, seed=5)
    sources = sorted(random.Random(5).sample(range(n), 40))  # the sample betweenness draws
    expected = igraph_subset(net.graph, sources, directed) * n / 40
    assert bt.sampled and bt.sources == 40
    assert bt.values == pytest.approx(list(expected), rel=1e-9, abs=1e-9)


def bridged_cliques(size: int = 6) -> Network:
    a = [f"a{i}" for i in range(size)]
    b = [f"b{i}" for i in range(size)]
    edges = [Edge(x, y) for x, y in itertools.combinations(a, 2)]
    edges += [Edge(x, y) for x, y in itertools.combinations(b, 2)]
    edges += [Edge("a0", "b0")]
    return build_network(edges)


def test_networkit_leiden_splits_two_cliques_repeatably(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "NETWORKIT_LIMIT", 0)
    net = bridged_cliques()
    threads = nk.getMaxNumberOfThreads()
    first = communities(net)
    assert nk.getMaxNumberOfThreads() == threads  # the thread setting is given back
    by_id = {node.id: c for node, c in zip(net.nodes, first, strict=True)}
    assert len({by_id[f"a{i}"] for i in range(6)}) == 1
    assert len({by_id[f"b{i}"] for i in range(6)}) == 1
    assert by_id["a0"] != by_id["b0"]
    assert sorted(set(first)) == [1, 2]
    assert communities(net) == first


def test_networkit_leiden_follows_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "NETWORKIT_LIMIT", 0)
    # A ring of six whose heavy links pair (1,2), (3,4), (5,0): the pairs are the communities.
    ring = [Edge(f"r{i}", f"r{(i + 1) % 6}", weight=10.0 if i % 2 else 1.0) for i in range(6)]
    net = build_network(ring)
    got = dict(zip((node.id for node in net.nodes), communities(net), strict=True))
    assert got["r1"] == got["r2"] and got["r3"] == got["r4"] and got["r5"] == got["r0"]
    assert len(set(got.values())) == 3


def test_networkit_leiden_on_a_directed_network_uses_the_undirected_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(network, "NETWORKIT_LIMIT", 0)
    a = [Edge(f"a{i}", f"a{j}") for i, j in itertools.permutations(range(5), 2)]
    b = [Edge(f"b{i}", f"b{j}") for i, j in itertools.permutations(range(5), 2)]
    net = build_network([*a, *b, Edge("a0", "b0")], directed=True)
    got = dict(zip((node.id for node in net.nodes), communities(net), strict=True))
    assert len({got[f"a{i}"] for i in range(5)}) == 1 and got["a0"] != got["b0"]


def test_prpack_above_its_threshold_agrees_with_arpack(monkeypatch: pytest.MonkeyPatch) -> None:
    net = bridged_cliques()
    arpack = pagerank(net)
    monkeypatch.setattr(network, "PRPACK_FROM", 0)
    assert pagerank(net) == pytest.approx(arpack, abs=1e-6)

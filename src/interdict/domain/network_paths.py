"""Paths, ego networks and disruption over a ``domain.network.Network`` (pure, igraph).

**Paths** are counted in hops. In a directed network they follow the edges' direction unless
``follow_direction`` is false. Each hop lists the recorded edges it stands for (the calls, payments or
relations between the two nodes), so an analyst sees the records along the path.

**Ego network**: the nodes within ``depth`` hops of a node (either direction), with their distance,
and every edge among them.

**Disruption** is measured on the undirected view (who can still reach whom, whatever the direction of
the calls or payments): number of components, the largest component (and its share of the nodes before
removal), reachability (the share of pairs of the remaining nodes still connected) and global efficiency
(the mean over pairs of 1/distance, 0 for unconnected pairs: Latora and Marchiori, 2001). Efficiency is
computed from igraph's harmonic centrality (its mean, normalised, *is* the global efficiency); above
``exact_limit`` nodes it is averaged over ``samples`` random nodes and says so.

:func:`suggest_removals` proposes k nodes two ways and compares them: *greedy* (at each step remove
the candidate whose removal leaves the fewest connected pairs; candidates are the ``candidates`` nodes
of highest degree and of highest betweenness in the current graph) and *by betweenness* (the k nodes of
highest betweenness in the intact network).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig

from interdict.domain.errors import BadInputError
from interdict.domain.network import EXACT_LIMIT, SAMPLES, SEED, Edge, Network, Node, betweenness

__all__ = [
    "Disruption",
    "Fragmentation",
    "Path",
    "Suggestion",
    "disrupt",
    "ego_network",
    "fragmentation",
    "k_shortest_paths",
    "shortest_path",
    "subnetwork",
    "suggest_removals",
]

MAX_K = 50
MAX_DEPTH = 6


@dataclass(frozen=True)
class Hop:
    source: Node
    target: Node
    records: tuple[Edge, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.id,
            "target": self.target.id,
            "records": [edge_dict(e) for e in self.records],
        }


@dataclass(frozen=True)
class Path:
    nodes: tuple[Node, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        return len(self.hops)

    def as_dict(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "nodes": [{"id": n.id, "label": n.caption, "kind": n.kind} for n in self.nodes],
            "hops": [h.as_dict() for h in self.hops],
        }


def edge_dict(e: Edge) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "source": e.source,
        "target": e.target,
        "kind": e.kind,
        "weight": e.weight,
    }
    if e.time is not None:
        out["time"] = e.time.isoformat()
    if e.amount is not None:
        out["amount"], out["currency"] = str(e.amount), e.currency
    return out


def _mode(net: Network, follow_direction: bool) -> str:
    return "out" if net.directed and follow_direction else "all"


def _path(net: Network, start: int, epath: Sequence[int]) -> Path:
    g = net.graph
    nodes = [start]
    hops = []
    for e in epath:
        a, b = g.es[e].tuple
        nxt = b if a == nodes[-1] else a
        hops.append(Hop(net.nodes[nodes[-1]], net.nodes[nxt], tuple(net.records(e))))
        nodes.append(nxt)
    return Path(tuple(net.nodes[v] for v in nodes), tuple(hops))


def k_shortest_paths(
    net: Network, source: str, target: str, k: int = 1, *, follow_direction: bool = True
) -> list[Path]:
    """Up to ``k`` shortest loopless paths from ``source`` to ``target`` (none when unconnected)."""
    if not 1 <= k <= MAX_K:
        raise BadInputError(f"k must be between 1 and {MAX_K}, not {k}", {"k": str(k)})
    a, b = net.index(source), net.index(target)
    if a == b:
        return [Path((net.nodes[a],), ())]
    with warnings.catch_warnings():  # igraph warns "couldn't reach some vertices": we answer "no path"
        warnings.simplefilter("ignore", RuntimeWarning)
        epaths = net.graph.get_k_shortest_paths(
            a, to=b, k=k, mode=_mode(net, follow_direction), output="epath"
        )
    return [_path(net, a, p) for p in epaths if p]


def shortest_path(net: Network, source: str, target: str, *, follow_direction: bool = True) -> Path | None:
    paths = k_shortest_paths(net, source, target, 1, follow_direction=follow_direction)
    return paths[0] if paths else None


def subnetwork(net: Network, keep: Sequence[int]) -> Network:
    """The network of the vertices ``keep`` and the edges among them (same node and edge objects)."""
    from interdict.domain.network import build_network

    wanted = {net.nodes[v].id for v in keep}
    nodes = [net.nodes[v] for v in sorted(keep)]
    edges = [e for e in net.edges if e.source in wanted and e.target in wanted]
    if not nodes:
        raise BadInputError("nothing is left of the network", {"nodes": "empty"})
    return build_network(edges, nodes, directed=net.directed)


@dataclass(frozen=True)
class Ego:
    center: Node
    depth: int
    distances: dict[str, int]  # node id -> hops from the centre
    network: Network


def ego_network(net: Network, node: str, depth: int = 1) -> Ego:
    if not 1 <= depth <= MAX_DEPTH:
        raise BadInputError(f"depth must be between 1 and {MAX_DEPTH}, not {depth}", {"depth": str(depth)})
    v = net.index(node)
    keep = net.graph.neighborhood(v, order=depth, mode="all")
    dist = net.graph.distances(source=v, target=keep, mode="all")[0]
    distances = {net.nodes[u].id: int(d) for u, d in zip(keep, dist, strict=True)}
    return Ego(net.nodes[v], depth, distances, subnetwork(net, keep))


# -- disruption --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fragmentation:
    nodes: int
    components: int
    largest_component: int
    largest_share: float  # of the nodes before any removal
    reachability: float
    efficiency: float
    efficiency_sampled: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fragmentation(
    g: ig.Graph,
    original_nodes: int,
    *,
    exact_limit: int = EXACT_LIMIT,
    samples: int = SAMPLES,
    seed: int = SEED,
) -> Fragmentation:
    n = g.vcount()
    sizes = [len(c) for c in g.connected_components(mode="weak")] if n else []
    pairs = n * (n - 1)
    reach = sum(s * (s - 1) for s in sizes) / pairs if pairs else 0.0
    sampled = n > exact_limit and samples < n
    vertices = sorted(random.Random(seed).sample(range(n), samples)) if sampled else None
    harmonic = g.harmonic_centrality(vertices=vertices, mode="all", normalized=True) if n > 1 else []
    return Fragmentation(
        nodes=n,
        components=len(sizes),
        largest_component=max(sizes, default=0),
        largest_share=max(sizes, default=0) / original_nodes if original_nodes else 0.0,
        reachability=reach,
        efficiency=sum(harmonic) / len(harmonic) if harmonic else 0.0,
        efficiency_sampled=sampled,
    )


def _undirected_copy(net: Network) -> ig.Graph:
    g = net.graph.copy()
    if net.directed:
        g.to_undirected(mode="collapse")
    return g


@dataclass(frozen=True)
class Disruption:
    removed: tuple[str, ...]
    before: Fragmentation
    after: Fragmentation

    def as_dict(self) -> dict[str, Any]:
        return {"removed": list(self.removed), "before": self.before.as_dict(), "after": self.after.as_dict()}


def disrupt(net: Network, remove: Sequence[str], **kw: Any) -> Disruption:
    """Fragmentation before and after removing the nodes ``remove`` (ids)."""
    if not remove:
        raise BadInputError("name at least one node to remove", {"remove": "empty"})
    idx = sorted({net.index(r) for r in remove})
    g = _undirected_copy(net)
    n = g.vcount()
    before = fragmentation(g, n, **kw)
    g.delete_vertices(idx)
    return Disruption(tuple(net.nodes[v].id for v in idx), before, fragmentation(g, n, **kw))


@dataclass(frozen=True)
class Suggestion:
    k: int
    greedy: Disruption
    by_betweenness: Disruption
    better: str  # "greedy", "betweenness" or "equal": fewer connected pairs left

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "greedy": self.greedy.as_dict(),
            "by_betweenness": self.by_betweenness.as_dict(),
            "better": self.better,
        }


def suggest_removals(net: Network, k: int, *, candidates: int = 20, **kw: Any) -> Suggestion:
    """The k nodes whose removal disrupts most, greedily and by betweenness (module docstring)."""
    n = net.graph.vcount()
    if not 1 <= k < n:
        raise BadInputError(
            f"k must be between 1 and {n - 1} (the network has {n} nodes), not {k}", {"k": str(k)}
        )
    bt = betweenness(net, **kw).values
    top_bt = sorted(range(n), key=lambda v: (-bt[v], net.nodes[v].id))[:k]
    by_bt = disrupt(net, [net.nodes[v].id for v in top_bt], **kw)
    greedy = disrupt(net, _greedy(net, k, candidates), **kw)
    g_pairs, b_pairs = greedy.after.reachability, by_bt.after.reachability
    better = "equal" if abs(g_pairs - b_pairs) < 1e-12 else ("greedy" if g_pairs < b_pairs else "betweenness")
    return Suggestion(k, greedy, by_bt, better)


def _greedy(net: Network, k: int, candidates: int) -> list[str]:
    g = _undirected_copy(net)
    chosen: list[str] = []
    for _ in range(k):
        deg = g.degree()
        bt = g.betweenness(directed=False) if g.vcount() <= EXACT_LIMIT else deg
        pool = set(sorted(range(g.vcount()), key=lambda v: -deg[v])[:candidates])
        pool |= set(sorted(range(g.vcount()), key=lambda v: -bt[v])[:candidates])
        best = min(pool, key=lambda v: (_connected_pairs_without(g, v), g.vs[v]["name"]))
        chosen.append(g.vs[best]["name"])
        g.delete_vertices([best])
    return chosen


def _connected_pairs_without(g: ig.Graph, v: int) -> int:
    h = g.copy()
    h.delete_vertices([v])
    return sum(len(c) * (len(c) - 1) for c in h.connected_components(mode="weak"))

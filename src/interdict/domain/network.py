"""Networks of people, companies, accounts and phones: build a graph, find its key players and structure.

Pure: plain dataclasses in, plain dataclasses out; the graph algorithms are igraph's (C, fast enough for
millions of nodes), communities are Leiden's (igraph's, NetworKit's on large networks) with a fixed
seed, so an answer is repeatable; sampled betweenness on large networks is a compiled kernel of ours
(``domain/network_kernels.py``, which says why).
Paths, ego networks and disruption are in ``domain/network_paths.py``; money in ``domain/money.py``.

**The graph.** :func:`build_network` takes nodes and edges. Edges keep everything they came with (the
record id, kind, weight, time, amount): paths list them and money follows them. The *analysis graph*
(``Network.graph``) is simple: edges between the same two nodes (either direction when undirected) are
merged into one whose weight is the sum and which remembers the edges it stands for. Self-loops say
nothing about structure and are dropped with a warning; an edge repeating another in every field, its
record id included, is dropped with a warning naming both (two payments of the same amount on the same
day are two records, and both count). Unknown node ids are an error when nodes were given (a file of
relations pointing at entities that are not in it), and implied otherwise (a plain edge list).

**Measures** (:func:`analyze`): degree, weighted degree (sum of merged weights), betweenness in hops
(exact up to ``exact_limit`` nodes, else estimated from ``samples`` random sources and scaled by n/k,
and the result says so and why), PageRank (weighted, directed when the graph is), eigenvector centrality
(undirected view), Leiden communities (modularity, undirected view, weighted), brokerage (the share of
shortest paths *between different communities* that run through a node: a node that joins two groups
scores high even when the groups are unequal), and cohesion figures. The combined rank averages each
node's measures scaled to the largest value, and gives the reasons for each of the top ranks.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import igraph as ig
import networkit as nk
import numpy as np
import numpy.typing as npt

from interdict.domain.errors import BadInputError
from interdict.domain.network_kernels import Adjacency, adjacency, subset_betweenness

__all__ = [
    "EXACT_LIMIT",
    "SAMPLES",
    "Analysis",
    "Cohesion",
    "Edge",
    "KeyPlayer",
    "Network",
    "Node",
    "analyze",
    "betweenness",
    "brokerage",
    "build_network",
    "cohesion",
    "communities",
    "pagerank",
]

# Exact betweenness is O(n·m): beyond this many nodes it is estimated from SAMPLES random sources.
EXACT_LIMIT = 5_000
SAMPLES = 256
SEED = 20_240_601
LEIDEN_STABLE_LIMIT = 10_000
LEIDEN_ITERATIONS = 2
PRPACK_FROM = 1_000_000  # edges above which PageRank is PRPACK's (see pagerank)
NETWORKIT_LIMIT = 200_000  # edges above which communities are NetworKit's Leiden (see _leiden_networkit)
_RNG_LOCK = threading.Lock()


_EMPTY: Mapping[str, Any] = MappingProxyType({})  # shared: millions of edges need no dict each


@dataclass(frozen=True, slots=True)
class Node:
    """A node: an entity, account, phone. ``kind`` is its FtM schema where it has one."""

    id: str
    label: str = ""
    kind: str = ""
    country: str = ""
    group: str = ""  # a syndicate or case the node belongs to, for flows between groups
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def caption(self) -> str:
        return self.label or self.id


@dataclass(frozen=True, slots=True)
class Edge:
    """A link between two nodes, as recorded: ``id`` is the record (row, relation entity) it came from.
    ``time`` is timezone-aware (UTC). A payment carries ``amount`` and ``currency``."""

    source: str
    target: str
    kind: str = ""
    weight: float = 1.0
    time: datetime | None = None
    id: str = ""
    amount: Decimal | None = None
    currency: str = ""
    attributes: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def same_fields(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.source,
            self.target,
            self.kind,
            self.weight,
            self.time,
            self.amount,
            self.currency,
        )


@dataclass(frozen=True)
class Network:
    """Nodes and edges as given, and the simple analysis graph over them.

    ``graph`` vertex i is ``nodes[i]`` (vertex attribute ``name`` = node id); each graph edge has
    ``weight`` (summed) and ``records`` (indexes into ``edges``)."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    directed: bool
    graph: ig.Graph
    warnings: tuple[str, ...] = ()

    def index(self, node_id: str) -> int:
        """The vertex of ``node_id``; BadInputError naming it when it is not in the network."""
        try:
            return self._positions()[node_id]
        except KeyError:
            raise BadInputError(
                f"no node {node_id!r} in the network", {"node": "not in the network"}
            ) from None

    def _positions(self) -> dict[str, int]:
        cached: dict[str, int] | None = self.__dict__.get("_pos")
        if cached is None:
            cached = {n.id: i for i, n in enumerate(self.nodes)}
            object.__setattr__(self, "_pos", cached)
        return cached

    def records(self, graph_edge: int) -> list[Edge]:
        """The recorded edges a graph edge stands for."""
        return [self.edges[i] for i in self.graph.es[graph_edge]["records"]]


def build_network(
    edges: Iterable[Edge],
    nodes: Iterable[Node] | None = None,
    *,
    directed: bool = False,
    where: Sequence[str] | None = None,
) -> Network:
    """The network of ``edges`` (see the module docstring). ``where[i]`` names the place edge i came
    from ("row 7") for warnings and errors; by default "edge i"."""
    given = list(nodes) if nodes is not None else None
    known: dict[str, Node] = {}
    for n in given or ():
        known.setdefault(n.id, n)
    kept, warnings = _clean_edges(list(edges), known if given is not None else None, where)
    if not kept and not known:
        raise BadInputError("the network is empty: no edges and no nodes", {"edges": "empty"})
    for e in kept:
        for end in (e.source, e.target):
            if end not in known:
                known[end] = Node(end)
    node_list = tuple(known.values())
    pos = {n.id: i for i, n in enumerate(node_list)}
    merged: dict[tuple[int, int], list[int]] = {}
    for i, e in enumerate(kept):
        a, b = pos[e.source], pos[e.target]
        key = (a, b) if directed or a <= b else (b, a)
        merged.setdefault(key, []).append(i)
    g = ig.Graph(n=len(node_list), edges=list(merged), directed=directed)
    g.vs["name"] = [n.id for n in node_list]
    g.es["weight"] = [sum(kept[i].weight for i in idx) for idx in merged.values()]
    g.es["records"] = list(merged.values())
    return Network(node_list, tuple(kept), directed, g, tuple(warnings))


def _clean_edges(
    edges: list[Edge], known: dict[str, Node] | None, where: Sequence[str] | None
) -> tuple[list[Edge], list[str]]:
    """Edges without self-loops and exact repeats (warned), refusing ids not among ``known`` nodes."""

    def place(i: int) -> str:
        return where[i] if where is not None else f"edge {i + 1}"

    unknown: dict[str, str] = {}
    warnings: list[str] = []
    seen: dict[tuple[Any, ...], int] = {}
    kept: list[Edge] = []
    for i, e in enumerate(edges):
        if known is not None:
            for col, end in (("source", e.source), ("target", e.target)):
                if end not in known and len(unknown) < 20:
                    unknown[f"{place(i)} {col}"] = f"unknown node id {end!r}"
        if e.source == e.target:
            warnings.append(f"{place(i)}: self-loop on {e.source!r} dropped")
            continue
        key = e.same_fields()
        if key in seen:
            warnings.append(f"{place(i)}: repeats {place(seen[key])} in every field; counted once")
            continue
        seen[key] = i
        kept.append(e)
    if unknown:
        shown = "; ".join(f"{k}: {v}" for k, v in list(unknown.items())[:5])
        raise BadInputError(f"edges point at nodes that are not in the network: {shown}", unknown)
    return kept, warnings


# -- measures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Betweenness:
    values: list[float]
    sampled: bool
    sources: int  # shortest-path sources used (n when exact)
    note: str = ""


def betweenness(
    net: Network, *, exact_limit: int = EXACT_LIMIT, samples: int = SAMPLES, seed: int = SEED
) -> Betweenness:
    """Betweenness in hops; estimated from ``samples`` random sources, scaled by n/k, above
    ``exact_limit`` nodes."""
    g, n = net.graph, net.graph.vcount()
    if n <= exact_limit or samples >= n:
        return Betweenness(list(g.betweenness(directed=net.directed)), False, n)
    sources = sorted(random.Random(seed).sample(range(n), samples))
    # igraph's subset betweenness costs about 0.7 s a source on a million nodes: the kernel runs the
    # sources together and gives the same figures (domain/network_kernels.py says how and why).
    raw = subset_betweenness(_adjacency(net), sources, directed=net.directed)
    scale = n / samples
    note = (
        f"betweenness estimated from {samples} random source nodes of {n} (scaled by {scale:.1f}): "
        f"exact betweenness is computed up to {exact_limit} nodes"
    )
    return Betweenness((raw * scale).tolist(), True, samples, note)


def _adjacency(net: Network, *, undirected: bool = False) -> Adjacency:
    """The neighbour lists of the analysis graph (or of its undirected view) for the compiled kernels,
    built once per network."""
    directed = net.directed and not undirected
    key = "_adjacency" if directed == net.directed else "_adjacency_undirected"
    cached: Adjacency | None = net.__dict__.get(key)
    if cached is None:
        g = net.graph if directed == net.directed else _undirected(net)
        cached = adjacency(g.vcount(), _pairs(net, g), directed=directed)
        object.__setattr__(net, key, cached)
    return cached


def _pairs(net: Network, g: ig.Graph) -> npt.NDArray[np.int32]:
    """The edges of ``g`` (the analysis graph or its undirected view) as an m × 2 array of vertex
    indexes; the analysis graph's are kept with the network."""
    cached: npt.NDArray[np.int32] | None = net.__dict__.get("_pairs") if g is net.graph else None
    if cached is None:
        flat = np.fromiter(
            itertools.chain.from_iterable(g.get_edgelist()), dtype=np.int32, count=2 * g.ecount()
        )
        cached = flat.reshape(-1, 2)
        if g is net.graph:
            object.__setattr__(net, "_pairs", cached)
    return cached


def pagerank(net: Network) -> list[float]:
    """PageRank (damping 0.85), weighted, following direction in a directed network.

    ARPACK rather than igraph's default PRPACK: PRPACK's preprocessing took over a second on some
    graphs of a thousand nodes (bench/README.md); PRPACK remains the fallback if ARPACK fails. Above
    ``PRPACK_FROM`` edges PRPACK runs first: on five million edges it took half ARPACK's time."""
    first = "prpack" if net.graph.ecount() > PRPACK_FROM else "arpack"
    try:
        return list(net.graph.pagerank(weights="weight", directed=net.directed, implementation=first))
    except ig.InternalError:
        return list(net.graph.pagerank(weights="weight", directed=net.directed))


def communities(net: Network, *, seed: int = SEED) -> list[int]:
    """Leiden communities (modularity, undirected, weighted), numbered 1.. by decreasing size.

    igraph's Leiden, iterated until stable up to ``LEIDEN_STABLE_LIMIT`` edges and ``LEIDEN_ITERATIONS``
    times above (each further iteration gains little modularity and costs a full pass), with igraph's
    random generator seeded for the call so that the same network gives the same communities. Above
    ``NETWORKIT_LIMIT`` edges, NetworKit's Leiden, seeded the same way (:func:`_leiden_networkit`)."""
    g = _undirected(net)
    if g.ecount() == 0:
        raw = list(range(g.vcount()))
    elif g.ecount() > NETWORKIT_LIMIT:
        raw = _leiden_networkit(g, _pairs(net, g), seed)
    else:
        iterations = -1 if g.ecount() <= LEIDEN_STABLE_LIMIT else LEIDEN_ITERATIONS
        with _seeded(seed):
            found = g.community_leiden(
                objective_function="modularity", weights="weight", n_iterations=iterations
            )
        raw = list(found.membership)
    sizes = Counter(raw)
    order = {c: i + 1 for i, (c, _) in enumerate(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])))}
    return [order[c] for c in raw]


def _leiden_networkit(g: ig.Graph, pairs: npt.NDArray[np.int32], seed: int) -> list[int]:
    """Leiden by NetworKit, on one thread so that the same network and seed give the same communities.

    igraph's Leiden took 45 s for two iterations on a million-node scale-free graph, NetworKit's 9 s on
    one thread, for a modularity of 0.278 against igraph's 0.288 (bench/README.md); on two threads it is faster still, but the
    threads race and the answer changes from run to run."""
    ends = pairs.astype(np.uint64)
    weights = np.asarray(g.es["weight"], dtype=np.float64)
    graph = nk.GraphFromCoo((weights, (ends[:, 0], ends[:, 1])), n=g.vcount(), weighted=True, directed=False)
    with _RNG_LOCK:
        threads = nk.getMaxNumberOfThreads()
        nk.setNumberOfThreads(1)
        nk.engineering.setSeed(seed, False)
        try:
            found = nk.community.ParallelLeiden(graph, iterations=LEIDEN_ITERATIONS).run().getPartition()
        finally:
            nk.setNumberOfThreads(threads)
    return [int(c) for c in found.getVector()]


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph's random generator is process-wide; seed it for one call and give the default back."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def _undirected(net: Network) -> ig.Graph:
    if not net.directed:
        return net.graph
    cached: ig.Graph | None = net.__dict__.get("_undirected")
    if cached is None:
        cached = net.graph.as_undirected(mode="collapse", combine_edges={"weight": "sum", "records": _concat})
        object.__setattr__(net, "_undirected", cached)
    return cached


def _concat(lists: Sequence[list[int]]) -> list[int]:
    return [x for records in lists for x in records]


def brokerage(
    net: Network, membership: Sequence[int], *, sources: Sequence[int] | None = None
) -> list[float]:
    """For each node, the number of shortest paths between nodes of *different* communities that run
    through it (fractions where several paths tie), in hops on the undirected view. With ``sources``
    (a sample), only paths from those nodes are counted and the total is scaled by n/len(sources)."""
    g = _undirected(net)
    n = g.vcount()
    if sources is not None and len(sources) < n:
        # Sampled: the kernel counts the paths from every sampled source to the nodes outside its
        # community in one pass, where igraph would take one pass per source (about 0.7 s each on a
        # million nodes).
        raw = subset_betweenness(_adjacency(net, undirected=True), sources, directed=False, groups=membership)
        scale = n / max(1, len(set(sources)))
        return list((raw * scale).tolist())
    members: dict[int, list[int]] = {}
    for v, c in enumerate(membership):
        members.setdefault(c, []).append(v)
    from_set = set(range(n)) if sources is None else set(sources)
    total = [0.0] * n
    for c, inside in members.items():
        src = [v for v in inside if v in from_set]
        if not src or len(inside) == n:
            continue
        outside = [v for v in range(n) if membership[v] != c]
        for v, b in enumerate(g.betweenness(directed=False, sources=src, targets=outside)):
            total[v] += b
    # Each unordered pair of communities is counted from both sides when every node is a source.
    scale = 1.0 if sources is None else n / max(1, len(from_set))
    return [t * scale for t in total]


@dataclass(frozen=True)
class Cohesion:
    nodes: int
    edges: int
    density: float
    clustering: float  # global transitivity (share of closed triplets), undirected view
    components: int
    largest_component: int
    isolates: int
    mean_degree: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def cohesion(net: Network) -> Cohesion:
    g = net.graph
    n, m = g.vcount(), g.ecount()
    comps = g.connected_components(mode="weak") if n else []
    sizes = [len(c) for c in comps]
    clustering = _undirected(net).transitivity_undirected(mode="zero") if n else 0.0
    return Cohesion(
        nodes=n,
        edges=m,
        density=g.density(loops=False) if n > 1 else 0.0,
        clustering=0.0 if math.isnan(clustering) else clustering,
        components=len(sizes),
        largest_component=max(sizes, default=0),
        isolates=sum(1 for d in g.degree() if d == 0),
        mean_degree=(2 * m / n) if n else 0.0,
    )


@dataclass(frozen=True)
class KeyPlayer:
    rank: int
    node: Node
    community: int
    degree: int
    weighted_degree: float
    betweenness: float
    brokerage: float
    pagerank: float
    eigenvector: float
    score: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "node"}
        out.update(id=self.node.id, label=self.node.caption, kind=self.node.kind)
        out["reasons"] = list(self.reasons)
        return out


@dataclass(frozen=True)
class Analysis:
    cohesion: Cohesion
    players: list[KeyPlayer]  # every node, by combined rank
    community_sizes: dict[int, int]
    modularity: float
    sampled: bool
    notes: tuple[str, ...]

    def top(self, limit: int) -> list[KeyPlayer]:
        return self.players[:limit]

    def communities(self, members: int = 5) -> list[dict[str, Any]]:
        """Each community with its size and its ``members`` best-ranked nodes."""
        best: dict[int, list[str]] = {}
        for p in self.players:
            chosen = best.setdefault(p.community, [])
            if len(chosen) < members:
                chosen.append(p.node.id)
        return [{"community": c, "size": n, "top": best.get(c, [])} for c, n in self.community_sizes.items()]

    def as_dict(self, limit: int = 20) -> dict[str, Any]:
        return {
            "summary": {
                **self.cohesion.as_dict(),
                "communities": len(self.community_sizes),
                "modularity": self.modularity,
            },
            "sampled": self.sampled,
            "notes": list(self.notes),
            "players": [p.as_dict() for p in self.top(limit)],
            "communities": self.communities(),
        }


MEASURES = ("degree", "weighted_degree", "betweenness", "brokerage", "pagerank", "eigenvector")


def analyze(
    net: Network, *, exact_limit: int = EXACT_LIMIT, samples: int = SAMPLES, seed: int = SEED
) -> Analysis:
    """Every measure of the module docstring, the combined rank and its reasons."""
    g = net.graph
    bt = betweenness(net, exact_limit=exact_limit, samples=samples, seed=seed)
    membership = communities(net, seed=seed)
    sample = None
    if bt.sampled:
        sample = sorted(random.Random(seed).sample(range(g.vcount()), samples))
    brk = brokerage(net, membership, sources=sample)
    und = _undirected(net)
    values: dict[str, list[float]] = {
        "degree": [float(d) for d in g.degree()],
        "weighted_degree": list(g.strength(weights="weight")),
        "betweenness": bt.values,
        "brokerage": brk,
        "pagerank": pagerank(net),
        "eigenvector": _eigenvector(und),
    }
    scores = _combined(values)
    order = sorted(range(g.vcount()), key=lambda v: (-scores[v], net.nodes[v].id))
    positions = {m: _positions(values[m]) for m in MEASURES}
    players = [
        KeyPlayer(
            rank=r + 1,
            node=net.nodes[v],
            community=membership[v],
            degree=int(values["degree"][v]),
            weighted_degree=values["weighted_degree"][v],
            betweenness=values["betweenness"][v],
            brokerage=values["brokerage"][v],
            pagerank=values["pagerank"][v],
            eigenvector=values["eigenvector"][v],
            score=scores[v],
            reasons=tuple(_reasons(net, v, values, positions, membership)),
        )
        for r, v in enumerate(order)
    ]
    sizes = dict(sorted(Counter(membership).items()))
    modularity = und.modularity(membership, weights="weight") if und.ecount() else 0.0
    return Analysis(cohesion(net), players, sizes, modularity, bt.sampled, (bt.note,) if bt.note else ())


def _eigenvector(g: ig.Graph) -> list[float]:
    """Eigenvector centrality scaled to 1. On a disconnected network it concentrates on the component
    with the largest eigenvalue (the others are near 0), which igraph warns about: that is the measure's
    meaning, not a fault, so the warning is not passed on."""
    if not g.ecount():
        return [0.0] * g.vcount()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return list(g.eigenvector_centrality(weights="weight", scale=True))


def _combined(values: Mapping[str, list[float]]) -> list[float]:
    """Mean over the measures of each value divided by the measure's largest value (0 when all are 0)."""
    n = len(next(iter(values.values())))
    out = [0.0] * n
    for m in MEASURES:
        top = max(values[m], default=0.0)
        if top > 0:
            for v, x in enumerate(values[m]):
                out[v] += x / top
    return [s / len(MEASURES) for s in out]


def _positions(xs: list[float]) -> list[int]:
    """1-based position of each value in decreasing order (ties share the better position)."""
    order = sorted(range(len(xs)), key=lambda v: -xs[v])
    pos = [0] * len(xs)
    for i, v in enumerate(order):
        pos[v] = pos[order[i - 1]] if i and math.isclose(xs[v], xs[order[i - 1]]) else i + 1
    return pos


_ORDINAL = {1: "highest", 2: "2nd highest", 3: "3rd highest"}
_WHY = {
    "degree": "{d} direct {links}",
    "weighted_degree": "links weighing {w:g} in all",
    "betweenness": "on many shortest paths between others",
    "brokerage": "{bridges}",
    "pagerank": "linked to by well-linked nodes",
    "eigenvector": "close to the best-connected core",
}
REASON_DEPTH = 3  # a measure is a reason for a node ranked at most this high in it


def _reasons(
    net: Network,
    v: int,
    values: Mapping[str, list[float]],
    positions: Mapping[str, list[int]],
    membership: Sequence[int],
) -> list[str]:
    out = []
    for m in MEASURES:
        p = positions[m][v]
        if p > REASON_DEPTH or values[m][v] <= 0:
            continue
        label = m.replace("_", " ")
        ordinal = _ORDINAL.get(p, f"{p}th highest")
        d = int(values["degree"][v])
        why = _WHY[m].format(
            d=d,
            links="link" if d == 1 else "links",
            w=values["weighted_degree"][v],
            bridges=_bridges(net, v, membership),
        )

        out.append(f"{ordinal} {label}: {why}")
    return out


def _bridges(net: Network, v: int, membership: Sequence[int]) -> str:
    theirs = sorted({membership[u] for u in _undirected(net).neighbors(v)} | {membership[v]})
    if len(theirs) < 2:
        return "on shortest paths between communities"
    return "bridges communities " + ", ".join(str(c) for c in theirs[:-1]) + f" and {theirs[-1]}"

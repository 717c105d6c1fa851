"""Sampled betweenness on large networks: Brandes's accumulation from many sources in one traversal.

Written by hand, compiled with numba, because no library here does it fast enough for the networks the
platform is asked to analyse (a million nodes, five million edges; ``bench/bench_network.py``). Per
sampled source, on that graph and this class of machine (2 cores), we measured igraph's subset
betweenness (``Graph.betweenness(sources=...)``) at about 0.7 s, NetworKit's ``EstimateBetweenness`` at
about 2 s and a straightforward compiled Brandes at about 0.5 s: 256 sources take minutes, nearly all of
it waiting on memory, since each source walks every edge of a graph that does not fit in the cache.

The kernel below runs up to 64 sources in one breadth-first traversal. Each node carries a 64-bit mask
of the sources that have reached it, so one scan of a node's neighbours serves every source for which
the node is on the current frontier: the multi-source BFS of Then et al., "The More the Merrier:
Efficient Multi-Source Graph Traversal" (VLDB 2015). Path counts (sigma) and dependencies (delta) are
Brandes's ("A Faster Algorithm for Betweenness Centrality", 2001), kept per node and source, and the
dependencies are gathered level by level from the deepest frontier back. Batches of sources run on
numba's threads, one batch per thread at a time, each with its own arrays; the per-thread sums are added
at the end. The result equals igraph's subset betweenness from the same sources, to rounding (the tests
hold it to that on random graphs, directed and undirected).

Memory: a thread holds two float64 arrays of n × batch, so the batch is sized to keep all threads within
``MEMORY_BUDGET`` (64 sources per batch up to about a million nodes on two threads with 2 GiB).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np
import numpy.typing as npt

__all__ = ["MEMORY_BUDGET", "Adjacency", "adjacency", "subset_betweenness"]

MEMORY_BUDGET = 2 * 1024**3  # bytes for the kernel's per-thread sigma and delta arrays, all threads
MAX_BATCH = 64  # sources per traversal: the width of a node's mask
_KERNEL_LOCK = threading.Lock()

Int32s = npt.NDArray[np.int32]
Int64s = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

# De Bruijn multiplication: the index of the lowest set bit of a 64-bit word without a loop.
_DEBRUIJN = np.array(
    [0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22, 45, 39,
     33, 30, 24, 18, 12, 5, 63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40,
     15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6],
    dtype=np.int64,
)  # fmt: skip


@dataclass(frozen=True)
class Adjacency:
    """Compressed neighbour lists: the neighbours of v are ``out_idx[out_ptr[v]:out_ptr[v + 1]]``; the
    ``in_`` pair lists who points at v (the same arrays when the graph is undirected)."""

    out_ptr: Int64s
    out_idx: Int32s
    in_ptr: Int64s
    in_idx: Int32s

    @property
    def n(self) -> int:
        return int(self.out_ptr.shape[0] - 1)


def _compress(n: int, tails: Int32s, heads: Int32s) -> tuple[Int64s, Int32s]:
    order = np.argsort(tails, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(heads[order], dtype=np.int32)


def adjacency(n: int, edges: npt.NDArray[np.int32], *, directed: bool) -> Adjacency:
    """The neighbour lists of a simple graph on ``n`` nodes whose edges are the rows of ``edges``
    (shape m × 2, node indexes)."""
    a = np.ascontiguousarray(edges[:, 0], dtype=np.int32)
    b = np.ascontiguousarray(edges[:, 1], dtype=np.int32)
    if directed:
        out_ptr, out_idx = _compress(n, a, b)
        in_ptr, in_idx = _compress(n, b, a)
        return Adjacency(out_ptr, out_idx, in_ptr, in_idx)
    ptr, idx = _compress(n, np.concatenate([a, b]), np.concatenate([b, a]))
    return Adjacency(ptr, idx, ptr, idx)


def subset_betweenness(
    adj: Adjacency, sources: Sequence[int], *, directed: bool, groups: Sequence[int] | None = None
) -> Floats:
    """Betweenness in hops counting only shortest paths that start at ``sources`` (distinct node
    indexes), as igraph's ``Graph.betweenness(sources=...)`` counts it: in an undirected graph each
    path is counted once, not once per direction. With ``groups`` (a group number per node), only
    paths that end in another group than their source's count: brokerage between communities."""
    src = np.asarray(sorted(set(sources)), dtype=np.int64)
    n = adj.n
    if n == 0 or src.size == 0:
        return np.zeros(n, dtype=np.float64)
    if src[0] < 0 or src[-1] >= n:
        bad = int(src[0] if src[0] < 0 else src[-1])
        raise ValueError(f"source node indexes must lie in 0..{n - 1} (the network's nodes), got {bad}")
    if groups is not None and len(groups) != n:
        raise ValueError(f"groups must give one group per node: {len(groups)} for {n} nodes")
    group_of = np.asarray(groups if groups is not None else (), dtype=np.int64)
    threads = max(1, min(nb.get_num_threads(), -(-src.size // MAX_BATCH)))
    batch = int(max(1, min(MAX_BATCH, MEMORY_BUDGET // max(1, n * 16 * threads))))
    # One run at a time: it uses every core already, and numba's simplest thread pool is not re-entrant.
    with _KERNEL_LOCK:
        raw = _sampled(
            adj.out_ptr, adj.out_idx, adj.in_ptr, adj.in_idx, src, group_of, batch, threads, _DEBRUIJN
        )
    # igraph halves undirected betweenness (a path and its reverse are one path); so do we, so that an
    # estimate scaled from it means the same as the exact figure for a small network.
    return raw if directed else raw / 2.0


@nb.njit(cache=True, inline="always")
def _low_bit(d: np.uint64, table: Int64s) -> int:
    low = d & (~d + np.uint64(1))
    return int(table[np.int64((low * np.uint64(0x03F79D71B4CB0A89)) >> np.uint64(58))])


@nb.njit(cache=True)
def _push(
    nodes: Int32s, masks: npt.NDArray[np.uint64], size: int, node: int, mask: np.uint64
) -> tuple[Int32s, npt.NDArray[np.uint64], int]:
    """Append (node, mask) to the frontier log, doubling its arrays when full."""
    if size == nodes.shape[0]:
        grown_n = np.empty(nodes.shape[0] * 2, np.int32)
        grown_n[:size] = nodes[:size]
        grown_m = np.empty(masks.shape[0] * 2, np.uint64)
        grown_m[:size] = masks[:size]
        nodes, masks = grown_n, grown_m
    nodes[size] = node
    masks[size] = mask
    return nodes, masks, size + 1


@nb.njit(cache=True, nogil=True)
def _batch(
    out_ptr: Int64s,
    out_idx: Int32s,
    in_ptr: Int64s,
    in_idx: Int32s,
    sources: Int64s,
    groups: Int64s,
    bc: Floats,
    seen: npt.NDArray[np.uint64],
    nxt: npt.NDArray[np.uint64],
    prev: npt.NDArray[np.uint64],
    sigma: Floats,
    delta: Floats,
    table: Int64s,
) -> None:
    """Add to ``bc`` the dependencies of every node on the sources of one batch (bit b = sources[b]).

    ``groups`` empty: every node is a target; else only nodes of another group than the source's.
    ``seen``, ``nxt``, ``prev``, ``sigma`` and ``delta`` come in zeroed and are left zeroed."""
    n = out_ptr.shape[0] - 1
    width = sources.shape[0]
    log_n = np.empty(max(n, 16), np.int32)  # the frontier log: (node, mask) per node and level
    log_m = np.empty(max(n, 16), np.uint64)
    size = 0
    starts = [0]  # level l is log[starts[l]:starts[l + 1]]
    coeff = np.zeros(width)
    everyone = groups.shape[0] == 0
    for b in range(width):
        s = sources[b]
        log_n, log_m, size = _push(log_n, log_m, size, s, np.uint64(1) << np.uint64(b))
        seen[s] = np.uint64(1) << np.uint64(b)
        sigma[s, b] = 1.0
    starts.append(size)
    # Forward: level by level; a node's mask on the frontier says for which sources it is there.
    while True:
        first, end = starts[-2], starts[-1]
        for i in range(first, end):
            v = log_n[i]
            f = log_m[i]
            for k in range(out_ptr[v], out_ptr[v + 1]):
                w = out_idx[k]
                d = f & ~seen[w]
                if d:
                    if nxt[w] == 0:
                        log_n, log_m, size = _push(log_n, log_m, size, w, np.uint64(0))
                    nxt[w] |= d
                    while d:
                        b = _low_bit(d, table)
                        d &= d - np.uint64(1)
                        sigma[w, b] += sigma[v, b]
        if size == end:
            break
        for i in range(end, size):
            w = log_n[i]
            log_m[i] = nxt[w]
            seen[w] |= nxt[w]
            nxt[w] = 0
        starts.append(size)
    levels = len(starts) - 1
    # Backward: from the deepest level, each node passes its dependency to its predecessors.
    for lev in range(levels - 1, 0, -1):
        for i in range(starts[lev - 1], starts[lev]):
            prev[log_n[i]] = log_m[i]
        for i in range(starts[lev], starts[lev + 1]):
            w = log_n[i]
            mw = log_m[i]
            d = mw
            while d:
                b = _low_bit(d, table)
                d &= d - np.uint64(1)
                bc[w] += delta[w, b]
                target = 1.0 if everyone or groups[w] != groups[sources[b]] else 0.0
                coeff[b] = (target + delta[w, b]) / sigma[w, b]
            for k in range(in_ptr[w], in_ptr[w + 1]):
                v = in_idx[k]
                d = mw & prev[v]
                while d:
                    b = _low_bit(d, table)
                    d &= d - np.uint64(1)
                    delta[v, b] += sigma[v, b] * coeff[b]
        for i in range(starts[lev - 1], starts[lev]):
            prev[log_n[i]] = 0
    for i in range(size):  # leave the arrays zeroed for the next batch, touching only what was used
        w = log_n[i]
        seen[w] = 0
        sigma[w, :] = 0.0
        delta[w, :] = 0.0


@nb.njit(cache=True, parallel=True)
def _sampled(
    out_ptr: Int64s,
    out_idx: Int32s,
    in_ptr: Int64s,
    in_idx: Int32s,
    sources: Int64s,
    groups: Int64s,
    batch: int,
    threads: int,
    table: Int64s,
) -> Floats:
    n = out_ptr.shape[0] - 1
    batches = (sources.shape[0] + batch - 1) // batch
    per_thread = np.zeros((threads, n))
    for t in nb.prange(threads):
        seen = np.zeros(n, np.uint64)
        nxt = np.zeros(n, np.uint64)
        prev = np.zeros(n, np.uint64)
        sigma = np.zeros((n, batch))
        delta = np.zeros((n, batch))
        for j in range(t, batches, threads):
            chunk = sources[j * batch : (j + 1) * batch]
            _batch(
                out_ptr,
                out_idx,
                in_ptr,
                in_idx,
                chunk,
                groups,
                per_thread[t],
                seen,
                nxt,
                prev,
                sigma,
                delta,
                table,
            )
    total: Floats = per_thread.sum(axis=0)
    return total

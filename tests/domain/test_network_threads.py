"""igraph reports an error through its C error handler, which outside the thread that imported igraph
aborts the whole process; the API runs the network analysis in worker threads. So every input that
reaches igraph must be one it accepts. This runs each igraph-backed operation on degenerate networks
inside a worker thread, in a child process: if any of them made igraph fail, the child would die of
SIGABRT instead of printing its answer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading
    import interdict.domain.network as network
    from interdict.domain.network import Edge, Node, analyze, build_network, cohesion
    from interdict.domain.network_paths import (disrupt, ego_network, k_shortest_paths, shortest_path,
                                                suggest_removals)

    def graphs():
        yield "one node", build_network([], [Node("a")])
        yield "two isolated", build_network([], [Node("a"), Node("b")])
        yield "zero weights", build_network([Edge("a", "b", weight=0.0), Edge("b", "c", weight=0.0)])
        yield "self loop only", build_network([Edge("a", "a")], [Node("a"), Node("b")])
        yield "directed pair", build_network([Edge("a", "b")], directed=True)
        yield "two components", build_network([Edge("a", "b"), Edge("c", "d")], directed=True)

    calls = 0
    refused = []

    def work():
        global calls
        for label, net in graphs():
            ids = [n.id for n in net.nodes]
            for op in (lambda: analyze(net), lambda: analyze(net, exact_limit=0, samples=1), lambda: cohesion(net),
                       lambda: shortest_path(net, ids[0], ids[-1]), lambda: shortest_path(net, ids[0], ids[0]),
                       lambda: k_shortest_paths(net, ids[0], ids[-1], 1),
                       lambda: k_shortest_paths(net, ids[0], ids[-1], 3), lambda: ego_network(net, ids[0], 2),
                       lambda: disrupt(net, ids), lambda: disrupt(net, ids[:1]),
                       lambda: suggest_removals(net, 1), lambda: suggest_removals(net, len(ids) + 2)):
                calls += 1
                try:
                    op()
                except Exception as exc:  # a Python error is answered by the API; an abort is not
                    refused.append(f"{label}: {exc!r}")

    # The large-network paths too: NetworKit's Leiden, PRPACK and the sampled-betweenness kernel, from two
    # threads at once.
    network.NETWORKIT_LIMIT = 0
    network.PRPACK_FROM = 0
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("survived", calls, refused)
    """
)


def test_igraph_work_in_a_worker_thread_never_aborts_the_process() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the child died ({done.returncode}): {done.stderr[-2000:]}"
    assert "survived 144 " in done.stdout, done.stdout + done.stderr  # 2 threads x 6 networks x 12 operations

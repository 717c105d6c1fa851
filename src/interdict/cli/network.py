"""`interdict network analyze|path|ego|disrupt|money|export`: network analysis of a file.

Each command reads a CSV edge list (``--source COL --target COL --weight COL --time COL``, and for money
``--amount COL --currency COL``; an optional ``--nodes`` file of ids, labels, kinds, countries and groups)
or FtM JSON lines (``--input-format ftm``, or a ``.jsonl``/``.ftm`` file), builds the network
(``interdict.io.edgelists``) and calls the pure analysis (``interdict.domain.network*``,
``domain.money``). No database: the platform's own network is on the API and the web page. Warnings
(self-loops dropped, repeated rows counted once, sampled betweenness) go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from interdict.cli.output import Format, emit

network_app = typer.Typer(
    help="Network and capital-flow analysis of an edge list or FtM file.", no_args_is_help=True
)

__all__ = ["Source", "network_app"]

FileArg = typer.Argument(
    ..., exists=True, dir_okay=False, readable=True, help="CSV edge list or FtM JSON lines"
)
SourceOpt = typer.Option(None, "--source", help="Source column (name or 1-based number)")
TargetOpt = typer.Option(None, "--target", help="Target column (name or 1-based number)")
WeightOpt = typer.Option(None, "--weight", help="Weight column (a number)")
TimeOpt = typer.Option(None, "--time", help="Time column (ISO 8601 date or date-time)")
KindOpt = typer.Option(None, "--kind", help="Relation type column")
IdOpt = typer.Option(None, "--id", help="Record id column (default: the row number)")
AmountOpt = typer.Option(None, "--amount", help="Amount column (rows with an amount are payments)")
CurrencyOpt = typer.Option(None, "--currency", help="Currency column")
NodesOpt = typer.Option(
    None, "--nodes", exists=True, dir_okay=False, help="CSV of nodes: id,label,kind,country,group"
)
DirectedOpt = typer.Option(
    False, "--directed", help="Edges have a direction (caller to callee, payer to payee)"
)
InputOpt = typer.Option("auto", "--input-format", help="auto, csv or ftm")
FormatOpt = typer.Option(Format.TABLE, "--format", "-f", help="table or json")


def _main() -> Any:
    from interdict.cli import main

    return main


class Source:
    """What every command needs to build the network; filled from the shared options."""

    def __init__(
        self, file: Path, input_format: str, nodes: Path | None, directed: bool, **cols: str | None
    ) -> None:
        self.file, self.input_format, self.nodes, self.directed, self.cols = (
            file,
            input_format,
            nodes,
            directed,
            cols,
        )

    def load(self) -> Any:
        from interdict.domain.errors import BadInputError
        from interdict.io.edgelists import EdgeColumns, read_edge_csv, read_ftm_network, read_nodes_csv

        fmt = self.input_format
        if fmt == "auto":
            fmt = "ftm" if self.file.suffix.lower() in (".jsonl", ".ftm", ".json", ".ndjson") else "csv"
        if fmt not in ("csv", "ftm"):
            raise BadInputError(f"--input-format is auto, csv or ftm, not {fmt!r}", {"input_format": fmt})
        data = self.file.read_bytes()
        if fmt == "ftm":
            edges = read_ftm_network(data)
        else:
            nodes = read_nodes_csv(self.nodes.read_bytes()) if self.nodes else None
            edges = read_edge_csv(data, EdgeColumns(**self.cols), nodes)
        net = edges.network(directed=self.directed)
        for w in net.warnings[:20]:
            typer.echo(f"warning: {w}", err=True)
        if len(net.warnings) > 20:
            typer.echo(f"warning: ... and {len(net.warnings) - 20} more", err=True)
        return net


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _notes(notes: Any) -> None:
    for n in notes:
        typer.echo(f"note: {n}", err=True)


# -- analyze -----------------------------------------------------------------------------------------
@network_app.command("analyze")
def analyze_cmd(
    file: Path = FileArg,
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    weight: str | None = WeightOpt,
    time: str | None = TimeOpt,
    kind: str | None = KindOpt,
    record_id: str | None = IdOpt,
    nodes: Path | None = NodesOpt,
    directed: bool = DirectedOpt,
    input_format: str = InputOpt,
    limit: int = typer.Option(20, "--limit", help="Key players to list"),
    periods: str | None = typer.Option(None, "--periods", help="Also per period: month, quarter or year"),
    exact_limit: int = typer.Option(5000, "--exact-limit", help="Exact betweenness up to this many nodes"),
    samples: int = typer.Option(256, "--samples", help="Sources sampled for betweenness above the limit"),
    graphml: Path | None = typer.Option(None, "--graphml", help="Also write GraphML (Gephi) here"),
    gexf: Path | None = typer.Option(None, "--gexf", help="Also write GEXF (Gephi) here"),
    i2: Path | None = typer.Option(None, "--i2", help="Also write CSV for i2 Analyst's Notebook here"),
    ftm: Path | None = typer.Option(None, "--ftm", help="Also write FtM JSON lines here"),
    fmt: Format = FormatOpt,
) -> None:
    """Key players with their measures and reasons, communities and summary figures."""
    src = Source(
        file,
        input_format,
        nodes,
        directed,
        source=source,
        target=target,
        weight=weight,
        time=time,
        kind=kind,
        id=record_id,
    )
    _main().friendly(_analyze)(src, limit, periods, exact_limit, samples, (graphml, gexf, i2, ftm), fmt)


def _analyze(
    src: Source,
    limit: int,
    by: str | None,
    exact: int,
    samples: int,
    out: tuple[Path | None, ...],
    fmt: Format,
) -> None:
    from interdict.domain.network import analyze
    from interdict.domain.network_periods import calendar_periods, timeline

    net = src.load()
    result = analyze(net, exact_limit=exact, samples=samples)
    _notes(result.notes)
    _write_exports(net, result, *out)
    data = result.as_dict(limit)
    if by:
        data["periods"] = timeline(
            net, calendar_periods(net, by), track=min(limit, 10), exact_limit=exact, samples=samples
        ).as_dict()
    if fmt is Format.JSON:
        _json(data)
        return
    summary = [
        {"figure": k, "value": f"{v:.4g}" if isinstance(v, float) else v} for k, v in data["summary"].items()
    ]
    emit(summary, ["figure", "value"], Format.TABLE if fmt is Format.TABLE else fmt, "Summary")
    cols = ["rank", "id", "label", "community", "degree", "betweenness", "brokerage", "pagerank", "reasons"]
    rows = [
        {
            **p,
            "betweenness": f"{p['betweenness']:.4g}",
            "brokerage": f"{p['brokerage']:.4g}",
            "pagerank": f"{p['pagerank']:.4f}",
            "reasons": "; ".join(r.split(":")[0] for r in p["reasons"]),
        }
        for p in data["players"]
    ]
    emit(rows, cols, fmt, "Key players")
    emit(data["communities"], ["community", "size", "top"], fmt, "Communities")
    if by:
        emit(
            _period_rows(data["periods"]),
            ["id", *[p["label"] for p in data["periods"]["periods"]]],
            fmt,
            f"Rank by {by}",
        )


def _period_rows(tl: dict[str, Any]) -> list[dict[str, Any]]:
    labels = [p["label"] for p in tl["periods"]]
    return [
        {
            "id": node,
            **{lab: (pos["rank"] if pos else "-") for lab, pos in zip(labels, positions, strict=True)},
        }
        for node, positions in tl["positions"].items()
    ]


def _write_exports(
    net: Any, analysis: Any, graphml: Path | None, gexf: Path | None, i2: Path | None, ftm: Path | None
) -> None:
    from interdict.io.network_exports import to_ftm_lines, to_gexf, to_graphml, to_i2_csv

    if graphml:
        graphml.write_bytes(to_graphml(net, analysis))
    if gexf:
        gexf.write_bytes(to_gexf(net, analysis))
    if i2:
        i2.write_text(to_i2_csv(net), encoding="utf-8")
    if ftm:
        ftm.write_text("".join(line + "\n" for line in to_ftm_lines(net)), encoding="utf-8")


@network_app.command("export")
def export_cmd(
    file: Path = FileArg,
    to: str = typer.Option(..., "--to", help="graphml, gexf, i2 or ftm"),
    output: Path = typer.Option(..., "--output", "-o", help="File to write"),
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    weight: str | None = WeightOpt,
    time: str | None = TimeOpt,
    kind: str | None = KindOpt,
    amount: str | None = AmountOpt,
    currency: str | None = CurrencyOpt,
    nodes: Path | None = NodesOpt,
    directed: bool = DirectedOpt,
    input_format: str = InputOpt,
) -> None:
    """Write the network for Gephi (GraphML, GEXF), i2 Analyst's Notebook (CSV) or FtM tools."""
    src = Source(
        file,
        input_format,
        nodes,
        directed,
        source=source,
        target=target,
        weight=weight,
        time=time,
        kind=kind,
        amount=amount,
        currency=currency,
    )
    _main().friendly(_export)(src, to, output)


def _export(src: Source, to: str, output: Path) -> None:
    from interdict.domain.errors import BadInputError
    from interdict.domain.network import analyze

    targets = {"graphml": 0, "gexf": 1, "i2": 2, "ftm": 3}
    if to not in targets:
        raise BadInputError(f"--to is graphml, gexf, i2 or ftm, not {to!r}", {"to": to})
    net = src.load()
    paths: list[Path | None] = [None, None, None, None]
    paths[targets[to]] = output
    _write_exports(net, analyze(net) if to in ("graphml", "gexf") else None, *paths)
    typer.echo(f"wrote {output} ({len(net.nodes)} nodes, {len(net.edges)} edges)", err=True)


# -- paths -------------------------------------------------------------------------------------------
@network_app.command("path")
def path_cmd(
    file: Path = FileArg,
    start: str = typer.Option(..., "--from", help="Node id to start from"),
    end: str = typer.Option(..., "--to", help="Node id to reach"),
    k: int = typer.Option(1, "-k", help="Number of shortest paths"),
    undirected_paths: bool = typer.Option(
        False, "--any-direction", help="In a directed network, ignore direction"
    ),
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    weight: str | None = WeightOpt,
    time: str | None = TimeOpt,
    kind: str | None = KindOpt,
    record_id: str | None = IdOpt,
    nodes: Path | None = NodesOpt,
    directed: bool = DirectedOpt,
    input_format: str = InputOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Shortest (or k shortest) paths between two nodes, with the records along each hop."""
    src = Source(
        file,
        input_format,
        nodes,
        directed,
        source=source,
        target=target,
        weight=weight,
        time=time,
        kind=kind,
        id=record_id,
    )
    _main().friendly(_path)(src, start, end, k, not undirected_paths, fmt)


def _path(src: Source, start: str, end: str, k: int, follow: bool, fmt: Format) -> None:
    from interdict.domain.network_paths import k_shortest_paths

    paths = k_shortest_paths(src.load(), start, end, k, follow_direction=follow)
    if fmt is Format.JSON:
        _json({"from": start, "to": end, "paths": [p.as_dict() for p in paths]})
        return
    if not paths:
        typer.echo(f"no path from {start} to {end}")
        return
    rows = [
        {
            "path": i + 1,
            "hop": j + 1,
            "from": h.source.caption,
            "to": h.target.caption,
            "records": [r.id for r in h.records],
            "kinds": sorted({r.kind for r in h.records if r.kind}),
        }
        for i, p in enumerate(paths)
        for j, h in enumerate(p.hops)
    ]
    emit(rows, ["path", "hop", "from", "to", "records", "kinds"], fmt, f"Paths from {start} to {end}")


@network_app.command("ego")
def ego_cmd(
    file: Path = FileArg,
    node: str = typer.Option(..., "--node", help="Node id at the centre"),
    depth: int = typer.Option(1, "--depth", help="Hops from the centre"),
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    nodes: Path | None = NodesOpt,
    directed: bool = DirectedOpt,
    input_format: str = InputOpt,
    fmt: Format = FormatOpt,
) -> None:
    """The nodes within --depth hops of a node, with their distance."""
    src = Source(file, input_format, nodes, directed, source=source, target=target)
    _main().friendly(_ego)(src, node, depth, fmt)


def _ego(src: Source, node: str, depth: int, fmt: Format) -> None:
    from interdict.domain.network_paths import ego_network

    ego = ego_network(src.load(), node, depth)
    labels = {n.id: n for n in ego.network.nodes}
    rows = [
        {"id": i, "label": labels[i].caption, "kind": labels[i].kind, "distance": d}
        for i, d in sorted(ego.distances.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    if fmt is Format.JSON:
        _json({"center": node, "depth": depth, "nodes": rows, "edges": len(ego.network.edges)})
        return
    emit(rows, ["id", "label", "kind", "distance"], fmt, f"Within {depth} hop(s) of {node}")


# -- disruption --------------------------------------------------------------------------------------
@network_app.command("disrupt")
def disrupt_cmd(
    file: Path = FileArg,
    remove: list[str] = typer.Option([], "--remove", help="Node id to remove (repeat)"),
    suggest: int = typer.Option(
        0, "--suggest", help="Suggest this many nodes to remove (greedy and by betweenness)"
    ),
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    weight: str | None = WeightOpt,
    nodes: Path | None = NodesOpt,
    directed: bool = DirectedOpt,
    input_format: str = InputOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Fragmentation after removing nodes (arrests), or the k nodes whose removal disrupts most."""
    src = Source(file, input_format, nodes, directed, source=source, target=target, weight=weight)
    _main().friendly(_disrupt)(src, remove, suggest, fmt)


def _disrupt(src: Source, remove: list[str], suggest: int, fmt: Format) -> None:
    from interdict.domain.errors import BadInputError
    from interdict.domain.network_paths import disrupt, suggest_removals

    if not remove and not suggest:
        raise BadInputError("give --remove NODE (repeatable) or --suggest K", {"remove": "missing"})
    net = src.load()
    data: dict[str, Any] = {}
    if remove:
        data["removal"] = disrupt(net, remove).as_dict()
    if suggest:
        data["suggestion"] = suggest_removals(net, suggest).as_dict()
    if fmt is Format.JSON:
        _json(data)
        return
    rows = []
    if "removal" in data:
        rows += [
            {"scenario": "before", **data["removal"]["before"]},
            {
                "scenario": "after removing " + ", ".join(data["removal"]["removed"]),
                **data["removal"]["after"],
            },
        ]
    if "suggestion" in data:
        s = data["suggestion"]
        rows += [
            {"scenario": "greedy: " + ", ".join(s["greedy"]["removed"]), **s["greedy"]["after"]},
            {
                "scenario": "by betweenness: " + ", ".join(s["by_betweenness"]["removed"]),
                **s["by_betweenness"]["after"],
            },
        ]
    cols = [
        "scenario",
        "nodes",
        "components",
        "largest_component",
        "largest_share",
        "reachability",
        "efficiency",
    ]
    emit(
        [{k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
        cols,
        fmt,
        "Disruption",
    )
    if "suggestion" in data:
        typer.echo(f"fewer connected pairs left: {data['suggestion']['better']}")


# `network money` lives in cli/network_money.py; importing it adds the command to this group.
from interdict.cli import network_money  # noqa: E402, F401

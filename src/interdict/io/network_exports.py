"""A network out to other tools: GraphML and GEXF (Gephi), CSV for i2 Analyst's Notebook, FtM JSON lines.

Every export writes each *recorded* edge (each call, payment, relation) as its own edge, with its kind,
time, weight, amount and currency and the id of the record it came from; tools that want one edge per
pair merge them. With an analysis, nodes carry their community, combined rank and measures, so Gephi
can colour by community and size by rank straight away.

- **GraphML** is written here with ElementTree (why not igraph's writer: ``to_graphml``).
- **GEXF 1.3** is written here with ElementTree: igraph has no GEXF writer, and NetworkX (which has
  one) would be a run-time dependency for one file format. Attributes are declared in ``<attributes>``,
  node colours (by community) and sizes (by rank) go in the ``viz`` namespace that Gephi reads.
- **i2 Analyst's Notebook CSV**: one row per link, the two entities and the link in one row, which is
  what an Analyst's Notebook import specification maps (docs/NETWORK.md lists the columns).
- **FtM JSON lines**: nodes as entities of their schema (``LegalEntity`` when the node has none), edges
  as entities of their edge schema when the kind is one (``Payment``, ``Ownership``...) and as
  ``UnknownLink`` (with the kind as its ``role``) otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from followthemoney import model
from followthemoney.util import make_entity_id

from interdict.domain.network import Analysis, Edge, KeyPlayer, Network, Node
from interdict.io.csvsafe import cell

__all__ = ["I2_COLUMNS", "to_ftm_lines", "to_gexf", "to_graphml", "to_i2_csv"]

NODE_FIELDS = ("label", "kind", "country", "group")
MEASURE_FIELDS = ("community", "rank", "score", "degree", "betweenness", "brokerage", "pagerank")
EDGE_FIELDS = ("record", "kind", "time", "weight", "amount", "currency")
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]  # fmt: skip


def _players(analysis: Analysis | None) -> dict[str, KeyPlayer]:
    return {p.node.id: p for p in analysis.players} if analysis else {}


def _node_values(n: Node, p: KeyPlayer | None) -> dict[str, Any]:
    out: dict[str, Any] = {"label": n.caption, "kind": n.kind, "country": n.country, "group": n.group}
    if p is not None:
        out.update({f: getattr(p, f) for f in MEASURE_FIELDS})
    return out


def _edge_values(e: Edge) -> dict[str, Any]:
    return {
        "record": e.id,
        "kind": e.kind,
        "time": e.time.isoformat() if e.time else "",
        "weight": e.weight,
        "amount": str(e.amount) if e.amount is not None else "",
        "currency": e.currency,
    }


GRAPHML = "http://graphml.graphdrawing.org/xmlns"
# XML 1.0 allows tab, newline, carriage return and the characters from U+0020 on, but not the
# surrogates, U+FFFE and U+FFFF: anything else in a name or a value would make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can hold: characters it forbids become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))


def _graphml_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None and v != ""}
    if kinds and kinds <= {int, bool}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def to_graphml(net: Network, analysis: Analysis | None = None) -> bytes:
    """GraphML written with ElementTree. igraph's own writer is not used: on a value it refuses (a
    control character in a name) igraph reports the error through its C error handler, which outside
    the thread that imported igraph aborts the whole process, and the API runs exports in worker
    threads."""
    players = _players(analysis)
    ET.register_namespace("", GRAPHML)
    root = ET.Element(f"{{{GRAPHML}}}graphml")
    node_rows = [{"name": n.id, **_node_values(n, players.get(n.id))} for n in net.nodes]
    edge_rows = [_edge_values(e) for e in net.edges]
    node_fields = ("name", *NODE_FIELDS, *(MEASURE_FIELDS if players else ()))
    for cls, fields, rows in (("node", node_fields, node_rows), ("edge", EDGE_FIELDS, edge_rows)):
        for f in fields:
            ET.SubElement(root, f"{{{GRAPHML}}}key", {
                "id": f"{cls[0]}_{f}", "for": cls, "attr.name": f,
                "attr.type": _graphml_type([r.get(f) for r in rows])})  # fmt: skip
    graph = ET.SubElement(root, f"{{{GRAPHML}}}graph", {
        "id": "G", "edgedefault": "directed" if net.directed else "undirected"})  # fmt: skip
    index = {n.id: f"n{i}" for i, n in enumerate(net.nodes)}

    def data(el: ET.Element, cls: str, fields: tuple[str, ...], row: dict[str, Any]) -> None:
        for f in fields:
            v = row.get(f)
            if v is not None and v != "":
                ET.SubElement(el, f"{{{GRAPHML}}}data", {"key": f"{cls}_{f}"}).text = xml_text(v)

    for n, row in zip(net.nodes, node_rows, strict=True):
        data(ET.SubElement(graph, f"{{{GRAPHML}}}node", {"id": index[n.id]}), "n", node_fields, row)
    for e, row in zip(net.edges, edge_rows, strict=True):
        el = ET.SubElement(graph, f"{{{GRAPHML}}}edge", {"source": index[e.source], "target": index[e.target]})
        data(el, "e", EDGE_FIELDS, row)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


GEXF = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"


def to_gexf(net: Network, analysis: Analysis | None = None) -> bytes:
    ET.register_namespace("", GEXF)
    ET.register_namespace("viz", VIZ)
    root = ET.Element(f"{{{GEXF}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, f"{{{GEXF}}}meta")
    ET.SubElement(meta, f"{{{GEXF}}}creator").text = "Interdict"
    graph = ET.SubElement(
        root,
        f"{{{GEXF}}}graph",
        {"defaultedgetype": "directed" if net.directed else "undirected", "mode": "static"},
    )
    players = _players(analysis)
    node_fields = ("kind", "country", "group") + (MEASURE_FIELDS if players else ())
    _declare(graph, "node", node_fields)
    _declare(graph, "edge", ("record", "kind", "time", "amount", "currency"))
    nodes = ET.SubElement(graph, f"{{{GEXF}}}nodes")
    top = max((p.score for p in players.values()), default=0.0) or 1.0
    for n in net.nodes:
        p = players.get(n.id)
        el = ET.SubElement(nodes, f"{{{GEXF}}}node", {"id": xml_text(n.id), "label": xml_text(n.caption)})
        _values(el, node_fields, _node_values(n, p))
        if p is not None:
            r, g_, b = PALETTE[(p.community - 1) % len(PALETTE)]
            ET.SubElement(el, f"{{{VIZ}}}color", {"r": str(r), "g": str(g_), "b": str(b)})
            ET.SubElement(el, f"{{{VIZ}}}size", {"value": f"{4 + 16 * p.score / top:.2f}"})
    edges = ET.SubElement(graph, f"{{{GEXF}}}edges")
    for i, e in enumerate(net.edges):
        attrs = {"id": str(i), "source": xml_text(e.source), "target": xml_text(e.target),
                 "weight": repr(float(e.weight))}
        if e.kind:
            attrs["label"] = xml_text(e.kind)
        el = ET.SubElement(edges, f"{{{GEXF}}}edge", attrs)
        _values(el, ("record", "kind", "time", "amount", "currency"), _edge_values(e))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


_GEXF_TYPES = {"community": "integer", "rank": "integer", "degree": "integer"}
_FLOATS = {"score", "betweenness", "brokerage", "pagerank"}


def _declare(graph: ET.Element, cls: str, fields: tuple[str, ...]) -> None:
    el = ET.SubElement(graph, f"{{{GEXF}}}attributes", {"class": cls})
    for f in fields:
        kind = _GEXF_TYPES.get(f, "double" if f in _FLOATS else "string")
        ET.SubElement(el, f"{{{GEXF}}}attribute", {"id": f, "title": f, "type": kind})


def _values(el: ET.Element, fields: tuple[str, ...], values: dict[str, Any]) -> None:
    holder = ET.SubElement(el, f"{{{GEXF}}}attvalues")
    for f in fields:
        v = values.get(f)
        if v is not None and v != "":
            ET.SubElement(holder, f"{{{GEXF}}}attvalue", {"for": f, "value": xml_text(v)})


I2_COLUMNS = (
    "Entity1_Id", "Entity1_Label", "Entity1_Type", "Entity1_Country",
    "Entity2_Id", "Entity2_Label", "Entity2_Type", "Entity2_Country",
    "Link_Type", "Link_Date", "Link_Time", "Link_Direction", "Link_Strength",
    "Amount", "Currency", "Record_Id",
)  # fmt: skip


def to_i2_csv(net: Network) -> str:
    """One row per recorded edge; ``Link_Direction`` is ``Entity1 to Entity2`` when the network is
    directed, else ``None`` (map it to the link's arrows in the import specification)."""
    nodes = {n.id: n for n in net.nodes}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(I2_COLUMNS)
    for e in net.edges:
        a, b = nodes[e.source], nodes[e.target]
        row = [
            a.id, a.caption, a.kind or "Entity", a.country,
            b.id, b.caption, b.kind or "Entity", b.country,
            e.kind or "Link",
            e.time.date().isoformat() if e.time else "",
            e.time.strftime("%H:%M:%S") if e.time else "",
            "Entity1 to Entity2" if net.directed else "None",
            f"{e.weight:g}",
            str(e.amount) if e.amount is not None else "", e.currency, e.id,
        ]  # fmt: skip
        w.writerow([cell(v) for v in row])
    return out.getvalue()


def to_ftm_lines(net: Network) -> Iterator[str]:
    for n in net.nodes:
        schema = model.get(n.kind) if n.kind else None
        if schema is None or schema.edge or schema.abstract:
            schema = model.get("LegalEntity")
        assert schema is not None
        props: dict[str, list[str]] = {}
        if "name" in schema.properties:
            props["name"] = [n.caption]
        if n.country and "country" in schema.properties:
            props["country"] = [n.country.lower()]
        yield json.dumps(
            {"id": n.id, "schema": schema.name, "properties": props}, ensure_ascii=False, sort_keys=True
        )
    for i, e in enumerate(net.edges):
        yield json.dumps(_ftm_edge(e, i), ensure_ascii=False, sort_keys=True)


def _ftm_edge(e: Edge, i: int) -> dict[str, Any]:
    schema = model.get(e.kind) if e.kind else None
    props: dict[str, list[str]] = {}
    if schema is None or not schema.edge or not schema.edge_source or not schema.edge_target:
        schema = model.get("UnknownLink")
        assert schema is not None
        if e.kind:
            props["role"] = [e.kind]
    assert schema.edge_source and schema.edge_target
    props[schema.edge_source], props[schema.edge_target] = [e.source], [e.target]
    if e.time is not None:
        props["date"] = [e.time.date().isoformat()]
    if e.amount is not None and "amount" in schema.properties:
        props["amount"], props["currency"] = [str(e.amount)], [e.currency.lower()] if e.currency else []
    props = {k: v for k, v in props.items() if v}
    return {
        "id": make_entity_id(e.id, e.source, e.target, str(i)),
        "schema": schema.name,
        "properties": props,
    }

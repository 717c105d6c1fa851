"""Networks from files (``interdict.io.edgelists``) and out to other tools (``io.network_exports``):
headers, every kind of bad input named by row, column and value, and exports that read back."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import igraph as ig
import pytest

from interdict.domain.errors import BadInputError
from interdict.domain.network import Edge, Node, analyze, build_network
from interdict.io.edgelists import EdgeColumns, read_edge_csv, read_ftm_network, read_nodes_csv
from interdict.io.network_exports import I2_COLUMNS, to_ftm_lines, to_gexf, to_graphml, to_i2_csv

CALLS = b"""caller,callee,calls,when
+8613800000001,+8562000000002,3,2024-03-01
+8562000000002,+6681000000003,1,2024-03-02T10:15
+8613800000001,+6681000000003,2,2024-03-05
"""


def test_named_columns_with_header() -> None:
    el = read_edge_csv(CALLS, EdgeColumns(source="caller", target="callee", weight="calls", time="when"))
    assert [(e.source[-1], e.target[-1], e.weight) for e in el.edges] == [
        ("1", "2", 3.0),
        ("2", "3", 1.0),
        ("1", "3", 2.0),
    ]
    assert el.edges[1].time is not None and el.edges[1].time.isoformat() == "2024-03-02T10:15:00+00:00"
    assert el.where == ["row 2", "row 3", "row 4"]
    net = el.network()
    assert net.graph.vcount() == 3 and not net.directed


def test_default_source_target_header_and_headerless_files() -> None:
    assert len(read_edge_csv(b"source,target\na,b\nb,c\n").edges) == 2
    headerless = read_edge_csv(b"a,b\nb,c\n")
    assert [(e.source, e.target) for e in headerless.edges] == [("a", "b"), ("b", "c")]
    numbered = read_edge_csv(b"x;a;b\ny;b;c\n", EdgeColumns(source="2", target="3"))
    assert [(e.source, e.target) for e in numbered.edges] == [("a", "b"), ("b", "c")]


@dataclass(frozen=True)
class Bad:
    id: str
    data: bytes
    cols: EdgeColumns
    errors: dict[str, str]


BAD = [
    Bad(
        "missing-column",
        CALLS,
        EdgeColumns(source="caller", target="callee", weight="duration"),
        {"weight": "no column 'duration'"},
    ),
    Bad("column-number-too-big", b"a,b\n", EdgeColumns(source="1", target="3"), {"target": "no column 3"}),
    Bad(
        "non-numeric-weight",
        b"source,target,weight\na,b,1\nb,c,lots\nc,d,-2\n",
        EdgeColumns(weight="weight"),
        {
            "row 3, weight": "'lots' is not a number",
            "row 4, weight": "'-2' is negative: weights are 0 or more",
        },
    ),
    Bad(
        "bad-time",
        b"source,target,time\na,b,yesterday\n",
        EdgeColumns(time="time"),
        {"row 2, time": "'yesterday' is not a date or date-time (expected e.g. 2024-03-01T14:05)"},
    ),
    Bad(
        "empty-end",
        b"source,target\na,\n",
        EdgeColumns(),
        {"row 2, target": "empty: every edge needs a source and a target"},
    ),
    Bad("empty-file", b"", EdgeColumns(), {"file": "empty"}),
    Bad("header-only", b"source,target\n", EdgeColumns(), {"file": "no edges"}),
    Bad("not-utf8", b"source,target\n\xff,b\n", EdgeColumns(), {"file": "not UTF-8"}),
]


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_input_names_row_column_and_value(case: Bad) -> None:
    with pytest.raises(BadInputError) as err:
        read_edge_csv(case.data, case.cols)
    assert err.value.errors == case.errors


def test_missing_column_message_lists_the_header() -> None:
    with pytest.raises(
        BadInputError,
        match=r"column 'duration' \(--weight\) is not in the header: caller, callee, calls, when",
    ):
        read_edge_csv(CALLS, EdgeColumns(source="caller", target="callee", weight="duration"))


def test_duplicates_and_self_loops_are_warned() -> None:
    el = read_edge_csv(b"source,target\na,b\nb,b\na,b\nb,c\n")
    net = el.network()
    assert net.warnings == ("row 4 repeats row 2; counted once", "row 3: self-loop on 'b' dropped")
    assert net.graph.ecount() == 2
    with pytest.raises(BadInputError, match="the network is empty"):
        read_edge_csv(b"source,target\na,a\n").network()


def test_unknown_ids_against_a_nodes_file() -> None:
    nodes = read_nodes_csv(b"id,label,country,group\na,Alpha,th,S1\nb,Beta,la,S1\n")
    assert nodes[0].country == "TH" and nodes[0].caption == "Alpha"
    with pytest.raises(BadInputError) as err:
        read_edge_csv(b"source,target\na,b\nb,zz\n", nodes=nodes)
    assert err.value.errors == {"row 3, target": "unknown node id 'zz': not in the nodes file"}
    with pytest.raises(BadInputError, match="needs an 'id' column"):
        read_nodes_csv(b"name\nx\n")


def test_payments_from_csv() -> None:
    el = read_edge_csv(
        b"from,to,amount,currency,date\na,b,1000.50,usd,2024-01-02\n",
        EdgeColumns(source="from", target="to", amount="amount", currency="currency", time="date"),
    )
    e = el.edges[0]
    assert e.kind == "Payment" and e.amount == Decimal("1000.50") and e.currency == "USD"


FTM = [
    {"id": "p1", "schema": "Person", "properties": {"name": ["Wei Zhang"], "nationality": ["cn"]}},
    {
        "id": "c1",
        "schema": "Company",
        "properties": {"name": ["Golden Mekong Trading"], "jurisdiction": ["la"]},
    },
    {
        "id": "o1",
        "schema": "Ownership",
        "properties": {"owner": ["p1"], "asset": ["c1"], "startDate": ["2023-05"]},
    },
    {
        "id": "pay1",
        "schema": "Payment",
        "properties": {
            "payer": ["c1"],
            "beneficiary": ["p1"],
            "amount": ["5000"],
            "currency": ["usd"],
            "date": ["2024-02-03"],
        },
    },
    {"id": "pp1", "schema": "Passport", "properties": {"holder": ["p1"], "number": ["E1234567"]}},
]


def ftm_bytes(items: list[dict[str, object]]) -> bytes:
    return "\n".join(json.dumps(i) for i in items).encode()


def test_ftm_lines_to_network() -> None:
    el = read_ftm_network(ftm_bytes(FTM))
    assert {n.id: (n.kind, n.country) for n in el.nodes or []} == {
        "p1": ("Person", "CN"),
        "c1": ("Company", "LA"),
        "pp1": ("Passport", ""),
    }
    kinds = sorted((e.kind, e.source, e.target) for e in el.edges)
    assert kinds == [("Ownership", "p1", "c1"), ("Payment", "c1", "p1"), ("holder", "pp1", "p1")]
    pay = next(e for e in el.edges if e.kind == "Payment")
    assert pay.amount == Decimal(5000) and pay.currency == "USD" and pay.time is not None


def test_ftm_reference_to_a_missing_entity_is_named() -> None:
    bad = [
        *FTM,
        {"id": "m1", "schema": "Membership", "properties": {"member": ["p1"], "organization": ["ghost"]}},
    ]
    with pytest.raises(BadInputError, match="line 6: Membership points at 'ghost'"):
        read_ftm_network(ftm_bytes(bad))
    with pytest.raises(BadInputError, match="line 1"):
        read_ftm_network(b"{not json}\n")


# -- exports -----------------------------------------------------------------------------------------
def sample():  # type: ignore[no-untyped-def]
    el = read_edge_csv(
        b"source,target,weight,time,amount,currency\na,b,2,2024-01-01,100,USD\nb,c,1,,,\nc,a,1,,,\nc,d,1,,,\n",
        EdgeColumns(weight="weight", time="time", amount="amount", currency="currency"),
    )
    net = el.network(directed=True)
    return net, analyze(net)


def test_graphml_reads_back_with_igraph() -> None:
    net, a = sample()
    with tempfile.NamedTemporaryFile(suffix=".graphml") as fh:
        fh.write(to_graphml(net, a))
        fh.flush()
        g = ig.Graph.Read_GraphML(fh.name)
    assert g.vcount() == 4 and g.ecount() == 4 and g.is_directed()
    assert sorted(g.vs["name"]) == ["a", "b", "c", "d"]
    ab = g.es[g.get_eid(g.vs.find(name="a").index, g.vs.find(name="b").index)]
    assert ab["amount"] == "100" and ab["weight"] == 2.0 and ab["record"] == "row 2"
    assert set(g.vs["community"]) == {p.community for p in a.players}


def test_gexf_is_valid_xml_with_declared_attributes() -> None:
    net, a = sample()
    root = ET.fromstring(to_gexf(net, a))
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("defaultedgetype") == "directed"
    nodes = graph.findall("g:nodes/g:node", ns)
    edges = graph.findall("g:edges/g:edge", ns)
    assert sorted(n.get("id") or "" for n in nodes) == ["a", "b", "c", "d"] and len(edges) == 4
    declared = {x.get("id") for x in graph.findall("g:attributes[@class='node']/g:attribute", ns)}
    used = {v.get("for") for n in nodes for v in n.findall("g:attvalues/g:attvalue", ns)}
    assert used <= declared and "community" in used
    assert all(n.find("viz:size", ns) is not None for n in nodes)
    ab = next(e for e in edges if (e.get("source"), e.get("target")) == ("a", "b"))
    assert ab.get("weight") == "2.0"


def test_i2_csv_layout() -> None:
    net, _ = sample()
    rows = list(csv.reader(io.StringIO(to_i2_csv(net))))
    assert tuple(rows[0]) == I2_COLUMNS
    first = dict(zip(I2_COLUMNS, rows[1], strict=True))
    assert first["Entity1_Id"] == "a" and first["Entity2_Id"] == "b" and first["Link_Date"] == "2024-01-01"
    assert (
        first["Link_Direction"] == "Entity1 to Entity2"
        and first["Amount"] == "100"
        and first["Record_Id"] == "row 2"
    )
    assert len(rows) == 5


def test_ftm_export_reads_back_as_the_same_network() -> None:
    el = read_ftm_network(ftm_bytes(FTM))
    net = el.network(directed=True)
    again = read_ftm_network("\n".join(to_ftm_lines(net)).encode()).network(directed=True)
    assert {n.id for n in again.nodes} == {n.id for n in net.nodes}
    assert sorted((e.source, e.target) for e in again.edges) == sorted(
        (e.source, e.target) for e in net.edges
    )
    pay = next(e for e in again.edges if e.kind == "Payment")
    assert pay.amount == Decimal(5000) and pay.currency == "USD"


def test_exports_hold_any_name_as_valid_xml() -> None:
    """Names with control characters or lone surrogates (as a fuzzer or a broken file gives them) make
    valid GraphML and GEXF: the characters XML forbids become U+FFFD."""
    net = build_network([Edge("bad\x01name", "x\ud800y", "call"), Edge("x\ud800y", "ok", "call")],
                        [Node("bad\x01name", "bad\x01name"), Node("x\ud800y", "x\ud800y"), Node("ok", "ok")])
    for body in (to_graphml(net, analyze(net)), to_gexf(net, analyze(net))):
        text = body.decode("utf-8")
        assert "\x01" not in text and "bad\ufffdname" in text
        ET.fromstring(body)
    with tempfile.NamedTemporaryFile(suffix=".graphml") as fh:
        fh.write(to_graphml(net))
        fh.flush()
        assert sorted(ig.Graph.Read_GraphML(fh.name).vs["name"]) == ["bad\ufffdname", "ok", "x\ufffdy"]

"""Networks from files: CSV edge lists and FollowTheMoney JSON lines (no database).

**CSV edge lists** (:func:`read_edge_csv`), e.g. who called whom from phone records. Columns are named
(``--source caller``) or numbered from 1 (``--source 1``). The first row is a header when it holds a
named column; with no names given, when it holds ``source`` and ``target``, or when Python's CSV sniffer
judges it one (then the first two columns are source and target); otherwise every row is data and the
first two columns are source and target. Optional columns: weight (a number, 0 or more), time (ISO 8601
date or date-time, UTC when no offset is given), kind, id, amount and currency (a row with an amount is a
*payment*, for money tracing).

Bad input: a named column missing from the header is an error naming it and listing the header; every
bad cell (empty source or target, a weight or amount that is not a number, a time that is not a date) is
reported by row, column and value, all together, and nothing is read. A row repeating an earlier row in
every column used is counted once, with a warning naming both rows; self-loops are dropped with a
warning (``domain.network.build_network``). A file with no edge is refused. With a nodes file
(:func:`read_nodes_csv`: ``id`` and optional ``label``, ``kind``, ``country``, ``group``), an edge naming
an id that is not in it is an error naming the row.

**FtM JSON lines** (:func:`read_ftm_network`): entities of an edge schema (Payment, Ownership,
Membership, Associate, Family, Directorship...) become edges from their FtM source property to their
target property (payer to beneficiary, owner to asset), timed by ``date`` or ``startDate``, with
``amount`` and ``currency``; every other entity is a node, and its properties that point at other
entities (a passport's ``holder``) are edges too. An edge to an entity that is not in the file is an
error naming the line. :func:`ftm_parts` does the same for entities read from the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData

from interdict.domain.errors import BadInputError
from interdict.domain.network import Edge, Network, Node, build_network

__all__ = [
    "EdgeColumns",
    "EdgeList",
    "FtmItem",
    "ftm_parts",
    "parse_time",
    "read_edge_csv",
    "read_ftm_network",
    "read_nodes_csv",
]

MAX_ERRORS = 100
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class EdgeColumns:
    """Which column holds what: a header name, or a 1-based column number. None: not in the file."""

    source: str | None = None
    target: str | None = None
    weight: str | None = None
    time: str | None = None
    kind: str | None = None
    id: str | None = None
    amount: str | None = None
    currency: str | None = None

    def named(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class EdgeList:
    edges: list[Edge]
    where: list[str]  # where[i]: the row edge i came from
    nodes: list[Node] | None = None
    warnings: list[str] = field(default_factory=list)

    def network(self, directed: bool = False) -> Network:
        net = build_network(self.edges, self.nodes, directed=directed, where=self.where)
        if not net.edges:
            why = "once self-loops are dropped" if self.edges else "between the entities"
            raise BadInputError(f"the network has no edges {why}", {"edges": "empty"})
        return Network(net.nodes, net.edges, net.directed, net.graph, (*self.warnings, *net.warnings))


class _Problems:
    """Every bad cell of a file, by row and column, reported together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors[f"row {row}, {column}"] = message

    def raise_any(self, what: str) -> None:
        if self.count:
            shown = "; ".join(f"{k}: {v}" for k, v in list(self.errors.items())[:5])
            more = f" (and {self.count - 5} more)" if self.count > 5 else ""
            raise BadInputError(f"{what} was not read: {self.count} bad cell(s): {shown}{more}", self.errors)


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{what} is not UTF-8 text (byte {exc.start})", {"file": "not UTF-8"}) from None


def _rows(text: str) -> list[list[str]]:
    sample = text[:SNIFF_BYTES]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]


def _has_header(text: str) -> bool:
    try:
        return csv.Sniffer().has_header(text[:SNIFF_BYTES])
    except csv.Error:
        return False


def _positions(first: list[str], cols: EdgeColumns, text: str) -> tuple[dict[str, int], bool]:
    """Column positions by role, and whether the first row is a header."""
    names = cols.named()
    header = [c.strip().lower() for c in first]
    if not names.get("source") and not names.get("target"):
        if "source" in header and "target" in header:
            names = {"source": "source", "target": "target", **names}
        else:
            names = {"source": "1", "target": "2", **names}
    for role in ("source", "target"):
        if role not in names:
            raise BadInputError(f"name the {role} column too (--{role})", {role: "missing"})
    is_header = any(not v.isdigit() and v.strip().lower() in header for v in names.values())
    if not is_header and all(v.isdigit() for v in names.values()):
        is_header = _has_header(text)
    pos: dict[str, int] = {}
    for role, col in names.items():
        if col.isdigit():
            i = int(col) - 1
            if not 0 <= i < len(first):
                raise BadInputError(
                    f"--{role} {col}: the file has {len(first)} column(s)", {role: f"no column {col}"}
                )
            pos[role] = i
        elif col.strip().lower() in header:
            pos[role] = header.index(col.strip().lower())
        else:
            cols_text = ", ".join(first) if is_header else "(no header row)"
            raise BadInputError(
                f"column {col!r} (--{role}) is not in the header: {cols_text}", {role: f"no column {col!r}"}
            )
    return pos, is_header


def parse_time(value: str) -> datetime:
    """An ISO 8601 date or date-time (FtM partial dates ``2024`` and ``2024-03`` too), as UTC."""
    v = value.strip()
    if len(v) == 4 and v.isdigit():
        v += "-01-01"
    elif len(v) == 7 and v[4] == "-":
        v += "-01"
    t = datetime.fromisoformat(v)
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _number(value: str) -> Decimal:
    d = Decimal(value.strip().replace(",", "") if value.count(",") and "." in value else value.strip())
    if not d.is_finite():
        raise InvalidOperation
    return d


def read_edge_csv(
    data: bytes, cols: EdgeColumns = EdgeColumns(), nodes: Sequence[Node] | None = None
) -> EdgeList:
    """The edges of a CSV edge list; see the module docstring for headers and bad input."""
    text = _text(data, "the edge list")
    rows = _rows(text)
    if not rows:
        raise BadInputError("the edge list is empty", {"file": "empty"})
    pos, is_header = _positions(rows[0], cols, text)
    first = 2 if is_header else 1
    problems = _Problems()
    edges: list[Edge] = []
    where: list[str] = []
    warnings: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    known = {n.id for n in nodes} if nodes is not None else None
    for n, row in enumerate(rows[first - 1 :], start=first):
        cells = {role: (row[i].strip() if i < len(row) else "") for role, i in pos.items()}
        key = tuple(cells[r] for r in sorted(cells))
        if key in seen:
            warnings.append(f"row {n} repeats row {seen[key]}; counted once")
            continue
        seen[key] = n
        edge = _edge(n, cells, problems, known)
        if edge is not None:
            edges.append(edge)
            where.append(f"row {n}")
    problems.raise_any("the edge list")
    if not edges:
        raise BadInputError("the edge list holds no edges (only a header row?)", {"file": "no edges"})
    return EdgeList(edges, where, list(nodes) if nodes is not None else None, warnings)


def _edge(n: int, cells: Mapping[str, str], problems: _Problems, known: set[str] | None) -> Edge | None:
    bad = problems.count
    for role in ("source", "target"):
        if not cells[role]:
            problems.add(n, role, "empty: every edge needs a source and a target")
        elif known is not None and cells[role] not in known:
            problems.add(n, role, f"unknown node id {cells[role]!r}: not in the nodes file")
    weight = 1.0
    if cells.get("weight"):
        try:
            weight = float(_number(cells["weight"]))
            if weight < 0:
                problems.add(n, "weight", f"{cells['weight']!r} is negative: weights are 0 or more")
        except (InvalidOperation, ValueError):
            problems.add(n, "weight", f"{cells['weight']!r} is not a number")
    time = None
    if cells.get("time"):
        try:
            time = parse_time(cells["time"])
        except ValueError:
            problems.add(
                n, "time", f"{cells['time']!r} is not a date or date-time (expected e.g. 2024-03-01T14:05)"
            )
    amount = None
    if cells.get("amount"):
        try:
            amount = _number(cells["amount"])
        except (InvalidOperation, ValueError):
            problems.add(n, "amount", f"{cells['amount']!r} is not a number")
    if problems.count > bad:
        return None
    kind = cells.get("kind") or ("Payment" if amount is not None else "")
    return Edge(
        cells["source"],
        cells["target"],
        kind,
        weight,
        time,
        cells.get("id") or f"row {n}",
        amount,
        cells.get("currency", "").upper(),
    )


NODE_COLUMNS = ("id", "label", "kind", "country", "group")


def read_nodes_csv(data: bytes) -> list[Node]:
    """Nodes from a CSV with a header: ``id`` and optional ``label``, ``kind``, ``country``, ``group``."""
    rows = _rows(_text(data, "the nodes file"))
    if not rows:
        raise BadInputError("the nodes file is empty", {"nodes": "empty"})
    header = [c.strip().lower() for c in rows[0]]
    if "id" not in header:
        raise BadInputError(
            f"the nodes file needs an 'id' column; its header: {', '.join(rows[0])}", {"id": "missing"}
        )
    at = {c: header.index(c) for c in NODE_COLUMNS if c in header}
    problems = _Problems()
    nodes: dict[str, Node] = {}
    for n, row in enumerate(rows[1:], start=2):
        cell = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        if not cell["id"]:
            problems.add(n, "id", "empty")
        elif cell["id"] in nodes:
            problems.add(n, "id", f"{cell['id']!r} repeats an earlier row")
        else:
            nodes[cell["id"]] = Node(
                cell["id"],
                cell.get("label", ""),
                cell.get("kind", ""),
                cell.get("country", "").upper(),
                cell.get("group", ""),
            )
    problems.raise_any("the nodes file")
    return list(nodes.values())


# -- FollowTheMoney ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FtmItem:
    """One FtM entity to put in a network; ``label``/``country``/``group`` override what FtM derives."""

    id: str
    schema: str
    properties: Mapping[str, Sequence[str]]
    where: str = ""
    label: str = ""
    group: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)


def _first(props: Mapping[str, Sequence[str]], *names: str) -> str:
    for name in names:
        values = props.get(name) or []
        if values:
            return str(values[0])
    return ""


def ftm_parts(items: Iterable[FtmItem]) -> tuple[list[Node], list[Edge], list[str], list[str]]:
    """Nodes, edges, where each edge came from, and warnings, from FtM entities (module docstring).
    Entity references to entities not among ``items`` are dropped with a warning naming them."""
    nodes: list[Node] = []
    pending: list[tuple[Edge, str]] = []
    for it in items:
        schema = model.get(it.schema)
        if schema is None:
            raise BadInputError(
                f"{it.where or it.id}: unknown FtM schema {it.schema!r}", {"schema": it.schema}
            )
        props = it.properties
        if schema.edge and schema.edge_source and schema.edge_target:
            pending += [
                (e, it.where) for e in _edges_of(it, schema.name, schema.edge_source, schema.edge_target)
            ]
            continue
        proxy = model.get_proxy({"id": it.id, "schema": it.schema, "properties": dict(props)}, cleaned=True)
        country = sorted(proxy.country_hints)[0].upper() if proxy.country_hints else ""
        nodes.append(Node(it.id, it.label or proxy.caption, schema.name, country, it.group, it.attributes))
        for name, values in props.items():
            prop = schema.get(name)
            if prop is not None and prop.type.name == "entity":
                pending += [(Edge(it.id, v, name, id=f"{it.id}:{name}"), it.where) for v in values]
    ids = {n.id for n in nodes}
    edges, where, warnings = [], [], []
    for e, place in pending:
        missing = [end for end in (e.source, e.target) if end not in ids]
        if missing:
            warnings.append(
                f"{place or e.id}: {e.kind} points at {missing[0]!r}, which is not in the network; left out"
            )
            continue
        edges.append(e)
        where.append(place or e.id)
    return nodes, edges, where, warnings


def _edges_of(it: FtmItem, kind: str, src: str, dst: str) -> list[Edge]:
    props = it.properties
    when = _first(props, "date", "startDate")
    amount = _first(props, "amount")
    try:
        time = parse_time(when) if when else None
    except ValueError:
        raise BadInputError(f"{it.where or it.id}: date {when!r} is not a date", {"date": when}) from None
    try:
        value = _number(amount) if amount else None
    except (InvalidOperation, ValueError):
        raise BadInputError(
            f"{it.where or it.id}: amount {amount!r} is not a number", {"amount": amount}
        ) from None
    currency = _first(props, "currency").upper()
    return [
        Edge(s, t, kind, 1.0, time, it.id, value, currency, it.attributes)
        for s in props.get(src, [])
        for t in props.get(dst, [])
    ]


def read_ftm_network(data: bytes) -> EdgeList:
    """The network of an FtM JSON lines file; unreadable lines and references to entities that are not
    in the file are errors naming the line."""
    text = _text(data, "the FtM file")
    items: dict[str, FtmItem] = {}
    errors: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or "schema" not in obj:
                raise ValueError("expected an FtM entity: a JSON object with 'id', 'schema' and 'properties'")
            proxy = model.get_proxy(obj, cleaned=False)
        except (ValueError, InvalidData) as exc:
            if len(errors) < MAX_ERRORS:
                errors[f"line {n}"] = str(exc)
            continue
        items.setdefault(
            proxy.id or obj["id"],
            FtmItem(obj["id"], proxy.schema.name, proxy.to_dict()["properties"], f"line {n}"),
        )
    if errors:
        shown = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:5])
        raise BadInputError(f"the FtM file was not read: {shown}", errors)
    nodes, edges, where, warnings = ftm_parts(items.values())
    refused = {w.split(":")[0]: w for w in warnings}
    if refused:
        raise BadInputError(
            "relations point at entities that are not in the file: " + "; ".join(list(refused.values())[:5]),
            refused,
        )
    if not nodes:
        raise BadInputError("the FtM file holds no entities", {"file": "empty"})
    return EdgeList(edges, where, nodes, [])

"""The platform's network, as one agency may see it: entities, their relations, cases and the seizures
linked to them, built for the analysis of ``domain/network*.py`` and ``domain/money.py``.

**Only what the viewer may see, and nothing about the rest.** Entities and seizures are read through
the one visibility filter (``store.visibility.visible``); cases are those the agency owns or takes part in
(``services.case_views.in_scope``). An edge is kept only when the record it comes from *and* both its ends
are visible: a relation entity whose other end is hidden is dropped, a case link to a record the viewer
may not see is dropped, and nothing says that anything was dropped (a count of dropped relations would
reveal that hidden records exist). A hidden node therefore never appears, not even as an anonymous hop
on a path: paths are searched in the graph of visible nodes only.

**Nodes**: entities (id = the entity's uuid, kind = its FtM schema, country from FtM's country hints),
cases (kind ``Case``) and seizures (kind ``Seizure``). **Edges**: relation entities (FtM edge schemata:
Payment, Ownership, Membership, Associate...) from their source to their target, timed by ``date`` or
``startDate``; entity properties that point at other entities (a passport's holder); ``case link`` from a
case to each linked entity or seizure; ``syndicate`` from a case to the Organization it is grouped under.
FtM ids are unique per owner agency only (``store/entities.py``), so a relation's ends are the entities of
the relation's owner with the ids it names. A node's *group* is the syndicate it belongs to: the
syndicate of a case it is linked to, or a syndicate it is a member of (``domain.cases.MEMBER_RELATIONS``).

**Filters**: a time window (dated edges outside it are left out; undated relations stay), relation types
(edge kinds), countries (nodes of those countries), a case or a syndicate (the nodes linked to it and
those within ``depth`` hops of them). Reads of other agencies' records shown are audited, one row per
record (``services.records.audit_reads``), and one summary row per network built.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.cases import MEMBER_RELATIONS
from interdict.domain.errors import BadInputError, NotFoundError
from interdict.domain.network import Edge, Network, Node, build_network
from interdict.domain.network_paths import ego_network, subnetwork
from interdict.domain.sharing import HandlingCondition
from interdict.io.edgelists import FtmItem, ftm_parts
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.case_views import caption_of, in_scope, is_organisation
from interdict.services.context import Actor
from interdict.services.entity_crosscheck import chunks
from interdict.services.records import audit_reads, is_uuid, owner_codes
from interdict.services.sharing import viewer
from interdict.store.cases import Case, CaseLink
from interdict.store.entities import Entity
from interdict.store.seizures import Seizure
from interdict.store.visibility import visible

__all__ = ["MAX_NODES", "NetworkFilters", "NetworkService"]

MAX_NODES = 50_000
NO_ONWARD = HandlingCondition.NO_ONWARD_SHARING.value
MAX_DEPTH = 4


@dataclass(frozen=True)
class NetworkFilters:
    since: date | None = None
    until: date | None = None
    relations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    case: str | None = None  # case uuid
    syndicate: str | None = None  # Organization entity uuid
    depth: int = 1


class NetworkService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def build(
        self, session: Session, actor: Actor, filters: NetworkFilters, *, directed: bool = True
    ) -> Network:
        """The network the actor's agency may see, filtered (module docstring)."""
        if not 1 <= filters.depth <= MAX_DEPTH:
            raise BadInputError(
                f"depth must be between 1 and {MAX_DEPTH}, not {filters.depth}", {"depth": str(filters.depth)}
            )
        if filters.since and filters.until and filters.until < filters.since:
            raise BadInputError(
                f"the time window ends before it starts: until {filters.until.isoformat()} is before since "
                f"{filters.since.isoformat()}",
                {"until": filters.until.isoformat()},
            )
        ctx = viewer(session, actor)
        entities = builtins.list(
            session.scalars(
                select(Entity).where(visible(Entity, ctx)).order_by(Entity.id).limit(MAX_NODES + 1)
            )
        )
        if len(entities) > MAX_NODES:
            raise BadInputError(
                f"more than {MAX_NODES} entities: narrow the network with a case, syndicate or country",
                {"filters": "too wide"},
            )
        nodes, edges = _entity_parts(entities)
        cases = builtins.list(session.scalars(select(Case).where(in_scope(ctx.agency_id)).order_by(Case.id)))
        by_id = {e.id: e for e in entities}
        seizures, case_nodes, case_edges = _case_parts(session, ctx, cases, {n.id for n in nodes}, by_id)
        nodes += case_nodes
        edges += case_edges
        nodes = _with_groups(nodes, edges, cases, by_id)
        nodes, edges = _filter(nodes, edges, filters)
        seeds = _seeds(filters, cases, by_id)
        if not nodes:
            raise BadInputError(
                "there is nothing in the network you may see with these filters", {"filters": "empty"}
            )
        net = build_network(edges, nodes, directed=directed)
        if seeds is not None:
            net = _around(net, seeds, filters.depth)
        shown = {n.id for n in net.nodes}
        self._audit(
            session,
            actor,
            [e for e in entities if e.uuid in shown],
            [s for s in seizures if s.uuid in shown],
            net,
        )
        return net

    def _audit(
        self, session: Session, actor: Actor, entities: list[Entity], seizures: list[Seizure], net: Network
    ) -> None:
        audit_reads(
            session,
            self.audit,
            actor,
            builtins.list(entities),
            "entity",
            "network",
            owner_codes(session, entities),
        )
        audit_reads(
            session,
            self.audit,
            actor,
            builtins.list(seizures),
            "seizure",
            "network",
            owner_codes(session, seizures),
        )
        detail = {"nodes": len(net.nodes), "edges": len(net.edges)}
        self.audit.record(session, actor, AuditEvent("network.build", "ok", detail=detail))


def _entity_parts(entities: Sequence[Entity]) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of the visible entities; references resolve within the owner agency, to visible
    entities only; anything else is left out without a word."""
    uuid_of = {(e.owner_agency_id, e.ftm_id): e.uuid for e in entities}
    items = []
    for e in entities:
        schema = model.get(e.schema)
        if schema is None:
            continue
        props: dict[str, list[str]] = {}
        for name, values in e.properties.items():
            prop = schema.get(name)
            if prop is not None and prop.type.name == "entity":
                values = [
                    uuid_of[(e.owner_agency_id, v)] for v in values if (e.owner_agency_id, v) in uuid_of
                ]
            props[name] = builtins.list(values)
        attrs = {"owner": e.owner_agency_id, "no_onward": NO_ONWARD in e.handling_conditions}
        items.append(FtmItem(e.uuid, e.schema, props, label=e.caption, attributes=attrs))
    nodes, edges, _where, _dropped = ftm_parts(items)  # nothing dropped is reported: see the docstring
    return nodes, edges


def _case_parts(
    session: Session, ctx: Any, cases: Sequence[Case], node_ids: set[str], by_id: dict[int, Entity]
) -> tuple[list[Seizure], list[Node], list[Edge]]:
    if not cases:
        return [], [], []
    links = builtins.list(
        session.scalars(select(CaseLink).where(CaseLink.case_id.in_([c.id for c in cases])))
    )
    wanted = {lk.record_uuid for lk in links if lk.record_kind == "seizure"}
    seizures: list[Seizure] = []
    for chunk in chunks(sorted(wanted)):
        seizures += session.scalars(select(Seizure).where(visible(Seizure, ctx), Seizure.uuid.in_(chunk)))
    seen = {s.uuid for s in seizures} | node_ids  # a link to a relation entity has no node to reach
    uuid_of_case = {c.id: c.uuid for c in cases}
    nodes = [Node(c.uuid, c.title, "Case") for c in cases]
    nodes += [
        Node(
            s.uuid,
            caption_of("seizure", s),
            "Seizure",
            s.country.upper(),
            attributes={"owner": s.owner_agency_id, "no_onward": NO_ONWARD in s.handling_conditions},
        )
        for s in seizures
    ]
    edges = [
        Edge(uuid_of_case[lk.case_id], lk.record_uuid, "case link", id=f"link:{lk.id}")
        for lk in links
        if lk.record_uuid in seen
    ]
    for c in cases:
        org = by_id.get(c.syndicate_id) if c.syndicate_id else None
        if org is not None and org.uuid in node_ids:
            edges.append(Edge(c.uuid, org.uuid, "syndicate", id=f"syndicate:{c.uuid}"))
    return seizures, nodes, edges


def _with_groups(
    nodes: list[Node], edges: list[Edge], cases: Sequence[Case], by_id: dict[int, Entity]
) -> list[Node]:
    """Each node's syndicate, by caption: through a case link or a member relation to the syndicate."""
    syndicates = {
        by_id[c.syndicate_id].uuid: by_id[c.syndicate_id].caption for c in cases if c.syndicate_id in by_id
    }
    of_case = {
        e.source: syndicates[e.target] for e in edges if e.kind == "syndicate" and e.target in syndicates
    }
    group: dict[str, str] = {org: caption for org, caption in syndicates.items()}
    for e in edges:
        if e.kind == "case link" and e.source in of_case:
            group.setdefault(e.target, of_case[e.source])
        elif e.kind in MEMBER_RELATIONS and e.target in syndicates:
            group.setdefault(e.source, syndicates[e.target])
    return [replace(n, group=group[n.id]) if n.id in group and not n.group else n for n in nodes]


def _filter(nodes: list[Node], edges: list[Edge], f: NetworkFilters) -> tuple[list[Node], list[Edge]]:
    if f.countries:
        wanted = {c.upper() for c in f.countries}
        nodes = [n for n in nodes if n.country in wanted]
    ids = {n.id for n in nodes}
    kinds = {k.lower() for k in f.relations}

    def keep(e: Edge) -> bool:
        if e.source not in ids or e.target not in ids:
            return False
        if kinds and e.kind.lower() not in kinds:
            return False
        return e.time is None or _in_window(e.time, f.since, f.until)

    return nodes, [e for e in edges if keep(e)]


def _in_window(t: datetime, since: date | None, until: date | None) -> bool:
    return (since is None or t.date() >= since) and (until is None or t.date() <= until)


def _seeds(f: NetworkFilters, cases: Sequence[Case], by_id: dict[int, Entity]) -> set[str] | None:
    """The nodes a case or syndicate filter centres on; NotFoundError (as for one that does not exist)
    for a case the agency does not see or a syndicate entity it may not see."""
    if f.case is None and f.syndicate is None:
        return None
    seeds: set[str] = set()
    if f.case is not None:
        key = f.case.strip().lower()
        if not is_uuid(key) or key not in {c.uuid for c in cases}:
            raise NotFoundError(f"no case {f.case!r}")
        seeds.add(key)
    if f.syndicate is not None:
        key = f.syndicate.strip().lower()
        org = next((e for e in by_id.values() if e.uuid == key and is_organisation(e.schema)), None)
        if org is None:
            raise NotFoundError(f"no syndicate {f.syndicate!r}")
        seeds.add(org.uuid)
        seeds |= {c.uuid for c in cases if c.syndicate_id == org.id}
    return seeds


def _around(net: Network, seeds: set[str], depth: int) -> Network:
    """The nodes within ``depth`` hops of the seeds (either direction), and the edges among them."""
    keep: set[int] = set()
    present = [s for s in seeds if s in {n.id for n in net.nodes}]
    for s in present:
        keep |= {net.index(i) for i in ego_network(net, s, depth).distances}
    if not keep:
        raise BadInputError(
            "there is nothing in the network you may see with these filters", {"filters": "empty"}
        )
    return subnetwork(net, sorted(keep))


# -- what the faces show -----------------------------------------------------------------------------
MAX_DRAWN = 2_000  # nodes drawn on the page: the best-ranked


def graph_view(net: Network, limit: int = 20) -> dict[str, Any]:
    """The analysis (key players, communities, figures) and the elements to draw: the ``MAX_DRAWN``
    best-ranked nodes with their community, rank and score, and the merged edges among them."""
    from interdict.domain.network import analyze

    result = analyze(net)
    data = result.as_dict(limit)
    drawn = result.players[:MAX_DRAWN]
    ids = {p.node.id for p in drawn}
    data["nodes"] = [
        {
            "id": p.node.id,
            "label": p.node.caption,
            "kind": p.node.kind,
            "country": p.node.country,
            "group": p.node.group,
            "community": p.community,
            "rank": p.rank,
            "score": round(p.score, 4),
        }
        for p in drawn
    ]
    g = net.graph
    data["edges"] = [
        {
            "source": net.nodes[a].id,
            "target": net.nodes[b].id,
            "weight": e["weight"],
            "kinds": sorted({r.kind for r in net.records(e.index)}),
        }
        for e in g.es
        for a, b in (e.tuple,)
        if net.nodes[a].id in ids and net.nodes[b].id in ids
    ]
    data["drawn"] = len(drawn)
    return data


def for_export(net: Network, agency_id: int | None) -> tuple[Network, int]:
    """The network without other agencies' ``no_onward_sharing`` records (nodes, and the edges of such
    relations or touching such nodes), and how many records were withheld (SHARING.md)."""

    def withheld(attrs: Any) -> bool:
        return bool(attrs.get("no_onward")) and attrs.get("owner") != agency_id

    held = {n.id for n in net.nodes if withheld(n.attributes)}
    held_edges = {e.id for e in net.edges if withheld(e.attributes)}
    if not held and not held_edges:
        return net, 0
    nodes = [n for n in net.nodes if n.id not in held]
    edges = [e for e in net.edges if e.id not in held_edges and e.source not in held and e.target not in held]
    if not nodes:
        raise BadInputError(
            "everything in the network is withheld from export (no onward sharing)", {"export": "empty"}
        )
    return build_network(edges, nodes, directed=net.directed), len(held) + len(held_edges)

"""FollowTheMoney JSON lines in and out: read and check an import file, stream an export.

:func:`read_ftm_lines` checks every line of a file before anything is written (services/entities.py
writes): bad JSON, not an entity, unsupported schema, unknown property, a value FtM or the identifier
rules refuse. Any problem refuses the file, naming every refused line (at most
:data:`MAX_LINE_ERRORS`). Lines repeating an id are merged, as FtM streams allow.

:class:`FtmExport` streams the entities the viewer's agency may see, selected with the one visibility
filter, a page at a time. The agency's own entities keep their FtM id; another agency's are written as
``<owner code>.<id>``, and so are the entity references inside them, because ids are unique per agency
only and FtM tools merge entities with the same id. Other agencies' entities marked
``no_onward_sharing`` are withheld and counted (SHARING.md). Each page's reads of other agencies'
entities are audited before its lines are yielded, and a summary when the stream ends.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from typing import Any

from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.sharing import HandlingCondition
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_rules import CheckedEntity, EntityError, check_entity
from interdict.services.records import audit_reads, owner_codes
from interdict.services.sharing import viewer
from interdict.store.entities import Entity
from interdict.store.visibility import visible

__all__ = ["MAX_LINE_ERRORS", "FtmExport", "ftm_dict", "read_ftm_lines"]

KIND = "entity"
MAX_LINE_ERRORS = 100
_PAGE = 500


def read_ftm_lines(data: bytes) -> dict[str, CheckedEntity]:
    """Every entity of an FtM JSON lines file by id, checked and merged; BadInputError naming every
    refused line (at most MAX_LINE_ERRORS) when any line is refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"the file is not UTF-8 text (byte {exc.start}): FtM JSON lines are UTF-8", {"file": "not UTF-8"}
        ) from None
    out: dict[str, CheckedEntity] = {}
    first_line: dict[str, int] = {}
    errors: dict[str, str] = {}
    refused = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        problem = None
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = f"not JSON ({exc.msg} at column {exc.colno})"
        else:
            problem = _line_problem(obj)
        if problem is None:
            try:
                c = check_entity(obj["schema"], obj.get("properties", {}), obj["id"])
                problem = _merge(out, first_line, c, n)
            except EntityError as exc:
                problem = exc.detail
        if problem is not None:
            refused += 1
            if len(errors) < MAX_LINE_ERRORS:
                errors[f"line {n}"] = problem
    if refused:
        shown = "; ".join(f"{k}: {v}" for k, v in builtins.list(errors.items())[:5])
        more = f" (and {refused - 5} more)" if refused > 5 else ""
        raise BadInputError(f"the file was not imported: {refused} line(s) refused: {shown}{more}", errors)
    if not out:
        raise BadInputError("the file holds no entities", {"file": "empty"})
    return out


def _line_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or "schema" not in obj:
        return "expected an FtM entity: a JSON object with 'id', 'schema' and 'properties'"
    return None


def _merge(out: dict[str, CheckedEntity], first_line: dict[str, int], c: CheckedEntity, n: int) -> str | None:
    """Add ``c`` (line ``n``) to ``out``, merging it into an earlier line with its id."""
    assert c.ftm_id is not None
    earlier = out.get(c.ftm_id)
    if earlier is None:
        out[c.ftm_id], first_line[c.ftm_id] = c, n
        return None
    if earlier.schema != c.schema:
        return (
            f"entity {c.ftm_id!r} repeats line {first_line[c.ftm_id]} with another schema "
            f"({c.schema}, not {earlier.schema})"
        )
    merged = {k: builtins.list(v) for k, v in earlier.properties.items()}
    for k, values in c.properties.items():
        merged.setdefault(k, [])
        merged[k] += [v for v in values if v not in merged[k]]
    out[c.ftm_id] = check_entity(c.schema, merged, c.ftm_id)
    return None


class FtmExport(Iterator[str]):
    """FtM JSON lines of what the actor may see. ``exported`` and ``withheld`` (other agencies'
    ``no_onward_sharing`` entities) are final once the iterator is exhausted."""

    def __init__(self, audit: AuditLog, session: Session, actor: Actor, schema: str | None) -> None:
        self.exported = 0
        self.withheld = 0
        self._lines = self._generate(audit, session, actor, schema)

    def __next__(self) -> str:
        return next(self._lines)

    def _generate(self, audit: AuditLog, session: Session, actor: Actor, schema: str | None) -> Iterator[str]:
        me = actor.agency_id
        ctx = viewer(session, actor)
        last = 0
        while True:
            stmt = select(Entity).where(visible(Entity, ctx), Entity.id > last)
            if schema:
                stmt = stmt.where(Entity.schema == schema)
            page = builtins.list(session.scalars(stmt.order_by(Entity.id).limit(_PAGE)))
            if not page:
                break
            last = page[-1].id
            kept = [
                e
                for e in page
                if e.owner_agency_id == me
                or HandlingCondition.NO_ONWARD_SHARING.value not in e.handling_conditions
            ]
            self.withheld += len(page) - len(kept)
            codes = owner_codes(session, kept)
            audit_reads(session, audit, actor, kept, KIND, "export", codes)
            for e in kept:
                self.exported += 1
                prefix = None if e.owner_agency_id == me else f"{codes.get(e.owner_agency_id, 'x')}."
                yield json.dumps(ftm_dict(e, prefix), ensure_ascii=False, sort_keys=True)
        audit.record(
            session,
            actor,
            AuditEvent(
                "entity.export",
                "ok",
                detail={"exported": self.exported, "withheld": self.withheld, "schema": schema},
            ),
        )


def ftm_dict(entity: Entity, prefix: str | None = None) -> dict[str, Any]:
    """The entity as an FtM dict; with ``prefix``, its id and its references to other entities
    prefixed (another agency's namespace)."""
    if prefix is None:
        return {"id": entity.ftm_id, "schema": entity.schema, "properties": entity.properties}
    schema = model.get(entity.schema)
    properties = {}
    for name, values in entity.properties.items():
        prop = schema.get(name) if schema is not None else None
        is_ref = prop is not None and prop.type.name == "entity"
        properties[name] = [f"{prefix}{v}" for v in values] if is_ref else builtins.list(values)
    return {"id": f"{prefix}{entity.ftm_id}", "schema": entity.schema, "properties": properties}

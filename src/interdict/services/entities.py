"""FollowTheMoney entities as shared records: create, update, import and export FtM JSON lines, and
the cross-check. One service, three helpers: what an entity may contain and how its identifiers are
normalised (services/entity_rules.py), the FtM file formats (services/entity_ftm.py), the cross-check
with its blind hits (services/entity_crosscheck.py).

An entity is written like a seizure (services/seizures.py): the distribution is checked by
``resolve_distribution``, its named targets stored by ``store_targets`` (bulk-inserted on import, as the
seizure importer does), its ``audience`` set by ``audience_for``, and the write audited.

**Keys on every write.** Each create, update and import rewrites the entity's rows in ``entity_keys``
(delete, then insert the keys of ``entity_rules.subject_of``) in the same transaction, so the keys never
describe an older version of the entity.

**Import** (:meth:`EntityService.import_ftm`) is all or nothing: the whole file is checked first
(``entity_ftm.read_ftm_lines``) and any refused line refuses it, nothing written. An id the agency
already holds is updated when its schema or properties changed and left alone otherwise, so a
re-import creates no duplicates and changes nothing. An import never changes the sharing of entities
that exist (that is an audited distribution change of its own); the result counts those whose requested
sharing differed. One audit row per import (file digest and counts), as for seizure imports.

**Export** (:meth:`EntityService.export_ftm`): see services/entity_ftm.py.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.matching import RECOMMENDED_THRESHOLD, Subject
from interdict.schemas.common import DistributionChange
from interdict.schemas.entities import EntityPublic
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.entity_alerts import match_new
from interdict.services.entity_crosscheck import KEY_CAP, MAX_CANDIDATES, CrosscheckResult, chunks, crosscheck
from interdict.services.entity_ftm import FtmExport, read_ftm_lines
from interdict.services.entity_rules import (
    PERSONAL_SCHEMATA,
    SCHEMATA,
    CheckedEntity,
    check_entity,
    entity_keys,
    subject_of,
)
from interdict.services.records import (
    audit_reads,
    change_distribution,
    contains_pattern,
    owner_codes,
    read_one,
    require_owner,
    require_version,
    require_writer,
    sharing_page,
    usernames,
)
from interdict.services.sharing import (
    DistributionRequest,
    ResolvedDistribution,
    audience_for,
    resolve_distribution,
    store_targets,
    visible_select,
)
from interdict.services.watchlists import match_lists, screen
from interdict.store.entities import Entity, EntityKey
from interdict.store.records import RecordShare
from interdict.store.structure import Agency

__all__ = ["EntityDraft", "EntityFilters", "EntityService", "FtmExport", "ImportResult"]

KIND = "entity"


@dataclass(frozen=True)
class EntityDraft:
    """An entity to create. ``contains_personal_data`` None: true for persons, their documents and
    their personal links (``entity_rules.PERSONAL_SCHEMATA``), false otherwise."""

    schema: str
    properties: Mapping[str, Any]
    ftm_id: str | None = None
    distribution: DistributionRequest = field(default_factory=lambda: DistributionRequest("agency"))
    handling_notes: str = ""
    contains_personal_data: bool | None = None
    hit_notification: bool = True


@dataclass(frozen=True)
class EntityFilters:
    schema: str | None = None
    owner: str | None = None  # owner agency code
    text: str | None = None  # part of the caption


@dataclass
class ImportResult:
    sha256: str
    entities: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sharing_kept: int = 0  # existing entities whose requested sharing differed: their own was kept
    alerts: int = 0  # automatic cross-matching alerts written (services/entity_alerts.py)


def _personal(flag: bool | None, schema: str) -> bool:
    return schema in PERSONAL_SCHEMATA if flag is None else flag


def _require_writer(actor: Actor) -> None:
    require_writer(actor)
    if actor.agency_id is None or actor.user_id is None:
        raise BadInputError("this action needs a user of an agency")


def write_keys(session: Session, entities: Sequence[Entity]) -> None:
    """Replace the matching keys of ``entities`` (flushed, so with ids) by those of their content."""
    ids = [e.id for e in entities]
    for chunk in chunks(ids):
        session.execute(delete(EntityKey).where(EntityKey.entity_id.in_(chunk)))
    rows = [
        {"key": key, "entity_id": e.id}
        for e in entities
        for key in sorted(entity_keys(subject_of(e.uuid, e.schema, e.properties)))
    ]
    for chunk in chunks(rows, 5_000):
        session.execute(insert(EntityKey), list(chunk))


def _new(
    actor: Actor,
    checked: CheckedEntity,
    ftm_id: str,
    record_uuid: str,
    resolved: ResolvedDistribution,
    personal: bool,
    audience_id: int,
    source: str,
    hit_notification: bool = True,
    handling_notes: str = "",
) -> Entity:
    """A new entity row of the actor's agency (not yet added to the session)."""
    assert actor.agency_id is not None and actor.user_id is not None
    return Entity(
        uuid=record_uuid,
        ftm_id=ftm_id,
        schema=checked.schema,
        caption=checked.caption,
        properties=checked.properties,
        audience_id=audience_id,
        source=source[:200],
        owner_agency_id=actor.agency_id,
        distribution=resolved.distribution.value,
        handling_conditions=list(resolved.handling_conditions),
        handling_notes=handling_notes,
        contains_personal_data=personal,
        hit_notification=hit_notification,
        created_at=actor.now,
        updated_at=actor.now,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        version=1,
    )


class EntityService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- write ---------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: EntityDraft) -> Entity:
        _require_writer(actor)
        assert actor.agency_id is not None and actor.user_id is not None
        checked = check_entity(data.schema, data.properties, data.ftm_id)
        resolved = resolve_distribution(session, actor, data.distribution)
        record_uuid = str(uuid.uuid4())
        ftm_id = checked.ftm_id or record_uuid
        existing = session.scalar(
            visible_select(session, actor, Entity).where(
                Entity.owner_agency_id == actor.agency_id, Entity.ftm_id == ftm_id
            )
        )
        if existing is not None:
            raise ConflictError(
                f"your agency already holds entity id {ftm_id!r} ({existing.uuid})",
                {"id": "already used by your agency"},
            )
        personal = _personal(data.contains_personal_data, checked.schema)
        audience_id = audience_for(session, actor.agency_id, resolved, personal)
        entity = _new(
            actor,
            checked,
            ftm_id,
            record_uuid,
            resolved,
            personal,
            audience_id,
            "manual",
            data.hit_notification,
            data.handling_notes,
        )
        session.add(entity)
        session.flush()
        store_targets(session, record_uuid, resolved)
        write_keys(session, [entity])
        session.flush()
        match_new(session, self.audit, actor, [entity])
        match_lists(session, self.audit, actor, [entity])
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.create",
                "ok",
                KIND,
                record_uuid,
                actor.agency_code,
                entity.distribution,
                {"schema": entity.schema},
            ),
        )
        return entity

    def update(
        self, session: Session, actor: Actor, ref: str, properties: Mapping[str, Any], version: int
    ) -> Entity:
        """Replace an entity's properties (its owner only); its keys are rewritten with them."""
        entity = read_one(session, self.audit, actor, Entity, ref, "entity", KIND)
        require_owner(actor, entity, "change")
        require_version(entity, version, "entity")
        checked = check_entity(entity.schema, properties, entity.ftm_id)
        assert actor.user_id is not None
        changed = sorted(
            k
            for k in set(checked.properties) | set(entity.properties)
            if checked.properties.get(k) != entity.properties.get(k)
        )
        entity.properties, entity.caption = checked.properties, checked.caption
        entity.version += 1
        entity.updated_at, entity.updated_by_id = actor.now, actor.user_id
        session.flush()
        write_keys(session, [entity])
        match_new(session, self.audit, actor, [entity])
        match_lists(session, self.audit, actor, [entity])
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.update",
                "ok",
                KIND,
                entity.uuid,
                actor.agency_code,
                entity.distribution,
                {"fields": changed[:50]},
            ),
        )
        return entity

    def change_distribution(
        self, session: Session, actor: Actor, ref: str, data: DistributionChange
    ) -> Entity:
        """The owner's audited change of who may see the entity (and so who its keys can match for)."""
        return change_distribution(session, self.audit, actor, Entity, ref, "entity", KIND, data)

    # -- read ----------------------------------------------------------------------------------------
    def get(self, session: Session, actor: Actor, ref: str) -> Entity:
        return read_one(session, self.audit, actor, Entity, ref, "entity", KIND)

    def list(
        self, session: Session, actor: Actor, f: EntityFilters, limit: int, offset: int
    ) -> tuple[builtins.list[Entity], bool]:
        """The entities the actor's agency may see, newest first; reads of other agencies' are audited."""
        stmt = visible_select(session, actor, Entity)
        if f.schema:
            if f.schema not in SCHEMATA:
                raise BadInputError(
                    f"unknown schema {f.schema!r}; expected one of {', '.join(SCHEMATA)}", {"schema": "unknown"}
                )
            stmt = stmt.where(Entity.schema == f.schema)
        if f.owner:
            owner_id = session.scalar(select(Agency.id).where(Agency.code == f.owner.upper()))
            stmt = stmt.where(Entity.owner_agency_id == (owner_id or -1))
        if f.text:
            stmt = stmt.where(Entity.caption.ilike(contains_pattern(f.text), escape="\\"))
        rows = builtins.list(
            session.scalars(stmt.order_by(Entity.created_at.desc(), Entity.id.desc()).limit(limit + 1).offset(offset))
        )
        more = len(rows) > limit
        rows = rows[:limit]
        audit_reads(session, self.audit, actor, rows, KIND, "list", owner_codes(session, rows))
        return rows, more

    def public_page(self, session: Session, actor: Actor, rows: Sequence[Entity]) -> builtins.list[EntityPublic]:
        """What the caller is shown of each (visible) entity, every lookup done once for the page."""
        sharing = sharing_page(session, actor, rows)
        names = usernames(session, (r.created_by_id for r in rows))
        return [
            EntityPublic(
                uuid=r.uuid,
                id=r.ftm_id,
                schema_=r.schema,
                caption=r.caption,
                properties=r.properties,
                source=r.source,
                sharing=sharing[r.uuid],
                created_at=r.created_at,
                created_by=names.get(r.created_by_id, "?"),
                updated_at=r.updated_at,
                version=r.version,
            )
            for r in rows
        ]

    # -- import --------------------------------------------------------------------------------------
    def import_ftm(
        self,
        session: Session,
        actor: Actor,
        data: bytes,
        distribution: DistributionRequest,
        *,
        filename: str = "",
        contains_personal_data: bool | None = None,
        hit_notification: bool = True,
        handling_notes: str = "",
    ) -> ImportResult:
        """Import FtM JSON lines, all or nothing (see the module docstring)."""
        _require_writer(actor)
        assert actor.agency_id is not None and actor.user_id is not None
        resolved = resolve_distribution(session, actor, distribution)
        sha = hashlib.sha256(data).hexdigest()
        checked = read_ftm_lines(data)
        result = ImportResult(sha256=sha, entities=len(checked))
        existing: dict[str, Entity] = {}
        ids = builtins.list(checked)
        for chunk in chunks(ids):
            for e in session.scalars(
                visible_select(session, actor, Entity).where(
                    Entity.owner_agency_id == actor.agency_id, Entity.ftm_id.in_(chunk)
                )
            ):
                existing[e.ftm_id] = e
        source = f"import:{sha}"
        fresh: list[Entity] = []
        changed: list[Entity] = []
        audiences: dict[bool, int] = {}
        for ftm_id, c in checked.items():
            personal = _personal(contains_personal_data, c.schema)
            if personal not in audiences:
                audiences[personal] = audience_for(session, actor.agency_id, resolved, personal)
            old = existing.get(ftm_id)
            if old is None:
                fresh.append(
                    _new(
                        actor,
                        c,
                        ftm_id,
                        str(uuid.uuid4()),
                        resolved,
                        personal,
                        audiences[personal],
                        source,
                        hit_notification,
                        handling_notes,
                    )
                )
                continue
            conditions = builtins.list(resolved.handling_conditions)
            if old.audience_id != audiences[personal] or old.handling_conditions != conditions:
                result.sharing_kept += 1
            if old.schema == c.schema and old.properties == c.properties:
                result.unchanged += 1
                continue
            old.schema, old.properties, old.caption = c.schema, c.properties, c.caption
            old.source = source
            old.version += 1
            old.updated_at, old.updated_by_id = actor.now, actor.user_id
            changed.append(old)
        session.add_all(fresh)
        session.flush()
        targets = [("agency", i) for i in sorted(resolved.agency_ids)] + [
            ("mechanism", i) for i in sorted(resolved.mechanism_ids)
        ]
        shares = [
            {"record_uuid": e.uuid, "target_kind": k, "target_id": t} for e in fresh for k, t in targets
        ]
        for chunk in chunks(shares, 5_000):
            session.execute(insert(RecordShare), list(chunk))
        write_keys(session, fresh + changed)
        session.flush()
        result.alerts = match_new(session, self.audit, actor, fresh + changed)
        result.alerts += match_lists(session, self.audit, actor, fresh + changed)
        result.created, result.updated = len(fresh), len(changed)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "entity.import",
                "ok",
                "entity_import",
                None,
                actor.agency_code,
                resolved.distribution.value,
                {
                    "file": filename[:200],
                    "sha256": sha,
                    "entities": result.entities,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "sharing_kept": result.sharing_kept,
                },
            ),
        )
        return result

    # -- export --------------------------------------------------------------------------------------
    def export_ftm(self, session: Session, actor: Actor, *, schema: str | None = None) -> FtmExport:
        """The entities the actor's agency may see, as FtM JSON lines (see the module docstring)."""
        return FtmExport(self.audit, session, actor, schema)

    # -- cross-check ---------------------------------------------------------------------------------
    def crosscheck(
        self,
        session: Session,
        actor: Actor,
        query: Subject,
        limit: int = 10,
        *,
        threshold: float = RECOMMENDED_THRESHOLD,
        key_cap: int = KEY_CAP,
        max_candidates: int = MAX_CANDIDATES,
    ) -> CrosscheckResult:
        """Cross-check ``query`` against every entity (services/entity_crosscheck.py) and against the
        published watch lists (services/watchlists.py)."""
        result = crosscheck(
            session,
            self.audit,
            actor,
            query,
            limit=limit,
            threshold=threshold,
            key_cap=key_cap,
            max_candidates=max_candidates,
        )
        hits = screen(session, query, threshold=threshold, limit=limit, key_cap=key_cap)
        return dataclasses.replace(result, list_hits=hits) if hits else result

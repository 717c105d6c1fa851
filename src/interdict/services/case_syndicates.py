"""Syndicates: long-term investigations group cases under an Organization entity, whose members and
their roles come from the FtM relations stored with the entities (``domain.cases.MEMBER_RELATIONS``:
Membership, Directorship, Employment, Ownership).

Everything shown goes through the sharing rule, each piece under its own: the syndicate is an entity the
viewer's agency may see (else "not found", as for one that does not exist); its cases are those the agency
owns or takes part in; a member is shown only where the agency may see both the relation entity and the
member entity. Relations name entities by FtM id, which is unique per owner agency only
(``store/entities.py``), so a relation counts when its owner also owns the organisation, and its member is
the entity of that agency with the id the relation names.

Listing: the Organization entities the viewer may see that are the syndicate of at least one case it sees.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from interdict.domain.cases import MEMBER_RELATIONS
from interdict.domain.errors import NotFoundError
from interdict.schemas.cases import MemberOut, SyndicateOut, SyndicateRef
from interdict.services.audit import AuditLog
from interdict.services.case_views import in_scope, is_organisation, summaries, syndicate_refs
from interdict.services.context import Actor
from interdict.services.records import agency_codes, is_uuid, read_events
from interdict.services.sharing import visible_select
from interdict.store.cases import Case
from interdict.store.entities import Entity

KIND = "entity"
MAX_CASES = 500


def list_syndicates(session: Session, actor: Actor) -> list[SyndicateRef]:
    assert actor.agency_id is not None
    ids = set(
        session.scalars(
            select(Case.syndicate_id)
            .where(in_scope(actor.agency_id), Case.syndicate_id.is_not(None))
            .distinct()
        )
    )
    refs = syndicate_refs(session, actor, {i for i in ids if i is not None})
    return sorted(refs.values(), key=lambda r: (r.caption.lower(), r.uuid))


def show_syndicate(session: Session, audit: AuditLog, actor: Actor, ref: str) -> SyndicateOut:
    key = ref.strip().lower()
    org = (
        session.scalars(visible_select(session, actor, Entity).where(Entity.uuid == key)).one_or_none()
        if is_uuid(key)
        else None
    )
    if org is None or not is_organisation(org.schema):
        raise NotFoundError(f"no syndicate {ref!r}")
    assert actor.agency_id is not None
    cases = list(
        session.scalars(
            select(Case)
            .where(in_scope(actor.agency_id), Case.syndicate_id == org.id)
            .order_by(Case.updated_at.desc(), Case.id.desc())
            .limit(MAX_CASES)
        )
    )
    relations, members = _members(session, actor, org)
    codes = agency_codes(session, {org.owner_agency_id} | {m.owner_agency_id for m in members.values()})
    out: list[MemberOut] = []
    for rel, member_prop in relations:
        for member_id in rel.properties.get(member_prop, []):
            member = members.get(member_id)
            if member is None:
                continue
            out.append(
                MemberOut(
                    uuid=member.uuid,
                    caption=member.caption or member.ftm_id,
                    ftm_schema=member.schema,
                    owner_agency=codes.get(member.owner_agency_id, "?"),
                    relation=rel.schema,
                    relation_uuid=rel.uuid,
                    roles=list(rel.properties.get("role", [])),
                    start_date=list(rel.properties.get("startDate", [])),
                    end_date=list(rel.properties.get("endDate", [])),
                )
            )
    shown = [org, *(r for r, _ in relations), *members.values()]
    events = read_events(actor, shown, KIND, "syndicate", codes)
    if events:
        audit.record_many(session, actor, events)
    out.sort(key=lambda m: (m.caption.lower(), m.relation, m.relation_uuid))
    return SyndicateOut(
        uuid=org.uuid,
        caption=org.caption or org.ftm_id,
        ftm_schema=org.schema,
        owner_agency=codes.get(org.owner_agency_id, "?"),
        cases=summaries(session, actor, cases),
        members=out,
    )


def _members(
    session: Session, actor: Actor, org: Entity
) -> tuple[list[tuple[Entity, str]], dict[str, Entity]]:
    """The relations (with the property naming their member) that name ``org`` and that the actor may see,
    and the member entities the actor may see, by FtM id."""
    # A text pre-filter on the stored JSON (the id as JSON writes it, quotes included), then the exact
    # test on the parsed properties: portable between SQLite and PostgreSQL, and an index-free scan only of
    # the owner's visible relation entities.
    needle = json.dumps(org.ftm_id, ensure_ascii=False)
    stmt = visible_select(session, actor, Entity).where(
        Entity.owner_agency_id == org.owner_agency_id,
        Entity.schema.in_(sorted(MEMBER_RELATIONS)),
        type_coerce(Entity.properties, Text).contains(needle, autoescape=True),
    )
    relations: list[tuple[Entity, str]] = []
    for rel in session.scalars(stmt):
        member_prop, org_prop = MEMBER_RELATIONS[rel.schema]
        if org.ftm_id in rel.properties.get(org_prop, []):
            relations.append((rel, member_prop))
    wanted: set[Any] = {m for rel, prop in relations for m in rel.properties.get(prop, [])}
    members: dict[str, Entity] = {}
    if wanted:
        stmt = visible_select(session, actor, Entity).where(
            Entity.owner_agency_id == org.owner_agency_id, Entity.ftm_id.in_(sorted(wanted))
        )
        members = {e.ftm_id: e for e in session.scalars(stmt)}
    return relations, members


__all__ = ["list_syndicates", "show_syndicate"]

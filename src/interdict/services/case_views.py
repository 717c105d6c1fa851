"""What a viewer is shown of a case (services/cases.py): its summary, its participants, its log, and
the linked records that the viewer's agency may see under each record's own sharing rule.

A link is shown only where one visibility-filtered read of the record's table (``store.visibility.visible``,
for the viewer's agency today) returns the record; a link to a record the viewer may not see is left out
entirely: no count, no placeholder, no caption. Reads of other agencies' records that a case page shows
are audited (``record.read`` via ``case``), as for any other read. The same holds for a case's syndicate:
shown only where the viewer may see its entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followthemoney import model as ftm
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from interdict.domain.cases import writable
from interdict.domain.roles import Permission
from interdict.schemas.cases import (
    CaseOut,
    CaseSummary,
    EntryOut,
    LinkOut,
    ParticipantOut,
    SyndicateRef,
)
from interdict.services.audit import AuditLog
from interdict.services.context import Actor
from interdict.services.entity_crosscheck import chunks
from interdict.services.records import agency_codes, read_events, usernames
from interdict.services.sharing import viewer, visible_select
from interdict.store.cases import Case, CaseEntry, CaseLink, CaseParticipant
from interdict.store.entities import Entity
from interdict.store.records import IntelReport
from interdict.store.seizures import Seizure
from interdict.store.visibility import visible


@dataclass(frozen=True)
class LinkKind:
    model: Any
    kind: str  # as links and the audit log name it
    label: str  # as messages name it


LINK_KINDS = (
    LinkKind(Seizure, "seizure", "seizure"),
    LinkKind(Entity, "entity", "entity"),
    LinkKind(IntelReport, "intel_report", "intelligence report"),
)
KIND_OF = {k.kind: k for k in LINK_KINDS}


def in_scope(agency_id: int) -> ColumnElement[bool]:
    """The cases an agency sees: its own, and those it currently takes part in."""
    current = exists().where(
        CaseParticipant.case_id == Case.id,
        CaseParticipant.agency_id == agency_id,
        CaseParticipant.removed_at.is_(None),
    )
    return or_(Case.owner_agency_id == agency_id, current)


def is_organisation(schema: str) -> bool:
    s = ftm.get(schema)
    return s is not None and s.is_a("Organization")


def caption_of(kind: str, record: Any) -> str:
    """What a link shows of a record the viewer may see."""
    if kind == "seizure":
        where = ", ".join(p for p in (record.place, record.country) if p)
        return f"{record.reference or 'Seizure'} · {record.seized_on.isoformat()} · {where}"
    if kind == "entity":
        return f"{record.caption or record.ftm_id} ({record.schema})"
    return str(record.title)


def find_visible_record(
    session: Session, actor: Actor, record_uuid: str, only: LinkKind | None = None
) -> tuple[LinkKind, Any] | None:
    """The seizure, entity or intelligence report with this uuid, if the actor's agency may see it."""
    for lk in (only,) if only else LINK_KINDS:
        row = session.scalars(
            visible_select(session, actor, lk.model).where(lk.model.uuid == record_uuid)
        ).one_or_none()
        if row is not None:
            return lk, row
    return None


def case_actions(actor: Actor, case: Case) -> list[str]:
    """What the actor may do with the case now (the same checks as the actions themselves)."""
    if not actor.can(Permission.WRITE_RECORDS):
        return []
    owner = case.owner_agency_id == actor.agency_id
    if not writable(case.status):  # read-only; only reopening, and cutting access, remain
        return ["status", "remove"] if owner else ["remove"]
    common = ["link", "unlink", "note", "message"]
    return ["update", "status", "invite", "remove", *common] if owner else ["remove", *common]


def summaries(session: Session, actor: Actor, rows: Iterable[Case]) -> list[CaseSummary]:
    rows = list(rows)
    if not rows:
        return []
    joint = set(
        session.scalars(
            select(CaseParticipant.case_id)
            .where(CaseParticipant.case_id.in_([c.id for c in rows]), CaseParticipant.removed_at.is_(None))
            .group_by(CaseParticipant.case_id)
        )
    )
    syndicates = syndicate_refs(session, actor, {c.syndicate_id for c in rows if c.syndicate_id})
    codes = agency_codes(session, {c.owner_agency_id for c in rows})
    return [CaseSummary(**_summary_fields(c, codes, c.id in joint, syndicates)) for c in rows]


def public(session: Session, audit: AuditLog, actor: Actor, case: Case) -> CaseOut:
    parts = list(
        session.scalars(
            select(CaseParticipant)
            .where(CaseParticipant.case_id == case.id, CaseParticipant.removed_at.is_(None))
            .order_by(CaseParticipant.joined_at, CaseParticipant.agency_id)
        )
    )
    entries = list(
        session.scalars(
            select(CaseEntry).where(CaseEntry.case_id == case.id).order_by(CaseEntry.created_at, CaseEntry.id)
        )
    )
    links = list(
        session.scalars(
            select(CaseLink).where(CaseLink.case_id == case.id).order_by(CaseLink.created_at, CaseLink.id)
        )
    )
    shown, records = visible_links(session, actor, links)
    codes = agency_codes(
        session,
        {case.owner_agency_id}
        | {p.agency_id for p in parts}
        | {e.author_agency_id for e in entries}
        | {lk.linked_by_agency_id for lk in shown}
        | {r.owner_agency_id for r, _ in records.values()},
    )
    users = usernames(
        session, {case.created_by_id} | {e.author_id for e in entries} | {lk.linked_by_id for lk in shown}
    )
    events = [
        ev
        for kind in KIND_OF
        for ev in read_events(actor, [r for r, k in records.values() if k == kind], kind, "case", codes)
    ]
    if events:
        audit.record_many(session, actor, events)
    uuid_of = {e.id: e.uuid for e in entries}
    syndicates = syndicate_refs(session, actor, {case.syndicate_id} if case.syndicate_id else set())
    return CaseOut(
        **_summary_fields(case, codes, bool(parts), syndicates),
        summary=case.summary,
        created_by=users.get(case.created_by_id, "?"),
        closed_at=case.closed_at,
        participants=[
            ParticipantOut(agency=codes.get(case.owner_agency_id, "?"), joined_at=case.created_at, owner=True)
        ]
        + [
            ParticipantOut(agency=codes.get(p.agency_id, "?"), joined_at=p.joined_at, owner=False)
            for p in parts
        ],
        links=[
            LinkOut(
                record_uuid=lk.record_uuid,
                record_kind=lk.record_kind,
                caption=caption_of(lk.record_kind, records[lk.record_uuid][0]),
                owner_agency=codes.get(records[lk.record_uuid][0].owner_agency_id, "?"),
                linked_by_agency=codes.get(lk.linked_by_agency_id, "?"),
                linked_by=users.get(lk.linked_by_id, "?"),
                note=lk.note,
                linked_at=lk.created_at,
            )
            for lk in shown
        ],
        entries=[
            EntryOut(
                uuid=e.uuid,
                kind=e.kind,
                author_agency=codes.get(e.author_agency_id, "?"),
                author=users.get(e.author_id, "?"),
                body=e.body,
                reply_to=uuid_of.get(e.reply_to_id) if e.reply_to_id else None,
                created_at=e.created_at,
            )
            for e in entries
        ],
        actions=case_actions(actor, case),
    )


def visible_links(
    session: Session, actor: Actor, links: list[CaseLink]
) -> tuple[list[CaseLink], dict[str, tuple[Any, str]]]:
    """The links whose record the actor's agency may see under the record's own rule, and those
    records by uuid (with their kind). One visibility-filtered read per record kind."""
    ctx = viewer(session, actor)
    records: dict[str, tuple[Any, str]] = {}
    for lk in LINK_KINDS:
        wanted = sorted({x.record_uuid for x in links if x.record_kind == lk.kind})
        for chunk in chunks(wanted):
            stmt = select(lk.model).where(lk.model.uuid.in_(chunk), visible(lk.model, ctx))
            records.update({r.uuid: (r, lk.kind) for r in session.scalars(stmt)})
    return [x for x in links if x.record_uuid in records], records


def syndicate_refs(session: Session, actor: Actor, ids: set[int]) -> dict[int, SyndicateRef]:
    """The syndicate entities among ``ids`` that the actor's agency may see (the others are not shown)."""
    if not ids:
        return {}
    rows = list(session.scalars(visible_select(session, actor, Entity).where(Entity.id.in_(sorted(ids)))))
    codes = agency_codes(session, {e.owner_agency_id for e in rows})
    return {
        e.id: SyndicateRef(
            uuid=e.uuid,
            caption=e.caption or e.ftm_id,
            ftm_schema=e.schema,
            owner_agency=codes.get(e.owner_agency_id, "?"),
        )
        for e in rows
    }


def _summary_fields(
    c: Case, codes: dict[int, str], joint: bool, syndicates: dict[int, SyndicateRef]
) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "title": c.title,
        "status": c.status,
        "owner_agency": codes.get(c.owner_agency_id, "?"),
        "offences": list(c.offences),
        "is_joint": joint,
        "syndicate": syndicates.get(c.syndicate_id) if c.syndicate_id else None,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "version": c.version,
    }


__all__ = [
    "KIND_OF",
    "LINK_KINDS",
    "LinkKind",
    "caption_of",
    "case_actions",
    "find_visible_record",
    "in_scope",
    "is_organisation",
    "public",
    "summaries",
    "syndicate_refs",
    "visible_links",
]

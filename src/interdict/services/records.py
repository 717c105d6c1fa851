"""What every shared-record service shares: find-or-404, owner checks, audit of foreign reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import ConflictError, ForbiddenError, NotFoundError
from interdict.domain.roles import Permission
from interdict.domain.sharing import Distribution
from interdict.schemas.common import DistributionChange, SharingOut
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.sharing import (
    DistributionRequest,
    audience_for,
    resolve_distribution,
    store_targets,
    targets_for,
    targets_for_many,
    viewer,
    visible_select,
)
from interdict.store.identity import User
from interdict.store.structure import Agency

M = TypeVar("M")


def is_uuid(value: str) -> bool:
    import uuid

    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def not_found(kind: str, ref: str) -> NotFoundError:
    # The same words whether the record does not exist or the caller may not see it.
    return NotFoundError(f"no {kind} {ref!r}")


def get_visible(session: Session, actor: Actor, model: type[M], ref: str, kind: str) -> M:
    if not is_uuid(ref):
        raise not_found(kind, ref)
    stmt = visible_select(session, actor, model).where(model.uuid == ref.lower())  # type: ignore[attr-defined]
    row: M | None = session.scalars(stmt).one_or_none()
    if row is None:
        raise not_found(kind, ref)
    return row


def require_owner(actor: Actor, record: Any, action: str) -> None:
    if record.owner_agency_id != actor.agency_id:
        raise ForbiddenError(f"only the owner agency may {action} this record")
    if not actor.can(Permission.WRITE_RECORDS):
        raise ForbiddenError(f"your roles do not allow you to {action} records")


def require_writer(actor: Actor) -> None:
    """Refuse an actor whose roles may not write records (every record type, every face)."""
    if not actor.can(Permission.WRITE_RECORDS):
        raise ForbiddenError("your roles do not allow you to write records")


def agency_codes(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Agency codes by id, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(wanted))).all())


def owner_codes(session: Session, records: Iterable[Any]) -> dict[int, str]:
    """Agency codes of the owners of ``records`` (owner id -> code), in one query."""
    return agency_codes(session, (r.owner_agency_id for r in records))


def agency_code(session: Session, agency_id: int) -> str:
    agency = session.get(Agency, agency_id)
    return agency.code if agency else "?"


def audit_reads(
    session: Session,
    audit: AuditLog,
    actor: Actor,
    records: list[Any],
    kind: str,
    via: str,
    codes: dict[int, str],
) -> None:
    """One audit row per record of another agency that this answer disclosed."""
    events = read_events(actor, records, kind, via, codes)
    if events:
        audit.record_many(session, actor, events)


def read_events(actor: Actor, records: list[Any], kind: str, via: str, codes: dict[int, str]) -> list[AuditEvent]:
    """The audit events of :func:`audit_reads`, for a caller that appends them with others in one go."""
    return [
        AuditEvent(
            "record.read", "ok", kind, r.uuid, codes.get(r.owner_agency_id), r.distribution, {"via": via}
        )
        for r in records
        if r.owner_agency_id != actor.agency_id
    ]


def sharing_of(session: Session, record: Any) -> SharingOut:
    """The whole distribution of a record, as its owner sees it (audited before and after every change)."""
    targets = targets_for(session, record.uuid)
    return SharingOut(
        owner_agency=agency_code(session, record.owner_agency_id),
        distribution=Distribution(record.distribution),
        agencies=targets.agencies,
        mechanisms=targets.mechanisms,
        handling_conditions=list(record.handling_conditions),
        handling_notes=record.handling_notes,
        contains_personal_data=record.contains_personal_data,
        hit_notification=record.hit_notification,
    )


def sharing_page(session: Session, actor: Actor, records: Sequence[Any]) -> dict[str, SharingOut]:
    """``sharing_of`` for a page of records, by uuid, as the caller may see it: the owner sees every
    target, a recipient only its own (``targets_for_many``); a few statements whatever the page size."""
    if not records:
        return {}
    targets = targets_for_many(session, {r.uuid: r.owner_agency_id for r in records}, viewer(session, actor))
    codes = owner_codes(session, records)
    return {
        r.uuid: SharingOut(
            owner_agency=codes.get(r.owner_agency_id, "?"),
            distribution=Distribution(r.distribution),
            agencies=targets[r.uuid].agencies,
            mechanisms=targets[r.uuid].mechanisms,
            handling_conditions=list(r.handling_conditions),
            handling_notes=r.handling_notes,
            contains_personal_data=r.contains_personal_data,
            hit_notification=r.hit_notification,
        )
        for r in records
    }


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards escaped (use with ``escape="\\"``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> username, in one statement."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


def _summary(s: SharingOut) -> dict[str, Any]:
    return {
        "distribution": s.distribution.value,
        "agencies": s.agencies,
        "mechanisms": s.mechanisms,
        "handling_conditions": s.handling_conditions,
    }


def apply_distribution(
    session: Session,
    audit: AuditLog,
    actor: Actor,
    record: Any,
    kind: str,
    req: DistributionRequest,
    reason: str,
) -> None:
    """Give a record (any type with SharedColumns) a new distribution, audited with before and after.
    Callers have checked that the actor's agency owns it."""
    before = sharing_of(session, record)
    resolved = resolve_distribution(session, actor, req)
    record.distribution = resolved.distribution.value
    record.handling_conditions = list(resolved.handling_conditions)
    store_targets(session, record.uuid, resolved)
    assert actor.user_id is not None
    record.version += 1
    record.updated_at, record.updated_by_id = actor.now, actor.user_id
    session.flush()
    if hasattr(record, "audience_id"):
        # Records whose aggregates go through audiences (seizures, entities) follow the new sharing at
        # once; a seizure's lines carry a copy of its audience.
        record.audience_id = audience_for(
            session, record.owner_agency_id, resolved, record.contains_personal_data
        )
        session.flush()
        from interdict.store.seizures import Seizure

        if isinstance(record, Seizure):
            from interdict.services.seizures import sync_lines

            sync_lines(session, record)
    after = sharing_of(session, record)
    audit.record(
        session,
        actor,
        AuditEvent(
            "record.distribution",
            "ok",
            kind,
            record.uuid,
            actor.agency_code,
            record.distribution,
            {"before": _summary(before), "after": _summary(after), "reason": reason[:500]},
        ),
    )


def read_one(
    session: Session, audit: AuditLog, actor: Actor, model: type[M], ref: str, label: str, kind: str
) -> M:
    """One visible record by uuid, its read audited when it belongs to another agency."""
    record = get_visible(session, actor, model, ref, label)
    owner = record.owner_agency_id  # type: ignore[attr-defined]
    audit_reads(session, audit, actor, [record], kind, "get", {owner: agency_code(session, owner)})
    return record


def require_version(record: Any, version: int, noun: str) -> None:
    """Optimistic concurrency: the caller edited ``version``; a newer stored one answers 409."""
    if version != record.version:
        raise ConflictError(
            f"the {noun} was changed since version {version} (now version {record.version}); reload and retry",
            {"version": f"expected {record.version}"},
        )


def change_distribution(
    session: Session,
    audit: AuditLog,
    actor: Actor,
    model: type[M],
    ref: str,
    label: str,
    kind: str,
    data: DistributionChange,
) -> M:
    """The owner's change of a record's distribution; handling conditions stay when none are given."""
    record: Any = get_visible(session, actor, model, ref, label)
    require_owner(actor, record, "change the distribution of")
    conditions = record.handling_conditions if data.handling_conditions is None else data.handling_conditions
    apply_distribution(
        session,
        audit,
        actor,
        record,
        kind,
        DistributionRequest(data.distribution.value, data.agencies, data.mechanisms, conditions),
        data.reason,
    )
    return record  # type: ignore[no-any-return]

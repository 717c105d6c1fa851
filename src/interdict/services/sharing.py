"""Shared-record plumbing every record type reuses: validate a requested distribution, store its
targets, describe it to a viewer, and open a visibility-filtered query."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.sharing import Distribution, HandlingCondition
from interdict.services.context import Actor
from interdict.store.records import RecordShare
from interdict.store.structure import Agency, Mechanism
from interdict.store.visibility import ViewerContext, viewer_context, visible


@dataclass(frozen=True)
class DistributionRequest:
    distribution: str
    agencies: Sequence[str] = ()
    mechanisms: Sequence[str] = ()
    handling_conditions: Sequence[str] = ()


@dataclass(frozen=True)
class ResolvedDistribution:
    distribution: Distribution
    agency_ids: frozenset[int]
    mechanism_ids: frozenset[int]
    handling_conditions: tuple[str, ...]


def viewer(session: Session, actor: Actor) -> ViewerContext:
    if actor.agency_id is None:
        raise BadInputError("this action needs a user of an agency")
    return viewer_context(session, actor.agency_id, actor.today)


def visible_select(
    session: Session, actor: Actor, model: Any, distribution: Distribution | None = None
) -> Select[Any]:
    """``SELECT model WHERE <sharing rule for the actor's agency>``: the one way to read shared records.
    With ``distribution``, only records of that level (and the rule narrowed to it)."""
    return select(model).where(visible(model, viewer(session, actor), distribution))


def resolve_distribution(session: Session, actor: Actor, req: DistributionRequest) -> ResolvedDistribution:
    """Check a requested distribution against what the actor's agency may use; name every problem."""
    errors: dict[str, str] = {}
    try:
        dist = Distribution(req.distribution)
    except ValueError:
        known = ", ".join(d.value for d in Distribution)
        raise BadInputError(
            f"distribution {req.distribution!r} is not one of {known}",
            {"distribution": f"expected one of {known}"},
        ) from None
    agency_ids: set[int] = set()
    mechanism_ids: set[int] = set()
    if dist is Distribution.AGENCIES:
        agency_ids = _agencies(session, req.agencies, errors)
        if not req.agencies:
            errors["agencies"] = "distribution 'agencies' needs at least one agency code"
    elif req.agencies:
        errors["agencies"] = f"agencies may only be named with distribution 'agencies' (got {dist.value!r})"
    if dist is Distribution.MECHANISMS:
        mechanism_ids = _mechanisms(session, actor, req.mechanisms, errors)
        if not req.mechanisms:
            errors["mechanisms"] = "distribution 'mechanisms' needs at least one mechanism code"
    elif req.mechanisms:
        errors["mechanisms"] = (
            f"mechanisms may only be named with distribution 'mechanisms' (got {dist.value!r})"
        )
    conditions = _conditions(req.handling_conditions, errors)
    if errors:
        raise BadInputError(
            "the distribution is not valid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors
        )
    return ResolvedDistribution(dist, frozenset(agency_ids), frozenset(mechanism_ids), conditions)


def active_agencies(session: Session, codes: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Active agencies by code (code -> id), and the codes that name none, in the order given."""
    wanted = list(dict.fromkeys(codes))
    found = dict(
        session.execute(
            select(Agency.code, Agency.id).where(Agency.code.in_(wanted), Agency.active.is_(True))
        ).all()
    )
    return found, [c for c in wanted if c not in found]


def _agencies(session: Session, codes: Iterable[str], errors: dict[str, str]) -> set[int]:
    found, unknown = active_agencies(session, codes)
    if unknown:
        errors["agencies"] = "unknown agency code(s): " + ", ".join(repr(c) for c in unknown)
    return set(found.values())


def _mechanisms(session: Session, actor: Actor, codes: Iterable[str], errors: dict[str, str]) -> set[int]:
    """Only mechanisms the actor's agency is a current member of may be named (else: unknown)."""
    codes = list(dict.fromkeys(codes))
    ctx = viewer(session, actor)
    found = dict(session.execute(select(Mechanism.code, Mechanism.id).where(Mechanism.code.in_(codes))).all())
    usable = {c: i for c, i in found.items() if i in ctx.mechanism_ids}
    bad = [c for c in codes if c not in usable]
    if bad:
        # The same words for "no such mechanism" and "not yours": rosters are not disclosed (A8).
        errors["mechanisms"] = "unknown mechanism code(s) or not a member: " + ", ".join(repr(c) for c in bad)
    return set(usable.values())


def _conditions(values: Iterable[str], errors: dict[str, str]) -> tuple[str, ...]:
    out = []
    for value in dict.fromkeys(values):
        try:
            out.append(HandlingCondition(value).value)
        except ValueError:
            known = ", ".join(c.value for c in HandlingCondition)
            errors["handling_conditions"] = f"unknown handling condition {value!r}; expected one of {known}"
    return tuple(out)


def store_targets(session: Session, record_uuid: str, resolved: ResolvedDistribution) -> None:
    session.execute(delete(RecordShare).where(RecordShare.record_uuid == record_uuid))
    session.add_all(
        [
            RecordShare(record_uuid=record_uuid, target_kind="agency", target_id=i)
            for i in sorted(resolved.agency_ids)
        ]
        + [
            RecordShare(record_uuid=record_uuid, target_kind="mechanism", target_id=i)
            for i in sorted(resolved.mechanism_ids)
        ]
    )


AUDIENCE_NAMESPACE = uuid.UUID("6f1d8f4e-2b7a-5c1e-9d3f-a1b2c3d4e5f6")


def audience_for(session: Session, owner_agency_id: int, resolved: ResolvedDistribution, personal: bool) -> int:
    """The id of the audience row for this sharing, created the first time it is used. Its uuid is
    derived from the signature, so concurrent first uses write the same rows (insert-or-ignore)."""
    from interdict.store.dialect import insert_ignore
    from interdict.store.records import Audience

    signature = (
        f"{owner_agency_id}|{resolved.distribution.value}|{int(personal)}"
        f"|a:{','.join(map(str, sorted(resolved.agency_ids)))}"
        f"|m:{','.join(map(str, sorted(resolved.mechanism_ids)))}"
    )
    found = session.scalar(select(Audience.id).where(Audience.signature == signature))
    if found is not None:
        return int(found)
    audience_uuid = str(uuid.uuid5(AUDIENCE_NAMESPACE, signature))
    insert_ignore(
        session,
        Audience,
        {
            "uuid": audience_uuid,
            "owner_agency_id": owner_agency_id,
            "distribution": resolved.distribution.value,
            "contains_personal_data": personal,
            "signature": signature,
        },
    )
    for kind, ids in (("agency", resolved.agency_ids), ("mechanism", resolved.mechanism_ids)):
        for target in sorted(ids):
            insert_ignore(
                session, RecordShare, {"record_uuid": audience_uuid, "target_kind": kind, "target_id": target}
            )
    return int(session.scalars(select(Audience.id).where(Audience.signature == signature)).one())


@dataclass(frozen=True)
class Targets:
    agencies: list[str]
    mechanisms: list[str]


def targets_for(session: Session, record_uuid: str) -> Targets:
    """Every named target of a record: the owner's view (what recipients see: ``targets_for_many``)."""
    rows = session.execute(
        select(RecordShare.target_kind, RecordShare.target_id).where(RecordShare.record_uuid == record_uuid)
    ).all()
    agency_ids = {t for k, t in rows if k == "agency"}
    mechanism_ids = {t for k, t in rows if k == "mechanism"}
    agencies = (
        sorted(session.scalars(select(Agency.code).where(Agency.id.in_(agency_ids)))) if agency_ids else []
    )
    mechanisms = (
        sorted(session.scalars(select(Mechanism.code).where(Mechanism.id.in_(mechanism_ids))))
        if mechanism_ids
        else []
    )
    return Targets(agencies, mechanisms)


def targets_for_many(session: Session, owners: dict[str, int], ctx: ViewerContext) -> dict[str, Targets]:
    """``targets_for`` for a page of records at once (``owners``: record uuid -> owner agency id), in
    three statements whatever the page size. The same rule: owners see all, recipients their own."""
    if not owners:
        return {}
    rows = session.execute(
        select(RecordShare.record_uuid, RecordShare.target_kind, RecordShare.target_id).where(
            RecordShare.record_uuid.in_(sorted(owners))
        )
    ).all()
    agency_ids = {t for _, k, t in rows if k == "agency"}
    mechanism_ids = {t for _, k, t in rows if k == "mechanism"}
    agency_codes = (
        dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(agency_ids))).all())
        if agency_ids
        else {}
    )
    mechanism_codes = (
        dict(
            session.execute(select(Mechanism.id, Mechanism.code).where(Mechanism.id.in_(mechanism_ids))).all()
        )
        if mechanism_ids
        else {}
    )
    out = {u: Targets([], []) for u in owners}
    for record_uuid, kind, target in rows:
        mine = owners[record_uuid] == ctx.agency_id
        if kind == "agency" and (mine or target == ctx.agency_id) and target in agency_codes:
            out[record_uuid].agencies.append(agency_codes[target])
        elif kind == "mechanism" and (mine or target in ctx.mechanism_ids) and target in mechanism_codes:
            out[record_uuid].mechanisms.append(mechanism_codes[target])
    for t in out.values():
        t.agencies.sort()
        t.mechanisms.sort()
    return out


def audience(session: Session, model: Any, record_uuid: str, day: date) -> list[Agency]:
    """The active agencies that can see the record on ``day`` (its owner included), by asking the one
    SQL rule (``visible``) once per agency: no second copy of the rule. For the owner's eyes only;
    callers check that, since the answer discloses who belongs to the mechanisms named."""
    out = []
    agencies = list(session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.code)))
    for agency in agencies:
        ctx = viewer_context(session, agency.id, day)
        stmt = select(model.uuid).where(model.uuid == record_uuid, visible(model, ctx))
        if session.scalar(stmt) is not None:
            out.append(agency)
    return out

"""Seizure reports: a shared record with substance lines, normalised quantities and a route."""

from __future__ import annotations

import builtins
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError
from interdict.domain.seizures import CheckedSeizure, FieldError, ItemDraft, SeizureDraft, SeizureRules
from interdict.domain.sharing import Distribution
from interdict.domain.substances import catalogue
from interdict.schemas.common import DistributionChange
from interdict.schemas.seizures import SeizureCreate, SeizureItemPublic, SeizurePublic
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import (
    audit_reads,
    change_distribution,
    get_visible,
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
from interdict.store.seizures import Operation, OperationParticipant, Seizure, SeizureItem
from interdict.store.structure import Agency

KIND = "seizure"


def raise_field_errors(errors: Sequence[FieldError]) -> None:
    if errors:
        raise BadInputError(
            "the seizure report is not valid: " + "; ".join(f"{e.field}: {e.message}" for e in errors),
            {e.field: e.message for e in errors},
        )


def draft_from(data: SeizureCreate) -> SeizureDraft:
    return SeizureDraft(
        seized_on=data.seized_on,
        country=data.country,
        items=[ItemDraft(i.substance, i.quantity, i.unit, i.purity_pct, i.form) for i in data.items],
        reference=data.reference,
        subdivision=data.subdivision,
        place=data.place,
        latitude=data.latitude,
        longitude=data.longitude,
        location_type=data.location_type,
        port=data.port,
        concealment=data.concealment,
        transport_mode=data.transport_mode,
        origin_country=data.origin_country,
        transit_countries=data.transit_countries,
        destination_country=data.destination_country,
        suspects_arrested=data.suspects_arrested,
        suspect_nationalities=data.suspect_nationalities,
        assets=[a.model_dump() for a in data.assets],
        narrative=data.narrative,
    )


def content_hash(checked: CheckedSeizure) -> str:
    """A digest of what a seizure says: a re-import with the same values is recognised as a repeat."""
    parts = [
        checked.seized_on.isoformat(),
        checked.country,
        checked.subdivision,
        checked.place,
        repr(checked.latitude),
        repr(checked.longitude),
        checked.location_type.value,
        checked.port_code,
        checked.concealment,
        checked.transport_mode,
        checked.origin_country,
        ",".join(checked.transit_countries),
        checked.destination_country,
        str(checked.suspects_arrested),
        ",".join(checked.suspect_nationalities),
        repr(checked.assets),
        checked.narrative,
    ]
    for item in checked.items:
        parts += [item.substance.code, repr(item.quantity), item.unit.value, repr(item.purity_pct), item.form]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class RecordStamp:
    """Who creates records, when, and how they are shared: the same for every row of one import."""

    owner_agency_id: int
    user_id: int
    now: datetime
    resolved: ResolvedDistribution
    handling_notes: str = ""
    contains_personal_data: bool = False
    hit_notification: bool = True
    import_id: int | None = None
    audience_id: int = 0


def stamp_values(stamp: RecordStamp) -> dict[str, Any]:
    """The columns every seizure of one import (or one create) shares."""
    return {
        "owner_agency_id": stamp.owner_agency_id,
        "distribution": stamp.resolved.distribution.value,
        "handling_conditions": list(stamp.resolved.handling_conditions),
        "handling_notes": stamp.handling_notes,
        "contains_personal_data": stamp.contains_personal_data,
        "hit_notification": stamp.hit_notification,
        "created_at": stamp.now,
        "updated_at": stamp.now,
        "created_by_id": stamp.user_id,
        "updated_by_id": stamp.user_id,
        "version": 1,
        "import_id": stamp.import_id,
        "audience_id": stamp.audience_id,
    }


def row_values(
    checked: CheckedSeizure, record_uuid: str, source_key: str, source_hash: str, operation_id: int | None
) -> dict[str, Any]:
    """The columns that differ from one seizure to the next."""
    return {
        "uuid": record_uuid,
        "reference": checked.reference,
        "source_key": source_key,
        "source_hash": source_hash,
        "seized_on": checked.seized_on,
        "seized_month": checked.seized_month,
        "country": checked.country,
        "subdivision": checked.subdivision,
        "place": checked.place,
        "latitude": checked.latitude,
        "longitude": checked.longitude,
        "location_type": checked.location_type.value,
        "port_code": checked.port_code,
        "concealment": checked.concealment,
        "transport_mode": checked.transport_mode,
        "origin_country": checked.origin_country,
        "transit_countries": list(checked.transit_countries),
        "destination_country": checked.destination_country,
        "suspects_arrested": checked.suspects_arrested,
        "suspect_nationalities": list(checked.suspect_nationalities),
        "assets": list(checked.assets),
        "operation_id": operation_id,
        "narrative": checked.narrative,
    }


def seizure_values(
    checked: CheckedSeizure,
    stamp: RecordStamp,
    record_uuid: str,
    source_key: str,
    source_hash: str,
    operation_id: int | None,
) -> dict[str, Any]:
    """Column values of one seizure row: the ORM create and the bulk importer write the same thing."""
    return {**stamp_values(stamp), **row_values(checked, record_uuid, source_key, source_hash, operation_id)}


def item_values(checked: CheckedSeizure, seizure_id: int, seizure: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of a seizure, each with the seizure's facts the statistics read (``seizure``: its
    column values, as ``seizure_values`` gives them)."""
    substances: set[str] = set()
    categories: set[str] = set()
    out = []
    for n, i in enumerate(checked.items, start=1):
        code = i.substance.code
        out.append(
            {
                "seizure_id": seizure_id,
                "line": n,
                "substance": code,
                "category": i.category,
                "reported_name": i.reported_name,
                "quantity": i.quantity,
                "unit": i.unit.value,
                "mass_kg": i.mass_kg,
                "count": i.count,
                "count_unit": i.count_unit,
                "factor": i.factor,
                "purity_pct": i.purity_pct,
                "form": i.form,
                "first_of_substance": code not in substances,
                "first_of_category": i.category not in categories,
                "audience_id": seizure["audience_id"],
                "owner_agency_id": seizure["owner_agency_id"],
                "seized_on": seizure["seized_on"],
                "seized_month": seizure["seized_month"],
                "country": seizure["country"],
                "location_type": seizure["location_type"],
                "port_code": seizure["port_code"],
                "origin_country": seizure["origin_country"],
                "destination_country": seizure["destination_country"],
                "operation_id": seizure["operation_id"],
            }
        )
        substances.add(code)
        categories.add(i.category)
    return out


def sync_lines(session: Session, seizure: Seizure) -> None:
    """Write a seizure's audience and operation to its lines (the only copied facts that change)."""
    session.execute(
        update(SeizureItem)
        .where(SeizureItem.seizure_id == seizure.id)
        .values(audience_id=seizure.audience_id, operation_id=seizure.operation_id)
    )


def participating_operation(session: Session, actor: Actor, code: str, seized_on: date | None) -> Operation:
    """The operation ``code`` if the actor's agency takes part in it (else the same "unknown" answer)."""
    op = session.scalar(
        select(Operation)
        .join(OperationParticipant, OperationParticipant.operation_id == Operation.id)
        .where(Operation.code == code.upper(), OperationParticipant.agency_id == actor.agency_id)
    )
    if op is None:
        raise BadInputError(
            f"unknown operation {code!r} or your agency does not take part in it",
            {"operation": "unknown, or not a participant"},
        )
    if seized_on is not None and not (op.starts_on <= seized_on <= op.ends_on):
        raise BadInputError(
            f"the seizure date {seized_on} is outside operation {op.code} ({op.starts_on} to {op.ends_on})",
            {"operation": "seizure date outside the operation's period"},
        )
    return op


@dataclass(frozen=True)
class SeizureFilters:
    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    substance: str | None = None
    category: str | None = None
    owner: str | None = None
    operation: str | None = None
    location_type: str | None = None
    distribution: str | None = None


class SeizureService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def create(self, session: Session, actor: Actor, data: SeizureCreate) -> Seizure:
        require_writer(actor)
        assert actor.agency_id is not None and actor.user_id is not None
        checked, errors = SeizureRules(actor.today).check(draft_from(data))
        raise_field_errors(errors)
        assert checked is not None
        resolved = resolve_distribution(
            session,
            actor,
            DistributionRequest(
                data.distribution.value, data.agencies, data.mechanisms, data.handling_conditions
            ),
        )
        operation_id = (
            participating_operation(session, actor, data.operation, checked.seized_on).id
            if data.operation
            else None
        )
        record_uuid = str(uuid.uuid4())
        source_key = checked.reference or f"api:{record_uuid}"
        if checked.reference:
            existing = session.scalar(
                select(Seizure.uuid).where(
                    Seizure.owner_agency_id == actor.agency_id, Seizure.source_key == source_key
                )
            )
            if existing:
                raise ConflictError(
                    f"your agency already reported seizure reference {checked.reference!r} ({existing})",
                    {"reference": "already used by your agency"},
                )
        stamp = RecordStamp(
            actor.agency_id,
            actor.user_id,
            actor.now,
            resolved,
            data.handling_notes,
            data.contains_personal_data,
            data.hit_notification,
            audience_id=audience_for(session, actor.agency_id, resolved, data.contains_personal_data),
        )
        values = seizure_values(checked, stamp, record_uuid, source_key, content_hash(checked), operation_id)
        seizure = Seizure(**values)
        session.add(seizure)
        session.flush()
        session.add_all([SeizureItem(**v) for v in item_values(checked, seizure.id, values)])
        store_targets(session, record_uuid, resolved)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.create",
                "ok",
                KIND,
                record_uuid,
                actor.agency_code,
                seizure.distribution,
                {"items": len(checked.items)},
            ),
        )
        return seizure

    def change_distribution(
        self, session: Session, actor: Actor, ref: str, data: DistributionChange
    ) -> Seizure:
        return change_distribution(session, self.audit, actor, Seizure, ref, "seizure", KIND, data)

    def tag_operation(
        self, session: Session, actor: Actor, ref: str, code: str | None, version: int
    ) -> Seizure:
        seizure = get_visible(session, actor, Seizure, ref, "seizure")
        require_owner(actor, seizure, "tag")
        require_version(seizure, version, "seizure")
        seizure.operation_id = (
            participating_operation(session, actor, code, seizure.seized_on).id if code else None
        )
        assert actor.user_id is not None
        seizure.version += 1
        seizure.updated_at, seizure.updated_by_id = actor.now, actor.user_id
        session.flush()
        sync_lines(session, seizure)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.update",
                "ok",
                KIND,
                seizure.uuid,
                actor.agency_code,
                seizure.distribution,
                {"fields": ["operation"], "operation": code},
            ),
        )
        return seizure

    # -- read ----------------------------------------------------------------------------------------
    def get(self, session: Session, actor: Actor, ref: str) -> Seizure:
        return read_one(session, self.audit, actor, Seizure, ref, "seizure", KIND)

    def query(self, session: Session, actor: Actor, f: SeizureFilters) -> Select[Any]:
        dist = Distribution(f.distribution) if f.distribution else None
        stmt = visible_select(session, actor, Seizure, dist)
        if f.date_from:
            stmt = stmt.where(Seizure.seized_on >= f.date_from)
        if f.date_to:
            stmt = stmt.where(Seizure.seized_on <= f.date_to)
        if f.country:
            stmt = stmt.where(Seizure.country == f.country.upper())
        if f.location_type:
            stmt = stmt.where(Seizure.location_type == f.location_type)
        if f.owner:
            owner_id = session.scalar(select(Agency.id).where(Agency.code == f.owner))
            stmt = stmt.where(Seizure.owner_agency_id == (owner_id or -1))
        if f.operation:
            op_id = session.scalar(select(Operation.id).where(Operation.code == f.operation.upper()))
            stmt = stmt.where(Seizure.operation_id == (op_id or -1))
        if f.substance or f.category:
            lines = select(SeizureItem.seizure_id)
            if f.substance:
                sub = catalogue().resolve(f.substance)
                lines = lines.where(SeizureItem.substance == (sub.code if sub else f.substance))
            if f.category:
                lines = lines.where(SeizureItem.category == f.category)
            stmt = stmt.where(Seizure.id.in_(lines))
        return stmt

    def list(
        self, session: Session, actor: Actor, f: SeizureFilters, limit: int, offset: int
    ) -> tuple[builtins.list[Seizure], bool]:
        rows = builtins.list(
            session.scalars(
                self.query(session, actor, f)
                .order_by(Seizure.seized_on.desc(), Seizure.id.desc())
                .limit(limit + 1)
                .offset(offset)
            )
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        codes = owner_codes(session, rows)
        audit_reads(session, self.audit, actor, rows, KIND, "list", codes)
        return rows, has_more

    # -- presentation --------------------------------------------------------------------------------
    def public_page(
        self, session: Session, actor: Actor, rows: Sequence[Seizure]
    ) -> builtins.list[SeizurePublic]:
        if not rows:
            return []
        sharing = sharing_page(session, actor, rows)
        names = usernames(session, (r.created_by_id for r in rows))
        op_ids = {r.operation_id for r in rows if r.operation_id}
        op_codes = (
            dict(session.execute(select(Operation.id, Operation.code).where(Operation.id.in_(op_ids))).all())
            if op_ids
            else {}
        )
        items: dict[int, builtins.list[SeizureItem]] = {r.id: [] for r in rows}
        for it in session.scalars(
            select(SeizureItem)
            .where(SeizureItem.seizure_id.in_(builtins.list(items)))
            .order_by(SeizureItem.line)
        ):
            items[it.seizure_id].append(it)
        cat = catalogue()
        out = []
        for r in rows:
            lines = [
                SeizureItemPublic(
                    line=i.line,
                    substance=i.substance,
                    substance_name=(s.name if (s := cat.get(i.substance)) else i.substance),
                    category=i.category,
                    reported_name=i.reported_name,
                    quantity=i.quantity,
                    unit=i.unit,
                    mass_kg=i.mass_kg,
                    count=i.count,
                    count_unit=i.count_unit,
                    factor=i.factor,
                    purity_pct=i.purity_pct,
                    form=i.form,
                )
                for i in items[r.id]
            ]
            out.append(
                SeizurePublic(
                    uuid=r.uuid,
                    reference=r.reference,
                    seized_on=r.seized_on,
                    country=r.country,
                    subdivision=r.subdivision,
                    place=r.place,
                    latitude=r.latitude,
                    longitude=r.longitude,
                    location_type=r.location_type,
                    port=r.port_code,
                    concealment=r.concealment,
                    transport_mode=r.transport_mode,
                    origin_country=r.origin_country,
                    transit_countries=r.transit_countries,
                    destination_country=r.destination_country,
                    suspects_arrested=r.suspects_arrested,
                    suspect_nationalities=r.suspect_nationalities,
                    assets=r.assets,
                    operation=op_codes.get(r.operation_id) if r.operation_id else None,
                    narrative=r.narrative,
                    items=lines,
                    total_mass_kg=round(sum(i.mass_kg or 0.0 for i in items[r.id]), 6),
                    sharing=sharing[r.uuid],
                    created_at=r.created_at,
                    created_by=names.get(r.created_by_id, "?"),
                    updated_at=r.updated_at,
                    version=r.version,
                )
            )
        return out

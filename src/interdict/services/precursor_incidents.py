"""Precursor incidents: a shared record with chemical and equipment lines, whose seized chemicals are
also written as a seizure record so that the seizure statistics count them.

The incident and its seizure are written in the caller's transaction, after every check has passed:
a bad line, distribution or notification leaves nothing behind. The seizure has the incident's owner,
distribution, date and country, and follows the incident's distribution when the owner changes it.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError, NotFoundError
from interdict.domain.precursor_incidents import (
    KIND_LABELS,
    CheckedIncident,
    CheckedLine,
    ChemicalDraft,
    EquipmentDraft,
    IncidentDraft,
    IncidentFacts,
    IncidentKind,
    IncidentRules,
    StatsKey,
    aggregate,
)
from interdict.domain.seizures import FieldError
from interdict.domain.substances import catalogue, find_precursor
from interdict.schemas.common import DistributionChange
from interdict.schemas.precursor_incidents import (
    IncidentStatsOut,
    IncidentStatsRow,
    PrecursorIncidentCreate,
    PrecursorIncidentPublic,
)
from interdict.schemas.seizures import SeizureCreate, SeizureItemIn
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.pen import find_notification
from interdict.services.precursor_incident_views import public_page, stat_label
from interdict.services.records import (
    apply_distribution,
    audit_reads,
    change_distribution,
    owner_codes,
    read_one,
    require_writer,
)
from interdict.services.seizures import SeizureService
from interdict.services.sharing import (
    DistributionRequest,
    resolve_distribution,
    store_targets,
    visible_select,
)
from interdict.store.pen import PreExportNotification
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.seizures import Seizure

KIND = "precursor_incident"
LABEL = "precursor incident"


def raise_field_errors(errors: Sequence[FieldError]) -> None:
    if errors:
        raise BadInputError(
            "the precursor incident is not valid: " + "; ".join(f"{e.field}: {e.message}" for e in errors),
            {e.field: e.message for e in errors},
        )


def draft_from(data: PrecursorIncidentCreate) -> IncidentDraft:
    return IncidentDraft(
        kind=data.kind,
        occurred_on=data.occurred_on,
        country=data.country,
        summary=data.summary,
        chemicals=[ChemicalDraft(c.substance, c.quantity, c.unit) for c in data.chemicals],
        equipment=[EquipmentDraft(e.equipment, e.count, e.unit) for e in data.equipment],
        methods=data.methods,
        reference=data.reference,
        place=data.place,
        narrative=data.narrative,
        origin_country=data.origin_country,
        destination_country=data.destination_country,
        transit_countries=data.transit_countries,
    )


def visible_notification(session: Session, actor: Actor, ref: str) -> PreExportNotification:
    """The notification ``ref`` (uuid or reference) if the actor's agency may see it (``pen.find_notification``);
    else, on the incident's ``notification`` field, the same answer as for one that does not exist."""
    try:
        return find_notification(session, actor, ref)
    except NotFoundError:
        message = f"no notification {ref!r}"
        raise BadInputError(message, {"notification": message}) from None


@dataclass(frozen=True)
class IncidentFilters:
    kind: str | None = None
    country: str | None = None
    substance: str | None = None
    date_from: date | None = None
    date_to: date | None = None


class PrecursorIncidentService:
    def __init__(self, audit: AuditLog, seizures: SeizureService) -> None:
        self.audit = audit
        self.seizures = seizures

    # -- write ---------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: PrecursorIncidentCreate) -> PrecursorIncident:
        require_writer(actor)
        assert actor.agency_id is not None and actor.user_id is not None
        checked, errors = IncidentRules(actor.today).check(draft_from(data))
        raise_field_errors(errors)
        assert checked is not None
        request = DistributionRequest(
            data.distribution.value, data.agencies, data.mechanisms, data.handling_conditions
        )
        resolved = resolve_distribution(session, actor, request)
        notification = visible_notification(session, actor, data.notification) if data.notification else None
        self._require_new_reference(session, actor, checked.reference)
        record_uuid = str(uuid.uuid4())
        seizure = self._write_seizure(session, actor, data, checked, record_uuid)
        incident = PrecursorIncident(
            uuid=record_uuid,
            reference=checked.reference,
            kind=checked.kind.value,
            occurred_on=checked.occurred_on,
            country=checked.country,
            place=checked.place,
            summary=checked.summary,
            narrative=checked.narrative,
            methods=list(checked.methods),
            origin_country=checked.origin_country,
            destination_country=checked.destination_country,
            transit_countries=list(checked.transit_countries),
            notification_uuid=notification.uuid if notification else "",
            seizure_id=seizure.id if seizure else None,
            owner_agency_id=actor.agency_id,
            distribution=resolved.distribution.value,
            handling_conditions=list(resolved.handling_conditions),
            handling_notes=data.handling_notes,
            contains_personal_data=data.contains_personal_data,
            hit_notification=data.hit_notification,
            created_at=actor.now,
            updated_at=actor.now,
            created_by_id=actor.user_id,
            updated_by_id=actor.user_id,
            version=1,
        )
        session.add(incident)
        session.flush()
        session.add_all([item_row(incident.id, n, line) for n, line in enumerate(checked.lines, start=1)])
        store_targets(session, record_uuid, resolved)
        session.flush()
        detail: dict[str, Any] = {"kind": checked.kind.value, "lines": len(checked.lines)}
        if seizure is not None:
            detail["seizure"] = seizure.uuid
        if notification is not None:
            detail["notification"] = notification.uuid
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "record.create", "ok", KIND, record_uuid, actor.agency_code, incident.distribution, detail
            ),
        )
        return incident

    @staticmethod
    def _require_new_reference(session: Session, actor: Actor, reference: str) -> None:
        if not reference:
            return
        existing = session.scalar(
            select(PrecursorIncident.uuid).where(
                PrecursorIncident.owner_agency_id == actor.agency_id, PrecursorIncident.reference == reference
            )
        )
        if existing:
            raise ConflictError(
                f"your agency already reported precursor incident reference {reference!r} ({existing})",
                {"reference": f"{reference!r} is already used by your agency"},
            )

    def _write_seizure(
        self,
        session: Session,
        actor: Actor,
        data: PrecursorIncidentCreate,
        checked: CheckedIncident,
        record_uuid: str,
    ) -> Seizure | None:
        """The seizure record of the chemicals seized, if any: same owner, sharing, date and country."""
        seized = checked.seized_chemicals
        if not seized:
            return None
        name = f"{checked.reference} ({record_uuid})" if checked.reference else record_uuid
        body = SeizureCreate(
            seized_on=checked.occurred_on,
            country=checked.country,
            items=[
                SeizureItemIn(substance=line.substance, quantity=line.quantity, unit=line.unit)
                for line in seized
            ],
            place=checked.place,
            origin_country=checked.origin_country,
            destination_country=checked.destination_country,
            transit_countries=list(checked.transit_countries),
            narrative=f"Chemicals seized in precursor incident {name} "
            f"({checked.kind.label.lower()}): {checked.summary}",
            distribution=data.distribution,
            agencies=data.agencies,
            mechanisms=data.mechanisms,
            handling_conditions=data.handling_conditions,
            handling_notes=data.handling_notes,
            contains_personal_data=data.contains_personal_data,
            hit_notification=data.hit_notification,
        )
        return self.seizures.create(session, actor, body)

    def change_distribution(
        self, session: Session, actor: Actor, ref: str, data: DistributionChange
    ) -> PrecursorIncident:
        """The owner's change of an incident's distribution; its seizure record follows it."""
        incident = change_distribution(session, self.audit, actor, PrecursorIncident, ref, LABEL, KIND, data)
        if incident.seizure_id is not None:
            seizure = session.get(Seizure, incident.seizure_id)
            if seizure is not None and seizure.owner_agency_id == incident.owner_agency_id:
                request = DistributionRequest(
                    incident.distribution,
                    data.agencies,
                    data.mechanisms,
                    list(incident.handling_conditions),
                )
                reason = f"follows precursor incident {incident.uuid}" + (
                    f": {data.reason}" if data.reason else ""
                )
                apply_distribution(session, self.audit, actor, seizure, "seizure", request, reason)
        return incident

    # -- read ----------------------------------------------------------------------------------------
    def get(self, session: Session, actor: Actor, ref: str) -> PrecursorIncident:
        return read_one(session, self.audit, actor, PrecursorIncident, ref, LABEL, KIND)

    def query(self, session: Session, actor: Actor, f: IncidentFilters) -> Select[Any]:
        stmt = visible_select(session, actor, PrecursorIncident)
        if f.kind:
            stmt = stmt.where(PrecursorIncident.kind == f.kind)
        if f.country:
            stmt = stmt.where(PrecursorIncident.country == f.country.upper())
        if f.date_from:
            stmt = stmt.where(PrecursorIncident.occurred_on >= f.date_from)
        if f.date_to:
            stmt = stmt.where(PrecursorIncident.occurred_on <= f.date_to)
        if f.substance:
            sub = find_precursor(f.substance) or catalogue().resolve(f.substance)
            lines = select(PrecursorIncidentItem.incident_id).where(
                PrecursorIncidentItem.substance == (sub.code if sub else f.substance)
            )
            stmt = stmt.where(PrecursorIncident.id.in_(lines))
        return stmt

    def list(
        self, session: Session, actor: Actor, f: IncidentFilters, limit: int, offset: int
    ) -> tuple[builtins.list[PrecursorIncident], bool]:
        rows = builtins.list(
            session.scalars(
                self.query(session, actor, f)
                .order_by(PrecursorIncident.occurred_on.desc(), PrecursorIncident.id.desc())
                .limit(limit + 1)
                .offset(offset)
            )
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        audit_reads(session, self.audit, actor, rows, KIND, "list", owner_codes(session, rows))
        return rows, has_more

    def stats(
        self,
        session: Session,
        actor: Actor,
        by: str = "kind",
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> IncidentStatsOut:
        """Incidents, kilograms of chemicals and units of equipment over the incidents the actor's agency
        may see, grouped ``by`` kind, country, year, substance, equipment or method."""
        try:
            key = StatsKey(by)
        except ValueError:
            known = ", ".join(k.value for k in StatsKey)
            raise BadInputError(
                f"cannot group by {by!r}; expected one of {known}", {"by": f"expected one of {known}"}
            ) from None
        if date_from and date_to and date_from > date_to:
            raise BadInputError(
                f"date_from {date_from} is after date_to {date_to}",
                {"date_from": "must not be after date_to"},
            )
        incidents = self.query(
            session, actor, IncidentFilters(date_from=date_from, date_to=date_to)
        ).subquery()
        facts: dict[int, tuple[Any, builtins.list[CheckedLine]]] = {
            row.id: (row, [])
            for row in session.execute(
                select(
                    incidents.c.id,
                    incidents.c.kind,
                    incidents.c.country,
                    incidents.c.occurred_on,
                    incidents.c.methods,
                )
            )
        }
        items = select(PrecursorIncidentItem).where(
            PrecursorIncidentItem.incident_id.in_(select(incidents.c.id))
        )
        for it in session.scalars(items):
            facts[it.incident_id][1].append(line_of(it))
        rows = aggregate(
            (
                IncidentFacts(r.kind, r.country, r.occurred_on, tuple(r.methods or ()), tuple(lines))
                for r, lines in facts.values()
            ),
            key,
        )
        all_lines = [line for _, lines in facts.values() for line in lines]
        return IncidentStatsOut(
            by=key.value,
            date_from=date_from,
            date_to=date_to,
            rows=[
                IncidentStatsRow(
                    key=r.key,
                    label=stat_label(key, r.key),
                    incidents=r.incidents,
                    mass_kg=round(r.mass_kg, 6),
                    equipment_units=r.equipment_units,
                )
                for r in rows
            ],
            total_incidents=len(facts),
            total_mass_kg=round(sum(ln.mass_kg or 0.0 for ln in all_lines if ln.item_kind == "chemical"), 6),
            total_equipment_units=sum(ln.count or 0.0 for ln in all_lines if ln.item_kind == "equipment"),
            scope="the precursor incidents your agency may see",
        )

    def public_page(
        self, session: Session, actor: Actor, rows: Sequence[PrecursorIncident]
    ) -> builtins.list[PrecursorIncidentPublic]:
        return public_page(session, actor, rows)


def item_row(incident_id: int, n: int, line: CheckedLine) -> PrecursorIncidentItem:
    return PrecursorIncidentItem(
        incident_id=incident_id,
        line=n,
        item_kind=line.item_kind,
        substance=line.substance,
        equipment=line.equipment,
        reported_name=line.reported_name,
        quantity=line.quantity,
        unit=line.unit,
        mass_kg=line.mass_kg,
        count=line.count,
        count_unit=line.count_unit,
    )


def line_of(it: PrecursorIncidentItem) -> CheckedLine:
    return CheckedLine(
        it.item_kind,
        it.substance,
        it.equipment,
        it.reported_name,
        it.quantity,
        it.unit,
        it.mass_kg,
        it.count,
        it.count_unit,
    )


__all__ = ["KIND", "KIND_LABELS", "IncidentFilters", "IncidentKind", "PrecursorIncidentService"]

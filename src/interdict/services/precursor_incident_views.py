"""How precursor incidents are shown: a page of public records, and the labels of statistics keys.

A linked notification or seizure is named only when the viewer's agency may see it too (the one
visibility filter decides), so an incident shared more widely than its notification discloses nothing
about the notification.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.precursor_incidents import (
    EQUIPMENT_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    Equipment,
    IncidentKind,
    Method,
    StatsKey,
)
from interdict.domain.substances import catalogue
from interdict.schemas.precursor_incidents import IncidentLinePublic, PrecursorIncidentPublic
from interdict.services.context import Actor
from interdict.services.records import sharing_page, usernames
from interdict.services.sharing import visible_select
from interdict.services.structure import country_name
from interdict.store.pen import PreExportNotification
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.seizures import Seizure


def kind_label(code: str) -> str:
    return KIND_LABELS[IncidentKind(code)] if code in IncidentKind.__members__.values() else code


def equipment_label(code: str) -> str:
    return EQUIPMENT_LABELS[Equipment(code)] if code in Equipment.__members__.values() else code


def method_label(code: str) -> str:
    return METHOD_LABELS[Method(code)] if code in Method.__members__.values() else code


def substance_name(code: str) -> str:
    found = catalogue().get(code)
    return found.name if found else code


def stat_label(key: StatsKey, value: str) -> str:
    if key is StatsKey.KIND:
        return kind_label(value)
    if key is StatsKey.COUNTRY:
        return country_name(value) or value
    if key is StatsKey.SUBSTANCE:
        return substance_name(value)
    if key is StatsKey.EQUIPMENT:
        return equipment_label(value)
    if key is StatsKey.METHOD:
        return method_label(value)
    return value


def _visible_notifications(session: Session, actor: Actor, uuids: set[str]) -> dict[str, str]:
    """uuid -> reference of the notifications among ``uuids`` that the actor's agency may see."""
    if not uuids:
        return {}
    stmt = visible_select(session, actor, PreExportNotification).where(PreExportNotification.uuid.in_(uuids))
    return {n.uuid: n.reference for n in session.scalars(stmt)}


def _visible_seizures(session: Session, actor: Actor, ids: set[int]) -> dict[int, str]:
    """id -> uuid of the seizures among ``ids`` that the actor's agency may see."""
    if not ids:
        return {}
    stmt = visible_select(session, actor, Seizure).where(Seizure.id.in_(ids))
    return {s.id: s.uuid for s in session.scalars(stmt)}


def _lines(session: Session, ids: list[int]) -> dict[int, list[IncidentLinePublic]]:
    out: dict[int, list[IncidentLinePublic]] = {i: [] for i in ids}
    stmt = (
        select(PrecursorIncidentItem)
        .where(PrecursorIncidentItem.incident_id.in_(ids))
        .order_by(PrecursorIncidentItem.incident_id, PrecursorIncidentItem.line)
    )
    for it in session.scalars(stmt):
        out[it.incident_id].append(
            IncidentLinePublic(
                line=it.line,
                item_kind=it.item_kind,
                substance=it.substance,
                substance_name=substance_name(it.substance) if it.substance else "",
                equipment=it.equipment,
                equipment_label=equipment_label(it.equipment) if it.equipment else "",
                reported_name=it.reported_name,
                quantity=it.quantity,
                unit=it.unit,
                mass_kg=it.mass_kg,
                count=it.count,
                count_unit=it.count_unit,
            )
        )
    return out


def public_page(
    session: Session, actor: Actor, rows: Sequence[PrecursorIncident]
) -> list[PrecursorIncidentPublic]:
    """The records as the API and the pages show them, in a few statements whatever the page size."""
    if not rows:
        return []
    sharing = sharing_page(session, actor, rows)
    names = usernames(session, (r.created_by_id for r in rows))
    lines = _lines(session, [r.id for r in rows])
    notifications = _visible_notifications(
        session, actor, {r.notification_uuid for r in rows if r.notification_uuid}
    )
    seizures = _visible_seizures(session, actor, {r.seizure_id for r in rows if r.seizure_id is not None})
    out = []
    for r in rows:
        mine = lines[r.id]
        out.append(
            PrecursorIncidentPublic(
                uuid=r.uuid,
                reference=r.reference,
                kind=r.kind,
                kind_label=kind_label(r.kind),
                occurred_on=r.occurred_on,
                country=r.country,
                place=r.place,
                summary=r.summary,
                narrative=r.narrative,
                methods=list(r.methods),
                origin_country=r.origin_country,
                destination_country=r.destination_country,
                transit_countries=list(r.transit_countries),
                lines=mine,
                total_mass_kg=round(sum(ln.mass_kg or 0.0 for ln in mine if ln.item_kind == "chemical"), 6),
                equipment_units=sum(ln.count or 0.0 for ln in mine if ln.item_kind == "equipment"),
                notification=notifications.get(r.notification_uuid),
                notification_uuid=r.notification_uuid if r.notification_uuid in notifications else None,
                seizure_uuid=seizures.get(r.seizure_id) if r.seizure_id is not None else None,
                sharing=sharing[r.uuid],
                created_at=r.created_at,
                created_by=names.get(r.created_by_id, "?"),
                updated_at=r.updated_at,
                version=r.version,
            )
        )
    return out

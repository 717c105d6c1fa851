"""How a pre-export notification is shown to one viewer: its facts, its state with the deadline, the
diversion flags raised for the viewer's own authority only, what the viewer may do, and the log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from interdict.domain import pen as rules
from interdict.domain.pen import PenState, Side
from interdict.domain.roles import Permission
from interdict.domain.sharing import Distribution
from interdict.domain.substances import catalogue
from interdict.schemas.pen import Flag, PenEventOut, PenOut, PenSummary, TransitAuthority
from interdict.services.context import Actor
from interdict.services.pen import role_of, transit_agency_ids
from interdict.services.records import agency_codes, sharing_page, usernames
from interdict.services.sharing import visible_select
from interdict.store.pen import PenEvent, PreExportNotification

PEN = PreExportNotification


def viewer_flags(n: PEN, agency_code: str | None) -> list[Flag]:
    """Only the flags raised for the viewer's authority (each rule reads what that authority may see)."""
    return [
        Flag(
            rule=str(f.get("rule", "")), reason=str(f.get("reason", "")), details=dict(f.get("details") or {})
        )
        for f in n.flags
        if agency_code is not None and f.get("agency") == agency_code
    ]


def actions(actor: Actor, n: PEN) -> list[str]:
    """The moves the viewer may make now (``share`` included), as the service would allow them."""
    if not actor.can(Permission.WRITE_RECORDS):
        return []
    role = role_of(n, actor.agency_id)
    state = PenState(n.state)
    overdue = rules.is_overdue(state, n.answer_due, actor.today)
    if role == "importer":
        out = [m.value for m in rules.allowed_moves(state, overdue, Side.IMPORTER)]
        return out + (["share"] if n.distribution == Distribution.AGENCIES.value else [])
    if role == "exporter":
        return [m.value for m in rules.allowed_moves(state, overdue, Side.EXPORTER)] + ["share"]
    return []


def _summary(n: PEN, actor: Actor, codes: dict[int, str]) -> dict[str, Any]:
    state = PenState(n.state)
    substance = catalogue().get(n.substance)
    waiting = state is PenState.AWAITING_ANSWER
    return {
        "uuid": n.uuid,
        "reference": n.reference,
        "state": n.state,
        "role": role_of(n, actor.agency_id),
        "exporting_country": n.exporting_country,
        "exporting_authority": codes.get(n.owner_agency_id, "?"),
        "importing_country": n.importing_country,
        "importing_authority": codes.get(n.importing_agency_id, "?"),
        "exporter": n.exporter,
        "importer": n.importer,
        "substance": n.substance,
        "substance_name": substance.name if substance else n.substance,
        "quantity": n.quantity,
        "unit": n.unit,
        "mass_kg": n.mass_kg,
        "ship_date": n.ship_date,
        "notified_at": n.notified_at,
        "answer_due": n.answer_due,
        "overdue": rules.is_overdue(state, n.answer_due, actor.today),
        "days_left": rules.days_left(n.answer_due, actor.today) if waiting else None,
        "answer": n.answer,
        "answer_late": n.answer_late,
        "last_reminder_at": n.last_reminder_at,
        "flag_count": len(viewer_flags(n, actor.agency_code)),
        "version": n.version,
    }


def summaries(session: Session, actor: Actor, rows: Iterable[PEN]) -> list[PenSummary]:
    rows = list(rows)
    codes = agency_codes(session, [i for n in rows for i in (n.owner_agency_id, n.importing_agency_id)])
    return [PenSummary(**_summary(n, actor, codes)) for n in rows]


def public(session: Session, actor: Actor, n: PEN) -> PenOut:
    transit_ids = transit_agency_ids(n)
    codes = agency_codes(session, {n.owner_agency_id, n.importing_agency_id, *transit_ids})
    names = usernames(session, [n.answered_by_id])
    duplicate = None
    if n.duplicate_of_id is not None:  # named only where the viewer may see the earlier one
        duplicate = session.scalar(
            visible_select(session, actor, PEN)
            .with_only_columns(PEN.reference)
            .where(PEN.id == n.duplicate_of_id)
        )
    transit = [
        TransitAuthority(
            country=t["country"], agency=codes.get(int(t["agency_id"])) if t.get("agency_id") else None
        )
        for t in n.transit_authorities
    ]
    warnings = [
        f"transit country {t.country} has no designated competent authority; it was not notified"
        for t in transit
        if t.agency is None
    ]
    if duplicate:
        warnings.append(f"notified again although it repeats {duplicate}")
    return PenOut(
        **_summary(n, actor, codes),
        exporter_address=n.exporter_address,
        importer_address=n.importer_address,
        consignee=n.consignee,
        consignee_address=n.consignee_address,
        order_reference=n.order_reference,
        reported_name=n.reported_name,
        count=n.count,
        count_unit=n.count_unit,
        route=list(n.route),
        transit_countries=list(n.transit_countries),
        transit_authorities=transit,
        transport_mode=n.transport_mode,
        purpose=n.purpose,
        deadline_days=n.deadline_days,
        answer_reason=n.answer_reason,
        answered_at=n.answered_at,
        answered_by=names.get(n.answered_by_id) if n.answered_by_id else None,
        shipped=n.shipped,
        shipped_on=n.shipped_on,
        arrived_on=n.arrived_on,
        shipped_without_answer=bool(n.shipped is not None and n.answer is None),
        duplicate_of=duplicate,
        flags=viewer_flags(n, actor.agency_code),
        warnings=warnings,
        actions=actions(actor, n),
        sharing=sharing_page(session, actor, [n])[n.uuid],
        contains_personal_data=n.contains_personal_data,
        created_at=n.created_at,
        updated_at=n.updated_at,
    )


def event_views(session: Session, rows: Sequence[PenEvent]) -> list[PenEventOut]:
    codes = agency_codes(session, (e.agency_id for e in rows))
    names = usernames(session, (e.user_id for e in rows))
    return [
        PenEventOut(
            at=e.at,
            agency=codes.get(e.agency_id, "?"),
            user=names.get(e.user_id) if e.user_id else None,
            event=e.event,
            detail=dict(e.detail),
            late=e.late,
        )
        for e in rows
    ]


__all__ = ["actions", "event_views", "public", "summaries", "viewer_flags"]

"""Pre-export notifications (PEN) of precursor chemicals: the exporting country's competent authority
notifies the importing country's authority before a shipment; the importer answers within a deadline;
the exporter records whether the shipment went ahead and when it arrived.

Who. The exporting authority is the caller's agency, which must be the designated authority
(``services/pen_authorities.py``) of its own country; the importing authority is the designated authority
of the importing country. Only their writers act: the importer answers (``no_objection``, ``objection``
with a reason, ``information_requested`` with a question) and may change its answer while nothing has
shipped; the exporter provides information, withdraws, records the shipment and the arrival. An agency
that sees the notification but is not its importing authority is refused an answer, by name.

Who sees what. The notification is a shared record owned by the exporting authority, distributed to the
importing authority and the authorities of the transit countries named (a transit country without one
is recorded and the answer says so). Every read goes through the one visibility filter; anyone else gets
"not found", exactly as for a notification that does not exist. The exporter may widen the distribution
(more agencies, mechanisms, all) and the importer may add agencies; neither may leave out the importing
or transit authorities (checked with the sharing rule, ``domain/sharing.py``, before anything is written).

Deadlines and reminders (``domain/pen.py``): an answer after the deadline is recorded as late; once the
deadline has passed without an answer the exporter may record the shipment (shipped without answer).
``remind`` writes one reminder a day for each notification awaiting an answer that is due within three
days or overdue.

Log and audit. Every step appends a ``pen_events`` row and an audit row (``pen.notify``, ``pen.answer``,
``pen.information``, ``pen.shipment``, ``pen.arrival``, ``pen.withdraw``, ``pen.remind``,
``record.distribution``); reads of notifications of other agencies are audited (``record.read``).
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from interdict.domain import pen as rules
from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.pen import Answer, Move, PenState, Side
from interdict.domain.quantities import check_quantity, conversion, parse_unit
from interdict.domain.roles import Permission
from interdict.domain.sharing import Distribution, SharingFacts, reaches
from interdict.domain.substances import precursor_named
from interdict.schemas.pen import (
    AnswerIn,
    ArrivalIn,
    AuthorityOut,
    InformationIn,
    PenCreate,
    PenEventOut,
    PenOut,
    PenSharingIn,
    PenSummary,
    ShipmentIn,
    WithdrawalIn,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.diversion import DiversionService
from interdict.services.pen_authorities import (
    authorities_of,
    authority_row,
    country_code,
    designate,
    list_authorities,
)
from interdict.services.records import agency_codes, audit_reads, is_uuid, require_version, sharing_of
from interdict.services.sharing import (
    DistributionRequest,
    ResolvedDistribution,
    resolve_distribution,
    store_targets,
    visible_select,
)
from interdict.store.pen import PenEvent, PreExportNotification
from interdict.store.structure import Agency, Mechanism
from interdict.store.visibility import viewer_context

PEN = PreExportNotification
KIND = "pen_notification"
BOXES = ("inbox", "outbox", "transit", "all")
STATES = tuple(s.value for s in PenState)


def _agency_of(actor: Actor) -> int:
    if actor.agency_id is None or actor.user_id is None:
        raise BadInputError("pre-export notifications need a user of an agency")
    return actor.agency_id


def required_agency_ids(n: PEN) -> set[int]:
    """The authorities the distribution must keep reaching: the importing one and the transit ones."""
    return {n.importing_agency_id} | {
        int(t["agency_id"]) for t in n.transit_authorities if t.get("agency_id")
    }


def transit_agency_ids(n: PEN) -> set[int]:
    return {int(t["agency_id"]) for t in n.transit_authorities if t.get("agency_id")}


def role_of(n: PEN, agency_id: int | None) -> str:
    if agency_id == n.owner_agency_id:
        return "exporter"
    if agency_id == n.importing_agency_id:
        return "importer"
    return "transit" if agency_id in transit_agency_ids(n) else "shared"


def find_notification(session: Session, actor: Actor, ref: str, lock: bool = False) -> PEN:
    """By uuid or PEN reference, if the actor's agency may see it; otherwise "not found" in the same
    words as for one that does not exist."""
    _agency_of(actor)
    key = ref.strip()
    if is_uuid(key):
        cond = PEN.uuid == key.lower()
    elif rules.REFERENCE_PATTERN.match(key.upper()):
        cond = PEN.reference == key.upper()
    else:
        raise NotFoundError(f"no pre-export notification {ref!r}")
    stmt = visible_select(session, actor, PEN).where(cond)
    if lock:
        stmt = stmt.with_for_update(of=PEN).execution_options(populate_existing=True)
    found: PEN | None = session.scalars(stmt).one_or_none()
    if found is None:
        raise NotFoundError(f"no pre-export notification {ref!r}")
    return found


class PenService:
    def __init__(self, audit: AuditLog, diversion: DiversionService) -> None:
        self.audit = audit
        self.diversion = diversion

    # -- reading -----------------------------------------------------------------------------------------
    def _find(self, session: Session, actor: Actor, ref: str, lock: bool = False) -> PEN:
        return find_notification(session, actor, ref, lock)

    def get(self, session: Session, actor: Actor, ref: str) -> PEN:
        n = self._find(session, actor, ref)
        audit_reads(session, self.audit, actor, [n], KIND, "get", agency_codes(session, [n.owner_agency_id]))
        return n

    def list_for(
        self,
        session: Session,
        actor: Actor,
        box: str = "all",
        state: str | None = None,
        overdue: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[PEN], bool]:
        """``inbox`` (addressed to the agency: overdue first, then by due day, then information requested,
        then the rest), ``outbox`` (its own), ``transit`` (naming it as a transit authority) or ``all``;
        the reads of other agencies' notifications are audited."""
        rows, more = self._list(session, actor, box, state, overdue, limit, offset)
        owners = agency_codes(session, (n.owner_agency_id for n in rows))
        audit_reads(session, self.audit, actor, rows, KIND, "list", owners)
        return rows, more

    def _list(
        self,
        session: Session,
        actor: Actor,
        box: str,
        state: str | None,
        overdue: bool | None,
        limit: int,
        offset: int,
    ) -> tuple[list[PEN], bool]:
        agency = _agency_of(actor)
        if box not in BOXES:
            raise BadInputError(f"box {box!r} is not one of {', '.join(BOXES)}", {"box": ", ".join(BOXES)})
        stmt = visible_select(session, actor, PEN)
        if state:
            if state not in STATES:
                known = ", ".join(STATES)
                raise BadInputError(f"state {state!r} is not one of {known}", {"state": f"one of {known}"})
            stmt = stmt.where(PEN.state == state)
        today = actor.today
        is_overdue = and_(PEN.state == PenState.AWAITING_ANSWER.value, PEN.answer_due < today)
        if overdue is True:
            stmt = stmt.where(is_overdue)
        elif overdue is False:
            stmt = stmt.where(~is_overdue)
        if box == "inbox":
            rank = case(
                (is_overdue, 0),
                (PEN.state == PenState.AWAITING_ANSWER.value, 1),
                (PEN.state == PenState.INFO_REQUESTED.value, 2),
                else_=3,
            )
            stmt = stmt.where(PEN.importing_agency_id == agency).order_by(rank, PEN.answer_due, PEN.id.desc())
            return _page(session, stmt, limit, offset)
        stmt = stmt.order_by(PEN.notified_at.desc(), PEN.id.desc())
        if box == "outbox":
            return _page(session, stmt.where(PEN.owner_agency_id == agency), limit, offset)
        if box == "transit":
            stmt = stmt.where(PEN.owner_agency_id != agency, PEN.importing_agency_id != agency)
            rows = [n for n in session.scalars(stmt) if agency in transit_agency_ids(n)]
            return rows[offset : offset + limit], len(rows) > offset + limit
        return _page(session, stmt, limit, offset)

    def events(self, session: Session, actor: Actor, ref: str) -> tuple[PEN, list[PenEvent]]:
        n = self.get(session, actor, ref)
        rows = list(
            session.scalars(select(PenEvent).where(PenEvent.notification_id == n.id).order_by(PenEvent.id))
        )
        return n, rows

    # -- notifying ---------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: PenCreate) -> PEN:
        """Validate everything, then write the notification, its distribution, its log and its flags."""
        agency_id = _agency_of(actor)
        _require_writer(actor, "notify exports")
        exporting = self._exporting_country(session, agency_id)
        importing = country_code(data.importing_country, "importing_country")
        if importing == exporting:
            message = f"importing_country {importing!r} is the exporting country; expected another country"
            raise BadInputError(message, {"importing_country": message})
        found = authorities_of(session, [importing])
        if importing not in found:
            message = f"no competent authority is designated for importing country {importing!r}"
            raise BadInputError(message, {"importing_country": message})
        importer_authority = found[importing]
        substance = precursor_named(data.substance)
        unit = parse_unit(data.unit)
        quantity = check_quantity(data.quantity)
        conv = conversion(substance, unit)
        mass_kg, count = conv.apply(quantity)
        route = [self._leg(i, leg.model_dump()) for i, leg in enumerate(data.route)]
        transit = self._transit(data.transit_countries, route, exporting, importing)
        transit_found = authorities_of(session, transit)
        transit_authorities = [
            {"country": c, "agency_id": transit_found[c].agency_id if c in transit_found else None}
            for c in transit
        ]
        notified_on = actor.today
        due = rules.answer_due(notified_on, data.deadline_days)
        duplicate = self._duplicate(session, agency_id, data, substance.code, unit.value)
        if duplicate is not None and not data.confirm_duplicate:
            message = (
                f"this notification repeats {duplicate.reference} (same importer, substance, quantity, ship date "
                "and order reference); send confirm_duplicate=true to notify it again"
            )
            raise ConflictError(message, {"confirm_duplicate": f"duplicate of {duplicate.reference}"})
        transit_codes = {transit_found[c].agency_code for c in transit if c in transit_found}
        codes = [importer_authority.agency_code, *sorted(transit_codes - {importer_authority.agency_code})]
        resolved = resolve_distribution(session, actor, DistributionRequest("agencies", codes))
        required = {importer_authority.agency_id} | {a.agency_id for a in transit_found.values()}
        self._check_reach(session, agency_id, required, resolved, data.contains_personal_data, actor.today)
        assert actor.user_id is not None
        n = PEN(
            uuid=str(uuidlib.uuid4()),
            reference=self._next_reference(session, exporting, notified_on.year),
            owner_agency_id=agency_id,
            created_by_id=actor.user_id,
            updated_by_id=actor.user_id,
            created_at=actor.now,
            updated_at=actor.now,
            version=1,
            distribution=Distribution.AGENCIES.value,
            handling_conditions=[],
            handling_notes="",
            contains_personal_data=data.contains_personal_data,
            hit_notification=True,
            exporting_country=exporting,
            importing_country=importing,
            importing_agency_id=importer_authority.agency_id,
            exporter=data.exporter,
            exporter_address=data.exporter_address,
            importer=data.importer,
            importer_address=data.importer_address,
            consignee=data.consignee,
            consignee_address=data.consignee_address,
            order_reference=data.order_reference,
            substance=substance.code,
            reported_name=data.substance if data.substance != substance.code else "",
            quantity=quantity,
            unit=unit.value,
            mass_kg=mass_kg,
            count=count,
            count_unit=(conv.count_unit or "") if count is not None else "",
            route=route,
            transit_countries=transit,
            transit_authorities=transit_authorities,
            transport_mode=data.transport_mode,
            ship_date=data.ship_date,
            purpose=data.purpose,
            deadline_days=data.deadline_days,
            notified_at=actor.now,
            answer_due=due,
            state=PenState.AWAITING_ANSWER.value,
            answer=None,
            answer_reason="",
            answer_late=False,
            flags=[],
            duplicate_of_id=duplicate.id if duplicate is not None else None,
        )
        session.add(n)
        session.flush()
        store_targets(session, n.uuid, resolved)
        n.flags = list(self.diversion.flags_for(session, n))
        missing = [c for c in transit if c not in transit_found]
        detail: dict[str, Any] = {
            "importing_authority": importer_authority.agency_code,
            "transit_without_authority": missing,
            "answer_due": due.isoformat(),
            "duplicate_of": duplicate.reference if duplicate is not None else None,
        }
        self._event(session, actor, n, "notified", detail)
        self._audit(session, actor, "pen.notify", n, {**detail, "flags": len(n.flags)})
        session.flush()
        return n

    def _exporting_country(self, session: Session, agency_id: int) -> str:
        agency = session.get(Agency, agency_id)
        assert agency is not None
        row = authority_row(session, agency.country) if agency.country else None
        if row is None or row.agency_id != agency_id:
            raise ForbiddenError(
                f"{agency.code} is not the designated competent authority for precursor control of "
                f"{agency.country or 'any country'}; only that authority notifies exports"
            )
        return str(agency.country)

    @staticmethod
    def _leg(i: int, leg: dict[str, Any]) -> dict[str, Any]:
        return {**leg, "country": country_code(leg["country"], f"route[{i}].country")}

    @staticmethod
    def _transit(
        given: Sequence[str], route: list[dict[str, Any]], exporting: str, importing: str
    ) -> list[str]:
        codes = [country_code(c, f"transit_countries[{i}]") for i, c in enumerate(given)]
        codes += [leg["country"] for leg in route]
        return [c for c in dict.fromkeys(codes) if c not in (exporting, importing)]

    def _duplicate(
        self, session: Session, agency_id: int, data: PenCreate, code: str, unit: str
    ) -> PEN | None:
        key = rules.DuplicateKey.of(
            data.importer, code, data.quantity, unit, data.ship_date, data.order_reference
        )
        candidates = session.scalars(
            select(PEN)
            .where(
                PEN.owner_agency_id == agency_id,
                PEN.substance == code,
                PEN.ship_date == data.ship_date,
                PEN.state != PenState.WITHDRAWN.value,
            )
            .order_by(PEN.id)
        )
        for n in candidates:
            if (
                rules.DuplicateKey.of(
                    n.importer, n.substance, n.quantity, n.unit, n.ship_date, n.order_reference
                )
                == key
            ):
                return n
        return None

    def _next_reference(self, session: Session, country: str, year: int) -> str:
        authority_row(session, country, lock=True)  # serialises numbering per exporting country
        prefix = rules.reference_prefix(country, year)
        last = session.scalar(select(func.max(PEN.reference)).where(PEN.reference.like(prefix + "%")))
        sequence = (rules.sequence_of(last) or 0) if last else 0
        return rules.format_reference(country, year, sequence + 1)

    # -- moves -------------------------------------------------------------------------------------------
    def answer(self, session: Session, actor: Actor, ref: str, data: AnswerIn) -> PEN:
        n = self._for_move(session, actor, ref, Move(data.answer.value), data.version)
        reason = data.reason.strip()
        if data.answer is not Answer.NO_OBJECTION and not reason:
            what = "the reason" if data.answer is Answer.OBJECTION else "the question"
            message = f"an answer of {data.answer.value} needs {what} in reason"
            raise BadInputError(message, {"reason": message})
        before = PenState(n.state)
        late = rules.is_late(before, n.answer_due, actor.today)
        changed_from = n.answer
        n.state = rules.next_state(before, Move(data.answer.value)).value
        n.answer, n.answer_reason = data.answer.value, reason
        n.answered_at, n.answered_by_id = actor.now, actor.user_id
        n.answer_late = n.answer_late or late
        detail: dict[str, Any] = {"answer": data.answer.value, "reason": reason, "from": before.value}
        if changed_from is not None and before is not PenState.AWAITING_ANSWER:
            detail["changed_from"] = changed_from
        if late:
            detail["days_late"] = (actor.today - n.answer_due).days
        self._touch(n, actor)
        self._event(session, actor, n, "answered", detail, late=late)
        self._audit(session, actor, "pen.answer", n, {**detail, "late": late})
        return n

    def provide_information(self, session: Session, actor: Actor, ref: str, data: InformationIn) -> PEN:
        n = self._for_move(session, actor, ref, Move.PROVIDE_INFORMATION, data.version)
        n.state = rules.next_state(PenState(n.state), Move.PROVIDE_INFORMATION).value
        n.answer_due = rules.answer_due(actor.today, n.deadline_days)
        self._touch(n, actor)
        detail = {"information": data.information, "answer_due": n.answer_due.isoformat()}
        self._event(session, actor, n, "information_provided", detail)
        self._audit(session, actor, "pen.information", n, {"answer_due": n.answer_due.isoformat()})
        return n

    def record_shipment(self, session: Session, actor: Actor, ref: str, data: ShipmentIn) -> PEN:
        move = Move.SHIP if data.shipped else Move.NOT_SHIP
        n = self._for_move(session, actor, ref, move, data.version)
        before = PenState(n.state)
        overdue = rules.is_overdue(before, n.answer_due, actor.today)
        detail: dict[str, Any] = {"note": data.note, "without_answer": before is PenState.AWAITING_ANSWER}
        if data.shipped:
            if data.shipped_on is None:
                message = "shipped_on is required when the shipment went ahead; expected a date"
                raise BadInputError(message, {"shipped_on": message})
            rules.check_shipped_on(data.shipped_on, n.notified_at.date(), actor.today)
            n.state = rules.next_state(before, move, overdue).value
            n.shipped, n.shipped_on = True, data.shipped_on
            detail["shipped_on"] = data.shipped_on.isoformat()
        else:
            if data.shipped_on is not None:
                message = "shipped_on is only for a shipment that went ahead (shipped=true)"
                raise BadInputError(message, {"shipped_on": message})
            n.state = rules.next_state(before, move, overdue).value
            n.shipped = False
        self._touch(n, actor)
        self._event(session, actor, n, "shipped" if data.shipped else "not_shipped", detail)
        self._audit(session, actor, "pen.shipment", n, detail)
        return n

    def record_arrival(self, session: Session, actor: Actor, ref: str, data: ArrivalIn) -> PEN:
        n = self._for_move(session, actor, ref, Move.ARRIVE, data.version)
        n.state = rules.next_state(PenState(n.state), Move.ARRIVE).value
        n.arrived_on = rules.check_arrived_on(data.arrived_on, n.shipped_on, actor.today)
        self._touch(n, actor)
        detail = {"arrived_on": data.arrived_on.isoformat(), "note": data.note}
        self._event(session, actor, n, "arrived", detail)
        self._audit(session, actor, "pen.arrival", n, detail)
        return n

    def withdraw(self, session: Session, actor: Actor, ref: str, data: WithdrawalIn) -> PEN:
        n = self._for_move(session, actor, ref, Move.WITHDRAW, data.version)
        before = n.state
        n.state = rules.next_state(PenState(n.state), Move.WITHDRAW).value
        self._touch(n, actor)
        detail = {"reason": data.reason, "from": before}
        self._event(session, actor, n, "withdrawn", detail)
        self._audit(session, actor, "pen.withdraw", n, detail)
        return n

    def _for_move(self, session: Session, actor: Actor, ref: str, move: Move, version: int) -> PEN:
        """Find (locked), then check side, role, version and state, in that order, naming what is wrong."""
        agency_id = _agency_of(actor)
        n = self._find(session, actor, ref, lock=True)
        codes = agency_codes(session, [n.owner_agency_id, n.importing_agency_id])
        if move.side is Side.IMPORTER and agency_id != n.importing_agency_id:
            raise ForbiddenError(
                f"{n.reference} is addressed to {codes[n.importing_agency_id]}, the competent authority of "
                f"{n.importing_country}; only that authority may answer it"
            )
        if move.side is Side.EXPORTER and agency_id != n.owner_agency_id:
            raise ForbiddenError(
                f"only the exporting authority of {n.reference}, {codes[n.owner_agency_id]}, may {move.value} it"
            )
        _require_writer(actor, "act on pre-export notifications")
        require_version(n, version, "notification")
        state = PenState(n.state)
        rules.next_state(
            state, move, rules.is_overdue(state, n.answer_due, actor.today)
        )  # refused: names why
        return n

    # -- reminders ---------------------------------------------------------------------------------------
    def remind(self, session: Session, actor: Actor, today: date) -> list[PEN]:
        """One reminder today for each notification awaiting an answer that is due within three days or
        overdue (the console or a platform admin; a daily timer runs ``interdict precursors remind``)."""
        if not actor.can(Permission.MANAGE_STRUCTURE):
            raise ForbiddenError("only the console or a platform admin sends reminders")
        horizon = date.fromordinal(today.toordinal() + rules.REMIND_WITHIN_DAYS)
        candidates = session.scalars(
            select(PEN)
            .where(PEN.state == PenState.AWAITING_ANSWER.value, PEN.answer_due <= horizon)
            .order_by(PEN.answer_due, PEN.id)
            .with_for_update()
        )
        out: list[PEN] = []
        events: list[AuditEvent] = []
        codes: dict[int, str] = {}
        for n in candidates:
            last = n.last_reminder_at.date() if n.last_reminder_at else None
            if not rules.needs_reminder(PenState(n.state), n.answer_due, today, last):
                continue
            overdue = rules.is_overdue(PenState(n.state), n.answer_due, today)
            detail = {
                "answer_due": n.answer_due.isoformat(),
                "overdue": overdue,
                "days_left": rules.days_left(n.answer_due, today),
            }
            n.last_reminder_at = actor.now
            session.add(
                PenEvent(
                    notification_id=n.id,
                    at=actor.now,
                    agency_id=n.owner_agency_id,
                    user_id=actor.user_id,
                    event="reminder",
                    detail=detail,
                    late=overdue,
                )
            )
            out.append(n)
            codes.update(agency_codes(session, [n.owner_agency_id]) if n.owner_agency_id not in codes else {})
            events.append(
                AuditEvent(
                    "pen.remind",
                    "ok",
                    KIND,
                    n.uuid,
                    codes[n.owner_agency_id],
                    n.distribution,
                    {"reference": n.reference, **detail},
                )
            )
        if events:
            self.audit.record_many(session, actor, events)
        session.flush()
        return out

    # -- sharing -----------------------------------------------------------------------------------------
    def change_distribution(self, session: Session, actor: Actor, ref: str, data: PenSharingIn) -> PEN:
        """The exporter widens the distribution; the importer adds agencies. Neither may leave out the
        importing or transit authorities; the importer may not drop anyone."""
        agency_id = _agency_of(actor)
        n = self._find(session, actor, ref, lock=True)
        role = role_of(n, agency_id)
        if role not in ("exporter", "importer"):
            codes = agency_codes(session, [n.owner_agency_id, n.importing_agency_id])
            raise ForbiddenError(
                f"only the exporting authority ({codes[n.owner_agency_id]}) or the importing authority "
                f"({codes[n.importing_agency_id]}) may share {n.reference} further"
            )
        _require_writer(actor, "share pre-export notifications")
        require_version(n, data.version, "notification")
        conditions = n.handling_conditions if data.handling_conditions is None else data.handling_conditions
        req = DistributionRequest(data.distribution.value, data.agencies, data.mechanisms, conditions)
        before = sharing_of(session, n)
        if role == "importer":
            self._importer_may(n, before.distribution, before.agencies, data)
        resolved = resolve_distribution(session, actor, req)
        self._check_reach(
            session,
            n.owner_agency_id,
            required_agency_ids(n),
            resolved,
            n.contains_personal_data,
            actor.today,
        )
        n.distribution = resolved.distribution.value
        n.handling_conditions = list(resolved.handling_conditions)
        store_targets(session, n.uuid, resolved)
        self._touch(n, actor)
        session.flush()
        after = sharing_of(session, n)
        summary = {
            "before": {
                "distribution": before.distribution.value,
                "agencies": before.agencies,
                "mechanisms": before.mechanisms,
            },
            "after": {
                "distribution": after.distribution.value,
                "agencies": after.agencies,
                "mechanisms": after.mechanisms,
            },
            "reason": data.reason[:500],
        }
        self._event(session, actor, n, "shared", summary)
        owner = agency_codes(session, [n.owner_agency_id])[n.owner_agency_id]
        self.audit.record(
            session,
            actor,
            AuditEvent("record.distribution", "ok", KIND, n.uuid, owner, n.distribution, summary),
        )
        return n

    @staticmethod
    def _importer_may(n: PEN, current: Distribution, agencies: list[str], data: PenSharingIn) -> None:
        if current is not Distribution.AGENCIES:
            message = (
                f"{n.reference} is shared with {current.value}; only the exporting authority may change that"
            )
            raise ForbiddenError(message)
        if data.distribution is not Distribution.AGENCIES:
            message = "the importing authority may only add agencies (distribution 'agencies')"
            raise ForbiddenError(message)
        wanted = {c.strip().upper() for c in data.agencies}
        dropped = [c for c in agencies if c not in wanted]
        if dropped:
            message = f"the importing authority may only add agencies; keep {', '.join(dropped)}"
            raise BadInputError(message, {"agencies": message})

    @staticmethod
    def _check_reach(
        session: Session,
        owner_id: int,
        required: set[int],
        resolved: ResolvedDistribution,
        personal: bool,
        day: date,
    ) -> None:
        """Refuse, naming them, a sharing that would leave out an importing or transit authority."""
        ids = set(required) | {owner_id} | set(resolved.agency_ids)
        codes = agency_codes(session, ids)
        mechanism_codes = (
            dict(session.execute(select(Mechanism.id, Mechanism.code)).all())
            if resolved.mechanism_ids
            else {}
        )
        facts = SharingFacts(
            owner=codes[owner_id],
            distribution=resolved.distribution,
            agencies=frozenset(codes[i] for i in resolved.agency_ids),
            mechanisms=frozenset(mechanism_codes[i] for i in resolved.mechanism_ids),
            contains_personal_data=personal,
        )
        left_out = []
        for agency_id in sorted(required):
            ctx = viewer_context(session, agency_id, day)
            mechs = {mechanism_codes[m] for m in ctx.mechanism_ids if m in mechanism_codes}
            ok = reaches(codes[agency_id], facts, mechs) and (
                not personal or owner_id in ctx.personal_data_partner_ids
            )
            if not ok:
                left_out.append(codes[agency_id])
        if left_out:
            why = " (no personal-data agreement with the exporting authority)" if personal else ""
            message = (
                f"this sharing would leave out {', '.join(left_out)}, the importing or transit "
                f"authorit{'ies' if len(left_out) > 1 else 'y'} of the notification{why}; they must keep seeing it"
            )
            raise BadInputError(message, {"distribution": message})

    # -- authorities (services/pen_authorities.py) and output (services/pen_views.py) ----------------------
    def authorities(self, session: Session, actor: Actor) -> list[AuthorityOut]:
        _ = actor  # every signed-in user may read the address book
        return list_authorities(session)

    def designate(self, session: Session, actor: Actor, country: str, agency: str) -> AuthorityOut:
        return designate(session, self.audit, actor, country, agency)

    def public(self, session: Session, actor: Actor, n: PEN) -> PenOut:
        from interdict.services.pen_views import public

        return public(session, actor, n)

    def summaries(self, session: Session, actor: Actor, rows: Sequence[PEN]) -> list[PenSummary]:
        from interdict.services.pen_views import summaries

        return summaries(session, actor, rows)

    def event_views(self, session: Session, rows: Sequence[PenEvent]) -> list[PenEventOut]:
        from interdict.services.pen_views import event_views

        return event_views(session, rows)

    # -- plumbing ----------------------------------------------------------------------------------------
    @staticmethod
    def _touch(n: PEN, actor: Actor) -> None:
        assert actor.user_id is not None
        n.updated_at, n.updated_by_id = actor.now, actor.user_id
        n.version += 1

    @staticmethod
    def _event(
        session: Session, actor: Actor, n: PEN, event: str, detail: dict[str, Any], late: bool = False
    ) -> None:
        assert actor.agency_id is not None
        session.add(
            PenEvent(
                notification_id=n.id,
                at=actor.now,
                agency_id=actor.agency_id,
                user_id=actor.user_id,
                event=event,
                detail=detail,
                late=late,
            )
        )

    def _audit(self, session: Session, actor: Actor, action: str, n: PEN, detail: dict[str, Any]) -> None:
        owner = agency_codes(session, [n.owner_agency_id])[n.owner_agency_id]
        self.audit.record(
            session,
            actor,
            AuditEvent(
                action, "ok", KIND, n.uuid, owner, n.distribution, {"reference": n.reference, **detail}
            ),
        )


def _require_writer(actor: Actor, what: str) -> None:
    if not actor.can(Permission.WRITE_RECORDS):
        raise ForbiddenError(
            f"your roles do not allow you to {what}: that needs an analyst, investigator, liaison officer "
            "or supervisor"
        )


def _page(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[PEN], bool]:
    rows = list(session.scalars(stmt.limit(limit + 1).offset(offset)))
    return rows[:limit], len(rows) > limit


__all__ = [
    "BOXES",
    "KIND",
    "STATES",
    "PenService",
    "required_agency_ids",
    "role_of",
    "transit_agency_ids",
]

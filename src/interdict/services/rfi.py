"""Requests for information (RFI): one agency asks another a question, about a blind cross-check hit, a
record, or anything, to be answered by a date.

Who sees what. A request is seen by exactly two agencies, the requester and the recipient, whatever their
roles; for anyone else it answers "not found", exactly like a request that does not exist (by reference
or uuid). Every role of the two agencies reads requests and their threads; writing (sending, acknowledging,
messaging, answering, declining, withdrawing) needs a writing role (analyst, investigator, liaison officer,
supervisor). The overdue listing is for supervisors of either agency.

States::

    sent ──acknowledge──> acknowledged
    sent | acknowledged ──answer──> answered       (recipient; may attach records)
    sent | acknowledged ──decline──> declined      (recipient; with a reason)
    sent | acknowledged ──withdraw──> withdrawn    (requester; reason optional)
    messages: either side, while sent, acknowledged or answered (a follow-up on an answer)

*Overdue* is not a stored state: a request still sent or acknowledged whose due date is before today (the
actor's UTC day) is overdue. Lists and pages show it beside the state; supervisors have a listing of it.

Attached records. An answer may attach records the recipient agency owns (intelligence reports, seizures,
entities). Attaching never widens sharing silently: a record the requester can already see is attached as
it is; a record shared with named agencies (``agencies``) gets the requester added as a named target, an
audited distribution change like any other; a record shared with the owner only (``agency``), or whose
distribution does not reach the requester, is refused with what to do, and so is a record with personal
data where no agreement in force lets it go to the requester. The requester then reads the record through
the sharing rule like any record. Whatever is refused, nothing of the answer is written.

Audit. Each action appends one row (``rfi.create``, ``rfi.acknowledge``, ``rfi.message``, ``rfi.answer``,
``rfi.decline``, ``rfi.withdraw``) naming the request's uuid, with the acting agency as the row's owner:
each agency's supervisors find their own users' actions in their part of the log, and the request's thread
shows both sides. A distribution change an attachment makes is audited as ``record.distribution`` too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.roles import Permission, Role
from interdict.schemas.rfi import (
    RfiAnswerIn,
    RfiAttachmentOut,
    RfiCreate,
    RfiDeclineIn,
    RfiMessageIn,
    RfiMessageOut,
    RfiOut,
    RfiSummary,
    RfiWithdrawIn,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import agency_code, agency_codes, apply_distribution, is_uuid
from interdict.services.sharing import DistributionRequest, active_agencies, targets_for, visible_select
from interdict.store.entities import Entity
from interdict.store.identity import User
from interdict.store.records import IntelReport
from interdict.store.rfi import InformationRequest, RfiAttachment, RfiMessage
from interdict.store.seizures import Seizure
from interdict.store.visibility import viewer_context, visible

OBJECT_TYPE = "rfi"
REFERENCE = re.compile(r"RFI-\d{4}-\d{6,12}", re.IGNORECASE)
DEFAULT_DAYS = 15
OPEN = ("sent", "acknowledged")
STATES = ("sent", "acknowledged", "answered", "declined", "withdrawn")
FILTERS = (*STATES, "overdue")  # the state filter of the lists: a stored state, or the derived one

# The states each action may start from (the state machine of the module docstring).
FROM: dict[str, tuple[str, ...]] = {
    "acknowledge": ("sent",),
    "answer": OPEN,
    "decline": OPEN,
    "withdraw": OPEN,
    "message": (*OPEN, "answered"),
}
# Which side acts: the recipient agency, the requester agency, or either.
SIDE: dict[str, str] = {
    "acknowledge": "recipient",
    "answer": "recipient",
    "decline": "recipient",
    "withdraw": "requester",
    "message": "either",
}


@dataclass(frozen=True)
class RecordKind:
    model: Any
    kind: str  # as the audit log and the attachment rows name it
    label: str  # as messages name it


RECORD_KINDS = (
    RecordKind(IntelReport, "intel_report", "intelligence report"),
    RecordKind(Seizure, "seizure", "seizure"),
    RecordKind(Entity, "entity", "entity"),
)


def _agency_of(actor: Actor) -> int:
    if actor.agency_id is None or actor.user_id is None:
        raise BadInputError("requests for information need a user of an agency")
    return actor.agency_id


def is_overdue(req: InformationRequest, today: date) -> bool:
    return req.state in OPEN and req.due_on < today


class RfiService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- reading -----------------------------------------------------------------------------------------
    @staticmethod
    def _party(actor: Actor) -> ColumnElement[bool]:
        agency = _agency_of(actor)
        return or_(
            InformationRequest.requester_agency_id == agency, InformationRequest.recipient_agency_id == agency
        )

    def _find(self, session: Session, actor: Actor, ref: str, lock: bool = False) -> InformationRequest:
        """The request by reference (any case) or uuid, if the actor's agency is one of its two parties;
        otherwise the same "not found" as for a request that does not exist."""
        key = ref.strip()
        if is_uuid(key):
            stmt = select(InformationRequest).where(InformationRequest.uuid == key.lower())
        elif REFERENCE.fullmatch(key):
            stmt = select(InformationRequest).where(InformationRequest.reference == key.upper())
        else:  # nothing else can name a request: no query (a NUL or a 10 kB path never reaches the store)
            raise NotFoundError(f"no request for information {ref!r}")
        stmt = stmt.where(self._party(actor))
        if lock:  # PostgreSQL: hold the row until commit, so two answers cannot both pass the state check
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        req = session.scalars(stmt).one_or_none()
        if req is None:
            raise NotFoundError(f"no request for information {ref!r}")
        return req

    def get(self, session: Session, actor: Actor, ref: str) -> InformationRequest:
        return self._find(session, actor, ref)

    def list_for(
        self,
        session: Session,
        actor: Actor,
        box: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[InformationRequest], bool]:
        """The agency's requests, newest first: ``incoming`` (asked of it), ``outgoing`` (it asked), or both;
        ``state`` is a stored state or ``overdue``."""
        agency = _agency_of(actor)
        if box == "incoming":
            stmt = select(InformationRequest).where(InformationRequest.recipient_agency_id == agency)
        elif box == "outgoing":
            stmt = select(InformationRequest).where(InformationRequest.requester_agency_id == agency)
        elif box is None:
            stmt = select(InformationRequest).where(self._party(actor))
        else:
            raise BadInputError(f"box {box!r} is not one of incoming, outgoing", {"box": "incoming or outgoing"})
        if state == "overdue":
            stmt = stmt.where(self._overdue(actor.today))
        elif state:
            if state not in STATES:
                known = ", ".join(FILTERS)
                raise BadInputError(f"state {state!r} is not one of {known}", {"state": f"one of {known}"})
            stmt = stmt.where(InformationRequest.state == state)
        order = (InformationRequest.created_at.desc(), InformationRequest.id.desc())
        return self._page(session, stmt.order_by(*order), limit, offset)

    def overdue_for(
        self, session: Session, actor: Actor, limit: int = 200, offset: int = 0
    ) -> tuple[list[InformationRequest], bool]:
        """Overdue requests of the supervisor's agency, either side, the longest overdue first."""
        if Role.SUPERVISOR not in actor.roles:
            raise ForbiddenError("the overdue listing is for supervisors")
        stmt = (
            select(InformationRequest)
            .where(self._party(actor), self._overdue(actor.today))
            .order_by(InformationRequest.due_on, InformationRequest.id)
        )
        return self._page(session, stmt, limit, offset)

    @staticmethod
    def _overdue(today: date) -> ColumnElement[bool]:
        return and_(InformationRequest.state.in_(OPEN), InformationRequest.due_on < today)

    @staticmethod
    def _page(
        session: Session, stmt: Select[InformationRequest], limit: int, offset: int
    ) -> tuple[list[InformationRequest], bool]:
        rows = list(session.scalars(stmt.limit(limit + 1).offset(offset)))
        return rows[:limit], len(rows) > limit

    # -- sending -----------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: RfiCreate) -> InformationRequest:
        agency = _agency_of(actor)
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to send requests for information")
        found, unknown = active_agencies(session, [data.recipient])
        if unknown:
            raise BadInputError(
                f"recipient {data.recipient!r} is not the code of an active agency",
                {"recipient": f"unknown agency code {data.recipient!r}"},
            )
        recipient = found[data.recipient]
        if recipient == agency:
            raise BadInputError(
                "a request for information goes to another agency, not your own",
                {"recipient": f"{data.recipient!r} is your own agency"},
            )
        due = data.due_on or actor.today + timedelta(days=DEFAULT_DAYS)
        if due < actor.today:
            message = f"due date {due.isoformat()} is in the past; expected {actor.today.isoformat()} or later"
            raise BadInputError(message, {"due_on": message})
        subject_ref = self._subject(session, actor, data.subject_kind, data.subject_ref)
        assert actor.user_id is not None
        req = InformationRequest(
            uuid=str(uuid.uuid4()),
            reference=f"PENDING-{uuid.uuid4().hex[:24]}",  # replaced below, once the row has its id
            requester_agency_id=agency,
            requested_by_id=actor.user_id,
            recipient_agency_id=recipient,
            subject_kind=data.subject_kind,
            subject_ref=subject_ref,
            title=data.title,
            body=data.body,
            priority=data.priority,
            due_on=due,
            state="sent",
            created_at=actor.now,
            updated_at=actor.now,
            version=1,
        )
        session.add(req)
        session.flush()
        req.reference = f"RFI-{actor.now.year}-{req.id:06d}"
        session.flush()
        self._audit(session, actor, "rfi.create", req, {
            "reference": req.reference,
            "recipient": data.recipient,
            "subject_kind": req.subject_kind,
            # A record's uuid; not the free text of a hit (it may name a person, and the log is forever).
            "subject_ref": req.subject_ref if req.subject_kind == "record" else None,
            "priority": req.priority,
            "due_on": req.due_on.isoformat(),
        })
        return req

    def _subject(self, session: Session, actor: Actor, kind: str, ref: str | None) -> str | None:
        ref = (ref or "").strip() or None
        if kind == "question":
            if ref is not None:
                raise BadInputError(
                    "a free question names no subject; use subject_kind 'record' or 'hit' to name one",
                    {"subject_ref": "expected none with subject_kind 'question'"},
                )
            return None
        if ref is None:
            what = "the uuid of the record" if kind == "record" else "a note of the hit (agency and query)"
            raise BadInputError(
                f"subject_kind {kind!r} needs subject_ref: {what}", {"subject_ref": f"required: {what}"}
            )
        if kind == "record":
            # Only a record the requester can see (the same answer whether it is missing or hidden).
            if not is_uuid(ref) or self._visible_record(session, actor, ref.lower()) is None:
                raise BadInputError(
                    f"subject_ref {ref!r} is not the uuid of a record your agency can see",
                    {"subject_ref": "expected the uuid of an intelligence report, seizure or entity you can see"},
                )
            return ref.lower()
        return ref

    @staticmethod
    def _visible_record(session: Session, actor: Actor, record_uuid: str) -> tuple[RecordKind, Any] | None:
        for rk in RECORD_KINDS:
            row = session.scalars(
                visible_select(session, actor, rk.model).where(rk.model.uuid == record_uuid)
            ).one_or_none()
            if row is not None:
                return rk, row
        return None

    # -- transitions ---------------------------------------------------------------------------------------
    def _transition(self, session: Session, actor: Actor, ref: str, action: str) -> InformationRequest:
        """Find the request, then check side, role and state, in that order, naming what is wrong."""
        req = self._find(session, actor, ref, lock=True)
        side = SIDE[action]
        if side == "recipient" and req.recipient_agency_id != actor.agency_id:
            raise ForbiddenError(f"only the recipient agency may {action} request {req.reference}")
        if side == "requester" and req.requester_agency_id != actor.agency_id:
            raise ForbiddenError(f"only the requesting agency may {action} request {req.reference}")
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError(
                f"your roles do not allow you to {action} requests for information: "
                "that needs an analyst, investigator, liaison officer or supervisor"
            )
        if req.state not in FROM[action]:
            verb = {"message": "take new messages"}.get(action, f"be {_past(action)}")
            raise ConflictError(
                f"request {req.reference} is {req.state}; it cannot {verb}",
                {"state": f"{req.state}; expected {' or '.join(FROM[action])}"},
            )
        return req

    def acknowledge(self, session: Session, actor: Actor, ref: str) -> InformationRequest:
        req = self._transition(session, actor, ref, "acknowledge")
        req.state, req.acknowledged_at = "acknowledged", actor.now
        self._touch(req, actor)
        self._audit(session, actor, "rfi.acknowledge", req, {"reference": req.reference})
        return req

    def message(self, session: Session, actor: Actor, ref: str, data: RfiMessageIn) -> InformationRequest:
        req = self._transition(session, actor, ref, "message")
        msg = self._add_message(session, actor, req, "message", data.body)
        self._touch(req, actor)
        self._audit(session, actor, "rfi.message", req, {"reference": req.reference, "message": msg.uuid})
        return req

    def decline(self, session: Session, actor: Actor, ref: str, data: RfiDeclineIn) -> InformationRequest:
        req = self._transition(session, actor, ref, "decline")
        msg = self._add_message(session, actor, req, "decline", data.reason)
        req.state, req.closed_at = "declined", actor.now
        self._touch(req, actor)
        self._audit(session, actor, "rfi.decline", req, {"reference": req.reference, "message": msg.uuid})
        return req

    def withdraw(self, session: Session, actor: Actor, ref: str, data: RfiWithdrawIn) -> InformationRequest:
        req = self._transition(session, actor, ref, "withdraw")
        detail: dict[str, Any] = {"reference": req.reference}
        if data.reason:
            detail["message"] = self._add_message(session, actor, req, "withdraw", data.reason).uuid
        req.state, req.closed_at = "withdrawn", actor.now
        self._touch(req, actor)
        self._audit(session, actor, "rfi.withdraw", req, detail)
        return req

    def answer(self, session: Session, actor: Actor, ref: str, data: RfiAnswerIn) -> InformationRequest:
        req = self._transition(session, actor, ref, "answer")
        records = self._attachable(session, actor, req, data.records)
        msg = self._add_message(session, actor, req, "answer", data.body)
        requester = agency_code(session, req.requester_agency_id)
        shared: list[str] = []
        for rk, record in records:
            if not self._reaches(session, rk, record.uuid, req.requester_agency_id, actor.today):
                self._share_with_requester(session, actor, req, rk, record, requester)
                shared.append(record.uuid)
            session.add(RfiAttachment(message_id=msg.id, record_uuid=record.uuid, record_kind=rk.kind))
        req.state, req.answered_at, req.closed_at = "answered", actor.now, actor.now
        self._touch(req, actor)
        self._audit(session, actor, "rfi.answer", req, {
            "reference": req.reference,
            "message": msg.uuid,
            "records": [r.uuid for _, r in records],
            "shared_with_requester": shared,
        })
        return req

    def _attachable(
        self, session: Session, actor: Actor, req: InformationRequest, refs: Sequence[str]
    ) -> list[tuple[RecordKind, Any]]:
        """The records to attach: each must be the recipient agency's own (the same words whether it is
        another agency's, hidden or missing, so nothing is learnt by trying uuids), and reach the
        requester as it is or by adding the requester to its named agencies."""
        out: list[tuple[RecordKind, Any]] = []
        problems: list[str] = []
        requester = agency_code(session, req.requester_agency_id)
        for ref in dict.fromkeys(r.strip().lower() for r in refs):
            found = self._visible_record(session, actor, ref) if is_uuid(ref) else None
            if found is None or found[1].owner_agency_id != actor.agency_id:
                problems.append(
                    f"record {ref!r} is not a record of your agency (intelligence report, seizure or entity): "
                    "only your agency's own records can be attached"
                )
                continue
            rk, record = found
            if self._reaches(session, rk, record.uuid, req.requester_agency_id, actor.today):
                out.append(found)
            elif record.distribution == "agency":
                problems.append(
                    f"{rk.label} {record.uuid!r} is shared with your agency only (distribution 'agency'): "
                    f"widen its distribution to 'agencies' naming {requester} (or wider) first, then attach it"
                )
            elif record.distribution == "agencies":
                out.append(found)  # the requester is added to its agencies, then checked (personal data)
            else:
                problems.append(
                    f"{rk.label} {record.uuid!r} (distribution {record.distribution!r}"
                    f"{', with personal data' if record.contains_personal_data else ''}) does not reach "
                    f"{requester}: change its distribution so that it does, then attach it"
                )
        if problems:
            raise BadInputError("; ".join(problems), {"records": "; ".join(problems)})
        return out

    def _share_with_requester(
        self,
        session: Session,
        actor: Actor,
        req: InformationRequest,
        rk: RecordKind,
        record: Any,
        requester: str,
    ) -> None:
        """Add the requester to a record's named agencies (an audited distribution change), then check
        that the rule lets it see the record; if not (personal data, no agreement) refuse the answer."""
        targets = targets_for(session, record.uuid)
        apply_distribution(
            session,
            self.audit,
            actor,
            record,
            rk.kind,
            DistributionRequest(
                "agencies", sorted({*targets.agencies, requester}), [], list(record.handling_conditions)
            ),
            f"attached to the answer to request for information {req.reference}",
        )
        if not self._reaches(session, rk, record.uuid, req.requester_agency_id, actor.today):
            message = (
                f"{rk.label} {record.uuid!r} contains personal data and no sharing agreement in force allows "
                f"personal data to go to {requester}: it cannot be attached"
            )
            raise BadInputError(message, {"records": message})

    @staticmethod
    def _reaches(session: Session, rk: RecordKind, record_uuid: str, agency_id: int, day: date) -> bool:
        """Whether the sharing rule (the one SQL filter) lets ``agency_id`` see the record."""
        ctx = viewer_context(session, agency_id, day)
        stmt = select(rk.model.uuid).where(rk.model.uuid == record_uuid, visible(rk.model, ctx))
        return session.scalar(stmt) is not None

    # -- plumbing ------------------------------------------------------------------------------------------
    @staticmethod
    def _add_message(
        session: Session, actor: Actor, req: InformationRequest, kind: str, body: str
    ) -> RfiMessage:
        assert actor.agency_id is not None and actor.user_id is not None
        msg = RfiMessage(
            uuid=str(uuid.uuid4()),
            request_id=req.id,
            author_agency_id=actor.agency_id,
            author_id=actor.user_id,
            kind=kind,
            body=body,
            created_at=actor.now,
        )
        session.add(msg)
        session.flush()
        return msg

    @staticmethod
    def _touch(req: InformationRequest, actor: Actor) -> None:
        req.updated_at = actor.now
        req.version += 1

    def _audit(
        self, session: Session, actor: Actor, action: str, req: InformationRequest, detail: dict[str, Any]
    ) -> None:
        self.audit.record(
            session, actor, AuditEvent(action, "ok", OBJECT_TYPE, req.uuid, actor.agency_code, None, detail)
        )

    # -- output --------------------------------------------------------------------------------------------
    def actions(self, actor: Actor, req: InformationRequest) -> list[str]:
        """What the actor may do with the request now (the same checks as the actions themselves)."""
        if not actor.can(Permission.WRITE_RECORDS):
            return []
        sides = {
            "recipient": req.recipient_agency_id == actor.agency_id,
            "requester": req.requester_agency_id == actor.agency_id,
            "either": True,
        }
        return [a for a in FROM if sides[SIDE[a]] and req.state in FROM[a]]

    def summaries(self, session: Session, actor: Actor, rows: Iterable[InformationRequest]) -> list[RfiSummary]:
        rows = list(rows)
        codes = agency_codes(session, {r.requester_agency_id for r in rows} | {r.recipient_agency_id for r in rows})
        users = _usernames(session, {r.requested_by_id for r in rows})
        return [RfiSummary(**_summary_fields(r, codes, users, actor.today)) for r in rows]

    def public(self, session: Session, actor: Actor, req: InformationRequest) -> RfiOut:
        messages = list(
            session.scalars(
                select(RfiMessage).where(RfiMessage.request_id == req.id).order_by(RfiMessage.created_at, RfiMessage.id)
            )
        )
        attachments: dict[int, list[RfiAttachmentOut]] = {}
        if messages:
            for a in session.scalars(
                select(RfiAttachment)
                .where(RfiAttachment.message_id.in_([m.id for m in messages]))
                .order_by(RfiAttachment.record_kind, RfiAttachment.record_uuid)
            ):
                attachments.setdefault(a.message_id, []).append(
                    RfiAttachmentOut(record_uuid=a.record_uuid, record_kind=a.record_kind)
                )
        codes = agency_codes(
            session,
            {req.requester_agency_id, req.recipient_agency_id} | {m.author_agency_id for m in messages},
        )
        users = _usernames(session, {req.requested_by_id} | {m.author_id for m in messages})
        return RfiOut(
            **_summary_fields(req, codes, users, actor.today),
            body=req.body,
            acknowledged_at=req.acknowledged_at,
            answered_at=req.answered_at,
            closed_at=req.closed_at,
            messages=[
                RfiMessageOut(
                    uuid=m.uuid,
                    kind=m.kind,
                    author_agency=codes.get(m.author_agency_id, "?"),
                    author=users.get(m.author_id, "?"),
                    body=m.body,
                    created_at=m.created_at,
                    attachments=attachments.get(m.id, []),
                )
                for m in messages
            ],
            actions=self.actions(actor, req),
        )


def _past(action: str) -> str:
    return {"acknowledge": "acknowledged", "answer": "answered", "decline": "declined"}.get(
        action, f"{action}n"
    )


def _summary_fields(
    r: InformationRequest, codes: dict[int, str], users: dict[int, str], today: date
) -> dict[str, Any]:
    return {
        "reference": r.reference,
        "uuid": r.uuid,
        "requester_agency": codes.get(r.requester_agency_id, "?"),
        "requested_by": users.get(r.requested_by_id, "?"),
        "recipient_agency": codes.get(r.recipient_agency_id, "?"),
        "subject_kind": r.subject_kind,
        "subject_ref": r.subject_ref,
        "title": r.title,
        "priority": r.priority,
        "due_on": r.due_on,
        "state": r.state,
        "overdue": is_overdue(r, today),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "version": r.version,
    }


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


__all__ = ["FILTERS", "STATES", "RfiService", "is_overdue"]

"""Case files and joint investigations: a case owned by an agency, the agencies it invites, the records
participants link to it, its investigation log and discussion; syndicates group cases
(services/case_syndicates.py).

Who sees what. A case is seen by its owner agency and its current participants, whatever their roles; for
anyone else it answers "not found", exactly like a case that does not exist. A participant removed (or
leaving) sees nothing of it from the next request. Writing needs a writing role (analyst, investigator,
liaison officer, supervisor): the owner's writers edit the case, move its status and invite or remove
participants; every participant's writers (the owner's included) link records, write notes and messages;
a participant's writers may take their own agency out of the case.

Linked records. A participant links a seizure, an entity or an intelligence report that its agency may see
(the one visibility filter). A link grants nothing: each viewer is shown a linked record only where the
record's own sharing rule lets the viewer's agency see it, and a link it may not see is simply absent (no
count, no placeholder). So each participant contributes under its own rules; to let a partner see a linked
record, its owner changes the record's distribution like any other. The agency that made a link, or the
case's owner, may remove it.

Statuses (``domain/cases.py``): open <-> suspended, either -> closed, closed -> open (reopened). Only the
owner moves a case; a closed case takes no change but reopening, except that access may still be cut (the
owner removes a participant, a participant leaves). Each move is written to the case's log with its
reason.

Audit. Each action appends one row (``case.create``, ``case.update``, ``case.status``, ``case.invite``,
``case.remove``, ``case.link``, ``case.unlink``, ``case.note``, ``case.message``) naming the case's uuid,
with the acting agency as the row's owner, as for requests for information; reading a case audits the
reads of other agencies' linked records (``record.read`` via ``case``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from interdict.domain.cases import TRANSITIONS, CaseStatus, Offence, may_move, parse_offences, writable
from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.roles import Permission
from interdict.schemas.cases import (
    CaseCreate,
    CaseOut,
    CaseStatusIn,
    CaseSummary,
    CaseUpdate,
    LinkIn,
    MessageIn,
    NoteIn,
    ParticipantIn,
    SyndicateOut,
    SyndicateRef,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.case_syndicates import list_syndicates, show_syndicate
from interdict.services.case_views import (
    KIND_OF,
    case_actions,
    find_visible_record,
    in_scope,
    is_organisation,
    public,
    summaries,
)
from interdict.services.context import Actor
from interdict.services.records import is_uuid, require_version
from interdict.services.sharing import active_agencies, visible_select
from interdict.store.cases import Case, CaseEntry, CaseLink, CaseParticipant
from interdict.store.entities import Entity

OBJECT_TYPE = "case"
STATUSES = tuple(s.value for s in CaseStatus)


def _agency_of(actor: Actor) -> int:
    if actor.agency_id is None or actor.user_id is None:
        raise BadInputError("case files need a user of an agency")
    return actor.agency_id


class CaseService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- reading -----------------------------------------------------------------------------------------
    def _find(self, session: Session, actor: Actor, ref: str, lock: bool = False) -> Case:
        """The case by uuid if the actor's agency owns it or takes part; otherwise the same "not found" as
        for a case that does not exist."""
        agency = _agency_of(actor)
        key = ref.strip()
        if not is_uuid(key):  # nothing else names a case: no query
            raise NotFoundError(f"no case {ref!r}")
        stmt = select(Case).where(Case.uuid == key.lower(), in_scope(agency))
        if lock:  # PostgreSQL: two status moves cannot both pass the check
            stmt = stmt.with_for_update(of=Case).execution_options(populate_existing=True)
        case = session.scalars(stmt).one_or_none()
        if case is None:
            raise NotFoundError(f"no case {ref!r}")
        return case

    def get(self, session: Session, actor: Actor, ref: str) -> Case:
        return self._find(session, actor, ref)

    def list_for(
        self,
        session: Session,
        actor: Actor,
        status: str | None = None,
        box: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Case], bool]:
        """The agency's cases, last changed first: ``owned``, ``joined`` (another agency's), or both."""
        agency = _agency_of(actor)
        stmt = select(Case).where(in_scope(agency))
        if box == "owned":
            stmt = stmt.where(Case.owner_agency_id == agency)
        elif box == "joined":
            stmt = stmt.where(Case.owner_agency_id != agency)
        elif box is not None:
            raise BadInputError(f"box {box!r} is not one of owned, joined", {"box": "owned or joined"})
        if status:
            if status not in STATUSES:
                known = ", ".join(STATUSES)
                raise BadInputError(f"status {status!r} is not one of {known}", {"status": f"one of {known}"})
            stmt = stmt.where(Case.status == status)
        return _page(session, stmt.order_by(Case.updated_at.desc(), Case.id.desc()), limit, offset)

    # -- writing -----------------------------------------------------------------------------------------
    def create(self, session: Session, actor: Actor, data: CaseCreate) -> Case:
        agency = _agency_of(actor)
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to open cases")
        offences = _offences(data.offences)
        syndicate = self._syndicate(session, actor, data.syndicate)
        invited = self._invitees(session, agency, data.participants, "participants")
        assert actor.user_id is not None
        case = Case(
            uuid=str(uuid.uuid4()),
            owner_agency_id=agency,
            created_by_id=actor.user_id,
            updated_by_id=actor.user_id,
            title=data.title,
            summary=data.summary,
            status=CaseStatus.OPEN.value,
            offences=offences,
            syndicate_id=syndicate.id if syndicate else None,
            created_at=actor.now,
            updated_at=actor.now,
            version=1,
        )
        session.add(case)
        session.flush()
        for agency_id in invited.values():
            session.add(
                CaseParticipant(
                    case_id=case.id, agency_id=agency_id, invited_by_id=actor.user_id, joined_at=actor.now
                )
            )
        session.flush()
        self._audit(
            session,
            actor,
            "case.create",
            case,
            {
                "offences": offences,
                "syndicate": syndicate.uuid if syndicate else None,
                "participants": sorted(invited),
            },
        )
        return case

    def update(self, session: Session, actor: Actor, ref: str, data: CaseUpdate) -> Case:
        case = self._writable(session, actor, ref, "change", owner_only=True)
        require_version(case, data.version, "case")
        changed: list[str] = []
        if data.title is not None and data.title != case.title:
            case.title = data.title
            changed.append("title")
        if data.summary is not None and data.summary != case.summary:
            case.summary = data.summary
            changed.append("summary")
        if data.offences is not None:
            offences = _offences(data.offences)
            if offences != case.offences:
                case.offences = offences
                changed.append("offences")
        detail: dict[str, Any] = {"fields": changed}
        if data.syndicate is not None:
            syndicate = self._syndicate(session, actor, data.syndicate or None)
            new_id = syndicate.id if syndicate else None
            if new_id != case.syndicate_id:
                case.syndicate_id = new_id
                changed.append("syndicate")
                detail["syndicate"] = syndicate.uuid if syndicate else None
        if changed:
            self._touch(case, actor, bump=True)
            self._audit(session, actor, "case.update", case, detail)
        return case

    def set_status(self, session: Session, actor: Actor, ref: str, data: CaseStatusIn) -> Case:
        case = self._find(session, actor, ref, lock=True)
        self._require(actor, case, "change the status of", owner_only=True)
        if not may_move(case.status, data.status):
            raise ConflictError(
                f"case {case.uuid} is {case.status}; it cannot become {data.status}",
                {"status": f"{case.status}; it can become {' or '.join(_moves(case.status))}"},
            )
        before = case.status
        case.status = data.status
        case.closed_at = actor.now if data.status == CaseStatus.CLOSED.value else None
        text = f"{before} → {data.status}" + (f": {data.reason}" if data.reason else "")
        entry = self._entry(session, actor, case, "status", text)
        self._touch(case, actor, bump=True)
        self._audit(
            session, actor, "case.status", case, {"from": before, "to": data.status, "entry": entry.uuid}
        )
        return case

    def invite(self, session: Session, actor: Actor, ref: str, data: ParticipantIn) -> Case:
        case = self._writable(session, actor, ref, "invite agencies to", owner_only=True)
        code = data.agency.strip().upper()
        agency_id = self._invitees(session, case.owner_agency_id, [code])[code]
        row = session.get(CaseParticipant, (case.id, agency_id))
        if row is not None and row.removed_at is None:
            raise ConflictError(
                f"{code} already takes part in case {case.uuid}", {"agency": "already takes part"}
            )
        assert actor.user_id is not None
        if row is None:
            session.add(
                CaseParticipant(
                    case_id=case.id, agency_id=agency_id, invited_by_id=actor.user_id, joined_at=actor.now
                )
            )
        else:
            row.removed_at, row.joined_at, row.invited_by_id = None, actor.now, actor.user_id
        self._touch(case, actor)
        session.flush()
        self._audit(session, actor, "case.invite", case, {"agency": code})
        return case

    def remove(self, session: Session, actor: Actor, ref: str, agency_code: str) -> Case:
        """The owner takes a participant out, or a participant's writers take their own agency out."""
        case = self._find(session, actor, ref, lock=True)
        code = agency_code.strip().upper()
        leaving = code == actor.agency_code
        if not leaving and case.owner_agency_id != actor.agency_id:
            raise ForbiddenError(f"only the owner agency may remove other agencies from case {case.uuid}")
        self._require(actor, case, "remove participants from")
        found, _ = active_agencies(session, [code])
        row = session.get(CaseParticipant, (case.id, found[code])) if code in found else None
        if row is None or row.removed_at is not None:
            if leaving and case.owner_agency_id == actor.agency_id:
                raise BadInputError(
                    f"{code} owns case {case.uuid}; the owner cannot leave its case",
                    {"agency": "the owner agency"},
                )
            raise BadInputError(
                f"{code} does not take part in case {case.uuid}", {"agency": "not a participant"}
            )
        row.removed_at = actor.now
        self._touch(case, actor)
        self._audit(session, actor, "case.remove", case, {"agency": code, "left": leaving})
        return case

    def link(self, session: Session, actor: Actor, ref: str, data: LinkIn) -> Case:
        case = self._writable(session, actor, ref, "link records to")
        record_uuid = data.record.strip().lower()
        found = find_visible_record(session, actor, record_uuid) if is_uuid(record_uuid) else None
        if found is None:  # the same words whether the record is missing or hidden
            raise BadInputError(
                f"record {data.record!r} is not a seizure, entity or intelligence report your agency can see",
                {"record": "expected the uuid of a seizure, entity or intelligence report you can see"},
            )
        lk, _ = found
        exists_ = session.scalar(
            select(CaseLink.id).where(CaseLink.case_id == case.id, CaseLink.record_uuid == record_uuid)
        )
        if exists_ is not None:
            raise ConflictError(
                f"{lk.label} {record_uuid} is already linked to case {case.uuid}",
                {"record": "already linked"},
            )
        assert actor.agency_id is not None and actor.user_id is not None
        session.add(
            CaseLink(
                case_id=case.id,
                record_uuid=record_uuid,
                record_kind=lk.kind,
                linked_by_agency_id=actor.agency_id,
                linked_by_id=actor.user_id,
                note=data.note,
                created_at=actor.now,
            )
        )
        self._touch(case, actor)
        session.flush()
        self._audit(session, actor, "case.link", case, {"record": record_uuid, "kind": lk.kind})
        return case

    def unlink(self, session: Session, actor: Actor, ref: str, record: str) -> Case:
        case = self._writable(session, actor, ref, "unlink records from")
        record_uuid = record.strip().lower()
        row = (
            session.scalars(
                select(CaseLink).where(CaseLink.case_id == case.id, CaseLink.record_uuid == record_uuid)
            ).one_or_none()
            if is_uuid(record_uuid)
            else None
        )
        # A link to a record the actor may not see is "not linked", as for one that does not exist.
        if row is None or find_visible_record(session, actor, record_uuid, KIND_OF[row.record_kind]) is None:
            raise NotFoundError(f"no record {record!r} linked to case {case.uuid}")
        if row.linked_by_agency_id != actor.agency_id and case.owner_agency_id != actor.agency_id:
            raise ForbiddenError("only the agency that linked a record, or the case's owner, may unlink it")
        session.delete(row)
        self._touch(case, actor)
        self._audit(session, actor, "case.unlink", case, {"record": record_uuid, "kind": row.record_kind})
        return case

    def note(self, session: Session, actor: Actor, ref: str, data: NoteIn) -> Case:
        case = self._writable(session, actor, ref, "write notes in")
        entry = self._entry(session, actor, case, "note", data.body)
        self._touch(case, actor)
        self._audit(session, actor, "case.note", case, {"entry": entry.uuid})
        return case

    def message(self, session: Session, actor: Actor, ref: str, data: MessageIn) -> Case:
        case = self._writable(session, actor, ref, "write messages in")
        reply_to = None
        if data.reply_to:
            key = data.reply_to.strip().lower()
            reply_to = (
                session.scalar(
                    select(CaseEntry.id).where(CaseEntry.case_id == case.id, CaseEntry.uuid == key)
                )
                if is_uuid(key)
                else None
            )
            if reply_to is None:
                raise BadInputError(
                    f"reply_to {data.reply_to!r} is not an entry of case {case.uuid}",
                    {"reply_to": "expected the uuid of an entry of this case"},
                )
        entry = self._entry(session, actor, case, "message", data.body, reply_to)
        self._touch(case, actor)
        self._audit(session, actor, "case.message", case, {"entry": entry.uuid})
        return case

    # -- checks --------------------------------------------------------------------------------------------
    def _require(self, actor: Actor, case: Case, what: str, owner_only: bool = False) -> None:
        if owner_only and case.owner_agency_id != actor.agency_id:
            raise ForbiddenError(f"only the owner agency may {what} case {case.uuid}")
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError(
                f"your roles do not allow you to {what} cases: "
                "that needs an analyst, investigator, liaison officer or supervisor"
            )

    def _writable(
        self, session: Session, actor: Actor, ref: str, what: str, owner_only: bool = False
    ) -> Case:
        """Find the case, then check side, role and status, in that order, naming what is wrong."""
        case = self._find(session, actor, ref, lock=True)
        self._require(actor, case, what, owner_only)
        if not writable(case.status):
            raise ConflictError(
                f"case {case.uuid} is closed; the owner agency must reopen it before it changes",
                {"status": "closed; expected open or suspended"},
            )
        return case

    def _syndicate(self, session: Session, actor: Actor, ref: str | None) -> Entity | None:
        if ref is None:
            return None
        key = ref.strip().lower()
        entity: Entity | None = (
            session.scalars(visible_select(session, actor, Entity).where(Entity.uuid == key)).one_or_none()
            if is_uuid(key)
            else None
        )
        if entity is None:
            raise BadInputError(
                f"syndicate {ref!r} is not an entity your agency can see",
                {"syndicate": "expected the uuid of an Organization entity you can see"},
            )
        if not is_organisation(entity.schema):
            raise BadInputError(
                f"syndicate {ref!r} is a {entity.schema}, not an Organization",
                {"syndicate": "expected an Organization (or Company) entity"},
            )
        return entity

    @staticmethod
    def _invitees(
        session: Session, owner_id: int, codes: Iterable[str], field: str = "agency"
    ) -> dict[str, int]:
        wanted = list(dict.fromkeys(c.strip().upper() for c in codes))
        found, unknown = active_agencies(session, wanted)
        if unknown:
            message = "not the code of an active agency: " + ", ".join(repr(c) for c in unknown)
            raise BadInputError(f"agency {message}", {field: message})
        own = [c for c, i in found.items() if i == owner_id]
        if own:
            raise BadInputError(
                f"{own[0]} owns the case; invite other agencies",
                {field: f"{own[0]!r} is the owner agency"},
            )
        return found

    # -- plumbing ------------------------------------------------------------------------------------------
    @staticmethod
    def _entry(
        session: Session, actor: Actor, case: Case, kind: str, body: str, reply_to: int | None = None
    ) -> CaseEntry:
        assert actor.agency_id is not None and actor.user_id is not None
        entry = CaseEntry(
            uuid=str(uuid.uuid4()),
            case_id=case.id,
            kind=kind,
            author_agency_id=actor.agency_id,
            author_id=actor.user_id,
            body=body,
            reply_to_id=reply_to,
            created_at=actor.now,
        )
        session.add(entry)
        session.flush()
        return entry

    @staticmethod
    def _touch(case: Case, actor: Actor, bump: bool = False) -> None:
        assert actor.user_id is not None
        case.updated_at, case.updated_by_id = actor.now, actor.user_id
        if bump:
            case.version += 1

    def _audit(self, session: Session, actor: Actor, action: str, case: Case, detail: dict[str, Any]) -> None:
        self.audit.record(
            session, actor, AuditEvent(action, "ok", OBJECT_TYPE, case.uuid, actor.agency_code, None, detail)
        )

    # -- output (services/case_views.py) ------------------------------------------------------------------
    def actions(self, actor: Actor, case: Case) -> list[str]:
        return case_actions(actor, case)

    def summaries(self, session: Session, actor: Actor, rows: Iterable[Case]) -> list[CaseSummary]:
        return summaries(session, actor, rows)

    def public(self, session: Session, actor: Actor, case: Case) -> CaseOut:
        return public(session, self.audit, actor, case)

    # -- syndicates (services/case_syndicates.py) -----------------------------------------------------------
    def syndicates(self, session: Session, actor: Actor) -> list[SyndicateRef]:
        _agency_of(actor)
        return list_syndicates(session, actor)

    def syndicate(self, session: Session, actor: Actor, ref: str) -> SyndicateOut:
        _agency_of(actor)
        return show_syndicate(session, self.audit, actor, ref)


def _offences(values: list[str]) -> list[str]:
    """The offence codes named, or BadInputError naming every value outside the vocabulary."""
    good, bad = parse_offences(values)
    if bad:
        known = ", ".join(o.value for o in Offence)
        message = f"unknown offence(s) {', '.join(repr(b) for b in bad)}; expected one of {known}"
        raise BadInputError(message, {"offences": message})
    return good


def _moves(status: str) -> list[str]:
    return sorted(s.value for s in TRANSITIONS[CaseStatus(status)])


def _page(session: Session, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Case], bool]:
    rows = list(session.scalars(stmt.limit(limit + 1).offset(offset)))
    return rows[:limit], len(rows) > limit


__all__ = ["STATUSES", "CaseService"]

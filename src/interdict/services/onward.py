"""Onward-sharing requests: a recipient asks the owner to share a record further; the owner decides."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.roles import Permission
from interdict.domain.sharing import Distribution
from interdict.schemas.intel import OnwardDecision, OnwardRequestCreate, OnwardRequestPublic
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.intel import KIND, IntelService
from interdict.services.records import agency_code, get_visible, is_uuid
from interdict.services.sharing import DistributionRequest, targets_for, viewer, visible_select
from interdict.store.identity import User
from interdict.store.records import IntelReport, OnwardRequest
from interdict.store.structure import Agency, Mechanism


class OnwardService:
    def __init__(self, audit: AuditLog, intel: IntelService) -> None:
        self.audit = audit
        self.intel = intel

    def request(self, session: Session, actor: Actor, ref: str, data: OnwardRequestCreate) -> OnwardRequest:
        report = get_visible(session, actor, IntelReport, ref, "intelligence report")
        if report.owner_agency_id == actor.agency_id:
            raise BadInputError("your agency owns this report: change its distribution instead")
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to request onward sharing")
        if not data.add_agencies and not data.add_mechanisms:
            raise BadInputError(
                "name at least one agency or mechanism to share with",
                {"add_agencies": "empty", "add_mechanisms": "empty"},
            )
        self._check_targets(session, actor, data)
        assert actor.agency_id is not None and actor.user_id is not None
        req = OnwardRequest(
            uuid=str(uuid.uuid4()),
            record_uuid=report.uuid,
            owner_agency_id=report.owner_agency_id,
            requester_agency_id=actor.agency_id,
            requested_by_id=actor.user_id,
            add_agencies=sorted(set(data.add_agencies)),
            add_mechanisms=sorted(set(data.add_mechanisms)),
            reason=data.reason,
            status="pending",
            created_at=actor.now,
        )
        session.add(req)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "onward.request",
                "ok",
                "onward_request",
                req.uuid,
                agency_code(session, report.owner_agency_id),
                report.distribution,
                {"record": report.uuid, "agencies": req.add_agencies, "mechanisms": req.add_mechanisms},
            ),
        )
        return req

    def _check_targets(self, session: Session, actor: Actor, data: OnwardRequestCreate) -> None:
        errors: dict[str, str] = {}
        known = set(
            session.scalars(
                select(Agency.code).where(Agency.code.in_(data.add_agencies), Agency.active.is_(True))
            )
        )
        unknown = [c for c in data.add_agencies if c not in known]
        if unknown:
            errors["add_agencies"] = "unknown agency code(s): " + ", ".join(map(repr, unknown))
        mine = viewer(session, actor).mechanism_ids
        usable = set(
            session.scalars(
                select(Mechanism.code).where(Mechanism.code.in_(data.add_mechanisms), Mechanism.id.in_(mine))
            )
        )
        bad = [c for c in data.add_mechanisms if c not in usable]
        if bad:
            errors["add_mechanisms"] = "unknown mechanism code(s) or not a member: " + ", ".join(
                map(repr, bad)
            )
        if errors:
            raise BadInputError("the request names targets that cannot be used", errors)

    @staticmethod
    def _party(session: Session, actor: Actor) -> ColumnElement[bool]:
        """Requests to the actor's agency as owner, and its own requests while it may still see the record:
        a request names its record, so an agency that lost sight of the record (it left the mechanism, say)
        loses sight of its requests too."""
        seen = visible_select(session, actor, IntelReport).with_only_columns(IntelReport.uuid)
        return or_(
            OnwardRequest.owner_agency_id == actor.agency_id,
            and_(OnwardRequest.requester_agency_id == actor.agency_id, OnwardRequest.record_uuid.in_(seen)),
        )

    def _visible_request(self, session: Session, actor: Actor, ref: str) -> OnwardRequest:
        req = None
        if is_uuid(ref):
            req = session.scalars(
                select(OnwardRequest).where(OnwardRequest.uuid == ref.lower(), self._party(session, actor))
            ).one_or_none()
        if req is None:
            raise NotFoundError(f"no onward-sharing request {ref!r}")
        return req

    def list(
        self, session: Session, actor: Actor, status: str | None, limit: int, offset: int
    ) -> tuple[list[OnwardRequest], bool]:
        stmt = select(OnwardRequest).where(self._party(session, actor))
        if status:
            stmt = stmt.where(OnwardRequest.status == status)
        rows = list(
            session.scalars(
                stmt.order_by(OnwardRequest.created_at.desc(), OnwardRequest.id.desc())
                .limit(limit + 1)
                .offset(offset)
            )
        )
        return rows[:limit], len(rows) > limit

    def get(self, session: Session, actor: Actor, ref: str) -> OnwardRequest:
        return self._visible_request(session, actor, ref)

    def decide(self, session: Session, actor: Actor, ref: str, data: OnwardDecision) -> OnwardRequest:
        req = self._visible_request(session, actor, ref)
        if req.owner_agency_id != actor.agency_id:
            raise ForbiddenError("only the owner agency decides onward-sharing requests")
        report = get_visible(session, actor, IntelReport, req.record_uuid, "intelligence report")
        if not (actor.can(Permission.DECIDE_ONWARD_SHARING) or report.created_by_id == actor.user_id):
            raise ForbiddenError(
                "deciding onward sharing needs a supervisor or liaison officer, or the report's author"
            )
        if req.status != "pending":
            raise ConflictError(f"the request was already {req.status}")
        if data.approve:
            self.intel.apply_distribution(
                session,
                actor,
                report,
                self._new_distribution(session, report, req, data),
                f"onward-sharing request {req.uuid}",
            )
        req.status = "approved" if data.approve else "declined"
        req.decided_by_id, req.decided_at, req.decision_note = actor.user_id, actor.now, data.note
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "onward.approve" if data.approve else "onward.decline",
                "ok",
                "onward_request",
                req.uuid,
                actor.agency_code,
                report.distribution,
                {"record": report.uuid},
            ),
        )
        return req

    def _new_distribution(
        self, session: Session, report: IntelReport, req: OnwardRequest, d: OnwardDecision
    ) -> DistributionRequest:
        if d.distribution is not None:
            return DistributionRequest(
                d.distribution, d.agencies or [], d.mechanisms or [], report.handling_conditions
            )
        current = Distribution(report.distribution)
        targets = targets_for(session, report.uuid)
        if current is Distribution.ALL:
            raise ConflictError("the report is already shared with all agencies")
        if (
            req.add_agencies
            and not req.add_mechanisms
            and current in (Distribution.AGENCY, Distribution.AGENCIES)
        ):
            return DistributionRequest(
                "agencies",
                sorted(set(targets.agencies) | set(req.add_agencies)),
                [],
                report.handling_conditions,
            )
        if (
            req.add_mechanisms
            and not req.add_agencies
            and current in (Distribution.AGENCY, Distribution.MECHANISMS)
        ):
            return DistributionRequest(
                "mechanisms",
                [],
                sorted(set(targets.mechanisms) | set(req.add_mechanisms)),
                report.handling_conditions,
            )
        raise BadInputError(
            f"the requested targets cannot be added to a {current.value!r} distribution; give the new distribution explicitly",
            {"distribution": "required for this request"},
        )

    def public(self, session: Session, req: OnwardRequest) -> OnwardRequestPublic:
        return OnwardRequestPublic(
            uuid=req.uuid,
            record_uuid=req.record_uuid,
            owner_agency=agency_code(session, req.owner_agency_id),
            requester_agency=agency_code(session, req.requester_agency_id),
            requested_by=_user(session, req.requested_by_id) or "?",
            add_agencies=req.add_agencies,
            add_mechanisms=req.add_mechanisms,
            reason=req.reason,
            status=req.status,
            decided_by=_user(session, req.decided_by_id),
            decided_at=req.decided_at,
            decision_note=req.decision_note,
            created_at=req.created_at,
        )


def _user(session: Session, user_id: int | None) -> str | None:
    return None if user_id is None else session.scalar(select(User.username).where(User.id == user_id))


__all__ = ["KIND", "OnwardService"]

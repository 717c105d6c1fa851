"""Cooperation structure: agencies, mechanisms (with members over time) and sharing agreements."""

from __future__ import annotations

import uuid
from datetime import date

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.roles import Permission, Role
from interdict.schemas.structure import (
    AgencyCreate,
    AgencyUpdate,
    AgreementCreate,
    MechanismCreate,
    MembershipChange,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.sharing import viewer
from interdict.store.structure import Agency, Agreement, Mechanism, MechanismMember

AGENCY_KINDS = (
    "police",
    "customs",
    "drug_control_commission",
    "precursor_authority",
    "secretariat",
    "ministry",
)


def _require_structure_admin(actor: Actor) -> None:
    if not actor.can(Permission.MANAGE_STRUCTURE):
        raise ForbiddenError("managing agencies, mechanisms and agreements needs the platform admin role")


def get_agency(session: Session, code: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.code == code)).one_or_none()
    if agency is None:
        raise NotFoundError(f"no agency {code!r}")
    return agency


def current_members(mechanism: Mechanism, day: date) -> list[MechanismMember]:
    return [m for m in mechanism.members if m.joined <= day and (m.left is None or day < m.left)]


class StructureService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- agencies ------------------------------------------------------------------------------------
    def create_agency(self, session: Session, actor: Actor, data: AgencyCreate) -> Agency:
        _require_structure_admin(actor)
        if session.scalar(select(Agency.id).where(Agency.code == data.code)) is not None:
            raise ConflictError(f"agency code {data.code!r} is already taken", {"code": "taken"})
        agency = Agency(**data.model_dump(), created_at=actor.now, active=True)
        session.add(agency)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent("agency.create", object_type="agency", object_uuid=None, detail={"code": agency.code}),
        )
        return agency

    def update_agency(self, session: Session, actor: Actor, code: str, data: AgencyUpdate) -> Agency:
        agency = get_agency(session, code)
        changes = data.model_dump(exclude_unset=True)
        is_own_admin = actor.agency_id == agency.id and Role.AGENCY_ADMIN in actor.roles
        if not actor.can(Permission.MANAGE_STRUCTURE) and not (
            is_own_admin and set(changes) <= {"mfa_required"}
        ):
            raise ForbiddenError(
                "changing an agency needs the platform admin role (agency admins may set mfa_required)"
            )
        for name, value in changes.items():
            if value is None:
                raise BadInputError(f"{name} may not be null", {name: "may not be null"})
            setattr(agency, name, value)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "agency.update", object_type="agency", detail={"code": agency.code, "fields": sorted(changes)}
            ),
        )
        return agency

    def list_agencies(
        self, session: Session, country: str | None = None, kind: str | None = None
    ) -> list[Agency]:
        stmt = select(Agency).order_by(Agency.code)
        if country:
            stmt = stmt.where(Agency.country == country.upper())
        if kind:
            stmt = stmt.where(Agency.kind == kind)
        return list(session.scalars(stmt))

    # -- mechanisms ----------------------------------------------------------------------------------
    def create_mechanism(self, session: Session, actor: Actor, data: MechanismCreate) -> Mechanism:
        _require_structure_admin(actor)
        if session.scalar(select(Mechanism.id).where(Mechanism.code == data.code)) is not None:
            raise ConflictError(f"mechanism code {data.code!r} is already taken", {"code": "taken"})
        mech = Mechanism(
            code=data.code,
            name_en=data.name_en,
            name_local=data.name_local,
            kind=data.kind,
            description=data.description,
            established=data.established,
            created_at=actor.now,
        )
        session.add(mech)
        session.flush()
        for member in data.members:
            self._add_member(session, mech, member)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "mechanism.create",
                object_type="mechanism",
                detail={"code": mech.code, "members": [m.agency for m in data.members]},
            ),
        )
        return mech

    def _add_member(self, session: Session, mech: Mechanism, change: MembershipChange) -> MechanismMember:
        agency = get_agency(session, change.agency)
        for existing in mech.members:
            if existing.agency_id == agency.id and existing.left is None:
                raise ConflictError(
                    f"{agency.code} is already a member of {mech.code}", {"agency": "already a member"}
                )
        member = MechanismMember(mechanism=mech, agency=agency, role=change.role, joined=change.date)
        session.add(member)
        session.flush()
        return member

    def visible_mechanisms(self, session: Session, actor: Actor) -> list[Mechanism]:
        """Platform admins see every mechanism; others only those their agency currently belongs to (A8)."""
        stmt = select(Mechanism).order_by(Mechanism.code)
        if not actor.can(Permission.MANAGE_STRUCTURE):
            if actor.agency_id is None:
                return []
            stmt = stmt.where(Mechanism.id.in_(viewer(session, actor).mechanism_ids))
        return list(session.scalars(stmt))

    def get_mechanism(self, session: Session, actor: Actor, code: str) -> Mechanism:
        for mech in self.visible_mechanisms(session, actor):
            if mech.code == code:
                return mech
        raise NotFoundError(f"no mechanism {code!r}")

    def join(self, session: Session, actor: Actor, code: str, change: MembershipChange) -> MechanismMember:
        _require_structure_admin(actor)
        mech = self.get_mechanism(session, actor, code)
        member = self._add_member(session, mech, change)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "mechanism.join",
                object_type="mechanism",
                detail={"mechanism": code, "agency": change.agency, "date": change.date.isoformat()},
            ),
        )
        return member

    def leave(self, session: Session, actor: Actor, code: str, change: MembershipChange) -> MechanismMember:
        """Ends a membership from ``change.date``: records distributed to the mechanism stop being
        visible to that agency from that day, on its very next request."""
        _require_structure_admin(actor)
        mech = self.get_mechanism(session, actor, code)
        agency = get_agency(session, change.agency)
        current = [m for m in mech.members if m.agency_id == agency.id and m.left is None]
        if not current:
            raise BadInputError(
                f"{agency.code} is not a current member of {mech.code}", {"agency": "not a member"}
            )
        member = current[0]
        if change.date < member.joined:
            raise BadInputError(
                f"leaving date {change.date} is before joining date {member.joined}",
                {"date": "before joined"},
            )
        member.left = change.date
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "mechanism.leave",
                object_type="mechanism",
                detail={"mechanism": code, "agency": agency.code, "date": change.date.isoformat()},
            ),
        )
        return member

    # -- agreements ----------------------------------------------------------------------------------
    def create_agreement(self, session: Session, actor: Actor, data: AgreementCreate) -> Agreement:
        _require_structure_admin(actor)
        agreement = Agreement(
            uuid=str(uuid.uuid4()),
            title=data.title,
            kind=data.kind,
            categories=data.categories,
            allows_personal_data=data.allows_personal_data,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            reference=data.reference,
            created_at=actor.now,
        )
        if data.kind == "bilateral":
            a, b = (get_agency(session, c) for c in data.agencies)
            agreement.agency_a_id, agreement.agency_b_id = a.id, b.id
        else:
            assert data.mechanism is not None
            mech = session.scalars(select(Mechanism).where(Mechanism.code == data.mechanism)).one_or_none()
            if mech is None:
                raise BadInputError(f"unknown mechanism {data.mechanism!r}", {"mechanism": "unknown"})
            agreement.mechanism_id = mech.id
        session.add(agreement)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent("agreement.create", object_type="agreement", object_uuid=agreement.uuid),
        )
        return agreement

    def visible_agreements(self, session: Session, actor: Actor) -> list[Agreement]:
        """Platform admins see all; others the bilateral agreements of their agency and the agreements of
        mechanisms their agency currently belongs to."""
        stmt = select(Agreement).order_by(Agreement.id)
        if not actor.can(Permission.MANAGE_STRUCTURE):
            if actor.agency_id is None:
                return []
            mine = viewer(session, actor).mechanism_ids
            stmt = stmt.where(
                (Agreement.agency_a_id == actor.agency_id)
                | (Agreement.agency_b_id == actor.agency_id)
                | Agreement.mechanism_id.in_(mine)
            )
        return list(session.scalars(stmt))


def country_name(code: str | None) -> str | None:
    if code is None:
        return None
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else None

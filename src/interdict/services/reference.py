"""Load the reference cooperation structure shipped in ``interdict/data/reference.json``.

Idempotent: agencies and mechanisms are matched by code, memberships by (mechanism, agency, joined),
agreements by title; what exists is left as it is, so loading twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.schemas.structure import AgencyCreate, AgreementCreate
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
from interdict.services.platform import Platform
from interdict.store.structure import Agency, Agreement, Mechanism, MechanismMember


@dataclass
class LoadCounts:
    agencies: int = 0
    mechanisms: int = 0
    memberships: int = 0
    agreements: int = 0


def reference_data(path: Path | None = None) -> dict[str, Any]:
    if path is not None:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    text = resources.files("interdict.data").joinpath("reference.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def load_reference(platform: Platform, session: Session, actor: Actor, data: dict[str, Any]) -> LoadCounts:
    counts = LoadCounts()
    by_code = {a.code: a for a in session.scalars(select(Agency))}
    for raw in data["agencies"]:
        if raw["code"] in by_code:
            continue
        fields = AgencyCreate.model_validate({k: v for k, v in raw.items() if k != "source"})
        agency = Agency(**fields.model_dump(), created_at=actor.now, active=True)
        session.add(agency)
        by_code[agency.code] = agency
        counts.agencies += 1
    session.flush()
    mechanisms = {m.code: m for m in session.scalars(select(Mechanism))}
    for raw in data["mechanisms"]:
        mech = mechanisms.get(raw["code"])
        if mech is None:
            mech = Mechanism(
                code=raw["code"],
                name_en=raw["name_en"],
                name_local=raw.get("name_local", ""),
                kind=raw["kind"],
                description=raw.get("description", ""),
                established=_date(raw.get("established")),
                created_at=actor.now,
            )
            session.add(mech)
            session.flush()
            mechanisms[mech.code] = mech
            counts.mechanisms += 1
        have = {(m.agency_id, m.joined) for m in mech.members}
        for member in raw.get("members", []):
            agency = by_code[member["agency"]]
            joined = _date(member["joined"])
            assert joined is not None
            if (agency.id, joined) in have:
                continue
            session.add(
                MechanismMember(
                    mechanism=mech,
                    agency=agency,
                    role=member.get("role", "member"),
                    joined=joined,
                    left=_date(member.get("left")),
                )
            )
            counts.memberships += 1
    session.flush()
    titles = set(session.scalars(select(Agreement.title)))
    for raw in data.get("agreements", []):
        if raw["title"] in titles:
            continue
        agreement = AgreementCreate.model_validate(
            {k: v for k, v in raw.items() if k in AgreementCreate.model_fields}
        )
        platform.structure.create_agreement(session, actor, agreement)
        counts.agreements += 1
    platform.audit.record(session, actor, AuditEvent("reference.load", detail=counts.__dict__))
    return counts


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None

"""Joint operations: who takes part, what they tag and report, and the consolidated result.

Only participants learn that an operation exists: any other agency gets "unknown operation", the
same words as for a code that does not exist.

Consolidation, per participant and substance: a participant's aggregate result is its whole result
for the operation, seizures it also tagged one by one included. So the two are never added: where an
aggregate was reported, the larger of it and the tagged seizures counts (an aggregate below what was
tagged is flagged); otherwise the tagged seizures count. Tagged seizures are those the viewing agency
may see (the sharing rule); aggregates are shared with every participant by reporting them.
"""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ForbiddenError, NotFoundError
from interdict.domain.quantities import QuantityError, check_quantity, conversion, parse_unit
from interdict.domain.roles import Permission
from interdict.domain.substances import catalogue
from interdict.schemas.seizures import (
    ConsolidatedLine,
    ConsolidatedOut,
    OperationCreate,
    OperationPublic,
    ParticipantTotal,
    ResultsIn,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.seizure_stats import visible_lines
from interdict.services.sharing import active_agencies
from interdict.store.seizures import Operation, OperationParticipant, OperationResult, Seizure, SeizureItem
from interdict.store.structure import Agency

KIND = "operation"


class OperationService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def create(self, session: Session, actor: Actor, data: OperationCreate) -> Operation:
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to create operations")
        assert actor.agency_id is not None and actor.user_id is not None
        errors: dict[str, str] = {}
        if data.ends_on < data.starts_on:
            errors["ends_on"] = f"{data.ends_on} is before starts_on {data.starts_on}"
        if session.scalar(select(Operation.id).where(Operation.code == data.code)) is not None:
            raise BadInputError(f"operation code {data.code!r} is taken", {"code": "taken"})
        found, unknown = active_agencies(session, (c.strip().upper() for c in data.participants))
        if unknown:
            errors["participants"] = "unknown agency code(s): " + ", ".join(unknown)
        substances = []
        for name in data.target_substances:
            sub = catalogue().resolve(name)
            if sub is None:
                errors["target_substances"] = f"unknown substance {name!r}"
            else:
                substances.append(sub.code)
        routes = []
        for r in data.target_routes:
            parts = [p.strip().upper() for p in r.replace("→", ">").split(">")]
            if len(parts) < 2 or any(len(p) != 2 or not p.isalpha() for p in parts):
                errors["target_routes"] = f"route {r!r} is not ORIGIN>DESTINATION country codes"
            else:
                routes.append(">".join(parts))
        if errors:
            raise BadInputError(
                "the operation is not valid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors
            )
        op = Operation(
            uuid=str(uuid.uuid4()),
            code=data.code,
            name=data.name,
            description=data.description,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            lead_agency_id=actor.agency_id,
            target_substances=list(dict.fromkeys(substances)),
            target_routes=list(dict.fromkeys(routes)),
            created_by_id=actor.user_id,
            created_at=actor.now,
            updated_at=actor.now,
            version=1,
        )
        session.add(op)
        session.flush()
        for agency_id in {actor.agency_id, *found.values()}:
            session.add(OperationParticipant(operation_id=op.id, agency_id=agency_id, joined_at=actor.now))
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "operation.create",
                "ok",
                KIND,
                op.uuid,
                actor.agency_code,
                None,
                {"code": op.code, "participants": sorted({actor.agency_code or "", *found})},
            ),
        )
        session.flush()
        return op

    def get(self, session: Session, actor: Actor, code: str) -> Operation:
        op = session.scalar(
            select(Operation)
            .join(OperationParticipant, OperationParticipant.operation_id == Operation.id)
            .where(Operation.code == code.upper(), OperationParticipant.agency_id == actor.agency_id)
        )
        if op is None:
            raise NotFoundError(f"no operation {code!r}")
        return op

    def list(self, session: Session, actor: Actor) -> builtins.list[Operation]:
        return builtins.list(
            session.scalars(
                select(Operation)
                .join(OperationParticipant, OperationParticipant.operation_id == Operation.id)
                .where(OperationParticipant.agency_id == actor.agency_id)
                .order_by(Operation.starts_on.desc(), Operation.code)
            )
        )

    def add_participants(
        self, session: Session, actor: Actor, code: str, agencies: builtins.list[str]
    ) -> Operation:
        op = self.get(session, actor, code)
        if op.lead_agency_id != actor.agency_id or not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("only the lead agency may add participants")
        found, unknown = active_agencies(session, (c.strip().upper() for c in agencies))
        if unknown:
            raise BadInputError("unknown agency code(s): " + ", ".join(unknown), {"agencies": "unknown"})
        present = set(
            session.scalars(
                select(OperationParticipant.agency_id).where(OperationParticipant.operation_id == op.id)
            )
        )
        added = [c for c, i in found.items() if i not in present]
        for c in added:
            session.add(OperationParticipant(operation_id=op.id, agency_id=found[c], joined_at=actor.now))
        op.version += 1
        op.updated_at = actor.now
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "operation.participants",
                "ok",
                KIND,
                op.uuid,
                actor.agency_code,
                None,
                {"added": sorted(added)},
            ),
        )
        return op

    def report_results(
        self, session: Session, actor: Actor, code: str, data: ResultsIn
    ) -> builtins.list[OperationResult]:
        """Replace the actor's agency's aggregate result for the operation (audited with before/after)."""
        op = self.get(session, actor, code)
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to report results")
        assert actor.agency_id is not None and actor.user_id is not None
        errors: dict[str, str] = {}
        lines: dict[str, OperationResult] = {}
        for i, line in enumerate(data.lines):
            sub_code = ""
            mass = count = None
            count_unit = ""
            if line.substance:
                sub = catalogue().resolve(line.substance)
                if sub is None:
                    hints = catalogue().suggest(line.substance, 3)
                    errors[f"lines[{i}].substance"] = f"unknown substance {line.substance!r}" + (
                        f"; did you mean {', '.join(hints)}?" if hints else ""
                    )
                    continue
                sub_code = sub.code
                if line.quantity is None or not line.unit:
                    errors[f"lines[{i}].quantity"] = "a substance line needs a quantity and a unit"
                    continue
                try:
                    check_quantity(line.quantity)
                except QuantityError as exc:
                    errors[f"lines[{i}].quantity"] = exc.message
                    continue
                try:
                    conv = conversion(sub, parse_unit(line.unit))
                except QuantityError as exc:
                    errors[f"lines[{i}].unit"] = str(exc)
                    continue
                mass, count = conv.apply(line.quantity)
                count_unit = conv.count_unit or ""
            elif line.quantity is not None:
                errors[f"lines[{i}].substance"] = "a quantity needs a substance"
                continue
            if sub_code in lines:
                errors[f"lines[{i}].substance"] = f"{sub_code or 'the cases line'} is given twice"
                continue
            lines[sub_code] = OperationResult(
                operation_id=op.id,
                agency_id=actor.agency_id,
                substance=sub_code,
                cases=line.cases,
                suspects_arrested=line.suspects_arrested,
                mass_kg=mass,
                count=count,
                count_unit=count_unit,
                quantity=line.quantity,
                unit=line.unit,
                note=line.note,
                detail={},
                reported_by_id=actor.user_id,
                reported_at=actor.now,
            )
        if errors:
            raise BadInputError(
                "the results are not valid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), errors
            )
        before = [
            _line_summary(r)
            for r in session.scalars(
                select(OperationResult).where(
                    OperationResult.operation_id == op.id, OperationResult.agency_id == actor.agency_id
                )
            )
        ]
        session.execute(
            delete(OperationResult).where(
                OperationResult.operation_id == op.id, OperationResult.agency_id == actor.agency_id
            )
        )
        session.add_all(lines.values())
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "operation.results",
                "ok",
                KIND,
                op.uuid,
                actor.agency_code,
                None,
                {"before": before, "after": [_line_summary(r) for r in lines.values()]},
            ),
        )
        return builtins.list(lines.values())

    def public(self, session: Session, op: Operation) -> OperationPublic:
        codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        members = session.scalars(
            select(OperationParticipant.agency_id).where(OperationParticipant.operation_id == op.id)
        )
        return OperationPublic(
            uuid=op.uuid,
            code=op.code,
            name=op.name,
            description=op.description,
            starts_on=op.starts_on,
            ends_on=op.ends_on,
            lead_agency=codes.get(op.lead_agency_id, "?"),
            participants=sorted(codes.get(i, "?") for i in members),
            target_substances=op.target_substances,
            target_routes=op.target_routes,
            created_at=op.created_at,
            version=op.version,
        )

    def consolidated(self, session: Session, actor: Actor, code: str) -> ConsolidatedOut:
        op = self.get(session, actor, code)
        codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        tagged: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0, 0.0, 0.0, ""])
        cases: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        lines_seen = and_(visible_lines(session, actor), SeizureItem.operation_id == op.id)
        for owner, sub, n, kg, cnt, unit in session.execute(
            select(
                SeizureItem.owner_agency_id,
                SeizureItem.substance,
                func.coalesce(func.sum(case((SeizureItem.first_of_substance.is_(True), 1), else_=0)), 0),
                func.coalesce(func.sum(SeizureItem.mass_kg), 0.0),
                func.coalesce(func.sum(SeizureItem.count), 0.0),
                func.max(SeizureItem.count_unit),
            )
            .where(lines_seen)
            .group_by(SeizureItem.owner_agency_id, SeizureItem.substance)
        ):
            t = tagged[(owner, sub)]
            t[0] += int(n)
            t[1] += float(kg or 0.0)
            t[2] += float(cnt or 0.0) if unit else 0.0
            t[3] = unit or t[3]
        # Cases and arrests are the seizures' own: one row per seizure, through its first line.
        for owner, n, suspects in session.execute(
            select(
                SeizureItem.owner_agency_id,
                func.count(Seizure.id),
                func.coalesce(func.sum(Seizure.suspects_arrested), 0),
            )
            .join(Seizure, Seizure.id == SeizureItem.seizure_id)
            .where(lines_seen, SeizureItem.line == 1)
            .group_by(SeizureItem.owner_agency_id)
        ):
            cases[owner][0] += int(n)
            cases[owner][1] += int(suspects)
        reported = builtins.list(
            session.scalars(select(OperationResult).where(OperationResult.operation_id == op.id))
        )
        rep_lines = {(r.agency_id, r.substance): r for r in reported if r.substance}
        rep_cases: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for r in reported:
            rep_cases[r.agency_id][0] += r.cases
            rep_cases[r.agency_id][1] += r.suspects_arrested
        lines: builtins.list[ConsolidatedLine] = []
        mass_by_agency: dict[int, float] = defaultdict(float)
        by_substance: dict[str, float] = defaultdict(float)
        for agency_id, sub in sorted(
            set(tagged) | set(rep_lines), key=lambda k: (codes.get(k[0], "?"), k[1])
        ):
            t = tagged.get((agency_id, sub), [0, 0.0, 0.0, ""])
            rl = rep_lines.get((agency_id, sub))
            note = ""
            if rl is None:
                mass, count, basis = t[1], t[2], "tagged seizures"
            else:
                r_mass, r_count = rl.mass_kg or 0.0, rl.count or 0.0
                mass, count, basis = max(r_mass, t[1]), max(r_count, t[2]), "reported aggregate"
                if r_mass < t[1] or r_count < t[2]:
                    basis = "tagged seizures"
                    note = "the reported aggregate is below the seizures tagged one by one; the tagged figure counts"
            lines.append(
                ConsolidatedLine(
                    agency=codes.get(agency_id, "?"),
                    substance=sub,
                    tagged_seizures=t[0],
                    tagged_mass_kg=round(t[1], 3),
                    tagged_count=t[2],
                    reported_cases=rl.cases if rl else None,
                    reported_mass_kg=round(rl.mass_kg, 3) if rl and rl.mass_kg is not None else None,
                    reported_count=rl.count if rl else None,
                    count_unit=(rl.count_unit if rl else "") or t[3],
                    mass_kg=round(mass, 3),
                    count=count,
                    basis=basis,
                    note=note,
                )
            )
            mass_by_agency[agency_id] += mass
            by_substance[sub] += mass
        participants = sorted(
            session.scalars(
                select(OperationParticipant.agency_id).where(OperationParticipant.operation_id == op.id)
            ),
            key=lambda i: codes.get(i, "?"),
        )
        total_mass = sum(mass_by_agency.values())
        totals = []
        for agency_id in participants:
            tc, ts = cases.get(agency_id, [0, 0])
            rc, rs = rep_cases.get(agency_id, [0, 0])
            reported_any = agency_id in rep_cases
            totals.append(
                ParticipantTotal(
                    agency=codes.get(agency_id, "?"),
                    cases=max(tc, rc),
                    suspects_arrested=max(ts, rs),
                    mass_kg=round(mass_by_agency.get(agency_id, 0.0), 3),
                    share_mass_pct=round(mass_by_agency.get(agency_id, 0.0) / total_mass * 100, 1)
                    if total_mass
                    else None,
                    basis="reported aggregate" if reported_any and rc >= tc else "tagged seizures",
                )
            )
        return ConsolidatedOut(
            operation=self.public(session, op),
            lines=lines,
            participants=totals,
            by_substance={k: round(v, 3) for k, v in sorted(by_substance.items(), key=lambda kv: -kv[1])},
            total_cases=sum(p.cases for p in totals),
            total_suspects=sum(p.suspects_arrested for p in totals),
            total_mass_kg=round(total_mass, 3),
            scope=(
                f"aggregate results of every participant, and the tagged seizures {actor.agency_code} may see"
            ),
        )


def _line_summary(r: OperationResult) -> dict[str, Any]:
    return {
        "substance": r.substance,
        "cases": r.cases,
        "suspects": r.suspects_arrested,
        "quantity": r.quantity,
        "unit": r.unit,
    }

"""Control status of substances by jurisdiction: reading a substance's status everywhere with its
history, recording a status (or a decontrol), and answering "is it controlled there on that day?".

Who may do what (docs/SCHEDULING.md). Control statuses are reference data, not shared records: every
signed-in user reads all of them. A user with a writing role records statuses for the country of their own
agency; a platform admin records them for any country and for regional bodies (EU). The UN status is the
catalogue's international control (``Substance.control``) and is read-only. Every write is audited
(``scheduling.status``, ``scheduling.import``).

A country with no status in force of its own for a substance (or its group) takes the status of a regional
body it belongs to (an EU member takes the EU's), shown with ``via``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import IO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.roles import Permission
from interdict.domain.scheduling import (
    NOT_CONTROLLED,
    REGIONAL_BODIES,
    UN,
    Answer,
    Interval,
    Jurisdiction,
    JurisdictionKind,
    group_label,
    jurisdiction,
    place,
    status_on,
    un_answer,
)
from interdict.domain.substances import Substance, catalogue
from interdict.schemas.scheduling import (
    AnswerPublic,
    ControlStatusCreate,
    ControlStatusPublic,
    GapReport,
    ImportResult,
    JurisdictionPublic,
    JurisdictionStatus,
    RecordResult,
    SubstanceStatusOut,
)
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.store.dialect import lock_audit_head
from interdict.store.scheduling import ControlStatus, ControlStatusImport
from interdict.store.structure import Agency

OBJECT_TYPE = "control_status"
_ABBREVIATED = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
Subject = tuple[str, str]  # (substance code, "") or ("", analogue group)


def groups() -> set[str]:
    return {s.nps_group for s in catalogue() if s.nps_group}


def resolve_substance(value: str, field_name: str = "substance") -> Substance:
    """The catalogue substance ``value`` names: its code, its CAS number or any name in any script."""
    text = (value or "").strip()
    cat = catalogue()
    found = cat.get(text)
    if found is None and text:
        found = next((s for s in cat if s.cas and s.cas == text), None)
    if found is None and text:
        found = cat.resolve(text)
    if found is None and (m := _ABBREVIATED.match(text)):
        # "1-phenyl-2-propanone (BMK)", as national lists write a name with its abbreviation: both parts
        # must name the same substance (or only one of them name any).
        parts = {r.code: r for r in (cat.resolve(m.group(1)), cat.resolve(m.group(2))) if r is not None}
        found = next(iter(parts.values())) if len(parts) == 1 else None
    if found is not None:
        return found
    readings = cat.candidates(text) if text else ()
    if len(readings) > 1:
        names = ", ".join(f"{s.name} ({s.code})" for s in readings)
        msg = f"{value!r} is ambiguous: it names {names}; give the catalogue code"
    else:
        hint = cat.suggest(text) if text else []
        msg = f"unknown substance {value!r}; expected a catalogue code, CAS number or name" + (
            f" (did you mean {', '.join(hint)}?)" if hint else ""
        )
    raise BadInputError(msg, {field_name: msg})


def resolve_group(value: str, field_name: str = "group") -> str:
    key = (value or "").strip()
    known = groups()
    if key not in known:
        msg = f"unknown analogue group {value!r}; expected one of {', '.join(sorted(known))}"
        raise BadInputError(msg, {field_name: msg})
    return key


@dataclass(frozen=True)
class Checked:
    """A status checked against the catalogue and the jurisdictions, ready to place and store."""

    subject: Subject
    jurisdiction: Jurisdiction
    interval: Interval
    legal_reference: str
    source: str


def check(data: ControlStatusCreate) -> Checked:
    """Validate a status without the database; every problem is named together."""
    errors: dict[str, str] = {}
    subject: Subject = ("", "")
    if bool(data.substance) == bool(data.group):
        errors["substance"] = "give either a substance or an analogue group (class-wide control), not both"
    else:
        try:
            subject = (
                (resolve_substance(data.substance).code, "")
                if data.substance
                else ("", resolve_group(data.group))
            )
        except BadInputError as exc:
            errors.update(exc.errors)
    j: Jurisdiction | None = None
    try:
        j = jurisdiction(data.jurisdiction)
    except BadInputError as exc:
        errors.update(exc.errors)
    if j is not None and j.kind is JurisdictionKind.INTERNATIONAL:
        errors["jurisdiction"] = (
            "UN is read-only: it is the international control the substance catalogue holds"
        )
    if not data.decontrolled and not data.schedule:
        errors["schedule"] = "expected the schedule, table or category as the jurisdiction names it"
    if not data.source:
        errors["source"] = "expected where this status comes from (a gazette, a list, a web page)"
    if data.until is not None and data.until <= data.in_force:
        errors["until"] = f"expected a date after in_force {data.in_force.isoformat()}"
    if errors:
        first = next(iter(errors.items()))
        raise BadInputError(f"{first[0]}: {first[1]}", errors)
    assert j is not None
    interval = Interval(data.in_force, data.until, data.schedule, data.decontrolled)
    return Checked(subject, j, interval, data.legal_reference, data.source)


def may_write(session: Session, actor: Actor, j: Jurisdiction) -> str | None:
    """None when the actor may record statuses of ``j``, else the reason it may not."""
    if j.kind is JurisdictionKind.INTERNATIONAL:
        return "UN is read-only: it is the international control the substance catalogue holds"
    if actor.can(Permission.MANAGE_STRUCTURE):
        return None
    if j.kind is JurisdictionKind.REGIONAL:
        return f"only a platform admin records the statuses of {j.code}"
    if not actor.can(Permission.WRITE_RECORDS):
        return "your roles do not allow you to record control statuses"
    country = (
        session.scalar(select(Agency.country).where(Agency.id == actor.agency_id))
        if actor.agency_id
        else None
    )
    if country != j.code:
        return f"your agency may record statuses only for its own country ({country or 'none'}), not {j.code}"
    return None


def may_write_any(session: Session, actor: Actor) -> bool:
    """Whether the actor may record statuses of some jurisdiction (to offer the forms)."""
    if actor.can(Permission.MANAGE_STRUCTURE):
        return True
    if not actor.can(Permission.WRITE_RECORDS) or actor.agency_id is None:
        return False
    return session.scalar(select(Agency.country).where(Agency.id == actor.agency_id)) is not None


def interval_of(row: ControlStatus) -> Interval:
    return Interval(row.in_force, row.until, row.schedule, row.decontrolled, key=row.id)


class Timelines:
    """The stored statuses of some jurisdictions, by subject: what ``status_on`` reads for many cells."""

    def __init__(self, rows: Iterable[ControlStatus]) -> None:
        self._by: dict[tuple[str, str, str], list[Interval]] = {}
        for row in rows:
            self._by.setdefault((row.substance, row.nps_group, row.jurisdiction), []).append(interval_of(row))
        for intervals in self._by.values():
            intervals.sort(key=lambda i: i.in_force)

    def of(self, subject: Subject, code: str) -> list[Interval]:
        return self._by.get((subject[0], subject[1], code), [])

    def answer(self, substance: Substance, code: str, day: date) -> Answer:
        """Controlled or not on ``day`` in ``code``; a country without a status in force of its own takes
        that of a regional body it belongs to."""
        if code == UN:
            return un_answer(substance)
        own = self.of((substance.code, ""), code)
        grp = self.of(("", substance.nps_group), code) if substance.nps_group else []
        found = status_on(own, grp, day)
        if found.controlled or found.status is not None:
            return found
        for body, (_name, members) in REGIONAL_BODIES.items():
            if code in members:
                regional = self.answer(substance, body, day)
                if regional.controlled or regional.status is not None:
                    return replace(regional, via=body)
        return found

    def group_answer(self, group: str, code: str, day: date) -> Answer:
        found = status_on([], self.of(("", group), code), day)
        if found.controlled or found.status is not None:
            return found
        for body, (_name, members) in REGIONAL_BODIES.items():
            if code in members:
                regional = status_on([], self.of(("", group), body), day)
                if regional.controlled or regional.status is not None:
                    return replace(regional, via=body)
        return found


def load_timelines(session: Session, codes: Sequence[str]) -> Timelines:
    """Every stored status of ``codes`` and of the regional bodies they belong to."""
    wanted = set(codes)
    for body, (_name, members) in REGIONAL_BODIES.items():
        if wanted & set(members):
            wanted.add(body)
    return Timelines(
        session.scalars(select(ControlStatus).where(ControlStatus.jurisdiction.in_(sorted(wanted))))
    )


def answer_public(a: Answer) -> AnswerPublic:
    return AnswerPublic(
        controlled=a.controlled,
        schedule=a.schedule,
        since=a.since,
        basis=a.basis.value if a.basis else None,
        decontrolled_since=a.decontrolled_since,
        via=a.via,
    )


class SchedulingService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- reading ---------------------------------------------------------------------------------------
    def jurisdictions(self, session: Session) -> list[JurisdictionPublic]:
        """UN, the regional bodies, and every country with a recorded status (with how many)."""
        counts = dict(
            session.execute(
                select(ControlStatus.jurisdiction, func.count(ControlStatus.id)).group_by(
                    ControlStatus.jurisdiction
                )
            ).all()
        )
        un = jurisdiction(UN)
        out = [JurisdictionPublic(code=UN, kind=un.kind.value, name=un.name, members=[], statuses=0)]
        for code in REGIONAL_BODIES:
            j = jurisdiction(code)
            out.append(JurisdictionPublic(code=code, kind=j.kind.value, name=j.name, members=list(j.members),
                                          statuses=counts.get(code, 0)))  # fmt: skip
        for code in sorted(c for c in counts if c not in REGIONAL_BODIES and c != UN):
            j = jurisdiction(code)
            out.append(
                JurisdictionPublic(
                    code=code, kind=j.kind.value, name=j.name, members=[], statuses=counts[code]
                )
            )
        return out

    def answer(self, session: Session, substance: str, code: str, day: date) -> Answer:
        """Whether ``substance`` is controlled in jurisdiction ``code`` on ``day`` (``status_on``)."""
        s = resolve_substance(substance)
        j = jurisdiction(code)
        return load_timelines(session, [j.code]).answer(s, j.code, day)

    def substance_status(
        self,
        session: Session,
        ref: str,
        code: str | None = None,
        day: date | None = None,
        today: date | None = None,
    ) -> SubstanceStatusOut:
        """A substance's status in every jurisdiction that recorded one (or in ``code`` only), UN first, each
        with the answer for ``day`` and the history of its own and its group's statuses."""
        s = resolve_substance(ref)
        on = day or today or date.today()
        subject_filter = ControlStatus.substance == s.code
        if s.nps_group:
            subject_filter = or_(subject_filter, ControlStatus.nps_group == s.nps_group)
        stmt = select(ControlStatus).where(subject_filter)
        codes: list[str]
        if code is not None:
            j = jurisdiction(code)
            codes = [j.code]
        else:
            found = set(session.scalars(select(ControlStatus.jurisdiction).where(subject_filter).distinct()))
            codes = [UN, *sorted(found - {UN}, key=lambda c: (c not in REGIONAL_BODIES, c))]
        timelines = load_timelines(session, [c for c in codes if c != UN])
        rows = list(
            session.scalars(
                stmt.order_by(ControlStatus.jurisdiction, ControlStatus.in_force, ControlStatus.id)
            )
        )
        imports = self._import_uuids(session, rows)
        out: list[JurisdictionStatus] = []
        for c in codes:
            j = jurisdiction(c)
            history = [public(r, imports) for r in rows if r.jurisdiction == c]
            if c == UN:
                history = [un_public(s)] if s.control else []
            out.append(JurisdictionStatus(jurisdiction=c, name=j.name, kind=j.kind.value,
                                          on=answer_public(timelines.answer(s, c, on)), history=history))  # fmt: skip
        return SubstanceStatusOut(
            substance=s.code, name=s.name, category=s.category.value, group=s.nps_group or "",
            group_label=group_label(s.nps_group) if s.nps_group else "", day=on, jurisdictions=out,
        )  # fmt: skip

    @staticmethod
    def _import_uuids(session: Session, rows: Sequence[ControlStatus]) -> dict[int, str]:
        ids = {r.import_id for r in rows if r.import_id is not None}
        if not ids:
            return {}
        found = session.execute(
            select(ControlStatusImport.id, ControlStatusImport.uuid).where(
                ControlStatusImport.id.in_(sorted(ids))
            )
        )
        return {i: u for i, u in found.all()}

    def gaps(
        self,
        session: Session,
        actor: Actor,
        mechanism: str,
        on: date | None = None,
        category: str | None = None,
        period_from: date | None = None,
        period_to: date | None = None,
    ) -> GapReport:
        """The scheduling-gap report of a mechanism (services/scheduling_gaps.py)."""
        from interdict.services.scheduling_gaps import SchedulingGaps
        from interdict.services.structure import StructureService

        return SchedulingGaps(StructureService(self.audit)).report(
            session, actor, mechanism, on, category, period_from, period_to
        )

    # -- writing ---------------------------------------------------------------------------------------
    def import_file(self, session: Session, actor: Actor, stream: IO[bytes], filename: str) -> ImportResult:
        """Import a national list, all or nothing (services/scheduling_import.py)."""
        from interdict.services.scheduling_import import SchedulingImporter

        return SchedulingImporter(self).run(session, actor, stream, filename)

    def record(self, session: Session, actor: Actor, data: ControlStatusCreate) -> RecordResult:
        """Record a status (or a decontrol); it closes the status in force before it. Recording the same
        status again changes nothing (``unchanged``)."""
        if not (actor.can(Permission.MANAGE_STRUCTURE) or actor.can(Permission.WRITE_RECORDS)):
            raise ForbiddenError("your roles do not allow you to record control statuses")
        checked = check(data)
        reason = may_write(session, actor, checked.jurisdiction)
        if reason:
            raise ForbiddenError(reason)
        lock_audit_head(session)  # serialise writers: two closings of one status cannot interleave
        row, outcome, closed = self.store(session, actor, checked, None)
        if outcome == "added":
            self.audit_writes(session, actor, [(row, closed)], None)
        return RecordResult(
            outcome=outcome, status=public(row, {}), superseded=closed.uuid if closed else None
        )

    def store(
        self, session: Session, actor: Actor, c: Checked, batch: ControlStatusImport | None
    ) -> tuple[ControlStatus, str, ControlStatus | None]:
        """Place and write one checked status; returns the row, ``added``/``unchanged``, and the row it closed.
        Raises ``BadInputError`` when it does not fit the timeline (``place``)."""
        rows = list(
            session.scalars(
                select(ControlStatus).where(
                    ControlStatus.substance == c.subject[0],
                    ControlStatus.nps_group == c.subject[1],
                    ControlStatus.jurisdiction == c.jurisdiction.code,
                )
            )
        )
        same = next((r for r in rows if r.in_force == c.interval.in_force), None)
        if same is not None and _same(same, c):
            return same, "unchanged", None
        placement = place([interval_of(r) for r in rows], c.interval)
        closed = None
        if placement.closes is not None:
            closed = next(r for r in rows if r.id == placement.closes.key)
            closed.until = c.interval.in_force
        row = ControlStatus(
            uuid=str(uuid.uuid4()),
            substance=c.subject[0],
            nps_group=c.subject[1],
            jurisdiction=c.jurisdiction.code,
            schedule=c.interval.schedule,
            decontrolled=c.interval.decontrolled,
            in_force=c.interval.in_force,
            until=placement.until,
            legal_reference=c.legal_reference,
            source=c.source,
            recorded_by_id=actor.user_id,
            recorded_by=actor.username or "",
            recorded_agency=actor.agency_code or "",
            recorded_at=actor.now,
            import_id=batch.id if batch is not None else None,
        )
        session.add(row)
        session.flush()
        return row, "added", closed

    def audit_writes(
        self,
        session: Session,
        actor: Actor,
        written: Sequence[tuple[ControlStatus, ControlStatus | None]],
        batch: ControlStatusImport | None,
    ) -> None:
        events = [
            AuditEvent(
                "scheduling.status",
                "ok",
                OBJECT_TYPE,
                row.uuid,
                actor.agency_code,
                None,
                {
                    "substance": row.substance,
                    "group": row.nps_group,
                    "jurisdiction": row.jurisdiction,
                    "schedule": row.schedule,
                    "decontrolled": row.decontrolled,
                    "in_force": row.in_force.isoformat(),
                    "until": row.until.isoformat() if row.until else None,
                    "closes": closed.uuid if closed else None,
                    "import": batch.uuid if batch else None,
                },
            )
            for row, closed in written
        ]
        if events:
            self.audit.record_many(session, actor, events)


def _same(row: ControlStatus, c: Checked) -> bool:
    """The stored status says what ``c`` says (its end may have been set since by a later status)."""
    return (
        row.schedule == c.interval.schedule
        and row.decontrolled == c.interval.decontrolled
        and (c.interval.until is None or row.until == c.interval.until)
        and row.legal_reference == c.legal_reference
        and row.source == c.source
    )


def public(row: ControlStatus, imports: dict[int, str]) -> ControlStatusPublic:
    s = catalogue().get(row.substance) if row.substance else None
    return ControlStatusPublic(
        uuid=row.uuid,
        substance=row.substance,
        substance_name=s.name if s else "",
        group=row.nps_group,
        group_label=group_label(row.nps_group) if row.nps_group else "",
        jurisdiction=row.jurisdiction,
        schedule=row.schedule,
        decontrolled=row.decontrolled,
        in_force=row.in_force,
        until=row.until,
        legal_reference=row.legal_reference,
        source=row.source,
        recorded_by=row.recorded_by,
        recorded_agency=row.recorded_agency,
        recorded_at=row.recorded_at,
        import_uuid=imports.get(row.import_id) if row.import_id is not None else None,
    )


def un_public(s: Substance) -> ControlStatusPublic:
    """The catalogue's international control, shown as the UN jurisdiction's (undated) status."""
    answer = un_answer(s) if s.control else NOT_CONTROLLED
    return ControlStatusPublic(
        uuid="", substance=s.code, substance_name=s.name, group="", group_label="", jurisdiction=UN,
        schedule=answer.schedule, decontrolled=False, in_force=None, until=None, legal_reference="",
        source=s.source, recorded_by="", recorded_agency="", recorded_at=None, import_uuid=None,
    )  # fmt: skip

"""Indicator values: entering figures with their provenance, reading the latest revision or the history.

Who may do what (docs/SITUATION.md): indicator values are figures from published sources, seen by
every signed-in user of every agency; users with a writing role enter them, each value recording who
entered it and for which agency, and every write is audited. Values are never changed or deleted: a
corrected figure is a new revision.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interdict.domain.areas import Area, area_name, resolve_area
from interdict.domain.errors import BadInputError, ConflictError, NotFoundError
from interdict.domain.indicators import (
    INDICATORS,
    Indicator,
    Period,
    convert,
    parse_period,
    resolve_indicator,
)
from interdict.schemas.indicators import IndicatorValueCreate, IndicatorValuePublic
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import agency_codes, require_writer
from interdict.store.dialect import lock_audit_head
from interdict.store.identity import User
from interdict.store.indicators import IndicatorValue

KIND = "indicator_value"


@dataclass(frozen=True)
class CheckedValue:
    """A figure checked against the catalogue, ready to store."""

    indicator: Indicator
    area: Area
    period: Period
    value: float
    low: float | None
    high: float | None
    data: IndicatorValueCreate


@dataclass(frozen=True)
class IndicatorFilters:
    indicator: str | None = None
    area: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    source: str | None = None


def check_value(data: IndicatorValueCreate) -> CheckedValue:
    """Resolve and convert one figure; every problem is named by its field."""
    errors: dict[str, str] = {}
    found: dict[str, object] = {}
    for name, fn, raw in (
        ("indicator", resolve_indicator, data.indicator),
        ("area", resolve_area, data.area),
        ("period", parse_period, data.period),
    ):
        try:
            found[name] = fn(raw)
        except BadInputError as exc:
            errors[name] = exc.detail
    if "indicator" in found:
        ind = found["indicator"]
        assert isinstance(ind, Indicator)
        for name, raw_v in (("value", data.value), ("low", data.low), ("high", data.high)):
            if raw_v is None:
                continue
            try:
                found[name] = convert(float(raw_v), data.unit, ind)
            except BadInputError as exc:
                errors["unit" if "unit" in exc.errors else name] = exc.detail
    if not errors:
        lo, hi, v = found.get("low"), found.get("high"), found["value"]
        if lo is not None and hi is not None and lo > hi:  # type: ignore[operator]
            errors["low"] = f"the range's low {data.low} is above its high {data.high}"
        elif (lo is not None and v < lo) or (hi is not None and v > hi):  # type: ignore[operator]
            errors["value"] = f"value {data.value} lies outside its range {data.low}–{data.high}"
    if errors:
        raise BadInputError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    return CheckedValue(
        found["indicator"],  # type: ignore[arg-type]
        found["area"],  # type: ignore[arg-type]
        found["period"],  # type: ignore[arg-type]
        found["value"],  # type: ignore[arg-type]
        found.get("low"),  # type: ignore[arg-type]
        found.get("high"),  # type: ignore[arg-type]
        data,
    )


def serialise_writers(session: Session) -> None:
    """Take the audit chain's head lock before reading the next revision number: the write is audited in
    this transaction anyway, so this only moves the wait earlier, and two users entering the same figure
    at once get revisions n and n+1 instead of a clash (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers)."""
    lock_audit_head(session)


def _same_figure(row: IndicatorValue, c: CheckedValue) -> bool:
    d = c.data
    return (
        row.value == c.value
        and row.low == c.low
        and row.high == c.high
        and (row.source, row.source_table, row.source_page) == (d.source, d.source_table, d.source_page)
    )


class IndicatorService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- write ---------------------------------------------------------------------------------------
    def add(self, session: Session, actor: Actor, data: IndicatorValueCreate) -> IndicatorValue:
        require_writer(actor)
        checked = check_value(data)
        serialise_writers(session)
        row = self.store(session, actor, checked, None, None, None)
        assert row is not None
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "indicator.add",
                "ok",
                KIND,
                row.uuid,
                actor.agency_code,
                None,
                {"indicator": row.indicator, "area": row.area, "period": row.period, "revision": row.revision},
            ),
        )
        return row

    def store(
        self,
        session: Session,
        actor: Actor,
        c: CheckedValue,
        import_uuid: str | None,
        import_row: int | None,
        known: dict[tuple[str, str, str], list[IndicatorValue]] | None,
    ) -> IndicatorValue:
        """Write ``c`` as the next revision of its figure (the caller checks the writer). ``known``
        caches each figure's revisions over an import."""
        key = (c.indicator.code, c.area.code, c.period.label)
        revisions = self._revisions(session, key, known)
        d = c.data
        fields = dict(
            indicator=c.indicator.code,
            area=c.area.code,
            period=c.period.label,
            period_start=c.period.start,
            period_end=c.period.end,
            value=c.value,
            unit=c.indicator.unit,
            low=c.low,
            high=c.high,
            reported_value=d.value,
            reported_unit=d.unit or c.indicator.unit,
            source=d.source,
            source_table=d.source_table,
            source_page=d.source_page,
            source_url=d.source_url,
            note=d.note,
            import_uuid=import_uuid,
            import_row=import_row,
            entered_by_id=actor.user_id,
            agency_id=actor.agency_id,
            entered_at=actor.now,
        )
        for _attempt in range(5):
            rev = max((r.revision for r in revisions), default=0) + 1
            row = IndicatorValue(uuid=str(uuid.uuid4()), revision=rev, **fields)
            try:
                # Two users entering the same figure at once both compute the same next revision; the
                # unique key refuses the second, which reads the revisions again and takes the next one.
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                revisions[:] = self._revisions(session, key, None)
                continue
            revisions.append(row)
            return row
        raise ConflictError(f"could not record a revision of {key}: too many concurrent writers; try again")

    def _revisions(
        self,
        session: Session,
        key: tuple[str, str, str],
        known: dict[tuple[str, str, str], list[IndicatorValue]] | None,
    ) -> list[IndicatorValue]:
        if known is not None and key in known:
            return known[key]
        indicator, area, period = key
        rows = list(
            session.scalars(
                select(IndicatorValue).where(
                    IndicatorValue.indicator == indicator,
                    IndicatorValue.area == area,
                    IndicatorValue.period == period,
                )
            )
        )
        if known is not None:
            known[key] = rows
        return rows

    def is_recorded(
        self, session: Session, c: CheckedValue, known: dict[tuple[str, str, str], list[IndicatorValue]]
    ) -> bool:
        """Whether this very statement (figure, range and source) is already one of the revisions: an
        import of the same file twice records nothing new."""
        key = (c.indicator.code, c.area.code, c.period.label)
        return any(_same_figure(r, c) for r in self._revisions(session, key, known))

    # -- read ----------------------------------------------------------------------------------------
    def latest(
        self, session: Session, actor: Actor, f: IndicatorFilters, limit: int = 5000
    ) -> list[IndicatorValue]:
        """The latest revision of every figure matching ``f``, by indicator, area and period."""
        where = []
        if f.indicator:
            where.append(IndicatorValue.indicator == resolve_indicator(f.indicator).code)
        if f.area:
            where.append(IndicatorValue.area == resolve_area(f.area).code)
        if f.period_from:
            where.append(IndicatorValue.period_end >= f.period_from)
        if f.period_to:
            where.append(IndicatorValue.period_start <= f.period_to)
        if f.source:
            where.append(IndicatorValue.source.contains(f.source, autoescape=True))
        top = (
            select(
                IndicatorValue.indicator,
                IndicatorValue.area,
                IndicatorValue.period,
                func.max(IndicatorValue.revision).label("rev"),
            )
            .where(*where)
            .group_by(IndicatorValue.indicator, IndicatorValue.area, IndicatorValue.period)
            .subquery()
        )
        stmt = (
            select(IndicatorValue)
            .join(
                top,
                and_(
                    IndicatorValue.indicator == top.c.indicator,
                    IndicatorValue.area == top.c.area,
                    IndicatorValue.period == top.c.period,
                    IndicatorValue.revision == top.c.rev,
                ),
            )
            .order_by(IndicatorValue.indicator, IndicatorValue.area, IndicatorValue.period_start)
            .limit(limit)
        )
        return list(session.scalars(stmt))

    def history(
        self, session: Session, actor: Actor, indicator: str, area: str, period: str
    ) -> list[IndicatorValue]:
        """Every revision of one figure, oldest first; 404 when none was ever entered."""
        ind, ar, per = resolve_indicator(indicator), resolve_area(area), parse_period(period)
        rows = list(
            session.scalars(
                select(IndicatorValue)
                .where(
                    IndicatorValue.indicator == ind.code,
                    IndicatorValue.area == ar.code,
                    IndicatorValue.period == per.label,
                )
                .order_by(IndicatorValue.revision)
            )
        )
        if not rows:
            raise NotFoundError(f"no figure for {ind.code} in {ar.code} for {per.label}")
        return rows

    def get(self, session: Session, actor: Actor, ref: str) -> IndicatorValue:
        row = session.scalars(select(IndicatorValue).where(IndicatorValue.uuid == ref.lower())).first()
        if row is None:
            raise NotFoundError(f"no indicator value {ref!r}")
        return row

    def public(self, session: Session, rows: Sequence[IndicatorValue]) -> list[IndicatorValuePublic]:
        users = {u.id: u.username for u in session.scalars(
            select(User).where(User.id.in_({r.entered_by_id for r in rows if r.entered_by_id}))
        )}  # fmt: skip
        agencies = agency_codes(session, {r.agency_id for r in rows if r.agency_id})
        out = []
        for r in rows:
            ind = INDICATORS.get(r.indicator)
            out.append(
                IndicatorValuePublic(
                    uuid=r.uuid,
                    indicator=r.indicator,
                    indicator_name=ind.name if ind else r.indicator,
                    area=r.area,
                    area_name=area_name(r.area),
                    period=r.period,
                    period_start=r.period_start,
                    period_end=r.period_end,
                    revision=r.revision,
                    value=r.value,
                    unit=r.unit,
                    low=r.low,
                    high=r.high,
                    reported_value=r.reported_value,
                    reported_unit=r.reported_unit,
                    source=r.source,
                    source_table=r.source_table,
                    source_page=r.source_page,
                    source_url=r.source_url,
                    note=r.note,
                    import_uuid=r.import_uuid,
                    import_row=r.import_row,
                    entered_by=users.get(r.entered_by_id or 0, "system"),
                    agency=agencies.get(r.agency_id or 0, ""),
                    entered_at=r.entered_at,
                )
            )
        return out

"""Importing a national list of controlled substances (CSV or XLSX), all or nothing.

Columns (docs/SCHEDULING.md): ``substance`` (catalogue code, CAS number or any name the catalogue
resolves, in any script) or ``group`` (an analogue group, for a class-wide control), ``jurisdiction``,
``schedule``, ``in_force`` (YYYY-MM-DD), ``legal_reference``, ``source``, and optionally ``until`` and
``decontrolled`` (yes/no). Every row is checked, and checked against the statuses already recorded and the
file's earlier rows; if any row has a problem, nothing is written and every problem is reported with its
row, column, value and what was expected. A row that says what is already recorded is counted as
unchanged, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.roles import Permission
from interdict.domain.scheduling import Interval, apply, place
from interdict.io.sheets import SheetError, open_rows
from interdict.schemas.scheduling import ControlStatusCreate, ImportResult
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
from interdict.services.scheduling import Checked, SchedulingService, check, interval_of, may_write
from interdict.store.dialect import lock_audit_head
from interdict.store.scheduling import ControlStatus, ControlStatusImport

REQUIRED = ("jurisdiction", "schedule", "in_force", "legal_reference", "source")
OPTIONAL = ("substance", "group", "until", "decontrolled")
MAX_ROWS = 20_000
MAX_ERRORS = 500
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"", "no", "n", "false", "0"}


def _cell(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, row: int | None, column: str, value: str, expected: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            where = f"row {row}, column {column}" if row else f"column {column}"
            shown = f"{value!r}: " if value else ""
            self.errors[where] = f"{shown}{expected}"


class SchedulingImporter:
    def __init__(self, service: SchedulingService) -> None:
        self.service = service

    def run(self, session: Session, actor: Actor, stream: IO[bytes], filename: str) -> ImportResult:
        if not (actor.can(Permission.MANAGE_STRUCTURE) or actor.can(Permission.WRITE_RECORDS)):
            raise ForbiddenError("your roles do not allow you to record control statuses")
        data = stream.read()
        digest = hashlib.sha256(data).hexdigest()
        problems = _Problems()
        try:
            sheet = open_rows(io.BytesIO(data), filename)
            checked = self._check_rows(sheet.header, sheet.rows, problems)
        except SheetError as exc:
            where = f"row {exc.row}" if exc.row else "file"
            raise BadInputError(f"{filename}: {exc}", {where: str(exc)}) from None
        if not problems.errors:
            self._check_rights(session, actor, checked)
            self._check_timelines(session, checked, problems)
        if problems.errors:
            first = next(iter(problems.errors.items()))
            raise BadInputError(
                f"{len(problems.errors)} problem(s) in {filename}; nothing was imported. First: {first[0]}: {first[1]}",
                problems.errors,
            )
        return self._write(session, actor, checked, filename, digest)

    # -- checking --------------------------------------------------------------------------------------
    def _check_rows(
        self, header: list[str], rows: Iterator[tuple[int, list[Any]]], p: _Problems
    ) -> list[tuple[int, Checked]]:
        cols = {h.strip().lower(): i for i, h in enumerate(header) if h.strip()}
        for name in REQUIRED:
            if name not in cols:
                p.add(
                    1,
                    name,
                    "",
                    f"the file has no {name!r} column (columns: {', '.join(REQUIRED + OPTIONAL)})",
                )
        if "substance" not in cols and "group" not in cols:
            p.add(1, "substance", "", "the file needs a 'substance' column, a 'group' column, or both")
        if p.errors:
            return []
        out: list[tuple[int, Checked]] = []
        for n, (row_no, cells) in enumerate(rows):
            if n >= MAX_ROWS:
                p.add(row_no, "(row)", "", f"more than {MAX_ROWS} rows; split the file")
                break
            values = {k: _cell(cells[i]) if i < len(cells) else "" for k, i in cols.items()}
            found = self._check_row(row_no, values, p)
            if found is not None:
                out.append((row_no, found))
        return out

    @staticmethod
    def _check_row(row_no: int, v: dict[str, str], p: _Problems) -> Checked | None:
        bad = len(p.errors)
        days: dict[str, date | None] = {}
        for name in ("in_force", "until"):
            raw = v.get(name, "")
            try:
                days[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                p.add(row_no, name, raw, "expected a date as YYYY-MM-DD")
        if not v.get("in_force"):
            p.add(row_no, "in_force", "", "expected the date the status came into force, as YYYY-MM-DD")
        flag = v.get("decontrolled", "").lower()
        if flag not in _YES | _NO:
            p.add(row_no, "decontrolled", v.get("decontrolled", ""), "expected yes or no")
        if len(p.errors) > bad:
            return None
        in_force = days["in_force"]
        assert in_force is not None
        try:
            data = ControlStatusCreate(
                substance=v.get("substance", ""), group=v.get("group", ""), jurisdiction=v.get("jurisdiction", ""),
                schedule=v.get("schedule", ""), decontrolled=flag in _YES, in_force=in_force, until=days["until"],
                legal_reference=v.get("legal_reference", ""), source=v.get("source", ""),
            )  # fmt: skip
            return check(data)
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else "(row)"
                p.add(row_no, column, v.get(column, ""), str(err["msg"]))
        except BadInputError as exc:
            for column, message in exc.errors.items():
                p.add(row_no, column, v.get(column, ""), message)
        return None

    def _check_rights(self, session: Session, actor: Actor, rows: list[tuple[int, Checked]]) -> None:
        refused: dict[str, str] = {}
        for row_no, c in rows:
            reason = may_write(session, actor, c.jurisdiction)
            if reason and len(refused) < MAX_ERRORS:
                refused[f"row {row_no}, column jurisdiction"] = f"{c.jurisdiction.code!r}: {reason}"
        if refused:
            first = next(iter(refused.items()))
            raise ForbiddenError(
                f"{len(refused)} row(s) name a jurisdiction you may not record; nothing was imported. "
                f"First: {first[0]}: {first[1]}",
                refused,
            )

    @staticmethod
    def _check_timelines(session: Session, rows: list[tuple[int, Checked]], p: _Problems) -> None:
        """Play the file's rows onto the stored timelines (in memory) so a row that would not fit is
        reported before anything is written."""
        timelines: dict[tuple[str, str, str], list[Interval]] = {}
        for row_no, c in rows:
            key = (c.subject[0], c.subject[1], c.jurisdiction.code)
            if key not in timelines:
                stored = session.scalars(
                    select(ControlStatus).where(
                        ControlStatus.substance == key[0],
                        ControlStatus.nps_group == key[1],
                        ControlStatus.jurisdiction == key[2],
                    )
                )
                timelines[key] = [_with_text(interval_of(r), r.legal_reference, r.source) for r in stored]
            history = timelines[key]
            mine = _with_text(c.interval, c.legal_reference, c.source)
            same = next((i for i in history if i.in_force == mine.in_force), None)
            if same is not None and _same_text(same, mine):
                continue
            try:
                place(history, c.interval)
            except BadInputError as exc:
                for column, message in exc.errors.items():
                    p.add(row_no, column, _value(c, column), f"{message} ({exc.detail})")
                continue
            timelines[key] = apply(history, mine)

    # -- writing ---------------------------------------------------------------------------------------
    def _write(
        self, session: Session, actor: Actor, rows: list[tuple[int, Checked]], filename: str, digest: str
    ) -> ImportResult:
        lock_audit_head(session)
        batch = ControlStatusImport(
            uuid=str(uuid.uuid4()), filename=filename[:255], sha256=digest, rows=len(rows), added=0, unchanged=0,
            superseded=0, recorded_by_id=actor.user_id, recorded_by=actor.username or "",
            recorded_agency=actor.agency_code or "", created_at=actor.now,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        written: list[tuple[ControlStatus, ControlStatus | None]] = []
        unchanged = 0
        for _row_no, c in rows:
            row, outcome, closed = self.service.store(session, actor, c, batch)
            if outcome == "unchanged":
                unchanged += 1
            else:
                written.append((row, closed))
        superseded = sum(1 for _, closed in written if closed is not None)
        result = ImportResult(
            import_uuid=batch.uuid if written else None,
            rows=len(rows),
            added=len(written),
            unchanged=unchanged,
            superseded=superseded,
        )
        if not written:
            session.delete(batch)  # nothing changed: no import to remember
            session.flush()
            return result
        batch.added, batch.unchanged, batch.superseded = len(written), unchanged, superseded
        self.service.audit_writes(session, actor, written, batch)
        self.service.audit.record(
            session,
            actor,
            AuditEvent(
                "scheduling.import", "ok", "control_status_import", batch.uuid, actor.agency_code, None,
                {"file": filename, "sha256": digest, **result.model_dump(exclude={"import_uuid"})},
            ),
        )  # fmt: skip
        return result


def _with_text(i: Interval, legal_reference: str, source: str) -> Interval:
    return Interval(i.in_force, i.until, i.schedule, i.decontrolled, key=(i.key, legal_reference, source))


def _same_text(stored: Interval, new: Interval) -> bool:
    """The same status as ``ControlStatusService.store`` judges it (the key carries the texts)."""
    s_key, n_key = stored.key, new.key
    assert isinstance(s_key, tuple) and isinstance(n_key, tuple)
    return (
        stored.schedule == new.schedule
        and stored.decontrolled == new.decontrolled
        and (new.until is None or stored.until == new.until)
        and s_key[1:] == n_key[1:]
    )


def _value(c: Checked, column: str) -> str:
    if column == "until":
        return c.interval.until.isoformat() if c.interval.until else ""
    return c.interval.in_force.isoformat()

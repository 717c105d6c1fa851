"""Importing indicator tables (CSV or XLSX), long or wide, all or nothing.

*Long*: one figure per row, with columns ``indicator, area, period, value`` and optionally ``unit,
low, high, source, source_table, source_page, source_url, note``.
*Wide*: one row per indicator and area (or per area, with the indicator given for the whole file),
one column per period (headers such as ``2019``, ``2020-Q1``, ``2021-03``); an empty cell is "no
figure for that period" and is counted, not stored.

A mapping names the file's headers for the fields (``{"area": "CountryCode", "value": "KgEquivalent"}``)
and, per field, values to translate (``{"indicator": {"Heroin": "seizures_heroin"}}``). Constants give
a field for every row (``source``, or ``indicator`` for a file about one indicator).

Every problem is collected with its row and column (unknown indicators and areas with suggestions,
units that cannot be converted, empty periods or values, ranges that do not hold the value), and if
there is any, nothing is written. A figure that already exists with a different value (or appears twice
in the file) becomes a new revision with this import's provenance; a statement already recorded among
the figure's revisions (same value, range, source, table and page) is counted as unchanged, so
importing a file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.indicators import parse_period
from interdict.io.sheets import SheetError, open_rows
from interdict.schemas.indicators import IndicatorImportResult, IndicatorValueCreate
from interdict.services.audit import AuditEvent
from interdict.services.context import Actor
from interdict.services.indicators import CheckedValue, IndicatorService, check_value, serialise_writers
from interdict.services.records import require_writer
from interdict.store.indicators import IndicatorValue

FIELDS = (
    "indicator", "area", "period", "value", "unit", "low", "high",
    "source", "source_table", "source_page", "source_url", "note",
)  # fmt: skip
LONG_REQUIRED = ("indicator", "area", "period", "value", "source")
WIDE_REQUIRED = ("indicator", "area", "source")
MAX_ERRORS = 500
MAX_ROWS = 200_000


@dataclass(frozen=True)
class IndicatorImportOptions:
    layout: str = "long"  # long | wide
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> header in the file
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # field -> {file value: ours}
    constants: Mapping[str, str] = field(default_factory=dict)  # field -> value for every row
    encoding: str = "utf-8"


def _cell(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(raw: Any) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if text.count(",") and "." not in text and all(len(p) == 3 for p in text.split(",")[1:]):
        text = text.replace(",", "")  # thousands separators: 47,100
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, row: int | None, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            where = f"row {row}, column {column}" if row else f"column {column}"
            self.errors[where] = message


class IndicatorImporter:
    def __init__(self, indicators: IndicatorService) -> None:
        self.indicators = indicators

    def run(
        self, session: Session, actor: Actor, stream: IO[bytes], filename: str, opts: IndicatorImportOptions
    ) -> IndicatorImportResult:
        require_writer(actor)
        if opts.layout not in ("long", "wide"):
            raise BadInputError(f"layout {opts.layout!r} is not long or wide", {"layout": "long or wide"})
        unknown = [k for k in (*opts.mapping, *opts.values, *opts.constants) if k not in FIELDS]
        if unknown:
            raise BadInputError(
                f"unknown field {unknown[0]!r} in the mapping; fields are {', '.join(FIELDS)}",
                {"mapping": f"unknown field {unknown[0]!r}"},
            )
        data = stream.read()
        digest = hashlib.sha256(data).hexdigest()
        try:
            sheet = open_rows(io.BytesIO(data), filename, opts.encoding)
            drafts, empty, errs = self._drafts(sheet.header, sheet.rows, opts)
        except SheetError as exc:
            where = f"row {exc.row}" if exc.row else "file"
            raise BadInputError(f"{filename}: {exc}", {where: str(exc)}) from None
        if errs.errors:
            first = next(iter(errs.errors.items()))
            raise BadInputError(
                f"{len(errs.errors)} problem(s) in {filename}; nothing was imported. First: {first[0]}: {first[1]}",
                errs.errors,
            )
        serialise_writers(session)
        import_uuid = str(uuid.uuid4())
        known: dict[tuple[str, str, str], list[IndicatorValue]] = {}
        created = revised = unchanged = 0
        for row_no, checked in drafts:
            if self.indicators.is_recorded(session, checked, known):
                unchanged += 1
                continue
            key = (checked.indicator.code, checked.area.code, checked.period.label)
            had = bool(known.get(key))
            self.indicators.store(session, actor, checked, import_uuid, row_no, known)
            created += 1
            revised += int(had)
        result = IndicatorImportResult(
            import_uuid=import_uuid,
            rows=len(drafts),
            created=created,
            revised=revised,
            unchanged=unchanged,
            empty=empty,
        )
        self.indicators.audit.record(
            session,
            actor,
            AuditEvent(
                "indicator.import",
                "ok",
                "indicator_import",
                import_uuid,
                actor.agency_code,
                None,
                {"file": filename, "sha256": digest, "layout": opts.layout, **result.model_dump()},
            ),
        )
        return result

    def _drafts(
        self, header: list[str], rows: Any, opts: IndicatorImportOptions
    ) -> tuple[list[tuple[int, CheckedValue]], int, _Collector]:
        errs = _Collector()
        lower = {h.strip().lower(): i for i, h in enumerate(header) if h.strip()}
        cols: dict[str, int] = {}
        for f in FIELDS:
            name = opts.mapping.get(f, f)
            if name.strip().lower() in lower:
                cols[f] = lower[name.strip().lower()]
            elif f in opts.mapping:
                errs.add(None, name, f"the mapping names column {name!r} for {f}, but the file has no such header")
        period_cols: list[tuple[int, str]] = []
        if opts.layout == "wide":
            used = set(cols.values())
            for i, h in enumerate(header):
                if i in used or not h.strip():
                    continue
                try:
                    period_cols.append((i, parse_period(h).label))
                except BadInputError:
                    continue
            if not period_cols:
                errs.add(1, "(header)", "a wide table needs period columns such as 2019, 2020-Q1 or 2021-03")
        required = LONG_REQUIRED if opts.layout == "long" else WIDE_REQUIRED
        for f in required:
            if f not in cols and f not in opts.constants:
                errs.add(1, opts.mapping.get(f, f), f"the file has no {f!r} column and no constant gives one")
        if errs.errors:
            return [], 0, errs
        out: list[tuple[int, CheckedValue]] = []
        empty = 0
        for n, (row_no, cells) in enumerate(rows):
            if n >= MAX_ROWS:
                errs.add(row_no, "(row)", f"more than {MAX_ROWS} rows; split the file")
                break
            base = self._fields(row_no, cells, cols, header, opts)
            if opts.layout == "long":
                self._check(row_no, base, header, cols, errs, out)
                continue
            for i, label in period_cols:
                raw = cells[i] if i < len(cells) else None
                if _cell(raw) == "":
                    empty += 1
                    continue
                self._check(row_no, {**base, "period": label, "value": raw}, header, cols, errs, out, i)
        return out, empty, errs

    def _fields(
        self, row_no: int, cells: list[Any], cols: dict[str, int], header: list[str], opts: IndicatorImportOptions
    ) -> dict[str, Any]:
        values: dict[str, Any] = dict(opts.constants)
        for f, i in cols.items():
            raw = cells[i] if i < len(cells) else None
            if f in ("value", "low", "high"):
                values[f] = raw
                continue
            text = _cell(raw)
            if text == "" and f in opts.constants:
                continue
            values[f] = opts.values.get(f, {}).get(text, text)
        return values

    def _check(
        self,
        row_no: int,
        v: dict[str, Any],
        header: list[str],
        cols: dict[str, int],
        errs: _Collector,
        out: list[tuple[int, CheckedValue]],
        value_col: int | None = None,
    ) -> None:
        def column(f: str) -> str:
            if f == "value" and value_col is not None:
                return header[value_col]
            return header[cols[f]] if f in cols else f

        numbers: dict[str, float | None] = {}
        bad = False
        for f in ("value", "low", "high"):
            try:
                numbers[f] = _number(v.get(f))
            except ValueError as exc:
                errs.add(row_no, column(f), str(exc))
                bad = True
        if not bad and numbers["value"] is None:
            errs.add(row_no, column("value"), "the value is empty")
            bad = True
        if not str(v.get("period", "")).strip():
            errs.add(row_no, column("period"), "the period is empty")
            bad = True
        if bad:
            return
        try:
            data = IndicatorValueCreate(
                indicator=str(v.get("indicator", "")) or "?",
                area=str(v.get("area", "")) or "?",
                period=str(v.get("period", "")),
                value=numbers["value"],
                unit=str(v.get("unit", "")),
                low=numbers["low"],
                high=numbers["high"],
                source=str(v.get("source", "")),
                source_table=str(v.get("source_table", "")),
                source_page=str(v.get("source_page", "")),
                source_url=str(v.get("source_url", "")),
                note=str(v.get("note", "")),
            )
        except ValidationError as exc:
            for e in exc.errors():
                f = str(e["loc"][0]) if e["loc"] else "row"
                errs.add(row_no, column(f), e["msg"])
            return
        try:
            out.append((row_no, check_value(data)))
        except BadInputError as exc:
            for f, msg in (exc.errors or {"row": exc.detail}).items():
                errs.add(row_no, column(f), msg)

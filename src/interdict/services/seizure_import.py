"""Bulk import of seizure reports from CSV or XLSX.

* Layouts: ``interdict`` (the published template) and ``unodc-ids`` (modelled on the columns of
  UNODC's individual drug seizure data), plus any mapping of template fields to a file's own headers.
* Every row is checked by the same rules as the API (``domain.seizures.SeizureRules``); a problem is
  reported with its row, column and message.
* ``mode="all"``: one transaction, committed only when every row is valid; otherwise nothing is
  loaded. ``mode="valid"``: the valid rows are loaded and the refused ones come back as a CSV with
  an ``error`` column, ready to correct and import again.
* Re-importing a file creates no duplicates: a row is keyed by the agency's ``reference`` (or, when
  there is none, by the digest of its values); a repeat is counted as unchanged, a different row
  under a known reference is refused.
* Consecutive rows with the same ``reference`` are the lines of one seizure (several substances).
* The file is read as a stream and written in chunks, so memory stays flat whatever its size.
"""

from __future__ import annotations

import csv
import hashlib
import io
import operator
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import ARRAY, String, any_, cast, insert, literal, select
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError
from interdict.domain.seizures import CheckedSeizure, ItemDraft, SeizureDraft, SeizureRules
from interdict.io.csvsafe import cell
from interdict.io.sheets import SheetError, open_rows
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import require_writer
from interdict.services.seizures import (
    RecordStamp,
    content_hash,
    item_values,
    row_values,
    stamp_values,
)
from interdict.services.sharing import DistributionRequest, audience_for, resolve_distribution
from interdict.store.bulk import BulkWriter, reserve_ids
from interdict.store.records import RecordShare
from interdict.store.seizures import Operation, OperationParticipant, Seizure, SeizureImport, SeizureItem

CHUNK = 5_000
MAX_REPORTED_ERRORS = 1_000

# The published template: these names are a contract with agencies' scripts; add, never rename.
TEMPLATE_COLUMNS: tuple[tuple[str, str], ...] = (
    (
        "reference",
        "Your agency's case or seizure reference. Rows with the same reference, one after the other, "
        "are the substances of one seizure. Re-importing a reference changes nothing.",
    ),
    ("seized_on", "Date of the seizure, YYYY-MM-DD. Required; not in the future."),
    ("country", "Country where the seizure happened: ISO 3166-1 code (TH, THA) or English name. Required."),
    ("subdivision", "ISO 3166-2 subdivision code, e.g. TH-57 (Chiang Rai) or 57."),
    ("place", "Place name (town, district, checkpoint)."),
    ("latitude", "Decimal degrees, WGS 84, with longitude."),
    ("longitude", "Decimal degrees, WGS 84, with latitude."),
    (
        "location_type",
        "inland, border_crossing, airport, seaport, river_port or postal_hub (default inland).",
    ),
    ("port", "Port, airport or border crossing: its code (UN/LOCODE, IATA:BKK) or name."),
    (
        "substance",
        "Substance: catalogue code or any name in any script (methamphetamine, yaba, 冰毒). Required.",
    ),
    ("quantity", "Quantity as reported, a number above zero (point as decimal mark). Required."),
    ("unit", "mg, g, kg, t, lb, oz, tablets, l, ml, plants or ha. Required."),
    ("purity_pct", "Purity in percent, above 0 and at most 100, where known."),
    ("form", "Form as seized: tablets, crystal, powder, liquid, herb ..."),
    ("concealment", "Concealment method."),
    ("transport_mode", "road, rail, air, sea, river, postal, courier, pedestrian or other."),
    ("origin_country", "Country the consignment came from."),
    ("transit_countries", "Countries crossed, separated by semicolons."),
    ("destination_country", "Intended destination country."),
    ("suspects_arrested", "Number of persons arrested (whole number)."),
    ("suspect_nationalities", "Nationalities of those arrested, separated by semicolons."),
    ("cash_amount", "Cash seized, a number, with cash_currency."),
    ("cash_currency", "ISO 4217 currency code of the cash, e.g. THB, USD."),
    ("vehicles", "Number of vehicles seized."),
    ("operation", "Code of a joint operation your agency takes part in."),
    ("narrative", "Free text."),
)
FIELDS = tuple(name for name, _ in TEMPLATE_COLUMNS)
REQUIRED = ("seized_on", "country", "substance", "quantity", "unit")
SEIZURE_FIELDS = tuple(f for f in FIELDS if f not in ("substance", "quantity", "unit", "purity_pct", "form"))


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    headers: Mapping[str, tuple[str, ...]]  # field -> accepted headers (first is the canonical one)
    date_formats: tuple[str, ...] = ()
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # field -> {their value: ours}


LAYOUTS: dict[str, Layout] = {
    "interdict": Layout(
        "interdict",
        "The Interdict template (interdict seizures template).",
        {name: (name,) for name in FIELDS},
    ),
    # Modelled on the columns of UNODC's individual drug seizure (IDS) data as published on
    # data.unodc.org; the dotted forms are the same headers as R's read.csv rewrites them.
    "unodc-ids": Layout(
        "unodc-ids",
        "Columns of UNODC's individual drug seizure data (Reporting Country, Seizure Date, Drug Name, Amount, Unit ...).",
        {
            "reference": ("Case Number", "IDS ID", "Case.Number"),
            "seized_on": ("Seizure Date", "Date of Seizure", "Seizure.Date"),
            "country": ("Reporting Country", "Country", "Reporting.Country"),
            "place": ("Place of Seizure", "Location", "Place.of.Seizure"),
            "substance": ("Drug Name", "Drug", "Drug.Name"),
            "quantity": ("Amount", "Quantity"),
            "unit": ("Unit", "Unit of Measurement", "Unit.of.Measurement"),
            "purity_pct": ("Purity", "Purity (%)"),
            "concealment": ("Concealment", "Concealment Method", "Means of Concealment"),
            "transport_mode": ("Mode of Transport", "Mode of Transportation", "Mode.of.Transport"),
            "origin_country": (
                "Country obtained / Departure Country",
                "Departure Country",
                "Country of Origin",
                "Country.obtained...Departure.Country",
            ),
            "transit_countries": ("Transit Country", "Transit Countries", "Transit.Country"),
            "destination_country": ("Destination Country", "Destination.Country"),
            "suspects_arrested": ("Number of Persons Arrested", "Persons Arrested"),
            "suspect_nationalities": ("Nationality of Traffickers", "Nationality"),
            "location_type": ("Type of Location", "Location Type"),
        },
        date_formats=("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"),
        values={
            "transport_mode": {
                "land": "road",
                "vehicle": "road",
                "car": "road",
                "truck": "road",
                "train": "rail",
                "plane": "air",
                "aircraft": "air",
                "vessel": "sea",
                "maritime": "sea",
                "mail": "postal",
                "post": "postal",
                "parcel": "postal",
                "express mail": "courier",
                "on foot": "pedestrian",
            },
            "location_type": {
                "airport": "airport",
                "seaport": "seaport",
                "border": "border_crossing",
                "land border": "border_crossing",
                "mail centre": "postal_hub",
                "inland": "inland",
            },
        },
    ),
}


def template_csv() -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(FIELDS)
    return buf.getvalue()


def template_xlsx() -> bytes:
    """The template as a workbook: an empty ``seizures`` sheet with the header, and a ``guide``."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "seizures"
    ws.append(list(FIELDS))
    for c in ws[1]:
        c.font = Font(bold=True)
    guide = wb.create_sheet("guide")
    guide.append(["column", "required", "what it holds"])
    for name, text in TEMPLATE_COLUMNS:
        guide.append([name, "yes" if name in REQUIRED else "", text])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class ImportOptions:
    filename: str
    layout: str = "interdict"
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> header in the file
    mode: str = "all"
    encoding: str = "utf-8"
    distribution: DistributionRequest = field(default_factory=lambda: DistributionRequest("agency"))
    contains_personal_data: bool = False


@dataclass(frozen=True)
class Refusal:
    row: int
    column: str
    message: str


@dataclass
class ImportOutcome:
    filename: str
    sha256: str
    layout: str
    mode: str
    rows: int = 0
    seizures_created: int = 0
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_refused: int = 0
    loaded: bool = False
    import_uuid: str | None = None
    errors: list[Refusal] = field(default_factory=list)
    errors_truncated: bool = False
    refused_csv: str = ""

    def refuse(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(Refusal(row, column, message))
        else:
            self.errors_truncated = True


class _Columns:
    """Where each template field is in the file's rows."""

    def __init__(self, header: list[str], layout: Layout, mapping: Mapping[str, str]) -> None:
        unknown = [f for f in mapping if f not in FIELDS]
        if unknown:
            raise SheetError(
                f"the mapping names unknown field(s) {', '.join(unknown)}; fields are: {', '.join(FIELDS)}"
            )
        norm = {h.strip().casefold(): i for i, h in enumerate(header) if h.strip()}
        self.index: dict[str, int] = {}
        for f in FIELDS:
            candidates = (mapping[f],) if f in mapping else layout.headers.get(f, ())
            for h in candidates:
                if h.strip().casefold() in norm:
                    self.index[f] = norm[h.strip().casefold()]
                    break
            else:
                if f in mapping:
                    raise SheetError(
                        f"the mapping sends {f} to column {mapping[f]!r}, which the file does not have"
                    )
        missing = [f for f in REQUIRED if f not in self.index]
        if missing:
            wanted = ", ".join(
                repr(layout.headers.get(f, (f,))[0]) if f not in mapping else repr(mapping[f])
                for f in missing
            )
            raise SheetError(
                f"the header row lacks required column(s) {wanted} (layout {layout.name}); "
                f"found: {', '.join(h for h in header if h) or 'nothing'}",
                1,
            )
        self.header = header


_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def _number(raw: Any) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    text = str(raw).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        if _THOUSANDS.match(text):
            return float(text.replace(",", ""))
        raise ValueError(f"{text[:40]!r} is not a number (use a point as decimal mark)") from None


def _whole(raw: Any) -> int | None:
    value = _number(raw)
    if value is None:
        return None
    if value != int(value):
        raise ValueError(f"{value:g} is not a whole number")
    return int(value)


def _text(raw: Any) -> str:
    if type(raw) is str:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _list(raw: Any) -> list[str]:
    return [p.strip() for p in re.split(r"[;|]", _text(raw)) if p.strip()]


class _RowReader:
    """Turns one file row into a draft, or names what is wrong with its cells.

    Hot path: called once per row of files of millions of rows. All the template's fields are taken
    out of a row in one ``itemgetter`` call (a missing column reads as the empty cell appended at the
    end), and cells are only converted where they hold something."""

    def __init__(self, cols: _Columns, layout: Layout) -> None:
        self.cols = cols
        self.layout = layout
        self.date_formats = layout.date_formats
        self.width = len(cols.header)
        missing = self.width  # index of the empty cell appended to every row
        self.getter = operator.itemgetter(*(cols.index.get(f, missing) for f in FIELDS))
        self.pad = [""] * (self.width + 1)
        self.values_of = {f: layout.values.get(f) for f in ("location_type", "transport_mode")}

    def fields(self, row: list[Any]) -> tuple[Any, ...]:
        n = len(row)
        return self.getter(row + self.pad[n:] if n <= self.width else [*row[: self.width], ""])  # type: ignore[no-any-return]

    def date(self, raw: Any) -> date | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = str(raw).strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        for fmt in self.date_formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"{text[:40]!r} is not a date (YYYY-MM-DD)")

    def mapped(self, f: str, raw: Any) -> str:
        text = _text(raw)
        table = self.values_of.get(f)
        return table.get(text.casefold(), text) if table else text

    def item(self, v: tuple[Any, ...], errors: list[tuple[str, str]]) -> ItemDraft:
        quantity = purity = None
        raw = v[_QUANTITY]
        if raw != "":
            try:
                quantity = _number(raw)
            except ValueError as exc:
                errors.append(("quantity", str(exc)))
        raw = v[_PURITY]
        if raw != "":
            try:
                purity = _number(raw)
            except ValueError as exc:
                errors.append(("purity_pct", str(exc)))
        return ItemDraft(_text(v[_SUBSTANCE]), quantity, _text(v[_UNIT]), purity, _text(v[_FORM]))

    def draft(self, v: tuple[Any, ...], errors: list[tuple[str, str]]) -> SeizureDraft:
        seized_on = None
        try:
            seized_on = self.date(v[_SEIZED_ON])
        except ValueError as exc:
            errors.append(("seized_on", str(exc)))
        nums: dict[str, float | int | None] = {
            "latitude": None,
            "longitude": None,
            "cash_amount": None,
            "suspects_arrested": None,
            "vehicles": None,
        }
        for f, i, conv in _NUMBERS:
            if v[i] != "":
                try:
                    nums[f] = conv(v[i])
                except ValueError as exc:
                    errors.append((f, str(exc)))
        assets: list[dict[str, Any]] = []
        currency = _text(v[_CURRENCY])
        if nums["cash_amount"] is not None:
            assets.append({"kind": "cash", "value": nums["cash_amount"], "currency": currency})
        elif currency:
            errors.append(("cash_currency", f"{currency!r} is given without cash_amount"))
        vehicles = nums["vehicles"]
        if vehicles:
            assets.append({"kind": "vehicle", "count": vehicles})
        elif vehicles is not None and vehicles < 0:
            errors.append(("vehicles", f"must be a whole number from 0 (got {vehicles})"))
        transit = v[_TRANSIT]
        nationalities = v[_NATIONALITIES]
        return SeizureDraft(
            seized_on=seized_on,
            country=_text(v[_COUNTRY]),
            items=[self.item(v, errors)],
            reference=_text(v[_REFERENCE]),
            subdivision=_text(v[_SUBDIVISION]),
            place=_text(v[_PLACE]),
            latitude=nums["latitude"],
            longitude=nums["longitude"],
            location_type=self.mapped("location_type", v[_LOCATION]) or "inland",
            port=_text(v[_PORT]),
            concealment=_text(v[_CONCEALMENT]),
            transport_mode=self.mapped("transport_mode", v[_MODE]).lower(),
            origin_country=_text(v[_ORIGIN]),
            transit_countries=_list(transit) if transit != "" else (),
            destination_country=_text(v[_DESTINATION]),
            suspects_arrested=int(nums["suspects_arrested"] or 0),
            suspect_nationalities=_list(nationalities) if nationalities != "" else (),
            assets=assets,
            narrative=_text(v[_NARRATIVE]),
        )


_F = {name: i for i, name in enumerate(FIELDS)}
_REFERENCE, _SEIZED_ON, _COUNTRY, _SUBDIVISION, _PLACE = (
    _F["reference"],
    _F["seized_on"],
    _F["country"],
    _F["subdivision"],
    _F["place"],
)
_LOCATION, _PORT, _SUBSTANCE, _QUANTITY, _UNIT = (
    _F["location_type"],
    _F["port"],
    _F["substance"],
    _F["quantity"],
    _F["unit"],
)
_PURITY, _FORM, _CONCEALMENT, _MODE, _ORIGIN = (
    _F["purity_pct"],
    _F["form"],
    _F["concealment"],
    _F["transport_mode"],
    _F["origin_country"],
)
_TRANSIT, _DESTINATION, _NATIONALITIES, _CURRENCY, _OPERATION, _NARRATIVE = (
    _F["transit_countries"],
    _F["destination_country"],
    _F["suspect_nationalities"],
    _F["cash_currency"],
    _F["operation"],
    _F["narrative"],
)
_SEIZURE_FIELD_INDEXES = tuple(_F[f] for f in SEIZURE_FIELDS)
_NUMBERS: tuple[tuple[str, int, Callable[[Any], Any]], ...] = (
    ("latitude", _F["latitude"], lambda x: _number(x)),
    ("longitude", _F["longitude"], lambda x: _number(x)),
    ("cash_amount", _F["cash_amount"], lambda x: _number(x)),
    ("suspects_arrested", _F["suspects_arrested"], lambda x: _whole(x)),
    ("vehicles", _F["vehicles"], lambda x: _whole(x)),
)


@dataclass
class _Group:
    """The rows of one seizure (one row, or consecutive rows with one reference)."""

    rows: list[tuple[int, list[Any]]]
    draft: SeizureDraft | None
    operation: str
    errors: list[tuple[int, str, str]]


class SeizureImporter:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def run(
        self,
        session: Session,
        actor: Actor,
        stream: IO[bytes],
        opts: ImportOptions,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportOutcome:
        """Import ``stream`` inside ``session``'s transaction. With mode ``all`` and any refused row,
        everything this import wrote is rolled back and only the audit of the refusal is kept."""
        require_writer(actor)
        if opts.mode not in ("all", "valid"):
            raise BadInputError(
                f"mode must be 'all' or 'valid' (got {opts.mode!r})", {"mode": "all or valid"}
            )
        layout = LAYOUTS.get(opts.layout)
        if layout is None:
            raise BadInputError(
                f"unknown layout {opts.layout!r}; known: {', '.join(LAYOUTS)}", {"layout": "unknown"}
            )
        assert actor.agency_id is not None and actor.user_id is not None
        digest = hashlib.sha256()
        hashing = _Hashing(stream, digest)
        outcome = ImportOutcome(opts.filename, "", layout.name, opts.mode)
        resolved = resolve_distribution(session, actor, opts.distribution)
        try:
            sheet = open_rows(hashing, opts.filename, opts.encoding)  # type: ignore[arg-type]
            cols = _Columns(sheet.header, layout, opts.mapping)
        except SheetError as exc:
            return self._refused(session, actor, outcome, digest, exc, opts)
        imp = SeizureImport(
            uuid=str(uuid.uuid4()),
            agency_id=actor.agency_id,
            user_id=actor.user_id,
            filename=opts.filename[:255],
            sha256="",
            layout=layout.name,
            mode=opts.mode,
            rows=0,
            created=0,
            unchanged=0,
            refused=0,
            created_at=actor.now,
        )
        session.add(imp)
        session.flush()
        stamp = RecordStamp(
            actor.agency_id,
            actor.user_id,
            actor.now,
            resolved,
            contains_personal_data=opts.contains_personal_data,
            import_id=imp.id,
            audience_id=audience_for(session, actor.agency_id, resolved, opts.contains_personal_data),
        )
        loader = _Loader(session, actor, stamp, SeizureRules(actor.today), outcome)
        refused_rows: list[tuple[int, list[Any], str]] = []
        reader = _RowReader(cols, layout)
        try:
            for batch in _chunks(_groups(sheet.rows, reader), CHUNK):
                refused_rows.extend(loader.load(batch))
                if progress:
                    progress(outcome.rows, sheet.position())
        except SheetError as exc:
            session.rollback()
            return self._refused(session, actor, outcome, digest, exc, opts)
        outcome.sha256 = digest.hexdigest()
        if outcome.rows_refused and opts.mode == "all":
            session.rollback()
            outcome.seizures_created = outcome.rows_loaded = 0
            outcome.rows_unchanged = 0
            self._audit(session, actor, outcome, "refused")
            return outcome
        imp.sha256 = outcome.sha256
        imp.rows, imp.created = outcome.rows, outcome.seizures_created
        imp.unchanged, imp.refused = outcome.rows_unchanged, outcome.rows_refused
        outcome.loaded = True
        outcome.import_uuid = imp.uuid
        if refused_rows:
            outcome.refused_csv = _refused_file(cols.header, refused_rows)
        self._audit(session, actor, outcome, "ok")
        return outcome

    def _refused(
        self,
        session: Session,
        actor: Actor,
        outcome: ImportOutcome,
        digest: Any,
        exc: SheetError,
        opts: ImportOptions,
    ) -> ImportOutcome:
        outcome.sha256 = digest.hexdigest()
        outcome.errors = [Refusal(exc.row or 0, exc.column, str(exc))]
        outcome.rows_refused = max(outcome.rows_refused, 1)
        outcome.seizures_created = outcome.rows_loaded = outcome.rows_unchanged = 0
        self._audit(session, actor, outcome, "refused")
        return outcome

    def _audit(self, session: Session, actor: Actor, outcome: ImportOutcome, result: str) -> None:
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "seizure.import",
                result,
                "seizure_import",
                outcome.import_uuid,
                actor.agency_code,
                None,
                {
                    "file": outcome.filename[:200],
                    "sha256": outcome.sha256,
                    "layout": outcome.layout,
                    "mode": outcome.mode,
                    "rows": outcome.rows,
                    "created": outcome.seizures_created,
                    "unchanged": outcome.rows_unchanged,
                    "refused": outcome.rows_refused,
                },
            ),
        )


class _Hashing:
    """A read-through wrapper that hashes what is read (the file's sha256 goes to the audit log)."""

    def __init__(self, inner: IO[bytes], digest: Any) -> None:
        self.inner = inner
        self.digest = digest
        self.hashed_to = 0

    def read(self, n: int = -1) -> bytes:
        pos = self.inner.tell()
        data = self.inner.read(n)
        if pos == self.hashed_to:  # only first reads of each byte: seek(0) after sniffing re-reads
            self.digest.update(data)
            self.hashed_to = pos + len(data)
        elif pos < self.hashed_to < pos + len(data):
            self.digest.update(data[self.hashed_to - pos :])
            self.hashed_to = pos + len(data)
        return data

    def read1(self, n: int = -1) -> bytes:
        return self.read(n)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.inner.seek(pos, whence)

    def tell(self) -> int:
        return self.inner.tell()

    @property
    def closed(self) -> bool:
        return bool(self.inner.closed)

    def close(self) -> None:
        pass

    def flush(self) -> None:
        pass

    def writable(self) -> bool:
        return False


def _groups(rows: Iterator[tuple[int, list[Any]]], reader: _RowReader) -> Iterator[_Group]:
    """Rows to seizures: consecutive rows with the same non-empty reference form one seizure."""
    current: _Group | None = None
    current_ref = ""
    current_fields: tuple[Any, ...] = ()
    seen_refs: dict[str, int] = {}
    for n, row in rows:
        errors: list[tuple[str, str]] = []
        v = reader.fields(row)
        ref = _text(v[_REFERENCE])
        if current is not None and ref and ref == current_ref:
            # Another substance of the same seizure: its seizure-level cells must agree or be empty.
            for f, i in zip(SEIZURE_FIELDS, _SEIZURE_FIELD_INDEXES, strict=True):
                text = _text(v[i])
                if text and text != _text(current_fields[i]):
                    errors.append((f, f"differs from row {current.rows[0][0]} of the same reference {ref!r}"))
            item = reader.item(v, errors)
            if current.draft is not None:
                current.draft.items.append(item)
            current.rows.append((n, row))
            current.errors.extend((n, c, m) for c, m in errors)
            continue
        if current is not None:
            yield current
        if ref:
            if ref in seen_refs:
                errors.append(
                    (
                        "reference",
                        f"{ref!r} already appeared at row {seen_refs[ref]}; "
                        "the rows of one seizure must be consecutive",
                    )
                )
            else:
                seen_refs[ref] = n
        draft = reader.draft(v, errors)
        current = _Group([(n, row)], draft, _text(v[_OPERATION]), [(n, c, m) for c, m in errors])
        current_ref = ref
        current_fields = v
    if current is not None:
        yield current


def _chunks(groups: Iterator[_Group], size: int) -> Iterator[list[_Group]]:
    batch: list[_Group] = []
    rows = 0
    for g in groups:
        batch.append(g)
        rows += len(g.rows)
        if rows >= size:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


_SEIZURE_COLUMNS = tuple(c.name for c in Seizure.__table__.columns)
_ITEM_COLUMNS = tuple(c.name for c in SeizureItem.__table__.columns)


class _Loader:
    """Checks a chunk of seizures, skips repeats, and writes the rest with the bulk writer."""

    def __init__(
        self, session: Session, actor: Actor, stamp: RecordStamp, rules: SeizureRules, outcome: ImportOutcome
    ) -> None:
        self.session = session
        self.actor = actor
        self.stamp = stamp
        self.rules = rules
        self.outcome = outcome
        self.seizures = BulkWriter(session, Seizure.__table__, _SEIZURE_COLUMNS)  # type: ignore[arg-type]
        self.items = BulkWriter(session, SeizureItem.__table__, _ITEM_COLUMNS)  # type: ignore[arg-type]
        self.seizure_rows = self.seizures.rows_with(stamp_values(stamp))
        self.item_rows = self.items.rows_with(
            {"audience_id": stamp.audience_id, "owner_agency_id": stamp.owner_agency_id}
        )
        self.keys_in_file: set[str] = set()
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.operations: dict[str, int | None] = {}
        self._periods: dict[str, tuple[date, date]] = {}
        self.has_rows = (
            session.scalar(
                select(Seizure.id).where(Seizure.owner_agency_id == stamp.owner_agency_id).limit(1)
            )
            is not None
        )

    def operation_id(self, code: str, seized_on: date) -> tuple[int | None, str]:
        key = code.upper()
        if key not in self.operations:
            op = self.session.execute(
                select(Operation.id, Operation.starts_on, Operation.ends_on)
                .join(OperationParticipant, OperationParticipant.operation_id == Operation.id)
                .where(Operation.code == key, OperationParticipant.agency_id == self.stamp.owner_agency_id)
            ).first()
            self.operations[key] = op.id if op else None
            if op:
                self._periods[key] = (op.starts_on, op.ends_on)
        op_id = self.operations[key]
        if op_id is None:
            return None, f"unknown operation {code!r} or your agency does not take part in it"
        start, end = self._periods[key]
        if not start <= seized_on <= end:
            return None, f"the seizure date is outside operation {key} ({start} to {end})"
        return op_id, ""

    def load(self, batch: list[_Group]) -> list[tuple[int, list[Any], str]]:
        out = self.outcome
        refused: list[tuple[int, list[Any], str]] = []
        good: list[tuple[_Group, CheckedSeizure, str, str, int | None]] = []
        for g in batch:
            out.rows += len(g.rows)
            errors = list(g.errors)
            checked = None
            if g.draft is not None:
                checked, field_errors = self.rules.check(g.draft)
                for e in field_errors:
                    errors.append((_row_of(e.field, g), _column_of(e.field), e.message))
            op_id = None
            if checked is not None and g.operation and not errors:
                op_id, problem = self.operation_id(g.operation, checked.seized_on)
                if problem:
                    errors.append((g.rows[0][0], "operation", problem))
            if errors or checked is None:
                # One problem per cell: a cell that could not be read is not also "required".
                errors = list({(r, c): (r, c, m) for r, c, m in reversed(errors)}.values())[::-1]
                out.rows_refused += len(g.rows)
                for row, col, msg in errors:
                    out.refuse(row, col, msg)
                message = "; ".join(f"row {r} {c}: {m}" for r, c, m in errors)
                refused.extend((n, row, message) for n, row in g.rows)
                continue
            h = content_hash(checked)
            key = checked.reference or f"row:{h}"
            if key in self.keys_in_file:
                # Same reference twice in one file was refused in _groups; an identical row without
                # a reference is a repeat of a line already taken.
                out.rows_unchanged += len(g.rows)
                continue
            self.keys_in_file.add(key)
            good.append((g, checked, key, h, op_id))
        existing: dict[str, str] = {}
        if self.has_rows and good:
            keys = [k for _, _, k, _, _ in good]
            for i in range(0, len(keys), 1000):
                part = keys[i : i + 1000]
                # PostgreSQL: one array parameter. A list of 1,000 parameters is prepared by the driver
                # after five uses, and the generic plan it gets reads the whole table each time.
                match = (
                    Seizure.source_key == any_(cast(literal(part), ARRAY(String)))
                    if self.postgres
                    else Seizure.source_key.in_(part)
                )
                existing.update(
                    self.session.execute(
                        select(Seizure.source_key, Seizure.source_hash).where(
                            Seizure.owner_agency_id == self.stamp.owner_agency_id, match
                        )
                    ).all()
                )
        fresh = []
        for g, checked, key, h, op_id in good:
            if key in existing:
                if existing[key] == h:
                    out.rows_unchanged += len(g.rows)
                else:
                    out.rows_refused += len(g.rows)
                    msg = (
                        f"reference {checked.reference!r} was imported before with other values; "
                        "correct it on the seizure itself, not by re-import"
                    )
                    out.refuse(g.rows[0][0], "reference", msg)
                    refused.extend((n, row, msg) for n, row in g.rows)
                continue
            fresh.append((g, checked, key, h, op_id))
        if fresh and not (out.rows_refused and self.outcome.mode == "all"):
            self._write(fresh)
        else:
            # Nothing is written once a refusal dooms an all-or-nothing import; keep counting.
            for g, *_ in fresh:
                out.rows_loaded += len(g.rows)
                out.seizures_created += 1
        return refused

    def _write(self, fresh: list[tuple[_Group, CheckedSeizure, str, str, int | None]]) -> None:
        seizure_ids = reserve_ids(self.session, Seizure.__table__, len(fresh))  # type: ignore[arg-type]
        n_items = sum(len(c.items) for _, c, _, _, _ in fresh)
        item_ids = iter(reserve_ids(self.session, SeizureItem.__table__, n_items))  # type: ignore[arg-type]
        seizure_rows = []
        item_rows = []
        share_rows: list[tuple[str, str, int]] = []
        targets = [("agency", i) for i in sorted(self.stamp.resolved.agency_ids)] + [
            ("mechanism", i) for i in sorted(self.stamp.resolved.mechanism_ids)
        ]
        for (g, checked, key, h, op_id), sid in zip(fresh, seizure_ids, strict=True):
            record_uuid = str(uuid.uuid4())
            values = row_values(checked, record_uuid, key, h, op_id)
            values["id"] = sid
            seizure_rows.append(self.seizure_rows.make(values))
            values["audience_id"] = self.stamp.audience_id
            values["owner_agency_id"] = self.stamp.owner_agency_id
            for iv in item_values(checked, sid, values):
                iv["id"] = next(item_ids)
                item_rows.append(self.item_rows.make(iv))
            share_rows.extend((record_uuid, kind, tid) for kind, tid in targets)
            self.outcome.rows_loaded += len(g.rows)
            self.outcome.seizures_created += 1
        self.seizures.write(seizure_rows)
        self.items.write(item_rows)
        if share_rows:
            self.session.execute(
                insert(RecordShare),
                [{"record_uuid": u, "target_kind": k, "target_id": t} for u, k, t in share_rows],
            )


def _row_of(field_name: str, g: _Group) -> int:
    m = re.match(r"items\[(\d+)\]\.", field_name)
    if m and int(m.group(1)) < len(g.rows):
        return g.rows[int(m.group(1))][0]
    return g.rows[0][0]


def _column_of(field_name: str) -> str:
    return re.sub(r"^items\[\d+\]\.", "", field_name)


def _refused_file(header: Sequence[str], refused: list[tuple[int, list[Any], str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["source_row", "error", *header])
    for n, row, message in refused:
        w.writerow([n, cell(message), *(cell(_text(c)) for c in row)])
    return buf.getvalue()

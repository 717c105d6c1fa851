"""Reading tabular files row by row (CSV in any declared encoding, XLSX), with faults named.

Rows come out as lists of cells (str, or the typed values XLSX holds) with their 1-based row number,
never all at once: a file of millions of rows is read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any


class SheetError(ValueError):
    """A fault of the file as a whole (or of one row of it), with the row where it was found."""

    def __init__(self, message: str, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass
class SheetRows:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    position: Any  # () -> bytes read so far, for progress


def sniff_kind(name: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise SheetError(f"{name} is named .xlsx but is not an Excel workbook")
    if name.lower().endswith(".xls") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("old Excel .xls workbooks are not read; save the sheet as .xlsx or CSV (UTF-8)")
    return "csv"


def open_rows(stream: IO[bytes], name: str, encoding: str = "utf-8") -> SheetRows:
    head = stream.read(8)
    stream.seek(0)
    if sniff_kind(name, head) == "xlsx":
        return _xlsx_rows(stream)
    return _csv_rows(stream, encoding)


def _csv_rows(stream: IO[bytes], encoding: str) -> SheetRows:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SheetError(f"unknown encoding {encoding!r}") from None
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    text = io.TextIOWrapper(stream, encoding=enc, errors="strict", newline="")
    sample = ""
    try:
        sample = text.read(64 * 1024)
    except UnicodeDecodeError as exc:
        raise SheetError(_encoding_message(encoding, sample, exc), 1) from None
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] if sample else "a,b", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    text.seek(0)
    reader = csv.reader(text, dialect)
    state = {"line": 0}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        n = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise SheetError(_encoding_message(encoding, "", exc), n + 1) from None
            except csv.Error as exc:
                raise SheetError(f"the CSV is malformed near line {reader.line_num}: {exc}", n + 1) from None
            n += 1
            state["line"] = n
            if any(c.strip() for c in row):
                yield n, row

    try:
        first = next(reader)
    except StopIteration:
        raise SheetError("the file is empty: no header row") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SheetError(f"the first line cannot be read: {exc}", 1) from None
    return SheetRows([c.strip() for c in first], rows(), lambda: stream.tell())


def _encoding_message(encoding: str, sample: str, exc: UnicodeDecodeError) -> str:
    return (
        f"the file is not valid {encoding} (byte 0x{exc.object[exc.start]:02x} cannot be decoded); "
        "save it as UTF-8, or name its encoding (e.g. --encoding cp1252)"
    )


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _xlsx_rows(stream: IO[bytes]) -> SheetRows:
    import openpyxl

    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        raise SheetError("the workbook is damaged (not a valid .xlsx archive)") from None
    # Read-only openpyxl does not report merged cells; they sit at the end of the sheet's XML.
    sheet_xml = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    if sheet_xml:
        with archive.open(sheet_xml[0]) as f:
            tail = b""
            while chunk := f.read(1 << 20):
                found = _MERGE.search(tail + chunk)
                if found:
                    raise SheetError(
                        f"the sheet has merged cells ({found.group(1).decode()}); unmerge them so that every "
                        "row carries its own values"
                    )
                tail = chunk[-200:]
    stream.seek(0)
    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise SheetError(f"the workbook cannot be read: {exc}") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        first = next(it)
    except StopIteration:
        raise SheetError("the sheet is empty: no header row") from None
    header = ["" if c is None else str(c).strip() for c in first]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, row in enumerate(it, start=2):
            cells = list(row)
            if any(c is not None and str(c).strip() for c in cells):
                for i, c in enumerate(cells):
                    if isinstance(c, str) and c.startswith("="):
                        col = header[i] if i < len(header) else f"column {i + 1}"
                        raise SheetError(f"cell holds a formula ({c[:40]}); paste the values instead", n, col)
                yield n, cells
        wb.close()

    return SheetRows(header, rows(), lambda: stream.tell())

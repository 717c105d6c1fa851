"""Linking two lists of persons or organisations: the list a partner sends against one's own.

``interdict crosscheck link LEFT.csv RIGHT.csv --out links.csv`` reads both files (CSV in any encoding,
or XLSX), recognises the columns by header (:data:`COLUMNS`; others are reported and ignored), turns
each row into a :class:`~interdict.domain.matching.Subject`, compares only rows that share a blocking key
and writes ``left_id,right_id,score,explanation`` for every pair at or above the threshold. The engine is
the one the cross-check uses; no database is needed.

Blocking never silently becomes a full scan: a key shared by more than ``max_block`` rows of the right
file is not used (it would compare everyone with a common surname), and the report lists each such key.
A left row all of whose keys were set aside (a single common name and nothing else) is still compared,
against the smallest of its blocks, and the report says so, so that such rows get candidates too.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gc
import io
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from interdict.domain.errors import BadInputError
from interdict.domain.matching import (
    RECOMMENDED_THRESHOLD,
    Model,
    Subject,
    compare,
    levels,
    score_levels,
    subject_keys,
)
from interdict.io.sheets import SheetError, open_rows
from interdict.io.watchlists import ListedIdentifier, WatchList, WatchListEntry

__all__ = [
    "COLUMNS",
    "Link",
    "LinkFile",
    "LinkReport",
    "link_files",
    "link_subjects",
    "read_link_file",
    "write_links",
]

COLUMNS = ("id", "name", "given_name", "family_name", "birth_date", "nationality", "phone", "email",
           "passport", "id_number", "address")
# Column -> identifier kind of the matching engine.
_ID_COLUMNS = {"phone": "phone", "email": "email", "passport": "passport", "id_number": "national_id"}
MAX_WARNINGS = 200
F = TypeVar("F", bound=Callable[..., Any])


class LinkageError(BadInputError):
    """A file that cannot be linked (no usable column, unreadable); the message names file and problem."""


@dataclass
class LinkFile:
    name: str
    subjects: list[Subject]
    columns: list[str]
    ignored: list[str]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Link:
    left_id: str
    right_id: str
    score: float
    explanation: str


@dataclass
class LinkReport:
    links: list[Link]
    compared: int
    threshold: float
    skipped_keys: list[tuple[str, int]] = field(default_factory=list)
    scanned_rows: int = 0
    seconds: float = 0.0
    model: Model | None = None


def _identifier(kind: str, raw: str, country: str | None, where: str, warnings: list[str]) -> str | None:
    from interdict.domain.identifiers import try_normalise

    found, problem = try_normalise(kind, raw, country=country)
    if found is not None:
        if problem and len(warnings) < MAX_WARNINGS:
            warnings.append(f"{where}: {problem}")
        return found.value
    if len(warnings) < MAX_WARNINGS:
        warnings.append(f"{where}: {problem}; compared as written")
    return _compact(raw) or None


def read_link_file(stream: IO[bytes], name: str, *, encoding: str = "utf-8") -> LinkFile:
    """Read one side of a linkage; faults name the file, row and column."""
    try:
        sheet = open_rows(stream, name, encoding)
    except SheetError as exc:
        raise LinkageError(f"{name}: {exc}") from exc
    header = [str(h or "").strip().lower() for h in sheet.header]
    index = {h: i for i, h in enumerate(header) if h in COLUMNS}
    ignored = [h for h in header if h and h not in COLUMNS]
    if not ({"name", "given_name", "family_name"} & index.keys() or set(_ID_COLUMNS) & index.keys()):
        raise LinkageError(
            f"{name}: no name or identifier column; the header has {', '.join(header) or 'nothing'}, "
            f"expected some of {', '.join(COLUMNS)}"
        )
    out = LinkFile(name=name, subjects=[], columns=[h for h in header if h in index], ignored=ignored)
    if ignored:
        out.warnings.append(f"{name}: columns not used: {', '.join(ignored)}")

    def cell(row: Sequence[object], column: str) -> str:
        i = index.get(column)
        if i is None or i >= len(row):
            return ""
        value = row[i]
        return "" if value is None else str(value).strip()

    seen_ids: set[str] = set()
    try:
        for number, row in sheet.rows:
            ref = cell(row, "id") or str(number)
            if ref in seen_ids:
                raise LinkageError(f"{name}: row {number}: id {ref!r} appears twice; ids must be unique")
            seen_ids.add(ref)
            names = []
            if cell(row, "name"):
                names.append(cell(row, "name"))
            given, family = cell(row, "given_name"), cell(row, "family_name")
            if given or family:
                names.append(f"{given} {family}".strip())
            nationality = cell(row, "nationality")
            country = nationality if len(nationality) in (2, 3) and nationality.isalpha() else None
            identifiers: list[tuple[str, str]] = []
            for column, kind in _ID_COLUMNS.items():
                raw = cell(row, column)
                if raw:
                    value = _identifier(kind, raw, country, f"{name} row {number} {column}", out.warnings)
                    if value:
                        identifiers.append((kind, value))
            subject = Subject.build(
                ref,
                names=names,
                birth_date=cell(row, "birth_date") or None,
                nationalities=[nationality.lower()] if nationality else [],
                identifiers=identifiers,
                address=cell(row, "address"),
            )
            if subject.empty:
                if len(out.warnings) < MAX_WARNINGS:
                    out.warnings.append(f"{name} row {number}: nothing to compare (no name, date or identifier)")
                continue
            out.subjects.append(subject)
    except SheetError as exc:
        raise LinkageError(f"{name}: {exc}") from exc
    return out


def _collector_paused(fn: F) -> F:
    """Run ``fn`` with the cyclic garbage collector paused: linkage allocates hundreds of thousands of
    short-lived keys and rows and no cycles, and the collector's passes over the subjects cost a third
    of the time."""

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused  # type: ignore[return-value]


@_collector_paused
def link_subjects(
    left: Sequence[Subject],
    right: Sequence[Subject],
    *,
    threshold: float = RECOMMENDED_THRESHOLD,
    max_block: int = 500,
    estimate: bool = True,
    random_pairs: int = 2_000,
    seed: int = 20261122,
) -> LinkReport:
    """Compare every left subject with the right subjects it shares a blocking key with.

    With ``estimate`` the weights are learnt from these two files (:meth:`Model.estimate`): u from
    ``random_pairs`` random pairs, m and the share of matches by expectation maximisation over the
    compared pairs. Small files fall back to the a priori model; the report says which was used.
    """
    started = time.perf_counter()
    asked = [subject_keys(subject, for_index=False) for subject in left]
    wanted: set[str] = set().union(*asked)
    # Only keys some left row asks for are indexed: most keys of a file are its own alone.
    blocks: dict[str, list[int]] = defaultdict(list)
    for j, subject in enumerate(right):
        for key in subject_keys(subject) & wanted:
            blocks[key].append(j)
    skipped: dict[str, int] = {}
    pairs_left: list[int] = []
    pairs_right: list[int] = []
    rows: list[list[int]] = []
    scanned = 0
    for i, subject in enumerate(left):
        candidates: set[int] = set()
        set_aside: list[list[int]] = []  # blocks too large to use
        for key in asked[i]:
            members = blocks.get(key)
            if not members:
                continue
            if len(members) > max_block:
                skipped[key] = len(members)
                set_aside.append(members)
                continue
            candidates.update(members)
        if not candidates and set_aside:
            scanned += 1
            smallest: list[int] = min(set_aside, key=len)
            candidates.update(smallest)
        for j in candidates:
            pairs_left.append(i)
            pairs_right.append(j)
            rows.append(levels(subject, right[j]))
    model = Model.apriori()
    if estimate and left and right:
        rng = random.Random(seed)
        count = min(random_pairs, len(left) * len(right))
        sample = [levels(left[rng.randrange(len(left))], right[rng.randrange(len(right))]) for _ in range(count)]
        model = Model.estimate(rows, sample)
    links: list[Link] = []
    for i, j, row in zip(pairs_left, pairs_right, rows, strict=True):
        a, b = left[i], right[j]
        if score_levels(row, a, b, model) >= threshold:
            result = compare(a, b, model)
            links.append(Link(a.ref, b.ref, round(result.score, 4), result.explanation))
    order = {subject.ref: n for n, subject in enumerate(left)}
    links.sort(key=lambda link: (order[link.left_id], -link.score))
    return LinkReport(
        links=links,
        compared=len(rows),
        threshold=threshold,
        skipped_keys=sorted(skipped.items(), key=lambda kv: -kv[1]),
        scanned_rows=scanned,
        seconds=time.perf_counter() - started,
        model=model,
    )


def write_links(links: Iterable[Link], stream: IO[str]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["left_id", "right_id", "score", "explanation"])
    count = 0
    for link in links:
        writer.writerow([link.left_id, link.right_id, f"{link.score:.4f}", link.explanation])
        count += 1
    return count


# The watch-list identifier kinds the matching engine compares (the list's "other" is not one).
_LIST_KINDS = frozenset({"passport", "national_id", "tax_id", "registration", "email", "phone", "imo", "crypto"})


def _listed_value(listed: ListedIdentifier) -> str:
    """A listed identifier in the form the engine compares: normalised where its kind has a normaliser
    that accepts it, else compacted as written."""
    from interdict.domain.identifiers import try_normalise

    if listed.kind == "registration":  # no normaliser of its own
        return _compact(listed.value)
    found, _ = try_normalise(listed.kind, listed.value, country=listed.country)
    if found is None and listed.kind == "phone" and listed.value.isdigit():
        # Lists often print international numbers without the "+" (8615927270571).
        found, _ = try_normalise("phone", "+" + listed.value)
    return found.value if found else _compact(listed.value)


def _compact(raw: str) -> str:
    """Letters and digits only, upper-case: how a value no normaliser accepts is compared."""
    return "".join(c for c in raw.upper() if c.isalnum())


def entry_subject(entry: WatchListEntry) -> dict[str, Any]:
    """What the engine compares of a list entry, as ``Subject.build`` keywords (JSON-serialisable: the
    store keeps it with the entry): names and aliases, birth dates, nationalities, identifiers, address."""
    return {
        "schema": entry.schema if entry.schema in ("Person", "Organization", "Company") else "LegalEntity",
        "names": [entry.name, *entry.other_names, *entry.aliases],
        "birth_dates": list(entry.birth_dates),
        "nationalities": list(entry.nationalities),
        "identifiers": [[listed.kind, _listed_value(listed)] for listed in entry.identifiers
                        if listed.kind in _LIST_KINDS],
        "address": " ".join(entry.addresses),
    }


def subject_from(ref: str, fields: dict[str, Any]) -> Subject:
    """The subject of :func:`entry_subject`'s fields."""
    return Subject.build(
        ref,
        schema=fields["schema"],
        names=fields["names"],
        birth_dates=fields["birth_dates"],
        nationalities=fields["nationalities"],
        identifiers=[(kind, value) for kind, value in fields["identifiers"]],
        address=fields["address"],
    )


def entry_label(title: str, entry_id: str, programs: Sequence[str]) -> str:
    """How a hit names the list, the entry and its programmes."""
    return f"{title} entry {entry_id} ({', '.join(programs) or 'no programme'})"


def watch_list_subjects(watch_list: WatchList) -> tuple[list[Subject], dict[str, str]]:
    """The entries of a watch list as subjects, and for each a label naming the list, the entry and its
    programmes, which prefixes every explanation."""
    subjects: list[Subject] = []
    labels: dict[str, str] = {}
    for entry in watch_list.entries:
        ref = f"{entry.list_code}:{entry.entry_id}"
        subjects.append(subject_from(ref, entry_subject(entry)))
        labels[ref] = entry_label(watch_list.title, entry.entry_id, entry.programs)
    return subjects, labels


def link_file_at(path: Path, encoding: str = "utf-8") -> LinkFile:
    """:func:`read_link_file` on a file (read as a stream), whose name the faults then carry."""
    try:
        with path.open("rb") as stream:
            return read_link_file(stream, path.name, encoding=encoding)
    except OSError as exc:
        raise LinkageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def read_list_file(path: Path, *, programs: Sequence[str] = ()) -> WatchList:
    """A published watch list from a file (OFAC sdn.csv layout or FtM JSON lines)."""
    from interdict.io.watchlists import WatchListError, read_watch_list

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LinkageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return read_watch_list(data, source=path.name, programs=programs, code=path.stem, title=path.stem)
    except WatchListError as exc:
        raise LinkageError(f"{path.name}: {exc.detail}") from exc


def write_links_file(links: Iterable[Link], out: Path) -> None:
    """Write the links to ``out`` whole or not at all (a partial file is never left under its name)."""
    buffer = io.StringIO()
    write_links(links, buffer)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(out)


@_collector_paused
def link_files(
    left: Path,
    right: Path | None,
    out: Path,
    *,
    threshold: float = RECOMMENDED_THRESHOLD,
    encoding: str = "utf-8",
    estimate: bool = True,
    against_list: Path | None = None,
    programs: Sequence[str] = (),
) -> tuple[LinkFile, LinkFile, LinkReport]:
    """The whole ``crosscheck link`` command: read, link, write ``out`` (written whole or not at all).

    With ``against_list`` the right side is a published watch list instead of a file of rows; every
    link's explanation then starts with the list, the entry and its programmes.
    """
    if (right is None) == (against_list is None):
        raise LinkageError("give either a RIGHT file or --against-list, not both and not neither")
    files = [link_file_at(path, encoding) for path in (left, right) if path is not None]
    labels: dict[str, str] = {}
    if against_list is not None:
        listed = read_list_file(against_list, programs=programs)
        subjects, labels = watch_list_subjects(listed)
        files.append(LinkFile(name=against_list.name, subjects=subjects, columns=["watch list"], ignored=[],
                              warnings=list(listed.warnings[:MAX_WARNINGS])))
        # A list is one-sided (a few hits among many rows): its fixed weights fit better than learnt ones.
        estimate = False
    report = link_subjects(files[0].subjects, files[1].subjects, threshold=threshold, estimate=estimate)
    if labels:
        report.links = [dataclasses.replace(link, explanation=f"{labels[link.right_id]}: {link.explanation}")
                        for link in report.links]
    write_links_file(report.links, out)
    return files[0], files[1], report


def link_against_store(
    session: Any,
    audit: Any,
    actor: Any,
    left: Path,
    out: Path,
    *,
    threshold: float = RECOMMENDED_THRESHOLD,
    encoding: str = "utf-8",
    limit: int = 10,
) -> tuple[LinkFile, LinkReport]:
    """``crosscheck link LEFT --against-store``: every row of LEFT cross-checked against the store as the
    acting user (services/entity_crosscheck.py: the sharing rule, blind hits, notifications and audit
    all apply, row by row). A blind hit is written with an empty ``right_id`` and the explanation "a
    record at agency X matches — request it"."""
    from interdict.services.entity_crosscheck import crosscheck

    file = link_file_at(left, encoding)
    started = time.perf_counter()
    links: list[Link] = []
    notes: dict[str, int] = {}
    for subject in file.subjects:
        result = crosscheck(session, audit, actor, subject, limit=limit, threshold=threshold)
        links += [Link(subject.ref, c.ref, c.score, c.explanation) for c in result.candidates]
        links += [Link(subject.ref, "", 0.0, h.message) for h in result.blind_hits]
        for note in result.notes:
            notes[note] = notes.get(note, 0) + 1
    file.warnings += [f"{n:,} rows: {note}" for note, n in sorted(notes.items(), key=lambda kv: -kv[1])[:20]]
    write_links_file(links, out)
    report = LinkReport(links=links, compared=len(file.subjects), threshold=threshold,
                        seconds=time.perf_counter() - started)
    return file, report

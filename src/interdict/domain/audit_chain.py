"""Hash chain of the audit log, and its verification.

Each row's hash is SHA-256 over the previous row's hash and the row's fields in a canonical JSON
form, so editing, deleting, inserting or reordering rows breaks the chain at that row. Truncation of
the tail and wholesale recomputation are caught by signed checkpoints (``checkpoint_message``), which
an attacker with database access cannot forge without the node's signing key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# Fields covered by the hash, in order. Adding a field is a new chain version.
CHAINED_FIELDS = (
    "seq",
    "ts",
    "actor_user",
    "actor_agency",
    "node",
    "action",
    "object_type",
    "object_uuid",
    "object_owner",
    "handling",
    "outcome",
    "request_id",
    "source_ip",
    "detail",
)


def values_hash(prev_hash: str, values: Sequence[Any]) -> str:
    """Hash of one row given its ``CHAINED_FIELDS`` values in order."""
    payload = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def row_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return values_hash(prev_hash, [fields.get(name) for name in CHAINED_FIELDS])


def checkpoint_message(node: str, seq: int, digest: str) -> bytes:
    return f"interdict-audit-checkpoint/v1|{node}|{seq}|{digest}".encode()


def head_message(node: str, seq: int, digest: str) -> bytes:
    return f"interdict-audit-head/v1|{node}|{seq}|{digest}".encode()


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    reason: str


def verify_rows(
    rows: Iterable[Mapping[str, Any]], start_hash: str = GENESIS, start_seq: int = 0
) -> tuple[int, str, ChainBreak | None]:
    """Walk rows (mappings) in ``seq`` order. Returns (last seq, last hash, first break or None)."""
    return verify_tuples(
        ((*(row.get(n) for n in CHAINED_FIELDS), row["prev_hash"], row["hash"]) for row in rows),
        start_hash,
        start_seq,
    )


def verify_tuples(
    rows: Iterable[Sequence[Any]], start_hash: str = GENESIS, start_seq: int = 0
) -> tuple[int, str, ChainBreak | None]:
    """Walk rows given as (*CHAINED_FIELDS values, prev_hash, hash), ``seq`` first, in ``seq`` order."""
    prev_hash, prev_seq = start_hash, start_seq
    width = len(CHAINED_FIELDS)
    for row in rows:
        seq = int(row[0])
        if seq != prev_seq + 1:
            return (
                prev_seq,
                prev_hash,
                ChainBreak(prev_seq + 1, f"row {prev_seq + 1} is missing (next is {seq})"),
            )
        if row[width] != prev_hash:
            return prev_seq, prev_hash, ChainBreak(seq, f"row {seq} does not link to row {prev_seq}")
        if values_hash(prev_hash, row[:width]) != row[width + 1]:
            return prev_seq, prev_hash, ChainBreak(seq, f"row {seq} was altered (hash mismatch)")
        prev_hash, prev_seq = row[width + 1], seq
    return prev_seq, prev_hash, None

"""Append to, verify, checkpoint and search the audit log."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm import Session as OrmSession

from interdict.domain.audit_chain import (
    CHAINED_FIELDS,
    GENESIS,
    ChainBreak,
    checkpoint_message,
    head_message,
    row_hash,
    verify_tuples,
)
from interdict.services.context import Actor
from interdict.store.audit import AuditCheckpoint, AuditHead, AuditRow
from interdict.store.db import Database
from interdict.store.dialect import lock_audit_head

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def clean(value: str | None, limit: int = 500) -> str | None:
    """Encode control characters (CR, LF, NUL...) so no field can forge a log line (ASVS 16.4.1)."""
    if value is None:
        return None
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)[:limit]


def signing_key(secret: str) -> Ed25519PrivateKey:
    """The node's checkpoint key, derived from its secret key (kept outside the database)."""
    seed = hashlib.sha256(b"interdict-audit-signing/v1|" + secret.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


@dataclass(frozen=True)
class AuditEvent:
    action: str
    outcome: str = "ok"
    object_type: str | None = None
    object_uuid: str | None = None
    object_owner: str | None = None
    handling: str | None = None
    detail: Mapping[str, Any] | None = None


class AuditLog:
    """Appends rows to the chain; signs a checkpoint every ``checkpoint_every`` rows."""

    def __init__(self, secret: str, checkpoint_every: int = 256) -> None:
        self._key = signing_key(secret)
        self.public_key = self._key.public_key()
        self.checkpoint_every = checkpoint_every

    def record(self, session: Session, actor: Actor, event: AuditEvent) -> AuditRow:
        return self.record_many(session, actor, [event])[0]

    def record_many(self, session: Session, actor: Actor, events: list[AuditEvent]) -> list[AuditRow]:
        """Append several rows in one go (e.g. every foreign record a list page returned)."""
        head = lock_audit_head(session)
        values = []
        for event in events:
            fields = self._fields(head.seq + 1, actor, event)
            digest = row_hash(head.hash, fields)
            values.append({**fields, "prev_hash": head.hash, "hash": digest})
            head.seq, head.hash = fields["seq"], digest
            if head.seq % self.checkpoint_every == 0:
                self._checkpoint(session, actor, head.seq, digest)
        self._sign_head(head, actor.node)
        # One executemany, not the unit of work: a page of foreign records writes a row for each.
        session.execute(insert(AuditRow), values)
        session.flush()
        return [AuditRow(**v) for v in values]

    def _sign_head(self, head: AuditHead, node: str) -> None:
        head.node = node
        head.signature = base64.b64encode(self._key.sign(head_message(node, head.seq, head.hash))).decode()

    @staticmethod
    def _fields(seq: int, actor: Actor, event: AuditEvent) -> dict[str, Any]:
        return {
            "seq": seq,
            "ts": actor.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_user": clean(actor.username, 64),
            "actor_agency": actor.agency_code,
            "node": actor.node,
            "action": event.action,
            "object_type": event.object_type,
            "object_uuid": clean(event.object_uuid, 36),
            "object_owner": event.object_owner,
            "handling": event.handling,
            "outcome": event.outcome,
            "request_id": clean(actor.request_id, 64),
            "source_ip": clean(actor.source_ip, 64),
            "detail": clean(json.dumps(dict(event.detail or {}), ensure_ascii=True, sort_keys=True), 4000)
            or "",
        }

    def checkpoint(self, session: Session, actor: Actor) -> AuditCheckpoint | None:
        head = lock_audit_head(session)
        if head.seq == 0:
            return None
        return self._checkpoint(session, actor, head.seq, head.hash)

    def _checkpoint(self, session: Session, actor: Actor, seq: int, digest: str) -> AuditCheckpoint:
        signature = self._key.sign(checkpoint_message(actor.node, seq, digest))
        cp = AuditCheckpoint(
            seq=seq,
            hash=digest,
            node=actor.node,
            signed_at=actor.now,
            signature=base64.b64encode(signature).decode(),
        )
        session.add(cp)
        return cp


@dataclass(frozen=True)
class VerifyReport:
    rows: int
    checkpoints: int
    head_seq: int
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _iter_rows(session: Session, batch: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """Rows as (*CHAINED_FIELDS, prev_hash, hash) tuples, in seq order, a batch at a time."""
    cols = [getattr(AuditRow, name) for name in (*CHAINED_FIELDS, "prev_hash", "hash")]
    last = 0
    while True:
        chunk = session.execute(
            select(*cols).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(batch)
        ).all()
        if not chunk:
            return
        yield from (tuple(r) for r in chunk)
        last = chunk[-1][0]


def verify(session: Session, public_key: Ed25519PublicKey) -> VerifyReport:
    """Walk the whole chain, then check every signed checkpoint and the signed head against it.

    The session must see one consistent snapshot (``verify_database`` opens one) or rows appended
    meanwhile would read as a mismatch with the head."""
    head = session.get(AuditHead, 1)
    checkpoints = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all()
    wanted = {cp.seq for cp in checkpoints}
    hashes: dict[int, str] = {}
    count = 0

    def walk() -> Iterator[tuple[Any, ...]]:
        nonlocal count
        for row in _iter_rows(session):
            count += 1
            if row[0] in wanted:
                hashes[row[0]] = row[-1]
            yield row

    last_seq, last_hash, problem = verify_tuples(walk(), GENESIS, 0)
    problem = problem or check_anchors(public_key, checkpoints, hashes, last_seq, last_hash, head)
    return VerifyReport(count, len(checkpoints), last_seq, problem)


def verify_database(db: Database, public_key: Ed25519PublicKey) -> VerifyReport:
    """``verify`` in a read-only snapshot: REPEATABLE READ on PostgreSQL (appends go on meanwhile);
    on SQLite the unit's write lock already makes it one."""
    if db.dialect == "postgresql":
        snapshot = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as conn, OrmSession(bind=conn) as session:
            return verify(session, public_key)
    with db.unit() as session:
        return verify(session, public_key)


class Signed(Protocol):
    """A checkpoint or the head: (node, seq, hash) and the node's signature over them."""

    seq: int
    hash: str
    node: str
    signature: str


def _signed_ok(public_key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def check_anchors(
    public_key: Ed25519PublicKey,
    checkpoints: Sequence[Signed],
    hashes: dict[int, str],
    last_seq: int,
    last_hash: str,
    head: Signed | None,
) -> ChainBreak | None:
    """Signed checkpoints and the signed head catch a recomputed chain and a truncated tail.

    ``hashes`` maps each checkpointed seq to the hash the walk found there.
    """
    for cp in checkpoints:
        if not _signed_ok(public_key, checkpoint_message(cp.node, cp.seq, cp.hash), cp.signature):
            return ChainBreak(cp.seq, f"checkpoint at row {cp.seq} has an invalid signature")
        if cp.seq > last_seq:
            return ChainBreak(
                last_seq + 1, f"log truncated: checkpoint at row {cp.seq} but the log ends at row {last_seq}"
            )
        if hashes.get(cp.seq) != cp.hash:
            return ChainBreak(cp.seq, f"row {cp.seq} differs from its signed checkpoint (chain recomputed?)")
    if head is None:
        return None if last_seq == 0 else ChainBreak(1, "the signed head of the log is missing")
    if not _signed_ok(public_key, head_message(head.node, head.seq, head.hash), head.signature):
        return ChainBreak(
            head.seq, "the head of the log is not signed by this node (rewritten or rolled back?)"
        )
    if (head.seq, head.hash) != (last_seq, last_hash):
        return ChainBreak(
            min(head.seq, last_seq) + 1, f"log ends at row {last_seq} but its signed head says row {head.seq}"
        )
    return None

"""Audit chain: tamper detection over random mutations, and verification speed.

    .venv/bin/python bench/bench_audit.py [--rows 100000] [--mutations 1000] [--store sqlite|postgresql|both]

1. Builds a chain of --rows rows in memory exactly as the platform writes it (hash chain, a signed
   checkpoint every 256 rows, a head), then applies --mutations random single mutations, each to a
   fresh copy: edit one field, delete one row, insert a forged row, swap two rows, truncate the tail
   (keeping or fixing the head), or replace the chain from row k with a recomputed one (fixing the
   head). Each copy is verified in full with the platform's own verifier; unmodified chains are
   verified too (false positives). Prints the detection rate per kind.
2. Writes the chain into a real database (SQLite file and/or PostgreSQL), runs the platform's
   `verify` (the code behind `interdict audit verify`) and prints rows/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from interdict.domain.audit_chain import GENESIS, checkpoint_message, head_message, row_hash, verify_rows
from interdict.services.audit import check_anchors, signing_key

SECRET = "bench-secret-" + "x" * 40
NODE = "bench"
EVERY = 256
KINDS = ["edit-field", "delete-row", "insert-forged", "swap-rows", "truncate-keep-head", "truncate-fix-head",
         "recompute-from-k"]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    node: str
    signature: str


Chain = tuple[list[dict[str, Any]], list[Checkpoint], Checkpoint]


def build(n: int, seed: int) -> Chain:
    import base64

    rng = random.Random(seed)
    key = signing_key(SECRET)
    rows, cps, prev = [], [], GENESIS
    for seq in range(1, n + 1):
        row = {"seq": seq, "ts": f"2026-01-01T00:00:{seq % 60:02d}.{seq:06d}Z", "actor_user": f"user{rng.randrange(500)}",
               "actor_agency": rng.choice(["TH-ONCB", "LA-LCDC", "CN-NNCC", "MM-CCDAC"]), "node": NODE,
               "action": rng.choice(["record.read", "record.create", "login"]), "object_type": "intel_report",
               "object_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "object_owner": "TH-ONCB", "handling": "all",
               "outcome": "ok", "request_id": f"{rng.getrandbits(64):016x}", "source_ip": "10.0.0.1",
               "detail": json.dumps({"via": "list"})}
        digest = row_hash(prev, row)
        row["prev_hash"], row["hash"] = prev, digest
        rows.append(row)
        prev = digest
        if seq % EVERY == 0:
            sig = base64.b64encode(key.sign(checkpoint_message(NODE, seq, digest))).decode()
            cps.append(Checkpoint(seq, digest, NODE, sig))
    head_sig = base64.b64encode(key.sign(head_message(NODE, n, prev))).decode()
    return rows, cps, Checkpoint(n, prev, NODE, head_sig)


def detect(chain: Chain) -> bool:
    """The platform's verification: the walk, then checkpoints and head. True when tampering is found."""
    rows, cps, head = chain
    wanted = {cp.seq for cp in cps}
    hashes = {r["seq"]: r["hash"] for r in rows if r["seq"] in wanted}
    last_seq, last_hash, problem = verify_rows(rows, GENESIS, 0)
    if problem is None:
        problem = check_anchors(signing_key(SECRET).public_key(), cps, hashes, last_seq, last_hash, head)
    return problem is not None


def mutate(chain: Chain, kind: str, rng: random.Random) -> Chain:
    rows, cps, head = list(chain[0]), chain[1], chain[2]
    n = len(rows)
    k = rng.randrange(1, n - 1)
    if kind == "edit-field":
        field = rng.choice(["ts", "actor_user", "actor_agency", "action", "object_uuid", "outcome", "detail"])
        rows[k] = {**rows[k], field: str(rows[k][field]) + "x"}
    elif kind == "delete-row":
        del rows[k]
    elif kind == "insert-forged":
        forged = {**rows[k], "detail": '{"forged": true}'}
        forged["hash"] = row_hash(forged["prev_hash"], forged)
        rows.insert(k + 1, forged)
    elif kind == "swap-rows":
        rows[k], rows[k + 1] = rows[k + 1], rows[k]
    elif kind == "truncate-keep-head":
        rows = rows[:k]
    elif kind == "truncate-fix-head":
        # the forger rewrites the head but cannot re-sign it without the node's key
        rows = rows[:k]
        head = Checkpoint(rows[-1]["seq"], rows[-1]["hash"], NODE, head.signature)
    elif kind == "recompute-from-k":
        prev = rows[k - 1]["hash"]
        for i in range(k, n):
            row = {**rows[i], "detail": '{"forged": true}'} if i == k else dict(rows[i])
            row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
            rows[i] = row
            prev = row["hash"]
        head = Checkpoint(n, prev, NODE, head.signature)
    return rows, cps, head


def run_batch(args: tuple[int, int, list[str]]) -> list[tuple[str, bool]]:
    n, seed, kinds = args
    chain = build(n, 1)
    rng = random.Random(seed)
    return [(kind, detect(mutate(chain, kind, rng))) for kind in kinds]


def harness(n: int, mutations: int, seed: int, workers: int) -> dict[str, Any]:
    rng = random.Random(seed)
    kinds = [KINDS[i % len(KINDS)] for i in range(mutations)]
    rng.shuffle(kinds)
    chunks = [kinds[i::workers] for i in range(workers)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        results = [r for batch in pool.map(run_batch, [(n, seed + i, c) for i, c in enumerate(chunks)]) for r in batch]
    wall = time.perf_counter() - t0
    clean = build(n, 1)
    false_positives = sum(detect(clean) for _ in range(3))
    per_kind = {k: [d for kind, d in results if kind == k] for k in KINDS}
    return {"rows": n, "mutations": mutations, "detected": sum(d for _, d in results),
            "per_kind": {k: f"{sum(v)}/{len(v)}" for k, v in per_kind.items()},
            "false_positives_on_3_clean_verifications": false_positives, "harness_wall_s": round(wall, 1)}


def memory_speed(n: int) -> float:
    chain = build(n, 1)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        assert not detect(chain)
        times.append(time.perf_counter() - t)
    return n / statistics.median(times)


def db_speed(store: str, chain: Chain) -> dict[str, Any]:
    from sqlalchemy import insert, text

    from interdict.services.audit import verify
    from interdict.store.audit import AuditCheckpoint, AuditHead, AuditRow
    from interdict.store.db import Database
    from interdict.store.migrate import upgrade

    rows, cps, head = chain
    admin = os.environ.get("INTERDICT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    tmp = tempfile.mkdtemp()
    if store == "sqlite":
        url = f"sqlite:///{tmp}/audit.db"
    else:
        from sqlalchemy import create_engine

        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(f"CREATE DATABASE {name}"))
        eng.dispose()
        url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        db = Database(url)
        from datetime import UTC, datetime

        with db.unit() as s:
            for i in range(0, len(rows), 10_000):
                s.execute(insert(AuditRow), rows[i:i + 10_000])
            s.execute(insert(AuditCheckpoint), [{"seq": c.seq, "hash": c.hash, "node": c.node, "signature": c.signature,
                                                 "signed_at": datetime.now(UTC)} for c in cps])
            s.add(AuditHead(id=1, seq=head.seq, hash=head.hash, node=head.node, signature=head.signature))
        times = []
        for _ in range(3):
            with db.unit() as s:
                t = time.perf_counter()
                result = verify(s, signing_key(SECRET).public_key())
                times.append(time.perf_counter() - t)
            assert result.ok and result.rows == len(rows), result
        db.dispose()
        return {"store": store, "rows": len(rows), "median_s": round(statistics.median(times), 3),
                "rows_per_s": round(len(rows) / statistics.median(times))}
    finally:
        if store == "postgresql":
            from sqlalchemy import create_engine

            eng = create_engine(admin, isolation_level="AUTOCOMMIT")
            with eng.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--mutations", type=int, default=1000)
    ap.add_argument("--store", choices=["sqlite", "postgresql", "both", "none"], default="both")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"command: {' '.join(sys.argv)}")
    speed = memory_speed(a.rows)
    print(f"in-memory verification: {speed:,.0f} rows/s over {a.rows:,} rows (median of 3)")
    stores = ["sqlite", "postgresql"] if a.store == "both" else [] if a.store == "none" else [a.store]
    db = [db_speed(s, build(a.rows, 1)) for s in stores]
    for d in db:
        print(f"{d['store']:>10}: `verify` over {d['rows']:,} stored rows: {d['median_s']} s, {d['rows_per_s']:,} rows/s")
    h = harness(a.rows, a.mutations, a.seed, a.workers)
    print(f"tamper detection: {h['detected']}/{h['mutations']} mutations detected on a {h['rows']:,}-row chain "
          f"({h['harness_wall_s']} s); false positives: {h['false_positives_on_3_clean_verifications']}")
    for kind, score in h["per_kind"].items():
        print(f"  {kind:<20} {score}")
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "audit.json").write_text(json.dumps({"memory_rows_per_s": round(speed), "db": db, "harness": h}, indent=2))


if __name__ == "__main__":
    main()

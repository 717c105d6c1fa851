"""The audit chain: append-only in the database (D3), tamper-evident (D2), injection-safe (D5)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from interdict.domain.audit_chain import GENESIS, row_hash
from interdict.services.audit import AuditEvent, clean, verify
from interdict.services.platform import Platform
from tests.factories import World

ROWS = 600  # checkpoints every 256 rows: at 256 and 512


def fill(world: World, n: int = ROWS) -> None:
    with world.p.db.unit() as s:
        world.p.audit.record_many(s, world.console(), [
            AuditEvent("record.read", object_type="intel_report", object_uuid=f"00000000-0000-0000-0000-{i:012d}",
                       object_owner="TH-A", detail={"i": i}) for i in range(n)])


def raw(platform: Platform, *statements: str) -> None:
    """An insider with the database owner's rights: triggers dropped, then direct SQL."""
    with platform.db.engine.begin() as conn:
        if platform.db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        for sql in statements:
            conn.execute(text(sql))


def report(platform: Platform) -> tuple[bool, int | None, str]:
    with platform.db.unit() as s:
        r = verify(s, platform.audit.public_key)
    return r.ok, r.problem.seq if r.problem else None, r.problem.reason if r.problem else ""


def recompute_from(platform: Platform, seq: int) -> None:
    """Rewrite row ``seq`` and rebuild every later hash and the head, as a careful forger would."""
    with platform.db.engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_log ORDER BY seq"))]
    prev = GENESIS
    statements = []
    for row in rows:
        if row["seq"] == seq:
            row["detail"] = '{"forged": true}'
        if row["seq"] >= seq:
            row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
            statements.append(f"UPDATE audit_log SET detail='{row['detail']}', prev_hash='{row['prev_hash']}', "
                              f"hash='{row['hash']}' WHERE seq={row['seq']}")
        prev = row["hash"]
    statements.append(f"UPDATE audit_head SET hash='{prev}' WHERE id=1")
    raw(platform, *statements)


def test_untouched_chain_verifies(world: World) -> None:
    fill(world)
    assert report(world.p) == (True, None, "")


@pytest.mark.parametrize("verb", ["UPDATE audit_log SET outcome='denied' WHERE seq=5", "DELETE FROM audit_log WHERE seq=5"])
def test_database_refuses_update_and_delete(world: World, verb: str) -> None:
    fill(world, 10)
    with pytest.raises(DBAPIError, match="append-only"), world.p.db.engine.begin() as conn:
        conn.execute(text(verb))


TAMPERING: dict[str, Callable[[Platform], None]] = {
    "edit-one-field": lambda p: raw(p, "UPDATE audit_log SET actor_agency='US-X' WHERE seq=100"),
    "delete-middle-row": lambda p: raw(p, "DELETE FROM audit_log WHERE seq=300"),
    "insert-forged-row": lambda p: raw(p, "INSERT INTO audit_log (seq, ts, node, action, outcome, detail, prev_hash, hash) "
                                          "VALUES (100000, '2026-01-01T00:00:00Z', 'x', 'login', 'ok', '', 'a', 'b')"),
    "swap-two-rows": lambda p: raw(
        p, "UPDATE audit_log SET seq=-1 WHERE seq=10", "UPDATE audit_log SET seq=10 WHERE seq=11",
        "UPDATE audit_log SET seq=11 WHERE seq=-1"),
    "truncate-tail-keep-head": lambda p: raw(p, "DELETE FROM audit_log WHERE seq > 580"),
    "truncate-tail-fix-head": lambda p: raw(
        p, "DELETE FROM audit_log WHERE seq > 300",
        "UPDATE audit_head SET seq=300, hash=(SELECT hash FROM audit_log WHERE seq=300) WHERE id=1"),
    "recompute-chain-from-row-200": lambda p: recompute_from(p, 200),
    "forge-checkpoint-signature": lambda p: raw(p, "UPDATE audit_checkpoints SET signature='AAAA' WHERE seq=256"),
    "cut-after-last-checkpoint-fix-head": lambda p: raw(
        p, "DELETE FROM audit_log WHERE seq > 590",
        "UPDATE audit_head SET seq=590, hash=(SELECT hash FROM audit_log WHERE seq=590) WHERE id=1"),
    "recompute-after-last-checkpoint": lambda p: recompute_from(p, 595),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_detected(world: World, name: str) -> None:
    fill(world)
    TAMPERING[name](world.p)
    ok, seq, reason = report(world.p)
    assert not ok, name
    assert seq is not None and reason


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_single_field_edit_is_found_at_its_row(world: World, seed: int) -> None:
    fill(world, 300)
    rng = random.Random(seed)
    seq = rng.randint(1, 300)
    column = rng.choice(["ts", "actor_user", "action", "object_uuid", "outcome", "detail"])
    raw(world.p, f"UPDATE audit_log SET {column}='x{seq}' WHERE seq={seq}")
    ok, first, _ = report(world.p)
    assert not ok and first == seq


def test_verify_names_the_first_broken_row_from_the_cli(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from interdict.cli.main import app

    fill(world, 50)
    s = world.p.settings
    env = {"INTERDICT_DATABASE_URL": s.effective_database_url, "INTERDICT_SECRET_KEY": s.secret_key,
           "INTERDICT_DATA_DIR": str(s.data_dir)}
    ok = CliRunner().invoke(app, ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and "audit chain OK: 50 rows" in ok.output
    raw(world.p, "UPDATE audit_log SET action='logout' WHERE seq=17")
    broken = CliRunner().invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 2 and "row 17" in broken.output


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_log_fields_carry_no_control_characters(value: str) -> None:
    out = clean(value, 10_000) or ""
    assert not any(ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029" for c in out)

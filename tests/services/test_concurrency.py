"""Concurrent requests: sign-in throttling counts every guess; verification sees a consistent snapshot."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from interdict.domain.errors import AuthenticationError, LockedError
from interdict.services.audit import AuditEvent, verify_database
from interdict.store.identity import LoginThrottle
from tests.factories import World


def test_parallel_wrong_passwords_are_each_counted(world: World) -> None:
    alice = world.user(world.agency())
    p = world.p

    def guess(_: int) -> str:
        try:
            with p.db.unit(commit_on=(AuthenticationError, LockedError)) as s:
                p.auth.login(s, world.console(), alice.username, "wrong wrong wrong", None)
        except LockedError:
            return "locked"
        except AuthenticationError:
            return "denied"
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(guess, range(8)))
    assert "ok" not in outcomes
    with p.db.unit() as s:
        throttle = s.get(LoginThrottle, alice.username)
        assert throttle is not None and throttle.locked_until is not None
    # five failures lock; the guesses after the lock are refused as locked
    assert outcomes.count("denied") == 5 and outcomes.count("locked") == 3


def test_first_sign_ins_in_parallel_do_not_collide(world: World) -> None:
    p = world.p

    def guess(i: int) -> str:
        try:
            with p.db.unit(commit_on=(AuthenticationError, LockedError)) as s:
                p.auth.login(s, world.console(), "never-seen-before", "x" * 12, None)
        except (AuthenticationError, LockedError) as exc:
            return type(exc).__name__
        return "ok"

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(guess, range(6))) <= {"AuthenticationError", "LockedError"}


def test_verification_during_appends_sees_a_consistent_log(world: World) -> None:
    p = world.p
    stop = threading.Event()

    def append() -> None:
        while not stop.is_set():
            with p.db.unit() as s:
                p.audit.record_many(s, world.console(), [AuditEvent("record.read")] * 3)

    writer = threading.Thread(target=append)
    writer.start()
    try:
        results = [verify_database(p.db, p.audit.public_key) for _ in range(8)]
    finally:
        stop.set()
        writer.join()
    assert all(r.ok for r in results), [r.problem for r in results if not r.ok]
    assert verify_database(p.db, p.audit.public_key).ok

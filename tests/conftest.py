"""Fixtures, and when to use each.

- ``db_url``: a fresh, migrated database per test, parametrised over SQLite and PostgreSQL
  ("sqlite" / "postgresql" in the test id). Storage and API tests take it (directly or through
  ``platform``/``client``). PostgreSQL is 127.0.0.1:5432 (override with INTERDICT_TEST_PG); when
  CI=true a missing server fails the run instead of skipping.
- ``sqlite_url``: the same, SQLite only, for tests that are about the platform rather than the store.
- ``clock``: a settable UTC clock the app and the factories share (advance it to test expiry).
- ``platform``: services wired to ``db_url`` with a test secret.
- ``client``: a FastAPI TestClient over ``platform`` and ``clock``.
- ``world``: a ``World`` factory (tests/factories.py) to build agencies, mechanisms, users with tokens
  and records in a few lines, taking only the fields a test cares about.
- ``cheap_password_hashing`` (autouse): argon2 with minimal cost, so that building users and signing in
  take milliseconds; tests of the production parameters ask for ``real_password_hashing``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings
from sqlalchemy import create_engine, text

from interdict.api.app import create_app
from interdict.services.platform import Platform
from interdict.settings import Settings
from interdict.store.migrate import upgrade
from tests.factories import World

# CI runs the same examples every time (reproducible, no timing flakes); local runs explore new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")

PG_ADMIN_URL = os.environ.get("INTERDICT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-key-" + "x" * 32


def _pg_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _pg_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def _pg_admin(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "real_password_hashing" in request.fixturenames:
        return
    from argon2 import PasswordHasher

    from interdict.services import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("unknown-user-dummy"))


@pytest.fixture
def real_password_hashing() -> None:
    """Marker fixture: keep the production argon2 parameters."""


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if not _pg_reachable():
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI (CI=true) but {PG_ADMIN_URL} does not answer")
        yield None
        return
    name = f"interdict_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    _pg_admin(f"CREATE DATABASE {name}")
    upgrade(_pg_url(name))
    yield name
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "interdict.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield _fresh_sqlite(sqlite_template, tmp_path)
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
    name = f"interdict_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    return _fresh_sqlite(sqlite_template, tmp_path)


class Clock:
    """A UTC clock tests can set and advance; the app and the factories read the same one."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))


def make_settings(url: str, data_dir: Path, **overrides: object) -> Settings:
    return Settings(environment="test", database_url=url, data_dir=data_dir, secret_key=TEST_SECRET,
                    **overrides)  # type: ignore[arg-type]


@pytest.fixture
def platform(db_url: str, tmp_path: Path) -> Iterator[Platform]:
    p = Platform(make_settings(db_url, tmp_path))
    yield p
    p.db.dispose()


@pytest.fixture
def client(platform: Platform, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(platform=platform, clock=clock)) as c:
        yield c


@pytest.fixture
def world(platform: Platform, clock: Clock) -> World:
    return World(platform, clock)

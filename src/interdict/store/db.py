"""Engine and unit-of-work factory. SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE for writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql"):
        # JIT compilation cost 100-500 ms per query on the sparse plans of the sharing filter and
        # saved nothing on pages of 50 (bench/README.md); short OLTP queries are this store's work.
        kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    if "poolclass" not in kwargs:
        kwargs = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20, **kwargs}
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN so that writes can take the lock up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # BEGIN IMMEDIATE: every unit of work may write the audit log, so take the write lock first
        # instead of failing with "database is locked" on upgrade from a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; ``unit()`` is one transaction, committed on success, rolled back on error."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit(self, commit_on: tuple[type[BaseException], ...] = ()) -> Iterator[Session]:
        """One transaction. ``commit_on``: exceptions after which the work so far is still committed
        (a refused sign-in must keep its failure count and audit row)."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except commit_on:
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()

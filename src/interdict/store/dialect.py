"""The only place SQLite and PostgreSQL differ in this package's SQL."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.store.audit import AuditHead
from interdict.store.base import Base

M = TypeVar("M", bound=Base)


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any]) -> None:
    """INSERT that does nothing when the primary key exists (concurrent first writers do not collide)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(model).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(model).values(**values).on_conflict_do_nothing())


def locked(session: Session, model: type[M], key: Any, defaults: dict[str, Any]) -> M:
    """The row of ``model`` with primary key ``key``, created from ``defaults`` if missing, and locked
    for the rest of the transaction: SELECT ... FOR UPDATE on PostgreSQL; on SQLite the transaction
    already holds the database write lock (BEGIN IMMEDIATE), so a plain read is serial."""
    insert_ignore(session, model, defaults)
    pk = model.__mapper__.primary_key[0]
    stmt = select(model).where(pk == key).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one()


def lock_audit_head(session: Session) -> AuditHead:
    """The audit head row, locked for the rest of the transaction."""
    return locked(session, AuditHead, 1, {"id": 1, "seq": 0, "hash": "0" * 64, "node": "", "signature": ""})

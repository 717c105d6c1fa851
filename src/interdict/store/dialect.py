"""The only place SQLite and PostgreSQL differ in this package's SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.store.audit import AuditHead


def lock_audit_head(session: Session) -> AuditHead:
    """The audit head row, locked for the rest of the transaction.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite: the transaction already holds the database write lock
    (BEGIN IMMEDIATE), so a plain read is serial.
    """
    stmt = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = session.execute(stmt).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash="0" * 64, node="", signature="")
        session.add(head)
        session.flush()
    return head

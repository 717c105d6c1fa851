"""The structure generation: a counter that moves with every change to the cooperation structure.

Every ORM flush that adds, changes or deletes an agency, mechanism, membership or agreement bumps
``structure_generation.value`` in the same transaction (``before_flush``), and so does any bulk
INSERT, UPDATE or DELETE statement on those tables run through a session (``do_orm_execute``). A
session that bumped it is marked (``session.info``) until its transaction ends: what it reads of the
structure may still be rolled back, so nothing derived from it may be kept (store/visibility.py).

Changes made outside the application (by hand, in SQL) do not move the counter: restart the server
after editing these tables directly (the same as for any cache).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from interdict.store.structure import Agency, Agreement, Mechanism, MechanismMember, StructureGeneration

WATCHED = (Agency, Mechanism, MechanismMember, Agreement)
_TABLES = frozenset(m.__tablename__ for m in WATCHED)
CHANGED = "interdict.structure_changed"


def _bump(session: Session) -> None:
    session.info[CHANGED] = True
    session.execute(update(StructureGeneration).values(value=StructureGeneration.value + 1))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched = any(isinstance(o, WATCHED) for o in (*session.new, *session.deleted)) or any(
        isinstance(o, WATCHED) and session.is_modified(o) for o in session.dirty
    )
    if touched:
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _TABLES:
        _bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(CHANGED, None)


def current(session: Session) -> tuple[str, int] | None:
    """(token, value) of the structure now, as this transaction sees it; None when the session has
    changed the structure in this transaction (nothing derived from it may be kept) or the row is
    missing (a database made without the migrations)."""
    if session.info.get(CHANGED):
        return None
    row = session.execute(select(StructureGeneration.token, StructureGeneration.value)).first()
    return None if row is None else (row[0], row[1])

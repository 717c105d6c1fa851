from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from interdict import __version__
from interdict.api import problems
from interdict.api.context import CtxDep
from interdict.domain.errors import InterdictError
from interdict.store.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


class NotReadyError(InterdictError):
    status = 503
    title = "Not ready"
    code = "not_ready"


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok", "version": __version__}


@router.get("/ready", responses={503: problems.RESPONSES["4XX"] | {"description": "Not ready"}})
def ready(ctx: CtxDep) -> dict[str, str]:
    """Readiness: the database answers and its schema is at the migrations' head."""
    db = ctx.platform.db
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = current_revision(db.engine)
    except Exception as exc:
        raise NotReadyError("the database does not answer") from exc
    head = head_revision(db.url)
    if current != head:
        raise NotReadyError(f"database schema is at {current}, expected {head}; run `interdict db upgrade`")
    return {"status": "ready", "schema": str(current)}

"""Per-request context: one unit of work, inside which the bearer credential is resolved to an actor.

Resolving inside the same transaction as the work means a disabled user, a revoked token, an ended
session or a lost membership counts from the very next request (A7).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from interdict.domain.errors import AuthenticationError, ForbiddenError
from interdict.services.auth import actor_for
from interdict.services.context import Actor
from interdict.services.platform import Platform
from interdict.store.identity import User


def utcnow() -> datetime:
    return datetime.now(UTC)


class RequestContext:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.platform: Platform = request.app.state.platform
        self.now: datetime = request.app.state.clock()
        self.request_id: str = getattr(request.state, "request_id", None) or uuid.uuid4().hex
        self.mfa_ok = False
        self.user: User | None = None

    @property
    def credential(self) -> str | None:
        header = self.request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None

    def anonymous(self) -> Actor:
        client = self.request.client.host if self.request.client else None
        return Actor(
            user_id=None,
            username=None,
            agency_id=None,
            agency_code=None,
            roles=frozenset(),
            now=self.now,
            request_id=self.request_id,
            source_ip=client,
            node=self.platform.settings.node_name,
        )

    def actor_for(self, user: User) -> Actor:
        return actor_for(self.anonymous(), user)

    @contextmanager
    def public_unit(self, commit_on: tuple[type[BaseException], ...] = ()) -> Iterator[tuple[Session, Actor]]:
        with self.platform.db.unit(commit_on) as session:
            yield session, self.anonymous()

    @contextmanager
    def unit(self, allow_mfa_pending: bool = False) -> Iterator[tuple[Session, Actor]]:
        with self.platform.db.unit() as session:
            actor = self.authenticate(session, allow_mfa_pending)
            yield session, actor

    def authenticate(self, session: Session, allow_mfa_pending: bool = False) -> Actor:
        credential = self.credential
        if credential is None:
            raise AuthenticationError("sign in first: send 'Authorization: Bearer <token>'")
        # Kept on the context: the identity map holds instances weakly, and pages render the user
        # (with its agency) after the unit has closed.
        self.user, self.mfa_ok = self.platform.auth.resolve(session, credential, self.now)
        actor = self.actor_for(self.user)
        self.request.state.actor = actor
        if not self.mfa_ok and not allow_mfa_pending:
            raise ForbiddenError("enrol a second factor first (POST /api/v1/auth/mfa/enrol)")
        return actor


def require_bearer(request: Request) -> None:
    """Router-level: a request without credentials is answered 401 before its input is validated, so
    anonymous callers learn nothing about the shape of protected endpoints."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationError("sign in first: send 'Authorization: Bearer <token>'")


CtxDep = Annotated[RequestContext, Depends(RequestContext)]
Authenticated = [Depends(require_bearer)]

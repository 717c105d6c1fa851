from __future__ import annotations

from fastapi import APIRouter, Query

from interdict.api.context import CtxDep
from interdict.schemas.users import (
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserCreated,
    UserPublic,
    UserUpdate,
)
from interdict.services.users import public
from interdict.store.identity import ApiToken

router = APIRouter(tags=["users"])


def token_public(t: ApiToken) -> TokenPublic:
    return TokenPublic(
        uuid=t.uuid,
        name=t.name,
        user=t.user.username,
        created_at=t.created_at,
        expires_at=t.expires_at,
        revoked_at=t.revoked_at,
        last_used_at=t.last_used_at,
    )


@router.get("/users")
def list_users(ctx: CtxDep, agency: str | None = Query(None, max_length=32)) -> list[UserPublic]:
    """Agency admins: their agency's users. Platform admins: any agency's (metadata only). Others: themselves."""
    with ctx.unit() as (session, actor):
        return [public(u) for u in ctx.platform.users.list_users(session, actor, agency)]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, ctx: CtxDep) -> UserCreated:
    """Agency admins create users of their own agency. A generated password is returned once."""
    with ctx.unit() as (session, actor):
        user, password = ctx.platform.users.create(session, actor, body)
        return UserCreated(**public(user).model_dump(), password=password)


@router.get("/users/{username}")
def get_user(username: str, ctx: CtxDep) -> UserPublic:
    with ctx.unit() as (session, actor):
        return public(ctx.platform.users.get(session, actor, username))


@router.patch("/users/{username}")
def update_user(username: str, body: UserUpdate, ctx: CtxDep) -> UserPublic:
    """Disabling a user ends their sessions; their tokens stop working on the next request."""
    with ctx.unit() as (session, actor):
        return public(ctx.platform.users.update(session, actor, username, body))


@router.post("/users/{username}/mfa-reset")
def reset_mfa(username: str, ctx: CtxDep) -> UserPublic:
    with ctx.unit() as (session, actor):
        return public(ctx.platform.users.reset_mfa(session, actor, username))


@router.post("/users/{username}/password-reset")
def reset_password(username: str, ctx: CtxDep) -> UserCreated:
    with ctx.unit() as (session, actor):
        user, password = ctx.platform.users.reset_password(session, actor, username)
        return UserCreated(**public(user).model_dump(), password=password)


@router.get("/tokens")
def list_tokens(ctx: CtxDep) -> list[TokenPublic]:
    with ctx.unit() as (session, actor):
        return [token_public(t) for t in ctx.platform.users.tokens(session, actor)]


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, ctx: CtxDep) -> TokenCreated:
    """A new API token, shown once. Only sessions that passed the second factor may issue tokens."""
    with ctx.unit() as (session, actor):
        token, row = ctx.platform.users.issue_token(session, actor, body)
        return TokenCreated(**token_public(row).model_dump(), token=token)


@router.delete("/tokens/{token_uuid}")
def revoke_token(token_uuid: str, ctx: CtxDep) -> TokenPublic:
    with ctx.unit() as (session, actor):
        return token_public(ctx.platform.users.revoke_token(session, actor, token_uuid))

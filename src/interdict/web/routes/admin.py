"""User administration: agency admins manage their agency's users; platform admins see every user's
metadata (and may disable any account). Everything goes through ``UserService``, as the JSON API does.

One-time secrets (a generated password, a new API token) are shown only on the page that answers the
POST which made them: never in a URL, a cookie or a flash message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from interdict.api.routes.users import token_public
from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, InterdictError
from interdict.domain.roles import Permission, Role
from interdict.schemas.users import TokenCreate, UserCreate, UserUpdate
from interdict.services.context import Actor
from interdict.services.users import public
from interdict.web.context import WebContext, WebDep, page

router = APIRouter(include_in_schema=False)

ASSIGNABLE_ROLES = [r.value for r in Role if r is not Role.PLATFORM_ADMIN]


def _require_admin(actor: Actor) -> None:
    if not (actor.can(Permission.MANAGE_USERS) or actor.can(Permission.MANAGE_STRUCTURE)):
        raise ForbiddenError("user administration is open to agency admins and platform admins")


def bad_input(exc: ValidationError) -> BadInputError:
    """A pydantic error as the platform's own, field by field."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or "form"
        errors.setdefault(field, str(err.get("msg", "invalid"))[:300])
    detail = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:5])
    return BadInputError(detail or "invalid input", errors)


def _user_url(username: str) -> str:
    return f"/admin/users/{quote(username, safe='')}"


def _users_page(
    ctx: WebContext,
    session: Session,
    actor: Actor,
    agency: str,
    status: int = 200,
    values: dict[str, Any] | None = None,
    problem: InterdictError | None = None,
) -> Response:
    _require_admin(actor)
    service = ctx.platform.users
    platform_admin = actor.can(Permission.MANAGE_STRUCTURE)
    users = [public(u) for u in service.list_users(session, actor, agency or None)]
    return ctx.page(
        "admin/users.html",
        status=status,
        users=users,
        platform_admin=platform_admin,
        agencies=ctx.platform.structure.list_agencies(session) if platform_admin else [],
        agency_filter=agency if platform_admin else "",
        may_create=actor.can(Permission.MANAGE_USERS),
        roles=ASSIGNABLE_ROLES,
        values=values or {"roles": []},
        problem=problem,
    )


def _user_page(
    ctx: WebContext,
    session: Session,
    actor: Actor,
    username: str,
    status: int = 200,
    problem: InterdictError | None = None,
    token_name: str = "",
) -> Response:
    _require_admin(actor)
    service = ctx.platform.users
    user = service.get(session, actor, username[:64])
    own_agency = actor.can(Permission.MANAGE_USERS) and user.agency_id == actor.agency_id
    protected = Role.PLATFORM_ADMIN.value in user.roles and Role.PLATFORM_ADMIN not in actor.roles
    manage = own_agency and not protected
    tokens = [token_public(t) for t in service.tokens(session, actor) if t.user_id == user.id]
    return ctx.page(
        "admin/user.html",
        status=status,
        person=public(user),
        url=_user_url(user.username),
        manage=manage,
        may_disable=(manage or actor.can(Permission.MANAGE_STRUCTURE)) and user.id != actor.user_id,
        may_issue=manage or user.id == actor.user_id,
        tokens=tokens,
        now=actor.now,
        problem=problem,
        token_name=token_name,
    )


def _secret_page(ctx: WebContext, kind: str, username: str, secret: str, **extra: Any) -> Response:
    return ctx.page(
        "admin/secret.html", kind=kind, username=username, url=_user_url(username), secret=secret, **extra
    )


@router.get("/admin/users")
@page
def users(ctx: WebDep, agency: str = "") -> Response:
    with ctx.page_unit() as (session, actor):
        return _users_page(ctx, session, actor, agency[:32])


@router.post("/admin/users")
@page
async def create_user(ctx: WebDep) -> Response:
    form = await ctx.form()
    roles = [str(r) for r in (await ctx.request.form()).getlist("roles")][:10]
    values: dict[str, Any] = {
        "username": form.get("username", "").strip().lower()[:64],
        "display_name": form.get("display_name", "").strip()[:200],
        "email": form.get("email", "").strip()[:254],
        "roles": roles,
        "language": form.get("language", "")[:8],
    }
    problem: InterdictError
    try:
        data = UserCreate.model_validate(values)
    except ValidationError as exc:
        problem = bad_input(exc)
    else:
        try:
            with ctx.page_unit() as (session, actor):
                _require_admin(actor)
                user, password = ctx.platform.users.create(session, actor, data)
                assert password is not None  # no password is posted: one is always generated
                return _secret_page(ctx, "created", user.username, password, person=public(user))
        except (BadInputError, ConflictError) as exc:
            problem = exc
    with ctx.page_unit() as (session, actor):
        return _users_page(ctx, session, actor, "", status=problem.status, values=values, problem=problem)


@router.get("/admin/users/{username}")
@page
def user_detail(ctx: WebDep, username: str) -> Response:
    with ctx.page_unit() as (session, actor):
        return _user_page(ctx, session, actor, username)


async def _set_disabled(ctx: WebContext, username: str, disabled: bool) -> Response:
    await ctx.form()
    with ctx.page_unit() as (session, actor):
        _require_admin(actor)
        user = ctx.platform.users.update(session, actor, username[:64], UserUpdate(disabled=disabled))
        url = _user_url(user.username)
    ctx.flash("ok", "user_updated")
    return ctx.redirect(url)


@router.post("/admin/users/{username}/disable")
@page
async def disable_user(ctx: WebDep, username: str) -> Response:
    return await _set_disabled(ctx, username, True)


@router.post("/admin/users/{username}/enable")
@page
async def enable_user(ctx: WebDep, username: str) -> Response:
    return await _set_disabled(ctx, username, False)


@router.post("/admin/users/{username}/mfa-reset")
@page
async def reset_mfa(ctx: WebDep, username: str) -> Response:
    await ctx.form()
    with ctx.page_unit() as (session, actor):
        _require_admin(actor)
        user = ctx.platform.users.reset_mfa(session, actor, username[:64])
        url = _user_url(user.username)
    ctx.flash("ok", "mfa_reset")
    return ctx.redirect(url)


@router.post("/admin/users/{username}/password-reset")
@page
async def reset_password(ctx: WebDep, username: str) -> Response:
    await ctx.form()
    with ctx.page_unit() as (session, actor):
        _require_admin(actor)
        user, password = ctx.platform.users.reset_password(session, actor, username[:64])
        return _secret_page(ctx, "password", user.username, password)


@router.post("/admin/users/{username}/tokens")
@page
async def issue_token(ctx: WebDep, username: str) -> Response:
    form = await ctx.form()
    name = form.get("name", "").strip()[:200]
    days = form.get("expires_in_days", "").strip()[:6]
    problem: InterdictError
    try:
        data = TokenCreate.model_validate(
            {"name": name, "expires_in_days": days or None, "user": username[:64]}
        )
    except ValidationError as exc:
        problem = bad_input(exc)
    else:
        try:
            with ctx.page_unit() as (session, actor):
                _require_admin(actor)
                token, row = ctx.platform.users.issue_token(session, actor, data)
                return _secret_page(ctx, "token", row.user.username, token, token=token_public(row))
        except BadInputError as exc:
            problem = exc
    with ctx.page_unit() as (session, actor):
        return _user_page(
            ctx, session, actor, username, status=problem.status, problem=problem, token_name=name
        )


@router.post("/admin/tokens/{token_uuid}/revoke")
@page
async def revoke_token(ctx: WebDep, token_uuid: str) -> Response:
    await ctx.form()
    with ctx.page_unit() as (session, actor):
        _require_admin(actor)
        tok = ctx.platform.users.revoke_token(session, actor, token_uuid[:36])
        url = _user_url(tok.user.username)
    ctx.flash("ok", "token_revoked")
    return ctx.redirect(url)

from __future__ import annotations

import pyotp
from fastapi import APIRouter

from interdict.api.context import CtxDep
from interdict.domain.errors import AuthenticationError, LockedError
from interdict.domain.roles import GRANTS
from interdict.schemas.users import LoginRequest, LoginResponse, Me, MfaConfirm, MfaEnrolment, PasswordChange
from interdict.services.users import public
from interdict.store.identity import User

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public_router.post("/login")
def login(body: LoginRequest, ctx: CtxDep) -> LoginResponse:
    """Password (and TOTP code where enrolled) for a session token. Five failures lock the username for
    ten minutes; unknown usernames get exactly the same answers."""
    with ctx.public_unit(commit_on=(AuthenticationError, LockedError)) as (session, actor):
        result = ctx.platform.auth.login(session, actor, body.username, body.password, body.totp)
        return LoginResponse(
            token=result.token,
            user=public(result.user),
            mfa_ok=result.mfa_ok,
            mfa_enrolment_needed=result.mfa_enrolment_needed,
        )


@router.post("/logout", status_code=204)
def logout(ctx: CtxDep) -> None:
    with ctx.unit(allow_mfa_pending=True) as (session, actor):
        ctx.platform.auth.logout(session, actor, ctx.credential or "")


@router.get("/me")
def me(ctx: CtxDep) -> Me:
    with ctx.unit(allow_mfa_pending=True) as (session, actor):
        user = session.get(User, actor.user_id)
        assert user is not None
        perms = sorted(p.value for p, roles in GRANTS.items() if not actor.roles.isdisjoint(roles))
        return Me(user=public(user), agency_name=user.agency.name_en, mfa_ok=ctx.mfa_ok, permissions=perms)


@router.post("/mfa/enrol")
def enrol(ctx: CtxDep) -> MfaEnrolment:
    """Start TOTP enrolment: returns the secret and an otpauth URI for an authenticator app."""
    with ctx.unit(allow_mfa_pending=True) as (session, actor):
        user = session.get(User, actor.user_id)
        assert user is not None
        secret = ctx.platform.auth.start_enrolment(session, actor, user)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Interdict")
        return MfaEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/mfa/confirm", status_code=204)
def confirm(body: MfaConfirm, ctx: CtxDep) -> None:
    with ctx.unit(allow_mfa_pending=True) as (session, actor):
        user = session.get(User, actor.user_id)
        assert user is not None
        ctx.platform.auth.confirm_enrolment(session, actor, user, body.code, ctx.credential or "")


@router.post("/password", status_code=204)
def change_password(body: PasswordChange, ctx: CtxDep) -> None:
    with ctx.unit() as (session, actor):
        ctx.platform.users.change_password(session, actor, body)

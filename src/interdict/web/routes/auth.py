"""Sign-in with password and TOTP, enrolment with a locally rendered QR code, sign-out, password, language."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pyotp
import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response

from interdict.domain.errors import AuthenticationError, BadInputError, LockedError, MfaRequiredError
from interdict.schemas.users import PasswordChange
from interdict.store.identity import User
from interdict.web.context import LANG_COOKIE, SESSION_COOKIE, WebDep, page
from interdict.web.i18n import LANGUAGES

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only local paths: no open redirect to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
@page
def login_form(ctx: WebDep, next: str = "/") -> Response:
    return ctx.page("login.html", next=safe_next(next), ask_totp=False, username="")


@router.post("/login")
@page
async def login(ctx: WebDep) -> Response:
    form = await ctx.form()
    username, target = form.get("username", "")[:64], safe_next(form.get("next"))
    try:
        with ctx.public_unit(commit_on=(AuthenticationError, LockedError)) as (session, actor):
            result = ctx.platform.auth.login(
                session, actor, username, form.get("password", "")[:200], form.get("totp") or None
            )
    except MfaRequiredError:
        return ctx.page(
            "login.html", status=401, next=target, ask_totp=True, username=username, problem="mfa_required"
        )
    except LockedError:
        return ctx.page(
            "login.html", status=429, next=target, ask_totp=False, username=username, problem="locked"
        )
    except AuthenticationError:
        return ctx.page(
            "login.html",
            status=401,
            next=target,
            ask_totp=bool(form.get("totp")),
            username=username,
            problem="invalid",
        )
    response = ctx.redirect("/mfa/enrol" if result.mfa_enrolment_needed else target)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=ctx.request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
@page
async def logout(ctx: WebDep) -> Response:
    await ctx.form()
    with ctx.page_unit(allow_mfa_pending=True) as (session, actor):
        ctx.platform.auth.logout(session, actor, ctx.credential or "")
    response = ctx.redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def qr_svg(uri: str) -> str:
    buf = io.BytesIO()
    segno.make(uri, error="m").save(
        buf, kind="svg", scale=5, xmldecl=False, svgns=True, title="TOTP", dark="#111", light="#fff"
    )
    return buf.getvalue().decode()


@router.get("/mfa/enrol")
@page
def enrol_form(ctx: WebDep) -> Response:
    with ctx.page_unit(allow_mfa_pending=True) as (session, actor):
        user = session.get(User, actor.user_id)
        assert user is not None
        if user.totp_enabled:
            return ctx.redirect("/")
        secret = user.totp_secret or ctx.platform.auth.start_enrolment(session, actor, user)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Interdict")
    import base64

    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(uri).encode()).decode()
    return ctx.page("mfa_enrol.html", secret=secret, qr=qr)


@router.post("/mfa/enrol")
@page
async def enrol_confirm(ctx: WebDep) -> Response:
    form = await ctx.form()
    try:
        with ctx.platform.db.unit(commit_on=(AuthenticationError,)) as session:
            actor = ctx.authenticate(session, allow_mfa_pending=True)
            user = session.get(User, actor.user_id)
            assert user is not None
            ctx.platform.auth.confirm_enrolment(
                session, actor, user, form.get("code", "").strip(), ctx.credential or ""
            )
    except AuthenticationError as exc:
        if "session" in exc.detail:
            raise
        ctx.flash("error", "wrong_code")
        return ctx.redirect("/mfa/enrol")
    ctx.flash("ok", "mfa_enrolled")
    return ctx.redirect("/")


@router.get("/mfa")
@page
def mfa_pending(ctx: WebDep) -> Response:
    return ctx.redirect("/mfa/enrol")


@router.get("/account/password")
@page
def password_form(ctx: WebDep) -> Response:
    with ctx.page_unit():
        return ctx.page("password.html")


@router.post("/account/password")
@page
async def password_change(ctx: WebDep) -> Response:
    form = await ctx.form()
    try:
        with ctx.page_unit() as (session, actor):
            ctx.platform.users.change_password(
                session,
                actor,
                PasswordChange(
                    current_password=form.get("current_password", "")[:200],
                    new_password=form.get("new_password", "")[:200],
                ),
            )
    except BadInputError as exc:
        return ctx.page("password.html", status=422, error=exc)
    ctx.flash("ok", "password_changed")
    return ctx.redirect("/")


@router.post("/language")
@page
async def set_language(ctx: WebDep, request: Request) -> Response:
    form = await ctx.form()
    lang = form.get("lang", "en")
    response = ctx.redirect(safe_next(form.get("next")))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
            max_age=365 * 86400,
        )
    return response

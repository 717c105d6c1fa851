"""Per-request context for pages: cookie session, CSRF, language, flash messages, error pages.

Pages use a session cookie (HttpOnly, SameSite=Strict, Secure over TLS) holding the same kind of
server-side session as the API's bearer sessions; the API itself never accepts the cookie, so a
cross-site request cannot borrow it there. Every POST carries a CSRF token that must equal the one
in the CSRF cookie (double submit) and, once signed in, is bound to the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from interdict.api.context import RequestContext
from interdict.domain.errors import AuthenticationError, ForbiddenError, InterdictError
from interdict.services.context import Actor
from interdict.web.i18n import negotiate, substance_name
from interdict.web.render import render

SESSION_COOKIE = "interdict_session"
CSRF_COOKIE = "interdict_csrf"
LANG_COOKIE = "interdict_lang"
FLASH_COOKIE = "interdict_flash"


class CsrfError(ForbiddenError):
    code = "csrf"


class WebContext(RequestContext):
    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.actor: Actor | None = None
        self._csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        self._flash: tuple[str, str] | None = None

    @property
    def credential(self) -> str | None:
        return self.request.cookies.get(SESSION_COOKIE) or None

    @property
    def lang(self) -> str:
        pref = self.user.language if self.user is not None else None
        return negotiate(
            self.request.headers.get("accept-language"), self.request.cookies.get(LANG_COOKIE), pref
        )

    @property
    def csrf_token(self) -> str:
        session = self.credential or ""
        mac = hmac.new(
            self.platform.settings.effective_secret_key.encode(),
            f"{self._csrf}|{session}".encode(),
            hashlib.sha256,
        ).hexdigest()[:32]
        return f"{self._csrf}.{mac}"

    def check_csrf(self, submitted: str | None) -> None:
        if not submitted or not hmac.compare_digest(submitted, self.csrf_token):
            raise CsrfError(
                "the form has expired or did not come from this site; reload the page and try again"
            )

    @contextmanager
    def page_unit(self, allow_mfa_pending: bool = False) -> Iterator[tuple[Session, Actor]]:
        """A unit of work as the signed-in user; pages that need no sign-in use ``public_unit``."""
        with self.platform.db.unit() as session:
            actor = self.authenticate(session, allow_mfa_pending=True)
            self.actor = actor
            if not self.mfa_ok and not allow_mfa_pending:
                raise MfaPendingError("enrol or enter your second factor first")
            try:
                yield session, actor
            except BaseException:
                self._keep_user(session)
                raise

    def _keep_user(self, session: Session) -> None:
        """Detach the signed-in user (and agency) before the unit rolls back, so the error page can
        still show who is signed in: a rollback would expire them and the closed session not reload."""
        if self.user is not None and self.user in session:
            agency = self.user.agency
            session.expunge(self.user)
            if agency in session:
                session.expunge(agency)

    def flash(self, kind: str, message: str) -> None:
        self._flash = (kind, message)

    def page(self, template: str, status: int = 200, **context: Any) -> Response:
        flash = self._read_flash()
        lang = self.lang
        context.setdefault("sname", lambda code: substance_name(code, lang))  # substance names in the page's language
        html = render(
            template,
            self.lang,
            ctx=self,
            user=self.user,
            actor=self.actor,
            csrf=self.csrf_token,
            flash=flash,
            path=self.request.url.path,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        return self.finish(response, clear_flash=flash is not None)

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response, clear_flash: bool = False) -> Response:
        secure = self.request.url.scheme == "https"
        if CSRF_COOKIE not in self.request.cookies:
            response.set_cookie(
                CSRF_COOKIE, self._csrf, httponly=True, samesite="strict", secure=secure, path="/"
            )
        if self._flash is not None:
            response.set_cookie(
                FLASH_COOKIE,
                quote(f"{self._flash[0]}|{self._flash[1]}"),
                httponly=True,
                samesite="strict",
                secure=secure,
                path="/",
                max_age=60,
            )
        elif clear_flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return response

    def _read_flash(self) -> tuple[str, str] | None:
        from urllib.parse import unquote

        raw = self.request.cookies.get(FLASH_COOKIE)
        if not raw:
            return None
        kind, _, message = unquote(raw).partition("|")
        return (kind if kind in ("ok", "error", "info") else "info", message[:300])

    async def form(self) -> dict[str, str]:
        """The posted form, CSRF-checked. Files are read by the route itself."""
        data = await self.request.form()
        self.check_csrf(str(data.get("csrf_token") or ""))
        return {k: v for k, v in data.items() if isinstance(v, str)}


class MfaPendingError(ForbiddenError):
    code = "mfa_pending"


WebDep = Annotated[WebContext, Depends(WebContext)]

ERROR_TITLES = {
    403: "You may not do this",
    404: "Not found",
    409: "Someone else changed this first",
    413: "Too large",
    422: "Please correct the form",
    429: "Too many attempts",
}


def page(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Render the platform's errors as pages in the user's language; send the signed-out to sign in."""

    if _is_async(fn):

        @wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except InterdictError as exc:
                return _error_page(_ctx(args, kwargs), exc)

        return async_wrapper

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InterdictError as exc:
            return _error_page(_ctx(args, kwargs), exc)

    return wrapper


def _is_async(fn: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(fn)


def _ctx(args: tuple[Any, ...], kwargs: dict[str, Any]) -> WebContext:
    for value in (*args, *kwargs.values()):
        if isinstance(value, WebContext):
            return value
    raise RuntimeError("page handler without a WebContext")


def _error_page(ctx: WebContext, exc: InterdictError) -> Response:
    from interdict.api.problems import _audit_denial

    if isinstance(exc, MfaPendingError):
        return ctx.redirect("/mfa")
    if isinstance(exc, AuthenticationError):
        target = quote(ctx.request.url.path)
        if ctx.credential:  # there was a session, and it has ended (expired, signed out, disabled)
            ctx.flash("info", "session_ended")
        response = ctx.redirect(f"/login?next={target}")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    if exc.status in (403, 404, 429):
        _audit_denial(ctx.request, exc.status, exc.code)
    return ctx.page("error.html", status=exc.status, error=exc, title=ERROR_TITLES.get(exc.status, "Error"))

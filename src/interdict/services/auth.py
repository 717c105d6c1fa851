"""Sign-in, sessions, API tokens and TOTP. Tokens are random and stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interdict.domain.errors import AuthenticationError, ForbiddenError, LockedError, MfaRequiredError
from interdict.domain.roles import ADMIN_ROLES, Role, parse_roles
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.settings import Settings
from interdict.store.dialect import locked
from interdict.store.identity import ApiToken, LoginThrottle, User
from interdict.store.identity import Session as WebSession
from interdict.store.structure import Agency

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same (no timing oracle).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

SESSION_PREFIX = "ids_"
TOKEN_PREFIX = "idt_"
INVALID_CREDENTIALS = "invalid username, password or code"
# Activity stamps are written at most this often: reads stay reads, and the 30-minute idle limit
# moves by at most this much.
_TOUCH_EVERY = timedelta(seconds=30)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def mfa_required(user: User, agency: Agency, settings: Settings) -> bool:
    roles = parse_roles(user.roles)
    if not roles.isdisjoint(ADMIN_ROLES):
        return True
    if settings.mfa_policy == "all":
        return True
    return settings.mfa_policy == "agency" and agency.mfa_required


def totp_step(now: datetime) -> int:
    return int(now.timestamp()) // 30


def check_totp(user: User, code: str, now: datetime) -> bool:
    """Valid for the current 30 s step (and one step either side for clock drift); each code once."""
    if not user.totp_secret or not code or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = totp_step(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > user.totp_last_step and secrets.compare_digest(totp.at(candidate * 30), code):
            user.totp_last_step = candidate
            return True
    return False


@dataclass(frozen=True)
class LoginResult:
    token: str
    user: User
    mfa_ok: bool
    mfa_enrolment_needed: bool


class Authenticator:
    def __init__(self, settings: Settings, audit: AuditLog) -> None:
        self.settings = settings
        self.audit = audit

    # -- sign-in -------------------------------------------------------------------------------
    def login(
        self, session: Session, actor: Actor, username: str, password: str, totp: str | None
    ) -> LoginResult:
        name = username.strip().lower()[:64]
        # Locked for the whole sign-in, so parallel guesses are counted one by one (and cannot race).
        throttle = locked(session, LoginThrottle, name, {"username": name, "failures": 0})
        if throttle.locked_until is not None and throttle.locked_until > actor.now:
            self.audit.record(
                session, actor, AuditEvent("login", "denied", detail={"username": name, "reason": "locked"})
            )
            raise LockedError("too many failed sign-ins for this username; try again later")
        user = session.scalars(select(User).where(User.username == name)).one_or_none()
        ok = password_matches(user.password_hash if user else _DUMMY_HASH, password) and user is not None
        ok = ok and user is not None and not user.disabled and user.agency.active
        if not ok or user is None:
            self._fail(session, actor, throttle, name)
            raise AuthenticationError(INVALID_CREDENTIALS)
        needs_mfa = mfa_required(user, user.agency, self.settings)
        mfa_ok = False
        if user.totp_enabled:
            if not totp:
                # Password was right: say a code is needed, without counting a failure.
                raise MfaRequiredError("a TOTP code is required for this account", {"totp": "required"})
            if not check_totp(user, totp, actor.now):
                self._fail(session, actor, throttle, name)
                raise AuthenticationError(INVALID_CREDENTIALS)
            mfa_ok = True
        elif not needs_mfa:
            mfa_ok = True
        throttle.failures, throttle.locked_until = 0, None
        token = new_token(SESSION_PREFIX)
        session.add(
            WebSession(
                token_hash=token_digest(token),
                user_id=user.id,
                created_at=actor.now,
                last_seen_at=actor.now,
                mfa_ok=mfa_ok,
            )
        )
        self._limit_sessions(session, user, actor.now)
        as_user = actor_for(actor, user)
        self.audit.record(session, as_user, AuditEvent("login", "ok", detail={"mfa": mfa_ok}))
        return LoginResult(token, user, mfa_ok, needs_mfa and not user.totp_enabled)

    def _fail(self, session: Session, actor: Actor, throttle: LoginThrottle, name: str) -> None:
        throttle.failures += 1
        if throttle.failures >= self.settings.lockout_attempts:
            throttle.locked_until = actor.now + timedelta(minutes=self.settings.lockout_minutes)
            throttle.failures = 0
        self.audit.record(session, actor, AuditEvent("login", "denied", detail={"username": name}))

    def _limit_sessions(self, session: Session, user: User, now: datetime) -> None:
        live = session.scalars(
            select(WebSession)
            .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
            .order_by(WebSession.created_at.desc(), WebSession.id.desc())
        ).all()
        for old in live[self.settings.max_sessions_per_user :]:
            old.ended_at = now

    def logout(self, session: Session, actor: Actor, token: str) -> None:
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == token_digest(token), WebSession.ended_at.is_(None))
            .values(ended_at=actor.now)
        )
        self.audit.record(session, actor, AuditEvent("logout"))

    # -- resolving a bearer credential ---------------------------------------------------------------
    def resolve(self, session: Session, credential: str, now: datetime) -> tuple[User, bool]:
        """The user behind a session or API token, and whether the second factor is satisfied.

        Everything is read from the database on every request: a disabled user, a revoked token or
        an ended session is refused on the very next request.
        """
        digest = token_digest(credential)
        if credential.startswith(SESSION_PREFIX):
            ws = session.scalars(select(WebSession).where(WebSession.token_hash == digest)).one_or_none()
            if ws is None or ws.ended_at is not None:
                raise AuthenticationError("session is not valid; sign in again")
            idle = timedelta(minutes=self.settings.session_idle_minutes)
            absolute = timedelta(hours=self.settings.session_absolute_hours)
            if now - ws.last_seen_at > idle or now - ws.created_at > absolute:
                ws.ended_at = now
                raise AuthenticationError("session expired; sign in again")
            if now - ws.last_seen_at >= _TOUCH_EVERY:
                ws.last_seen_at = now
            user = session.get(User, ws.user_id)
            mfa_ok = ws.mfa_ok
        elif credential.startswith(TOKEN_PREFIX):
            tok = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()
            if tok is None or tok.revoked_at is not None or tok.expires_at <= now:
                raise AuthenticationError("API token is not valid (unknown, revoked or expired)")
            if tok.last_used_at is None or now - tok.last_used_at >= _TOUCH_EVERY:
                tok.last_used_at = now
            user = session.get(User, tok.user_id)
            mfa_ok = True  # tokens are issued only to sessions that passed the second factor
        else:
            raise AuthenticationError("credential is not a session or API token")
        if user is None or user.disabled or not user.agency.active:
            raise AuthenticationError("account is disabled")
        return user, mfa_ok

    # -- TOTP enrolment ------------------------------------------------------------------------------
    def start_enrolment(self, session: Session, actor: Actor, user: User) -> str:
        if user.totp_enabled:
            raise ForbiddenError("a second factor is already enrolled; an agency admin can reset it")
        user.totp_secret = pyotp.random_base32()
        self.audit.record(
            session, actor, AuditEvent("mfa.enrol.start", object_type="user", object_uuid=user.uuid)
        )
        return str(user.totp_secret)

    def confirm_enrolment(
        self, session: Session, actor: Actor, user: User, code: str, credential: str
    ) -> None:
        if user.totp_enabled or not user.totp_secret:
            raise ForbiddenError("no enrolment in progress")
        if not check_totp(user, code, actor.now):
            self.audit.record(session, actor, AuditEvent("mfa.enrol.confirm", "denied", "user", user.uuid))
            raise AuthenticationError(
                "the code does not match; check the device clock and try again", {"code": "mismatch"}
            )
        user.totp_enabled = True
        session.execute(
            update(WebSession).where(WebSession.token_hash == token_digest(credential)).values(mfa_ok=True)
        )
        self.audit.record(
            session, actor, AuditEvent("mfa.enrol.confirm", object_type="user", object_uuid=user.uuid)
        )

    # -- API tokens ----------------------------------------------------------------------------------
    def issue_token(
        self, session: Session, actor: Actor, user: User, name: str, days: int | None
    ) -> tuple[str, ApiToken]:
        import uuid as _uuid

        lifetime = days or self.settings.token_default_days
        if lifetime > self.settings.token_max_days:
            from interdict.domain.errors import BadInputError

            raise BadInputError(
                f"expires_in_days {lifetime} is over the limit of {self.settings.token_max_days}",
                {"expires_in_days": f"at most {self.settings.token_max_days}"},
            )
        token = new_token(TOKEN_PREFIX)
        row = ApiToken(
            uuid=str(_uuid.uuid4()),
            token_hash=token_digest(token),
            user_id=user.id,
            name=name[:200],
            created_at=actor.now,
            expires_at=actor.now + timedelta(days=lifetime),
        )
        session.add(row)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "token.issue", object_type="token", object_uuid=row.uuid, detail={"user": user.username}
            ),
        )
        return token, row


def actor_for(actor: Actor, user: User) -> Actor:
    """``actor`` (its time, request and node) acting as ``user``."""
    return Actor(
        user_id=user.id,
        username=user.username,
        agency_id=user.agency_id,
        agency_code=user.agency.code,
        roles=frozenset(Role(r) for r in user.roles),
        now=actor.now,
        request_id=actor.request_id,
        source_ip=actor.source_ip,
        node=actor.node,
        via=actor.via,
    )

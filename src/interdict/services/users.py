"""Users and API tokens. Agency admins manage their own agency only; nobody grants platform_admin
through the API (only the console operator can, with `interdict users create`)."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.passwords import password_problem
from interdict.domain.roles import Permission, Role
from interdict.schemas.users import PasswordChange, TokenCreate, UserCreate, UserPublic, UserUpdate
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.auth import Authenticator, hash_password, password_matches
from interdict.services.context import Actor
from interdict.services.structure import get_agency
from interdict.store.identity import ApiToken, User
from interdict.store.identity import Session as WebSession


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters


def public(user: User) -> UserPublic:
    return UserPublic(
        uuid=user.uuid,
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        agency=user.agency.code,
        roles=list(user.roles),
        language=user.language,
        mfa_enrolled=user.totp_enabled,
        disabled=user.disabled,
        created_at=user.created_at,
    )


def _is_console(actor: Actor) -> bool:
    return actor.user_id is None and actor.via == "cli"


class UserService:
    def __init__(self, audit: AuditLog, auth: Authenticator) -> None:
        self.audit = audit
        self.auth = auth

    def _manageable(self, session: Session, actor: Actor, username: str, action: str) -> User:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if _is_console(actor) and user is not None:
            return user
        if user is None or not self._may_see(actor, user):
            raise NotFoundError(f"no user {username!r}")
        platform_disable = action == "disable" and actor.can(Permission.MANAGE_STRUCTURE)
        if not platform_disable and not (
            actor.can(Permission.MANAGE_USERS) and user.agency_id == actor.agency_id
        ):
            raise ForbiddenError(
                f"you may not {action} this user: agency admins manage their own agency's users"
            )
        if Role.PLATFORM_ADMIN.value in user.roles and Role.PLATFORM_ADMIN not in actor.roles:
            raise ForbiddenError("platform admins can only be changed from the server console")
        return user

    @staticmethod
    def _may_see(actor: Actor, user: User) -> bool:
        if actor.can(Permission.MANAGE_STRUCTURE):
            return True
        return (
            actor.can(Permission.MANAGE_USERS) and user.agency_id == actor.agency_id
        ) or user.id == actor.user_id

    def create(self, session: Session, actor: Actor, data: UserCreate) -> tuple[User, str | None]:
        agency_code = data.agency or actor.agency_code
        if agency_code is None:
            raise BadInputError("agency is required", {"agency": "required"})
        agency = get_agency(session, agency_code)
        if not _is_console(actor):
            if not actor.can(Permission.MANAGE_USERS) or agency.id != actor.agency_id:
                raise ForbiddenError("agency admins create users of their own agency only")
            if Role.PLATFORM_ADMIN in data.roles:
                raise ForbiddenError("the platform_admin role can only be granted from the server console")
        if session.scalar(select(User.id).where(User.username == data.username)) is not None:
            raise ConflictError(f"username {data.username!r} is taken", {"username": "taken"})
        generated = data.password is None
        password = data.password or generate_password()
        problem = password_problem(password, data.username)
        if problem:
            raise BadInputError(problem, {"password": problem})
        user = User(
            uuid=str(uuid.uuid4()),
            username=data.username,
            display_name=data.display_name,
            email=data.email,
            agency=agency,
            agency_id=agency.id,
            roles=sorted(r.value for r in data.roles),
            language=data.language,
            password_hash=hash_password(password),
            created_at=actor.now,
            password_changed_at=actor.now,
        )
        session.add(user)
        session.flush()
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "user.create",
                object_type="user",
                object_uuid=user.uuid,
                object_owner=agency.code,
                detail={"roles": user.roles},
            ),
        )
        return user, password if generated else None

    def list_users(self, session: Session, actor: Actor, agency: str | None) -> list[User]:
        stmt = select(User).order_by(User.username)
        if actor.can(Permission.MANAGE_STRUCTURE):
            if agency:
                stmt = stmt.where(User.agency_id == get_agency(session, agency).id)
        elif actor.can(Permission.MANAGE_USERS):
            stmt = stmt.where(User.agency_id == actor.agency_id)
        else:
            stmt = stmt.where(User.id == actor.user_id)
        return list(session.scalars(stmt))

    def get(self, session: Session, actor: Actor, username: str) -> User:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None or not self._may_see(actor, user):
            raise NotFoundError(f"no user {username!r}")
        return user

    def update(self, session: Session, actor: Actor, username: str, data: UserUpdate) -> User:
        changes = data.model_dump(exclude_unset=True)
        action = "disable" if set(changes) <= {"disabled"} else "change"
        user = self._manageable(session, actor, username, action)
        if "roles" in changes:
            if user.id == actor.user_id:
                raise ForbiddenError("you may not change your own roles")
            if Role.PLATFORM_ADMIN.value in (changes["roles"] or []) and not _is_console(actor):
                raise ForbiddenError("the platform_admin role can only be granted from the server console")
        for name, value in changes.items():
            if value is None:
                raise BadInputError(f"{name} may not be null", {name: "may not be null"})
            setattr(
                user,
                name,
                sorted(r.value if isinstance(r, Role) else r for r in value) if name == "roles" else value,
            )
        if changes.get("disabled"):
            self._end_sessions(session, actor, user)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "user.update",
                object_type="user",
                object_uuid=user.uuid,
                object_owner=user.agency.code,
                detail={"fields": sorted(changes)},
            ),
        )
        return user

    def _end_sessions(self, session: Session, actor: Actor, user: User) -> None:
        session.execute(
            update(WebSession)
            .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
            .values(ended_at=actor.now)
        )

    def reset_mfa(self, session: Session, actor: Actor, username: str) -> User:
        user = self._manageable(session, actor, username, "reset the second factor of")
        user.totp_secret, user.totp_enabled = None, False
        self._end_sessions(session, actor, user)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "user.mfa_reset", object_type="user", object_uuid=user.uuid, object_owner=user.agency.code
            ),
        )
        return user

    def reset_password(self, session: Session, actor: Actor, username: str) -> tuple[User, str]:
        user = self._manageable(session, actor, username, "reset the password of")
        password = generate_password()
        user.password_hash, user.password_changed_at = hash_password(password), actor.now
        self._end_sessions(session, actor, user)
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "user.password_reset",
                object_type="user",
                object_uuid=user.uuid,
                object_owner=user.agency.code,
            ),
        )
        return user, password

    def change_password(self, session: Session, actor: Actor, data: PasswordChange) -> None:
        user = session.get(User, actor.user_id)
        assert user is not None
        if not password_matches(user.password_hash, data.current_password):
            raise BadInputError("current password is wrong", {"current_password": "wrong"})
        problem = password_problem(data.new_password, user.username)
        if problem:
            raise BadInputError(problem, {"new_password": problem})
        user.password_hash, user.password_changed_at = hash_password(data.new_password), actor.now
        self.audit.record(
            session, actor, AuditEvent("user.password_change", object_type="user", object_uuid=user.uuid)
        )

    # -- tokens --------------------------------------------------------------------------------------
    def issue_token(self, session: Session, actor: Actor, data: TokenCreate) -> tuple[str, ApiToken]:
        if data.user and data.user != actor.username:
            user = self._manageable(session, actor, data.user, "issue tokens for")
        else:
            me = session.get(User, actor.user_id) if actor.user_id is not None else None
            if me is None:
                raise BadInputError("user is required", {"user": "required"})
            user = me
        return self.auth.issue_token(session, actor, user, data.name, data.expires_in_days)

    def tokens(self, session: Session, actor: Actor) -> list[ApiToken]:
        stmt = select(ApiToken).join(User, ApiToken.user_id == User.id).order_by(ApiToken.id)
        if actor.can(Permission.MANAGE_USERS):
            stmt = stmt.where(User.agency_id == actor.agency_id)
        else:
            stmt = stmt.where(ApiToken.user_id == actor.user_id)
        return list(session.scalars(stmt))

    def revoke_token(self, session: Session, actor: Actor, ref: str) -> ApiToken:
        tok = session.scalars(select(ApiToken).where(ApiToken.uuid == ref)).one_or_none()
        allowed = tok is not None and (
            _is_console(actor)
            or tok.user_id == actor.user_id
            or (actor.can(Permission.MANAGE_USERS) and tok.user.agency_id == actor.agency_id)
        )
        if tok is None or not allowed:
            raise NotFoundError(f"no token {ref!r}")
        if tok.revoked_at is None:
            tok.revoked_at = actor.now
        self.audit.record(
            session,
            actor,
            AuditEvent(
                "token.revoke", object_type="token", object_uuid=tok.uuid, detail={"user": tok.user.username}
            ),
        )
        return tok

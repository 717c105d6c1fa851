from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from interdict.domain.roles import Role
from interdict.schemas.common import Strict


class UserCreate(Strict):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._\-]{2,63}$", examples=["somchai.k"])
    display_name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    agency: str | None = Field(
        None, description="Defaults to your own agency; agency admins may only use their own."
    )
    roles: list[Role] = Field(min_length=1, max_length=7, examples=[["analyst"]])
    language: str = Field("", max_length=8, examples=["zh"])
    password: str | None = Field(
        None, min_length=1, max_length=64, description="Omit to have one generated and returned once."
    )


class UserUpdate(Strict):
    display_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    roles: list[Role] | None = Field(None, min_length=1, max_length=7)
    language: str | None = Field(None, max_length=8)
    disabled: bool | None = None


class UserPublic(BaseModel):
    uuid: str
    username: str
    display_name: str
    email: str
    agency: str
    roles: list[str]
    language: str
    mfa_enrolled: bool
    disabled: bool
    created_at: datetime


class UserCreated(UserPublic):
    password: str | None = Field(None, description="The generated password, shown once.")


class PasswordChange(Strict):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class TokenCreate(Strict):
    name: str = Field("", max_length=200, examples=["nightly seizure upload"])
    expires_in_days: int | None = Field(None, ge=1, le=3650)
    user: str | None = Field(None, description="Username; agency admins may issue for users of their agency.")


class TokenPublic(BaseModel):
    uuid: str
    name: str
    user: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="Shown once; store it safely.")


class LoginRequest(Strict):
    username: str = Field(max_length=200)
    password: str = Field(max_length=200)
    totp: str | None = Field(None, max_length=10)


class LoginResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    user: UserPublic
    mfa_ok: bool
    mfa_enrolment_needed: bool


class MfaEnrolment(BaseModel):
    secret: str
    otpauth_uri: str


class MfaConfirm(Strict):
    code: str = Field(pattern=r"^\d{6}$")


class Me(BaseModel):
    user: UserPublic
    agency_name: str
    mfa_ok: bool
    permissions: list[str]

"""Request and response bodies of authentication, accounts and audit routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kuzet.access.model import DataClass, Perm, Role


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    totp_code: str | None = Field(None, max_length=16, description="6 digits from the app")
    recovery_code: str | None = Field(None, max_length=64, description="one-time, instead")


class RefreshIn(_In):
    refresh_token: str | None = Field(
        None, max_length=256, description="or the refresh cookie set at login"
    )


class TokensOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    stage: Literal["full", "enrol"] = Field(
        description="'enrol': this session may only set up TOTP (POST /api/auth/totp/enrol)"
    )


class EnrolmentOut(BaseModel):
    secret: str = Field(description="base32, for typing into the app by hand")
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as an SVG QR code")


class ConfirmIn(_In):
    code: str = Field(min_length=6, max_length=16)
    new_password: str | None = Field(None, max_length=1024)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="shown once; each works once")


class PasswordIn(_In):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordPolicyOut(BaseModel):
    min_length: int
    max_length: int
    min_classes: int = Field(description="how many of `classes` a password must mix")
    classes: list[str]
    letters: str
    forbidden: list[str]


class ScopeModel(_In):
    categories: list[str] | None = None
    camera_ids: list[str] | None = None
    districts: list[str] | None = None
    event_types: list[str] | None = None


class MeOut(BaseModel):
    user_id: str
    username: str
    agency_id: str
    role: Role
    stage: str
    permissions: list[Perm]
    clearances: list[DataClass]
    scope: ScopeModel


class AgencyIn(_In):
    name: str = Field(min_length=1, max_length=256)
    scope: ScopeModel = Field(default_factory=ScopeModel)
    platform: bool = False


class AgencyOut(BaseModel):
    id: str
    name: str
    platform: bool
    scope: ScopeModel


class UserIn(_In):
    username: str = Field(min_length=3, max_length=64)
    agency_id: str = Field(min_length=1, max_length=64)
    role: Role
    scope: ScopeModel | None = None
    clearances: list[DataClass] | None = None


class UserPatch(_In):
    role: Role | None = None
    agency_id: str | None = Field(None, min_length=1, max_length=64)
    active: bool | None = None
    scope: ScopeModel | None = None
    clearances: list[DataClass] | None = None


class UserOut(BaseModel):
    id: str
    username: str
    agency_id: str
    role: Role
    active: bool
    totp_enabled: bool
    scope: ScopeModel
    clearances: list[DataClass]
    locked_until: datetime | None = Field(
        None, description="the latest end of a login lock, from any address (see unlock)"
    )
    failed_logins: int = Field(0, description="failed logins in the throttle window")
    created_at: datetime


class GrantOut(BaseModel):
    """Clearances (or key face permissions) waiting for a second person."""

    id: str
    user_id: str
    username: str | None = None
    api_key_id: str | None = None
    clearances: list[DataClass]
    permissions: list[Perm]
    why: str = Field(description="what asked: user.create, user.update, user.reset, apikey.*")
    reason: str | None = None
    requested_by: str
    created_at: datetime
    status: Literal["pending", "approved", "rejected", "cancelled"]
    decided_by: str | None = None
    decided_at: datetime | None = None


class UserChanged(UserOut):
    pending_grant: GrantOut | None = Field(
        None, description="clearances asked beyond your own: they wait for a supervisor"
    )


class UserCreated(UserChanged):
    one_time_password: str | None = Field(
        None, description="shown once; replaced at first login. Null for integration accounts"
    )


class RoleOut(BaseModel):
    """What a role may do, as the policy says (kuzet.access.policy)."""

    role: Role
    permissions: list[Perm] = Field(description="what the role may do; keys hold a subset")
    clearances: list[DataClass] = Field(description="given to a new account of the role")
    human: bool = Field(description="false: an integration account (API keys, no password)")


class UnlockOut(BaseModel):
    failures_cleared: int


class ApiKeyIn(_In):
    permissions: list[Perm] = Field(min_length=1)
    ttl_days: int | None = Field(None, ge=1, le=3650)


class ApiKeyOut(BaseModel):
    id: str
    user_id: str
    permissions: list[Perm]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="shown once; only its hash is stored")
    pending_grant: GrantOut | None = Field(
        None, description="face permissions asked beyond your own: they wait for a supervisor"
    )
    suspended_grant: GrantOut | None = Field(
        None, description="the account's clearances beyond yours, suspended until approved"
    )


class AuditRecord(BaseModel):
    seq: int
    ts: datetime
    actor: str
    agency_id: str | None = None
    action: str
    target: str | None = None
    ip: str | None = None
    reason: str | None = None
    outcome: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecord]
    next_after_seq: int | None = Field(None, description="pass as after_seq; null at the end")


class AuditVerifyOut(BaseModel):
    ok: bool
    records: int
    problems: list[str]

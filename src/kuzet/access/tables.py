"""Access tables on the store's declarative ``Base``, so Alembic sees one metadata.

Secrets are never stored: passwords as argon2id hashes, tokens, API keys and
recovery codes as SHA-256 (they are random and long, so a slow hash adds nothing).
TOTP secrets must be readable to check codes, so they are sealed (AES-256-GCM,
``kuzet.access.sealing``) with a key kept out of the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class AgencyRow(Base):
    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    platform: Mapped[bool] = mapped_column(Boolean, default=False)  # runs the platform itself
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)  # the widest scope of its users
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(256))  # None: integration
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(256))  # sealed: "kzs1:<key>:<b64>"
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)  # refuses replays
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)  # narrows the agency's scope
    clearances: Mapped[list[str]] = mapped_column(JSON)  # data classes: video, biometrics...
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # who last issued its credentials (created it, reset the password, made or rotated a
    # key): that person could use them. None: the shell (kuzet users), the root of trust
    issued_by: Mapped[str | None] = mapped_column(String(36), default=None)


class RecoveryCodeRow(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class SessionRow(Base):
    """A login. Access and refresh tokens are looked up here, so revoking is immediate."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # "full" or "enrol" (TOTP set-up only)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    access_expires_at: Mapped[datetime]
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the refresh token rotated away last: presented again, it revokes the session
    prev_refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    refresh_expires_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public part of the key
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AuthFailureRow(Base):
    """One failed login, keyed ``user:<name>`` or ``ip:<addr>``; shared by all API nodes."""

    __tablename__ = "auth_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(192))
    ts: Mapped[datetime]

    __table_args__ = (Index("ix_auth_failures_key_ts", "key", "ts"),)


class AuditRow(Base):
    """Append-only (database triggers refuse UPDATE and DELETE); hash-chained by ``seq``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The newest audit record's ``seq`` and ``hash``, signed: truncation is named.

    One row (``id`` 1), updated with every append; triggers refuse deleting it or
    moving it back (migration ``0007_audit_head``)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    sig: Mapped[str] = mapped_column(String(64))  # HMAC of (seq, hash); "" = not signed yet
    ts: Mapped[datetime]


class GrantRow(Base):
    """Clearances (or API-key face permissions) asked beyond the asker's own: they wait
    for a second person (``kuzet.access.grants``). Status: pending, approved, rejected,
    cancelled (the account's credentials were issued anew meanwhile)."""

    __tablename__ = "access_grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    clearances: Mapped[list[str]] = mapped_column(JSON)
    permissions: Mapped[list[str]] = mapped_column(JSON)
    why: Mapped[str] = mapped_column(String(256))  # what made it: "user.create", "user.reset"
    reason: Mapped[str | None] = mapped_column(Text)  # the asker's X-Kuzet-Reason
    requested_by: Mapped[str] = mapped_column(String(36))
    requested_by_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by_name: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None]

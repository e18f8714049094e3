"""Violation tables on the store's ``Base`` (created by migration ``0028_violations``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class OfficerKeyRow(Base):
    """An officer's Ed25519 key: the public half in clear, the seed sealed twice (under
    the officer's signing passphrase, then the access key ring)."""

    __tablename__ = "vio_officer_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    username: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32 bytes
    fingerprint: Mapped[str] = mapped_column(String(80))
    sealed_seed: Mapped[str] = mapped_column(Text)
    kdf: Mapped[dict[str, Any]] = mapped_column(JSON)  # argon2id parameters and salt
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_vio_officer_keys_user", "user_id"),)


class ReviewRow(Base):
    """An officer's signed decision on one violation event, and the package it signed."""

    __tablename__ = "vio_reviews"

    violation_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the event id
    camera_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime]
    decision: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    reason: Mapped[str] = mapped_column(String(1000))
    officer_id: Mapped[str] = mapped_column(String(36))
    officer: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(36))
    key_fingerprint: Mapped[str] = mapped_column(String(80))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))  # base64 Ed25519
    package_key: Mapped[str] = mapped_column(String(256))  # the signed zip, a blob
    package_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_vio_reviews_decided", "decided_at"),
        Index("ix_vio_reviews_camera_ts", "camera_id", "ts"),
    )

"""Evidence tables on the store's ``Base`` (created by migration ``0024_evidence``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class ExportRow(Base):
    """One evidence export: what was asked, by whom and why, and the signed bundle made."""

    __tablename__ = "ev_exports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # pending | running | done | failed | released
    cameras: Mapped[list[str]] = mapped_column(JSON)
    start_ts: Mapped[datetime]
    end_ts: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(512))
    case_number: Mapped[str] = mapped_column(String(64))
    watermark: Mapped[bool] = mapped_column(Boolean)
    blurred: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(512))
    file: Mapped[str | None] = mapped_column(String(256))  # bundle name under exports_dir
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # files and gaps, for the UI
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(128))
    release_reason: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (
        Index("ix_ev_exports_agency_created", "agency_id", "created_at"),
        Index("ix_ev_exports_state", "state"),
    )


class BookmarkRow(Base):
    """A mark on a camera's timeline: a note, who and when, optionally an incident."""

    __tablename__ = "ev_bookmarks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    incident_id: Mapped[str | None] = mapped_column(String(64))
    hold_id: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_ev_bookmarks_camera_ts", "camera_id", "ts"),
        Index("ix_ev_bookmarks_incident", "incident_id"),
    )

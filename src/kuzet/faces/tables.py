"""Face tables on the store's declarative ``Base`` (migration ``0003_faces``).

Biometric material is only ever stored sealed: ``*_enc`` columns hold AES-GCM
ciphertext and ``key_id`` names the key, so a rotation can re-seal row by row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class WatchlistRow(Base):
    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))  # wanted, missing, vip_exclusion...
    threshold: Mapped[float] = mapped_column(Float)  # cosine similarity for a hit
    # expected false alerts per search asked for; when set, ``threshold`` follows it and
    # the list's size (kuzet.faces.calibration), recomputed as the list grows
    false_alert_target: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    priority: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[list[str]] = mapped_column(JSON)  # agencies that may see hits
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PersonRow(Base):
    __tablename__ = "watchlist_persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    watchlist_id: Mapped[str] = mapped_column(ForeignKey("watchlists.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))  # the source database's key
    name: Mapped[str] = mapped_column(String(256))
    case: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))  # of the synced record: skip unchanged
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("watchlist_id", "external_id", name="uq_watchlist_person_external"),
    )


class PhotoRow(Base):
    __tablename__ = "watchlist_photos"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(
        ForeignKey("watchlist_persons.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))  # of the original photo bytes
    key_id: Mapped[str] = mapped_column(String(32))
    photo_enc: Mapped[bytes] = mapped_column(LargeBinary)
    template_enc: Mapped[bytes] = mapped_column(LargeBinary)
    quality: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # the embedder that made template_enc (migration 0025): a gallery skips others
    embedder: Mapped[str] = mapped_column(String(64), default="dlib", server_default="dlib")


class SightingRow(Base):
    """The best face of one track, kept for retrospective search until retention."""

    __tablename__ = "face_sightings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(128))
    track_id: Mapped[int] = mapped_column(Integer)
    ts: Mapped[datetime] = mapped_column(index=True)
    box: Mapped[list[float]] = mapped_column(JSON)
    quality: Mapped[float] = mapped_column(Float)
    key_id: Mapped[str] = mapped_column(String(32))
    template_enc: Mapped[bytes] = mapped_column(LargeBinary)
    crop_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    listed: Mapped[bool] = mapped_column(Boolean)  # matched a watchlist: kept past retention
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    embedder: Mapped[str] = mapped_column(String(64), default="dlib", server_default="dlib")

    __table_args__ = (Index("ix_face_sightings_camera_ts", "camera_id", "ts"),)


class HitRow(Base):
    __tablename__ = "watchlist_hits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    sighting_id: Mapped[str | None] = mapped_column(String(36))
    watchlist_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str] = mapped_column(String(36))
    photo_id: Mapped[str] = mapped_column(String(36))
    camera_id: Mapped[str] = mapped_column(String(128))
    track_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    ts: Mapped[datetime]

    __table_args__ = (Index("ix_watchlist_hits_watchlist_ts", "watchlist_id", "ts"),)

"""Relational schema of the store (SQLAlchemy 2 typed declarative).

The migrations in ``migrations/versions`` create exactly these tables; the models are
what the repository queries through. Portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Index, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    PostgreSQL stores ``timestamptz``; SQLite stores a fixed-width UTC string, which
    sorts like the instant it names, so keyset pagination compares correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; the store needs timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class CameraRow(Base):
    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256))
    category: Mapped[str] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(128), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    direction_deg: Mapped[float | None] = mapped_column(Float)  # migration 0010
    fov_deg: Mapped[float | None] = mapped_column(Float)
    main_url: Mapped[str] = mapped_column(String(2048))
    sub_url: Mapped[str | None] = mapped_column(String(2048))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeviceRow(Base):
    """Devices of the registry (migration 0030); health columns kept by the gateway."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(256))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    agency: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(128))
    linked_cameras: Mapped[list[str]] = mapped_column(JSON)
    heartbeat_s: Mapped[float | None] = mapped_column(Float)
    battery_low: Mapped[int] = mapped_column(BigInteger)
    command_topic: Mapped[str | None] = mapped_column(String(512))
    ack_topic: Mapped[str | None] = mapped_column(String(512))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen: Mapped[datetime | None]
    online: Mapped[bool | None] = mapped_column(Boolean)
    battery: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EventRow(Base):
    """One event. ``camera_id`` is no foreign key: events outlive a deleted camera."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[datetime]
    pts: Mapped[float] = mapped_column(Float, default=0.0)
    phase: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(128))
    track_id: Mapped[int | None] = mapped_column(BigInteger)
    class_name: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    box_x1: Mapped[float | None] = mapped_column(Float)
    box_y1: Mapped[float | None] = mapped_column(Float)
    box_x2: Mapped[float | None] = mapped_column(Float)
    box_y2: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]]
    snapshot: Mapped[str | None] = mapped_column(String(512))

    # Migration 0005_attr_index adds one partial expression index per common person
    # attribute (repository.INDEXED_ATTRIBUTES); their SQL differs per dialect, so they
    # live in the migration only.
    __table_args__ = (
        Index("ix_events_ts_id", "ts", "id"),
        Index("ix_events_camera_ts", "camera_id", "ts"),
        Index("ix_events_type_ts", "type", "ts"),
    )

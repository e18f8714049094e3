"""What the operations centre keeps of its answers to devices (migration ``0031``): the
command log of outputs (sirens, speakers, doors) and the cameras an alarm opened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class DeviceCommandRow(Base):
    """One command: asked, confirmed (sent), then acknowledged, refused or timed out."""

    __tablename__ = "device_commands"
    __table_args__ = (Index("ix_device_commands_device", "device_id", "requested_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128))
    device_kind: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime]
    confirm_hash: Mapped[str | None] = mapped_column(String(64))
    confirm_until: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    topic: Mapped[str | None] = mapped_column(String(256))
    deadline_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IncidentCameraRow(Base):
    """A camera an alarm of a device opened: its picture at the alarm, its evidence hold."""

    __tablename__ = "device_incident_cameras"

    incident_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128))
    linked: Mapped[bool] = mapped_column(Boolean)
    distance_m: Mapped[float | None] = mapped_column(Float)
    snapshot_key: Mapped[str | None] = mapped_column(String(256))
    frame_ts: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16))  # live, stale, event, none
    hold_id: Mapped[str | None] = mapped_column(String(36))
    added_at: Mapped[datetime]

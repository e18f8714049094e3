"""Incident tables on the store's ``Base`` (created by migration ``0004_ops``, the lock and
checklist columns by ``0010_ops_shift``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class IncidentRow(Base):
    """One incident: several events of a camera and rule grouped, owned by one agency.

    Camera fields are copied in so the queue, map and statistics need no join and stay
    right after a camera is moved or deleted.
    """

    __tablename__ = "ops_incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)  # 1 high, 2 medium, 3 low
    type: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(128))
    camera_id: Mapped[str] = mapped_column(String(128))
    camera_name: Mapped[str | None] = mapped_column(String(256))
    category: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(128))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    agency_id: Mapped[str] = mapped_column(String(64))  # owner: who must act
    agencies: Mapped[list[str]] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(128))
    score: Mapped[float | None] = mapped_column(Float)
    first_event_id: Mapped[str] = mapped_column(String(64))
    last_event_id: Mapped[str] = mapped_column(String(64))
    snapshot_event_id: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(Integer)
    event_ts: Mapped[datetime]  # wall time of the first event's frame
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_event_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    assigned_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    ack_due_at: Mapped[datetime]
    resolve_due_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    escalation: Mapped[str | None] = mapped_column(String(32))  # "ack" or "resolve"
    version: Mapped[int] = mapped_column(Integer)  # any change, events joining included
    # The optimistic lock of operator steps (migration 0010): only workflow steps bump it,
    # so events arriving never make an operator's step fail.
    step_version: Mapped[int] = mapped_column(Integer, default=1)
    checklist: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # latest tick per item

    __table_args__ = (
        Index("ix_ops_incidents_state", "state", "priority"),
        Index("ix_ops_incidents_agency", "agency_id", "state"),
        Index("ix_ops_incidents_group", "camera_id", "type", "state"),
        Index("ix_ops_incidents_created", "created_at"),
    )


class IncidentEventRow(Base):
    """Which events make an incident; an event belongs to at most one incident."""

    __tablename__ = "ops_incident_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ops_incidents.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime]
    score: Mapped[float | None] = mapped_column(Float)


class IncidentLogRow(Base):
    """The incident's timeline: every step and note, who and when (the audit log has it too)."""

    __tablename__ = "ops_incident_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ops_incidents.id", ondelete="CASCADE"), index=True
    )
    ts: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    agency_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]]

"""Plate tables on the store's declarative ``Base`` (migration ``0027_plates``).

``plate_reads`` holds one row per ``plate_read`` event (its id is the event's), so a
redelivered event writes nothing twice; ``plate_matches`` one row per ``plate_match``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class PlateReadRow(Base):
    __tablename__ = "plate_reads"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16))  # normalised: A-Z and 0-9, no spaces
    plate_display: Mapped[str | None] = mapped_column(String(32))
    plate_format: Mapped[str | None] = mapped_column(String(32))
    plate_country: Mapped[str | None] = mapped_column(String(8))
    confidence: Mapped[float | None] = mapped_column(Float)
    camera_id: Mapped[str] = mapped_column(String(128))
    track_id: Mapped[int | None] = mapped_column(BigInteger)
    ts: Mapped[datetime]
    vehicle_class: Mapped[str | None] = mapped_column(String(64))
    snapshot: Mapped[str | None] = mapped_column(String(512))
    plate_crop: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (
        Index("ix_plate_reads_plate_ts", "plate", "ts"),
        Index("ix_plate_reads_camera_ts", "camera_id", "ts"),
        Index("ix_plate_reads_ts", "ts", "event_id"),
    )


class PlateSeenRow(Base):
    """One row per distinct plate held: what fuzzy and unanchored wildcard searches scan
    (far fewer rows than reads), with the span of its reads to prefilter by time."""

    __tablename__ = "plate_seen"

    plate: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class PlateListRow(Base):
    __tablename__ = "plate_lists"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))  # stolen, wanted, unpaid, ...
    alert_target: Mapped[str] = mapped_column(String(64))  # the agency a hit alerts
    fuzzy_distance: Mapped[int] = mapped_column(Integer)  # 0: exact only; 1-2 edits
    priority: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[list[str]] = mapped_column(JSON)  # agencies that may see the list
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PlateEntryRow(Base):
    __tablename__ = "plate_list_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("plate_lists.id", ondelete="CASCADE"))
    plate: Mapped[str] = mapped_column(String(16), index=True)
    plate_display: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    added_by: Mapped[str] = mapped_column(String(128))
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("list_id", "plate", name="uq_plate_list_entry"),)


class PlateMatchRow(Base):
    __tablename__ = "plate_matches"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the plate_match's
    read_event_id: Mapped[str] = mapped_column(String(64), index=True)
    list_id: Mapped[str] = mapped_column(String(64), index=True)  # no FK: outlives the list
    entry_id: Mapped[str] = mapped_column(String(36))
    plate: Mapped[str] = mapped_column(String(16), index=True)  # as read
    entry_plate: Mapped[str] = mapped_column(String(16))  # as listed
    distance: Mapped[int] = mapped_column(Integer)
    camera_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[datetime] = mapped_column(index=True)

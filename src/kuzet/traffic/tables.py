"""Traffic tables on the store's ``Base`` (created by migration ``0029_traffic``).

No clear plate is stored here: sightings keep an HMAC of the plate under the key of
its period only, and the key goes with the period (docs/traffic.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class TrafficBinRow(Base):
    """One lane over one minute, as sums (a ``traffic_stats`` event's lane); a minute
    may have several rows (a source that ended and started again inside it): they add."""

    __tablename__ = "traffic_bins"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lane: Mapped[str] = mapped_column(String(128), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(128))
    approach: Mapped[str] = mapped_column(String(128))
    segment: Mapped[str] = mapped_column(String(256))
    bin_start: Mapped[int] = mapped_column(BigInteger)  # epoch seconds, UTC
    bin_s: Mapped[int] = mapped_column(Integer)
    partial: Mapped[bool] = mapped_column(Boolean)
    count: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    speed_n: Mapped[int] = mapped_column(Integer)
    speed_sum_kmh: Mapped[float] = mapped_column(Float)
    observed_s: Mapped[float] = mapped_column(Float)
    occupied_s: Mapped[float] = mapped_column(Float)
    queue_veh_s: Mapped[float] = mapped_column(Float)
    queue_max_veh: Mapped[int] = mapped_column(Integer)
    queue_max_m: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_traffic_bins_camera_start", "camera_id", "bin_start"),
        Index("ix_traffic_bins_segment_start", "segment", "bin_start"),
    )


class TrafficKeyRow(Base):
    """The hashing key of one period, sealed with the access key ring; dropped when the
    period is over, so hashes of old periods can never be linked again."""

    __tablename__ = "traffic_od_keys"

    period_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class TrafficSightingRow(Base):
    """A plate read as a hash: camera and time, to link the next camera it is read at."""

    __tablename__ = "traffic_sightings"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the plate_read's
    period_start: Mapped[int] = mapped_column(BigInteger)
    plate_hash: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[str] = mapped_column(String(128))
    ts: Mapped[float] = mapped_column(Float)  # epoch seconds

    __table_args__ = (Index("ix_traffic_sightings_hash", "period_start", "plate_hash", "ts"),)


class TrafficOdRow(Base):
    """Trips from one camera to another, by arrival bin."""

    __tablename__ = "traffic_od"

    bin_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    origin: Mapped[str] = mapped_column(String(128), primary_key=True)
    destination: Mapped[str] = mapped_column(String(128), primary_key=True)
    bin_s: Mapped[int] = mapped_column(Integer)
    trips: Mapped[int] = mapped_column(Integer)
    travel_s_sum: Mapped[float] = mapped_column(Float)

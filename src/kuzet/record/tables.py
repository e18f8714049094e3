"""Recording tables on the store's ``Base`` (created by migration ``0020_record``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kuzet.store.tables import Base


class SegmentRow(Base):
    """One closed, readable fMP4 segment of one camera's main stream."""

    __tablename__ = "rec_segments"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)  # fmt: skip
    camera_id: Mapped[str] = mapped_column(String(128))
    start_ts: Mapped[datetime]
    end_ts: Mapped[datetime]
    bytes: Mapped[int] = mapped_column(BigInteger)
    volume: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(512))
    location: Mapped[str] = mapped_column(String(16))  # local | spool | remote
    init_size: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_rec_segments_camera_start", "camera_id", "start_ts"),
        Index("ix_rec_segments_volume_start", "volume", "start_ts"),
        Index("ux_rec_segments_volume_key", "volume", "key", unique=True),
    )


class GapRow(Base):
    """A stretch with no recording because the camera (or the recorder) was down."""

    __tablename__ = "rec_gaps"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)  # fmt: skip
    camera_id: Mapped[str] = mapped_column(String(128))
    start_ts: Mapped[datetime]
    end_ts: Mapped[datetime | None]  # None while still down
    reason: Mapped[str] = mapped_column(String(256))

    __table_args__ = (Index("ix_rec_gaps_camera_start", "camera_id", "start_ts"),)


class HoldRow(Base):
    """An evidence hold: retention keeps every segment of the camera that overlaps it."""

    __tablename__ = "rec_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(128))
    start_ts: Mapped[datetime]
    end_ts: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))  # export | bookmark | incident | manual
    ref: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(512))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    until: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(128))
    release_reason: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (
        Index("ix_rec_holds_camera", "camera_id", "released_at"),
        Index("ix_rec_holds_ref", "kind", "ref"),
    )


class TrashRow(Base):
    """A deleted segment whose object could not be removed yet (S3 down): retried."""

    __tablename__ = "rec_trash"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)  # fmt: skip
    volume: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(512))
    since: Mapped[datetime]
    camera_id: Mapped[str | None] = mapped_column(String(128), default=None)  # None: before 0034

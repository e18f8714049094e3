"""The segment index: which file holds which seconds of which camera, and the gaps.

``at(camera, t)`` is one query on ``(camera_id, start_ts)``: the last segment starting at
or before ``t``, kept when it also ends after ``t``. Segments last at most
:data:`MAX_SEGMENT_S`, which bounds every range scan the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from kuzet.record.tables import GapRow, SegmentRow
from kuzet.storage.base import Location

MAX_SEGMENT_S = 600.0  # a segment is cut at the first keyframe after segment_s (<= 300 s)


@dataclass(frozen=True, slots=True)
class Segment:
    id: int
    camera_id: str
    start: datetime
    end: datetime
    bytes: int
    volume: str
    key: str
    location: Location
    init_size: int
    codec: str
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class NewSegment:
    """What a writer knows when it closes a segment (the index adds id and created_at)."""

    camera_id: str
    start: datetime
    end: datetime
    bytes: int
    volume: str
    key: str
    location: Location
    init_size: int
    codec: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Gap:
    id: int
    camera_id: str
    start: datetime
    end: datetime | None
    reason: str


def _segment(r: SegmentRow) -> Segment:
    return Segment(
        id=r.id, camera_id=r.camera_id, start=r.start_ts, end=r.end_ts, bytes=r.bytes,
        volume=r.volume, key=r.key, location=r.location,  # type: ignore[arg-type]
        init_size=r.init_size, codec=r.codec, width=r.width, height=r.height,
    )  # fmt: skip


def _gap(r: GapRow) -> Gap:
    return Gap(id=r.id, camera_id=r.camera_id, start=r.start_ts, end=r.end_ts, reason=r.reason)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError(f"naive datetime {t!r}; use timezone-aware UTC")
    return t.astimezone(UTC)


class SegmentIndex:
    """Reads and writes ``rec_segments`` / ``rec_gaps``; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ writes
    def add(self, seg: NewSegment) -> int:
        row = {
            "camera_id": seg.camera_id, "start_ts": _utc(seg.start), "end_ts": _utc(seg.end),
            "bytes": seg.bytes, "volume": seg.volume, "key": seg.key, "location": seg.location,
            "init_size": seg.init_size, "codec": seg.codec, "width": seg.width,
            "height": seg.height, "created_at": datetime.now(UTC),
        }  # fmt: skip
        with self.engine.begin() as c:
            res = c.execute(insert(SegmentRow).values(**row))
            pk = res.inserted_primary_key
            return int(pk[0]) if pk else 0

    def set_location(self, volume: str, key: str, location: Location) -> None:
        with self.engine.begin() as c:
            c.execute(
                update(SegmentRow)
                .where(SegmentRow.volume == volume, SegmentRow.key == key)
                .values(location=location)
            )

    def open_gap(self, camera_id: str, start: datetime, reason: str) -> int:
        with self.engine.begin() as c:
            res = c.execute(insert(GapRow).values(camera_id=camera_id, start_ts=_utc(start),
                                                  end_ts=None, reason=reason[:256]))  # fmt: skip
            pk = res.inserted_primary_key
            return int(pk[0]) if pk else 0

    def close_gap(self, gap_id: int, end: datetime) -> None:
        with self.engine.begin() as c:
            c.execute(update(GapRow).where(GapRow.id == gap_id).values(end_ts=_utc(end)))

    def close_open_gaps(self, camera_id: str, end: datetime) -> int:
        """Gaps left open by a process that died: they end now."""
        with self.engine.begin() as c:
            res = c.execute(
                update(GapRow)
                .where(GapRow.camera_id == camera_id, GapRow.end_ts.is_(None))
                .values(end_ts=_utc(end))
            )
            return int(res.rowcount or 0)

    def add_gap(self, camera_id: str, start: datetime, end: datetime, reason: str) -> int:
        gid = self.open_gap(camera_id, start, reason)
        self.close_gap(gid, end)
        return gid

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            with self.engine.begin() as c:
                c.execute(delete(SegmentRow).where(SegmentRow.id.in_(ids)))

    # ------------------------------------------------------------ reads
    def at(self, camera_id: str, t: datetime) -> Segment | None:
        """The segment holding instant ``t`` of ``camera_id``, or None (a gap)."""
        t = _utc(t)
        with Session(self.engine) as s:
            row = s.scalars(
                select(SegmentRow)
                .where(SegmentRow.camera_id == camera_id, SegmentRow.start_ts <= t)
                .order_by(SegmentRow.start_ts.desc())
                .limit(1)
            ).first()
            if row is None or row.end_ts <= t:
                return None
            return _segment(row)

    def between(self, camera_id: str, start: datetime, end: datetime) -> list[Segment]:
        """Segments overlapping ``[start, end)``, oldest first."""
        start, end = _utc(start), _utc(end)
        lo = start - timedelta(seconds=MAX_SEGMENT_S)
        with Session(self.engine) as c:
            rows = c.scalars(
                select(SegmentRow)
                .where(
                    SegmentRow.camera_id == camera_id,
                    SegmentRow.start_ts >= lo,
                    SegmentRow.start_ts < end,
                    SegmentRow.end_ts > start,
                )
                .order_by(SegmentRow.start_ts)
            ).all()
        return [_segment(r) for r in rows]

    def latest(self, camera_id: str) -> Segment | None:
        with Session(self.engine) as c:
            row = c.scalars(
                select(SegmentRow)
                .where(SegmentRow.camera_id == camera_id)
                .order_by(SegmentRow.start_ts.desc())
                .limit(1)
            ).first()
        return None if row is None else _segment(row)

    def get(self, segment_id: int) -> Segment | None:
        with Session(self.engine) as c:
            row = c.scalars(select(SegmentRow).where(SegmentRow.id == segment_id)).first()
        return None if row is None else _segment(row)

    def find_key(self, volume: str, key: str) -> Segment | None:
        with Session(self.engine) as c:
            row = c.scalars(
                select(SegmentRow).where(SegmentRow.volume == volume, SegmentRow.key == key)
            ).first()
        return None if row is None else _segment(row)

    def gaps(self, camera_id: str, start: datetime, end: datetime) -> list[Gap]:
        """Gaps overlapping ``[start, end)`` (an open gap reaches to now), oldest first."""
        start, end = _utc(start), _utc(end)
        with Session(self.engine) as c:
            rows = c.scalars(
                select(GapRow)
                .where(
                    GapRow.camera_id == camera_id,
                    GapRow.start_ts < end,
                    (GapRow.end_ts.is_(None)) | (GapRow.end_ts > start),
                )
                .order_by(GapRow.start_ts)
            ).all()
        return [_gap(r) for r in rows]

    def usage(self, volume: str, cameras: list[str] | None = None) -> tuple[int, int]:
        """(segments, bytes) the index holds on ``volume`` (of ``cameras`` only, if given)."""
        cond = SegmentRow.volume == volume
        if cameras is not None:
            cond = cond & SegmentRow.camera_id.in_(cameras)
        with self.engine.connect() as c:
            n, total = c.execute(
                select(
                    func.count(SegmentRow.id), func.coalesce(func.sum(SegmentRow.bytes), 0)
                ).where(cond)
            ).one()
        return int(n), int(total)

    def keys(self, volume: str, camera_id: str, since: datetime | None = None) -> set[str]:
        """Keys of the camera's segments on ``volume`` starting at or after ``since``."""
        q = select(SegmentRow.key).where(
            SegmentRow.volume == volume, SegmentRow.camera_id == camera_id
        )
        if since is not None:
            q = q.where(SegmentRow.start_ts >= _utc(since))
        with self.engine.connect() as c:
            return set(c.scalars(q).all())

    def recent_max_bytes(self, volume: str, n: int = 20) -> int:
        """The largest of the newest ``n`` segments on ``volume`` (0 when empty)."""
        with self.engine.connect() as c:
            recent = (
                select(SegmentRow.bytes)
                .where(SegmentRow.volume == volume)
                .order_by(SegmentRow.start_ts.desc())
                .limit(n)
                .subquery()
            )
            return int(c.execute(select(func.coalesce(func.max(recent.c.bytes), 0))).scalar_one())

    def spooled(self, volume: str) -> list[Segment]:
        with Session(self.engine) as c:
            rows = c.scalars(
                select(SegmentRow)
                .where(SegmentRow.volume == volume, SegmentRow.location == "spool")
                .order_by(SegmentRow.start_ts)
            ).all()
        return [_segment(r) for r in rows]

"""Which recorded segments a time range needs, and clear answers when there are none.

A range is ``[start, end)`` in UTC. Bad ranges are :class:`RangeError` (inverted, too
long, naive times); a range without any recording is :class:`NoRecording`, which names
the nearest recorded time before and after, so a client can jump there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kuzet.record import Segment, SegmentIndex
from kuzet.record.tables import SegmentRow

CONTIGUOUS_S = 1.0  # two segments closer than this play as one run (no gap)


class RangeError(ValueError):
    """An unusable range; ``field`` names the parameter (``start``, ``end``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Nearest:
    before: datetime | None  # end of the last recording before the range
    after: datetime | None  # start of the first recording after it


class NoRecording(LookupError):
    def __init__(self, camera_id: str, start: datetime, end: datetime, nearest: Nearest) -> None:
        self.camera_id, self.start, self.end, self.nearest = camera_id, start, end, nearest
        hint = []
        if nearest.before is not None:
            hint.append(f"the last recording before ends at {nearest.before.isoformat()}")
        if nearest.after is not None:
            hint.append(f"the next recording starts at {nearest.after.isoformat()}")
        tail = "; ".join(hint) if hint else "this camera has no recording at all"
        super().__init__(
            f"camera {camera_id!r} has no recording between {start.isoformat()} and "
            f"{end.isoformat()}: {tail}"
        )


def check_range(start: datetime, end: datetime, limit_s: float, what: str = "range") -> None:
    for name, t in (("start", start), ("end", end)):
        if t.tzinfo is None:
            raise RangeError(name, "give the time with a zone, e.g. 2026-12-06T14:00:00Z")
    if end <= start:
        raise RangeError("end", f"must be after start ({start.isoformat()})")
    length = (end - start).total_seconds()
    if length > limit_s:
        raise RangeError(
            "end",
            f"the {what} is {length:.0f} s long; the limit is {limit_s:.0f} s "
            "(evidence.*_max_s in the site config)",
        )


def nearest(index: SegmentIndex, camera_id: str, start: datetime, end: datetime) -> Nearest:
    """End of the last segment before ``start`` and start of the first one from ``end``."""
    with Session(index.engine) as s:
        before = s.scalars(
            select(SegmentRow.end_ts)
            .where(SegmentRow.camera_id == camera_id, SegmentRow.start_ts < start)
            .order_by(SegmentRow.start_ts.desc())
            .limit(1)
        ).first()
        after = s.scalars(
            select(SegmentRow.start_ts)
            .where(SegmentRow.camera_id == camera_id, SegmentRow.start_ts >= end)
            .order_by(SegmentRow.start_ts)
            .limit(1)
        ).first()
    return Nearest(before, after)


def segments_for(
    index: SegmentIndex, camera_id: str, start: datetime, end: datetime
) -> list[Segment]:
    """The segments overlapping ``[start, end)``; :class:`NoRecording` when none."""
    segs = index.between(camera_id, start, end)
    if not segs:
        raise NoRecording(camera_id, start, end, nearest(index, camera_id, start, end))
    return segs


def runs(segs: Sequence[Segment]) -> list[list[Segment]]:
    """Split into runs that play as one file: contiguous, same codec and picture size.

    A gap or a change of stream (the camera was reconfigured) starts a new run, so an
    exported MP4 never hides a gap and never mixes two encodings under one header.
    """
    out: list[list[Segment]] = []
    for seg in segs:
        cur = out[-1] if out else None
        if (
            cur is not None
            and seg.start - cur[-1].end <= timedelta(seconds=CONTIGUOUS_S)
            and (seg.codec, seg.width, seg.height) == (cur[-1].codec, cur[-1].width, cur[-1].height)
        ):
            cur.append(seg)
        else:
            out.append([seg])
    return out

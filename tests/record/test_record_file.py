"""Continuous recording of a file source: keyframe cuts, no re-encoding, nothing lost."""

from __future__ import annotations

import hashlib
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av

from kuzet.record import SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.record.probe import probe
from kuzet.storage import LocalVolume

from .conftest import settings

T0 = 1_800_000_000.0  # a fixed "now": segment times are exact
DAY = (datetime.fromtimestamp(T0 - 60, UTC), datetime.fromtimestamp(T0 + 86400, UTC))


def frames(path: Path) -> list[str]:
    """A digest per decoded picture: equal lists mean the video was copied, not re-encoded."""
    with av.open(str(path)) as c:
        return [hashlib.md5(f.to_ndarray().tobytes()).hexdigest() for f in c.decode(video=0)]


def record_file(
    clip: Path, index: SegmentIndex, volume: LocalVolume, **kw: object
) -> CameraRecorder:
    rec = CameraRecorder(
        "cam-1",
        str(clip),
        settings(**kw),
        volume,
        index,  # type: ignore[arg-type]
        realtime=False,
        clock=lambda: T0,
    )
    rec.start()
    assert rec._thread is not None
    rec._thread.join(60)
    return rec


def test_continuous_cuts_on_keyframes_and_keeps_every_packet(
    h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    rec = record_file(h264_clip, index, volume, segment_s=3.0)
    assert rec.status.state == "stopped", rec.status
    segs = index.between("cam-1", *DAY)
    assert len(segs) == 4  # 12 s in 3 s segments, each cut at the keyframe at 3 s
    for a, b in itertools.pairwise(segs):
        assert a.end == b.start  # contiguous
    assert abs(segs[0].start.timestamp() - T0) < 1e-3
    assert round((segs[-1].end - segs[0].start).total_seconds() * 25) == 300  # 12 s at 25 fps
    stored: list[str] = []
    for s in segs:
        path = volume.local_path(s.key)
        assert path is not None and path.stat().st_size == s.bytes
        info = probe(path)  # every packet demuxes, the first keyframe decodes
        assert info.codec == "h264" and (info.width, info.height) == (640, 360)
        assert info.packets == round(s.duration_s * 25)  # the index's length is the file's
        assert 0 < s.init_size < s.bytes
        stored += frames(path)
    assert stored == frames(h264_clip)  # every picture, bit-exact: remuxed, not re-encoded
    assert not list(volume.staged_files())  # nothing left in staging


def test_any_instant_is_found(h264_clip: Path, index: SegmentIndex, volume: LocalVolume) -> None:
    record_file(h264_clip, index, volume, segment_s=3.0)
    segs = index.between("cam-1", *DAY)
    for s in segs:
        mid = s.start + (s.end - s.start) / 2
        assert index.at("cam-1", mid) == s
        assert index.at("cam-1", s.start) == s  # start inclusive, end exclusive
    assert index.at("cam-1", segs[0].start - timedelta(microseconds=1)) is None
    assert index.at("cam-1", segs[-1].end) is None
    assert index.at("cam-2", segs[0].start) is None


def test_a_looped_file_starts_a_new_segment_at_each_pass(
    h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    rec = CameraRecorder("cam-1", str(h264_clip), settings(segment_s=30.0), volume, index,
                         loop=True, realtime=False, clock=lambda: T0)  # fmt: skip
    rec.start()
    deadline = time.monotonic() + 30
    while rec.status.segments < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    rec.stop()
    segs = index.between("cam-1", *DAY)
    assert len(segs) >= 3 and rec.status.write_errors == 0
    for a, b in itertools.pairwise(segs):
        assert a.end == b.start  # contiguous across the loop
    for s in segs[:3]:  # one pass each (12 s at 25 fps), although segment_s is 30
        assert probe(volume.local_path(s.key) or Path()).packets == round(s.duration_s * 25) == 300


def test_an_instant_is_one_indexed_query(index: SegmentIndex) -> None:
    """The query plan of ``at``: a search of the (camera_id, start_ts) index, no scan."""
    from sqlalchemy import select

    from kuzet.record.tables import SegmentRow

    q = (
        select(SegmentRow)
        .where(SegmentRow.camera_id == "cam-1", SegmentRow.start_ts <= DAY[0])
        .order_by(SegmentRow.start_ts.desc())
        .limit(1)
    )
    sql = str(q.compile(index.engine, compile_kwargs={"literal_binds": True}))
    with index.engine.connect() as c:
        plan = " ".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "USING INDEX ix_rec_segments_camera_start" in plan and "SCAN" not in plan, plan

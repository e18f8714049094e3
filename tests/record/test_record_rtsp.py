"""A real RTSP camera (GStreamer) killed and restarted: segments, a recorded gap, segments again."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rtsp import RtspServer

from kuzet.record import SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.record.probe import probe
from kuzet.sources.backoff import ReconnectPolicy
from kuzet.storage import LocalVolume

from .conftest import settings

pytestmark = [pytest.mark.rtsp, pytest.mark.slow]


def wait_for(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_camera_drop_records_a_gap_then_resumes(
    gstreamer: None, h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    server = RtspServer(h264_clip).start()
    rec = CameraRecorder(
        "cam-1", server.url, settings(segment_s=2.0), volume, index,
        policy=ReconnectPolicy(initial=0.2, max=1.0, jitter=0.0), read_timeout_s=3.0,
    )  # fmt: skip
    t0 = datetime.now(UTC)
    try:
        rec.start()
        wait_for(lambda: rec.status.segments >= 2, 30, "two segments before the drop")
        server.stop()  # SIGKILL: the camera loses power
        wait_for(lambda: rec.status.state == "reconnecting", 15, "the recorder to notice")
        before = index.between("cam-1", t0, datetime.now(UTC) + timedelta(seconds=1))
        gaps = index.gaps("cam-1", t0, datetime.now(UTC) + timedelta(seconds=1))
        assert len(gaps) == 1 and gaps[0].end is None  # open while the camera is down
        time.sleep(2.0)
        server.start()
        n = len(before)
        wait_for(lambda: rec.status.segments >= n + 2, 30, "segments after the restart")
    finally:
        rec.stop()
        server.stop()
    now = datetime.now(UTC) + timedelta(seconds=1)
    segs = index.between("cam-1", t0, now)
    gaps = index.gaps("cam-1", t0, now)
    assert len(gaps) == 1, gaps
    gap = gaps[0]
    assert gap.end is not None and gap.reason  # closed by the first packet after the restart
    assert (gap.end - gap.start).total_seconds() >= 2.0  # the server was down >= 2 s
    old = [s for s in segs if s.end <= gap.start]
    new = [s for s in segs if s.start >= gap.end]
    assert len(old) >= 2 and len(new) >= 2 and len(old) + len(new) == len(segs)
    assert old[-1].end == gap.start  # the gap starts where the recording stopped
    assert abs((new[0].start - gap.end).total_seconds()) < 0.5
    for s in segs:  # everything written before the drop was kept and is readable
        path = volume.local_path(s.key)
        assert path is not None
        assert probe(path).packets > 0
    assert index.at("cam-1", gap.start + (gap.end - gap.start) / 2) is None

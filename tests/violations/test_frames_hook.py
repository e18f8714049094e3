"""The pipeline hook: full-resolution pictures before/at/after a violation, on real
footage (vtest.avi frames; the violation event is made by the test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from kuzet.core import Event, Frame
from kuzet.pipeline.violation_frames import ViolationFrames


def _frames(path: Path, n: int, fps: float = 10.0) -> list[Frame]:
    cap = cv2.VideoCapture(str(path))
    out = []
    for i in range(n):
        ok, img = cap.read()
        assert ok
        out.append(Frame("cam-v", i, i / fps, 1_800_000_000.0 + i / fps, img))
    cap.release()
    return out


def _event(frame: Frame, violation: bool = True, kind: str = "speeding") -> Event:
    return Event(
        id=f"ev-{frame.index}-{kind}",
        type=kind,
        camera_id=frame.camera_id,
        ts=datetime.fromtimestamp(frame.wall_time, UTC),
        pts=frame.pts,
        track_id=7,
        attributes={"violation": True} if violation else {},
    )


def test_before_at_after_are_the_analysed_frames_at_full_resolution(vtest_path: Path) -> None:
    blobs: dict[str, bytes] = {}
    hook = ViolationFrames(
        blobs.__setitem__,
        before_s=1.0,
        after_s=1.0,
        clock=lambda: {"clock": "test", "synchronised": True},
    )
    frames = _frames(vtest_path, 35)
    tagged: list[Event] = []
    for f in frames:
        evs = [_event(f), _event(f, violation=False, kind="zone_presence")] if f.index == 20 else []
        tagged += hook.offer(f, evs)
    vio, other = tagged
    prefix = vio.attributes["evidence_frames"]
    assert "evidence_frames" not in other.attributes  # only violations are captured
    rec = json.loads(blobs[f"{prefix}/frames.json"])
    assert rec["clock_at_capture"]["synchronised"] is True
    want = {"before": frames[10], "at": frames[20], "after": frames[30]}
    for which, frame in want.items():
        info = rec[which]
        assert datetime.fromisoformat(info["ts"]).timestamp() == frame.wall_time
        img = cv2.imdecode(np.frombuffer(blobs[info["key"]], np.uint8), cv2.IMREAD_COLOR)
        assert img.shape == frame.image.shape  # full resolution, not the tap's preview
        # the very frame (JPEG at q92: small error), not a neighbour
        err = float(np.abs(img.astype(int) - frame.image.astype(int)).mean())
        assert err < 4.0, (which, err)
        others = [g for g in frames if g is not frame]
        nearest = min(float(np.abs(img.astype(int) - g.image.astype(int)).mean()) for g in others)
        assert err < nearest, which


def test_a_source_that_ends_early_says_the_after_picture_is_missing(vtest_path: Path) -> None:
    blobs: dict[str, bytes] = {}
    hook = ViolationFrames(blobs.__setitem__, before_s=1.0, after_s=1.0)
    frames = _frames(vtest_path, 3)
    out = []
    for f in frames:
        out += hook.offer(f, [_event(f)] if f.index == 2 else [])
    hook.finish("cam-v")
    rec = json.loads(blobs[f"{out[0].attributes['evidence_frames']}/frames.json"])
    assert "source ended" in rec["after"]["missing"]
    assert rec["before"]["key"].endswith("before.jpg")  # the oldest kept frame (0.2 s back)
    assert set(rec["clock_at_capture"]) >= {"clock", "source", "synchronised"}


def test_a_main_stream_sized_camera_still_gets_its_picture_one_second_before(
    vtest_path: Path,
) -> None:
    """1080p frames (vtest upscaled): the ring keeps what "before" needs within its bytes."""
    blobs: dict[str, bytes] = {}
    hook = ViolationFrames(blobs.__setitem__)
    frames = [
        Frame(f.camera_id, f.index, f.pts, f.wall_time, cv2.resize(f.image, (1920, 1080)))
        for f in _frames(vtest_path, 16)
    ]
    out = []
    for f in frames:
        out += hook.offer(f, [_event(f)] if f.index == 14 else [])
    rec = json.loads(blobs[f"{out[0].attributes['evidence_frames']}/frames.json"])
    assert datetime.fromisoformat(rec["before"]["ts"]).timestamp() == frames[4].wall_time
    assert rec["before"]["width"] == 1920
    kept = hook._rings["cam-v"]
    assert sum(img.nbytes for _, img in kept) <= hook.max_ring_bytes

"""Event clips: pre-roll ring bounded by seconds and bytes, post-roll, one MP4 per clip,
and a policy that keeps clips to events that start an incident or are high priority."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np

from kuzet.core import Detections, Event, Frame
from kuzet.media.mp4 import mp4_frames
from kuzet.pipeline.clips import ClipPolicy, ClipRecorder, clip_key
from kuzet.pipeline.tap import FrameTap
from kuzet.store.blobs import LocalBlobStore

FPS = 5.0


class Blobs(dict[str, bytes]):
    def put(self, key: str, data: bytes) -> None:
        self[key] = data


def ev(t: float, type: str = "intrusion", phase: str = "start", n: int = 0) -> Event:
    return Event(id=f"e{int(t * 10)}-{type}-{n}", type=type, camera_id="cam",
                 ts=datetime.fromtimestamp(t, UTC), phase=phase, rule="r")  # fmt: skip


def moving(i: int) -> np.ndarray:
    img = np.zeros((360, 480, 3), np.uint8)
    x = (i * 7) % 400
    img[100:200, x : x + 60] = (0, 255, 0)  # a block moving right: the clip is not static
    return img


def run(tap: FrameTap, seconds: float, events_at: dict[int, list[Event]], t0: float) -> None:
    empty = Detections.empty()
    for i in range(int(seconds * FPS)):
        t = t0 + i / FPS
        f = Frame(camera_id="cam", index=i, pts=t - t0, wall_time=t, image=moving(i))
        events_at[i] = tap.offer(f, empty, ("person",), events_at.get(i, []))


def mp4_info(data: bytes) -> tuple[int, float]:
    with av.open(io.BytesIO(data), "r") as c:
        assert c.streams.video[0].codec_context.name == "h264"
    times = [t for t, _ in mp4_frames(data)]
    return len(times), times[-1] - times[0]


def test_clip_holds_pre_and_post_roll_as_h264_mp4() -> None:
    blobs = Blobs()
    rec = ClipRecorder(blobs.put, pre_s=4.0, post_s=2.0, policy=lambda e: True).start()
    tap = FrameTap(FPS, clips=rec, threaded=False)
    t0 = time.time()
    first, during = ev(t0 + 6.0), ev(t0 + 6.8, n=1)
    events = {30: [first], 34: [during]}  # frame 30 = 6 s in; 34 = inside the post-roll
    run(tap, 12.0, events, t0)
    rec.stop()
    key = clip_key(first)
    assert rec.written == [key] and key.startswith("clips/") and key.endswith(".mp4")
    assert events[30][0].attributes["clip"] == key
    assert events[34][0].attributes["clip"] == key  # shares the open clip: no second one
    data = blobs[key]
    assert data[4:8] == b"ftyp"
    n, span = mp4_info(data)
    assert 28 <= n <= 32, n  # 4 s before + 2 s after at 5 fps (+ the event frame)
    assert 5.6 <= span <= 6.4, span
    assert rec.encode_s > 0


def test_pre_roll_is_bounded_by_bytes() -> None:
    blobs = Blobs()
    rec = ClipRecorder(blobs.put, pre_s=30.0, post_s=0.0, max_pre_bytes=60_000,
                       policy=lambda e: True).start()  # fmt: skip
    tap = FrameTap(FPS, clips=rec, threaded=False)
    t0 = time.time()
    first = ev(t0 + 10.0)
    run(tap, 10.4, {50: [first]}, t0)
    rec.stop()
    n, _ = mp4_info(blobs[clip_key(first)])
    one = len(tap.latest("cam")[1])  # type: ignore[index]
    assert n <= 60_000 // one + 2 and n < 50, (n, one)


def test_policy_bounds_clips_to_incident_starts_and_high_priority() -> None:
    policy = ClipPolicy(120.0, priority=lambda e: 1 if e.type == "fire" else 2)
    t = 1_800_000_000.0
    assert policy(ev(t))  # first intrusion: starts an incident
    assert not policy(ev(t + 60, n=1))  # joins it
    assert not policy(ev(t + 61, phase="end"))
    assert policy(ev(t + 70, type="loitering"))  # another type: another incident
    assert policy(ev(t + 60 + 121, n=2))  # the window passed
    assert policy(ev(t, type="fire")) and policy(ev(t + 1, type="fire", n=1))  # high: always


def test_a_stopped_source_still_gets_its_clip_written() -> None:
    blobs = Blobs()
    rec = ClipRecorder(blobs.put, pre_s=2.0, post_s=1.0, policy=lambda e: True).start()
    tap = FrameTap(FPS, clips=rec, threaded=False)
    t0 = time.time() - 5.0  # the post-roll deadline is already past in wall time
    first = ev(t0 + 1.0)
    run(tap, 1.2, {5: [first]}, t0)  # the camera stops right after the event
    deadline = time.monotonic() + 8
    while not rec.written and time.monotonic() < deadline:
        time.sleep(0.1)
    rec.stop()
    assert rec.written == [clip_key(first)]


def test_retention_removes_old_clip_days(tmp_path: Path) -> None:
    for day in ("2026/01/01", "2026/11/20", "2026/11/26"):
        d = tmp_path / "clips" / day / "cam"
        d.mkdir(parents=True)
        (d / "e.mp4").write_bytes(b"x")
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert LocalBlobStore(tmp_path).purge_days("clips", 30, now) == 1
    left = sorted(p.relative_to(tmp_path / "clips").as_posix() for p in tmp_path.rglob("*.mp4"))
    assert left == ["2026/11/20/cam/e.mp4", "2026/11/26/cam/e.mp4"]

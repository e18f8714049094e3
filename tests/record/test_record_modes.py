"""Motion-only and events-only modes: a GOP ring gives the pre-roll, signals keep a window
open for the post-roll, and segments start and end on keyframes around each window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kuzet.config import parse_site
from kuzet.config.record import RecordMode
from kuzet.core import Event
from kuzet.record import SegmentIndex
from kuzet.record.camera import CameraRecorder
from kuzet.record.probe import probe
from kuzet.record.ring import GopRing
from kuzet.record.service import Recording
from kuzet.storage import LocalVolume

from .conftest import settings

T0 = 1_800_000_000.0
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


class P:
    def __init__(self, size: int = 10) -> None:
        self.size = size


def test_gop_ring_keeps_just_enough_whole_gops() -> None:
    ring = GopRing(pre_s=2.0)
    ring.add(P(), 0.5, keyframe=False)  # before any keyframe: useless, not kept
    assert len(ring) == 0
    for t in range(10):  # a keyframe each second, 4 more frames per GOP
        for i in range(5):
            ring.add(P(), t + i * 0.2, keyframe=i == 0)
    assert len(ring) == 3  # GOPs 7, 8, 9: GOP 7 starts at or before 9.8 - 2
    assert [round(t, 1) for _, t in ring.take(7.5)][:2] == [7.0, 7.2]
    assert len(ring) == 0
    small = GopRing(pre_s=10.0, max_bytes=25)
    for t in range(5):
        small.add(P(10), float(t), keyframe=True)
    assert small.bytes <= 25 and len(small) == 2


def test_events_mode_records_windows_with_pre_and_post_roll(
    h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    rec = CameraRecorder("cam-1", str(h264_clip),
                         settings(RecordMode.EVENTS, segment_s=30, pre_s=2, post_s=1),
                         volume, index, realtime=False, clock=lambda: T0)  # fmt: skip
    rec.signal(T0 + 4.0)  # window [2, 5]
    rec.signal(T0 + 9.5)  # window [7.5, 10.5]
    rec.signal(T0 + 9.8)  # merged into the one before
    rec.start()
    assert rec._thread is not None
    rec._thread.join(60)
    segs = index.between("cam-1", *ALL)
    spans = [(round(s.start.timestamp() - T0, 2), round(s.end.timestamp() - T0, 2)) for s in segs]
    # keyframes every second: start at the last keyframe at or before the window's start,
    # end at the first keyframe after its end
    assert spans == [(2.0, 6.0), (7.0, 11.0)]
    for s in segs:
        path = volume.local_path(s.key)
        assert path is not None
        info = probe(path)
        assert info.packets == round(s.duration_s * 25)
    assert index.gaps("cam-1", *ALL) == []  # quiet time is not a gap


def test_recording_routes_signals_by_mode(tmp_path: Path, h264_clip: Path) -> None:
    site = parse_site(
        f"data_dir: {tmp_path}\n"
        "record: {enabled: true, mode: motion, cameras: {b: {mode: events}, c: {mode: off}},\n"
        "         categories: {school: {mode: continuous, days: 30}}}\n"
        f"cameras:\n  - {{id: a, main_url: '{h264_clip}'}}\n"
        f"  - {{id: b, main_url: '{h264_clip}'}}\n"
        f"  - {{id: c, main_url: '{h264_clip}'}}\n"
        f"  - {{id: d, main_url: '{h264_clip}', category: school}}\n"
    )
    from kuzet.schema import open_store

    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    rec = Recording(site, store.engine)
    assert sorted(rec.recorders) == ["a", "b", "d"]  # c records nothing
    assert rec.settings["d"].mode is RecordMode.CONTINUOUS and rec.settings["d"].days == 30
    rec.motion("a", T0)
    rec.motion("b", T0)  # events-only: motion is ignored
    rec.motion("d", T0)  # continuous: nothing to open
    ev = Event(id="e1", type="intrusion", camera_id="b", ts=datetime.fromtimestamp(T0 + 5, UTC),
               phase="start")  # fmt: skip
    rec.event(ev)
    assert rec.recorders["a"]._windows == [[T0 - 5, T0 + 10]]
    assert rec.recorders["b"]._windows == [[T0, T0 + 15]]
    assert rec.recorders["d"]._windows == []
    store.close()


def test_packet_listeners_see_every_packet(
    h264_clip: Path, index: SegmentIndex, volume: LocalVolume
) -> None:
    seen: list[tuple[int | None, bool]] = []
    rec = CameraRecorder("cam-1", str(h264_clip), settings(), volume, index, realtime=False,
                         clock=lambda: T0)  # fmt: skip

    def broken(packet: object, stream: object) -> None:
        raise RuntimeError("a viewer's bug")

    rec.add_listener(
        lambda p, s: seen.append((None, False) if p is None else (p.pts, p.is_keyframe))
    )
    rec.add_listener(broken)  # removed at its first failure; recording goes on
    remove = rec.add_listener(lambda p, s: None)
    remove()
    rec.start()
    assert rec._thread is not None
    rec._thread.join(60)
    assert seen[0] == (None, False) and len(seen) == 1 + 300  # a session start, 12 s at 25 fps
    assert sum(k for _, k in seen) == 12
    assert rec.status.segments == 4 and len(rec._listeners) == 1

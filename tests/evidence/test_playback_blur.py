"""Blurred copies of recorded segments, made on a player's first request: the segment
asked for is made first, the next one is prefetched after it (never ahead of it, which
doubled the first-byte wait with one blur slot), and a prefetch never waits for a slot."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
from tests.evidence.conftest import CAMERA, START, OneFace, Rec

from kuzet.config.evidence import EvidenceConfig
from kuzet.evidence.playback import Playback


class ThreadLog(OneFace):
    """OneFace that notes which thread blurred each picture."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        self.threads.append(threading.current_thread().name)
        return super().detect(bgr)


def _playback(rec: Rec, tmp_path: Path, finder: OneFace) -> Playback:
    return Playback(rec, EvidenceConfig(blur_concurrency=1), tmp_path / "cache", lambda: finder)


def _wait_cached(pb: Playback, key: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pb.cache.path(key).is_file():
            return True
        time.sleep(0.05)
    return False


def test_the_segment_asked_for_is_blurred_before_the_next_is_prefetched(
    rec: Rec, tmp_path: Path
) -> None:
    log = ThreadLog()
    pb = _playback(rec, tmp_path, log)
    first, second = rec.index.between(CAMERA, START, START + timedelta(seconds=30))[:2]
    got = pb.media(first, blurred=True)
    assert got.path.is_file() and 0 < got.init_size < got.size
    mine = threading.current_thread().name
    assert log.threads and set(log.threads) == {mine}  # nothing else ran before it was ready
    assert _wait_cached(pb, f"blur|{second.volume}|{second.key}")  # the next one, prefetched
    assert any(t.startswith("blur-") for t in log.threads[len(log.threads) // 2 :])


def test_a_prefetch_gives_way_when_every_blur_slot_is_busy(rec: Rec, tmp_path: Path) -> None:
    log = ThreadLog()
    pb = _playback(rec, tmp_path, log)
    segs = rec.index.between(CAMERA, START, START + timedelta(seconds=30))
    release, busy = threading.Event(), threading.Event()

    class Slow(ThreadLog):
        def detect(self, bgr: np.ndarray) -> np.ndarray:
            busy.set()
            release.wait(30)
            return super().detect(bgr)

    slow = Slow()
    pb_slow = _playback(rec, tmp_path / "slow", slow)
    holder = threading.Thread(target=lambda: pb_slow.media(segs[2], blurred=True), name="viewer")
    holder.start()
    assert busy.wait(30)  # a viewer's segment holds the only slot
    pb_slow._prefetch(segs[0])  # the player's next segment would be segs[1]
    deadline = time.monotonic() + 30
    while any(t.name == f"blur-{segs[1].id}" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the prefetch queued for the slot"
        time.sleep(0.05)
    release.set()
    holder.join(60)
    assert not pb_slow.cache.path(f"blur|{segs[1].volume}|{segs[1].key}").is_file()
    # with the slot free, the same request prefetches
    pb.media(segs[0], blurred=True)
    assert _wait_cached(pb, f"blur|{segs[1].volume}|{segs[1].key}")

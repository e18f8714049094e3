"""Event clips: the seconds before and after an event as a short H.264 MP4.

Each camera keeps a pre-roll ring of the tap's annotated JPEGs (bounded by seconds and
bytes). An event that deserves a clip (see :class:`ClipPolicy`) opens one: the ring is
copied, frames keep coming for the post-roll, then a single writer thread encodes the MP4
(libx264, ``+faststart`` so browsers start playing at once) and stores it as the blob
``clips/YYYY/MM/DD/<camera>/<event-id>.mp4``. Events of the same camera during the
post-roll share that clip; the key travels in ``event.attributes["clip"]``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC

import cv2
import numpy as np

from kuzet.core import Event
from kuzet.media.mp4 import encode_mp4

log = logging.getLogger(__name__)
PutBlob = Callable[[str, bytes], None]


def clip_key(event: Event) -> str:
    day = event.ts.astimezone(UTC)
    return f"clips/{day:%Y/%m/%d}/{event.camera_id}/{event.id}.mp4"


def decode_jpegs(frames: Iterable[tuple[float, bytes]]) -> Iterable[tuple[float, np.ndarray]]:
    for t, data in frames:
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is not None:
            yield t, img


class ClipPolicy:
    """Which events open a clip, to bound CPU and disk: high priority always; otherwise
    only the first event of a camera and type within ``group_window_s`` (the one that
    starts an incident; later ones join it). End phases never open one."""

    def __init__(
        self,
        group_window_s: float | Callable[[], float] = 120.0,
        priority: Callable[[Event], int] | None = None,
    ) -> None:
        self.group_window_s = group_window_s
        self.priority = priority
        self._last: dict[tuple[str, str], float] = {}

    def __call__(self, event: Event) -> bool:
        if event.phase == "end":
            return False
        k, ts = (event.camera_id, event.type), event.ts.timestamp()
        last = self._last.get(k)
        self._last[k] = ts
        if self.priority is not None and self.priority(event) == 1:
            return True
        window = self.group_window_s
        return last is None or ts - last >= (window() if callable(window) else window)


@dataclass
class _Clip:
    key: str
    until: float  # wall time when the post-roll is complete
    frames: list[tuple[float, bytes]] = field(default_factory=list)


class ClipRecorder:
    """Pre-roll rings, open clips and the writer thread. ``add`` and ``on_events`` are
    called by the detector thread; the writer thread closes clips whose source stopped."""

    def __init__(
        self,
        put_blob: PutBlob,
        *,
        pre_s: float = 10.0,
        post_s: float = 5.0,
        max_pre_bytes: int = 8 << 20,
        policy: Callable[[Event], bool] | None = None,
        max_pending: int = 8,
    ) -> None:
        self.put_blob = put_blob
        self.pre_s, self.post_s, self.max_pre_bytes = pre_s, post_s, max_pre_bytes
        self.policy = policy or ClipPolicy()
        self._lock = threading.Lock()
        self._rings: dict[str, deque[tuple[float, bytes]]] = {}
        self._ring_bytes: dict[str, int] = {}
        self._open: dict[str, _Clip] = {}
        self._todo: queue.Queue[_Clip | None] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self.written: list[str] = []
        self.skipped = 0  # clips dropped because the writer was behind
        self.encode_s = 0.0  # writer thread CPU

    def start(self) -> ClipRecorder:
        self._thread = threading.Thread(target=self._write_loop, name="clips", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is open (a shorter post-roll), then end the writer."""
        with self._lock:
            pending, self._open = list(self._open.values()), {}
        for clip in pending:
            self._queue(clip)
        if self._thread is not None:
            self._todo.put(None)
            self._thread.join(timeout)
            self._thread = None

    # ------------------------------------------------------------ the detector thread
    def add(self, camera_id: str, t: float, jpeg: bytes) -> None:
        done = None
        with self._lock:
            ring = self._rings.setdefault(camera_id, deque())
            ring.append((t, jpeg))
            size = self._ring_bytes.get(camera_id, 0) + len(jpeg)
            while ring and (ring[0][0] < t - self.pre_s or size > self.max_pre_bytes):
                size -= len(ring.popleft()[1])
            self._ring_bytes[camera_id] = size
            clip = self._open.get(camera_id)
            if clip is not None:
                clip.frames.append((t, jpeg))
                if t >= clip.until:
                    done = self._open.pop(camera_id)
        if done is not None:
            self._queue(done)

    def on_events(self, camera_id: str, t: float, events: list[Event]) -> list[Event]:
        out = []
        for ev in events:
            with self._lock:
                clip = self._open.get(camera_id)
                if clip is None and self.policy(ev):
                    clip = _Clip(clip_key(ev), t + self.post_s,
                                 list(self._rings.get(camera_id, ())))  # fmt: skip
                    self._open[camera_id] = clip
            if clip is not None and ev.phase != "end":
                ev = ev.model_copy(update={"attributes": {**ev.attributes, "clip": clip.key}})
            out.append(ev)
        return out

    # ------------------------------------------------------------ the writer thread
    def _queue(self, clip: _Clip) -> None:
        try:
            self._todo.put_nowait(clip)
        except queue.Full:
            self.skipped += 1
            log.warning("clip writer behind; clip dropped", extra={"clip": clip.key})

    def _close_stale(self) -> None:
        """A source that stopped sends no more frames: close its clip on wall time."""
        now = time.time()
        with self._lock:
            stale = [c for c, clip in self._open.items() if now > clip.until + 2.0]
            clips = [self._open.pop(c) for c in stale]
        for clip in clips:
            self._queue(clip)

    def _write_loop(self) -> None:
        while True:
            try:
                clip = self._todo.get(timeout=1.0)
            except queue.Empty:
                self._close_stale()
                continue
            if clip is None:
                return
            t0 = time.thread_time()
            try:
                self.put_blob(clip.key, encode_mp4(decode_jpegs(clip.frames)))
                self.written.append(clip.key)
            except Exception:
                log.exception("writing a clip failed", extra={"clip": clip.key})
            self.encode_s += time.thread_time() - t0

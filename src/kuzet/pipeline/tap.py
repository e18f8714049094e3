"""The frame tap: where analysed frames leave the pipeline for people to watch.

The detector thread offers every analysed frame with its tracks. The tap draws the boxes
and encodes a JPEG only when somebody watches the camera (or the clip recorder keeps a
pre-roll), at most ``fps`` times a second per camera: an unwatched camera costs a dict
lookup per frame. Drawing and encoding run on the tap's own thread, so the detector
thread (the node's bottleneck) only hands over a reference; if the tap falls behind, a
camera's older pending frame is replaced by its newer one (counted in ``shed``).
Readers (the MJPEG route, tests) poll :meth:`latest` or block in :meth:`wait_newer`;
both are thread-safe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import cv2
import numpy as np

from kuzet.core import Detections, Event, Frame

if TYPE_CHECKING:
    from kuzet.pipeline.clips import ClipRecorder

log = logging.getLogger(__name__)


def annotate(
    image: np.ndarray, tracks: Detections, labels: tuple[str, ...], max_width: int = 640
) -> np.ndarray:
    """A downscaled copy with each track's box, label and id (the frame is not modified)."""
    h, w = image.shape[:2]
    scale = min(1.0, max_width / w)
    canvas = cv2.resize(image, (round(w * scale), round(h * scale))) if scale < 1 else image.copy()
    for i in range(len(tracks)):
        x1, y1, x2, y2 = (round(float(v) * scale) for v in tracks.xyxy[i])
        cls = int(tracks.class_id[i])
        name = labels[cls] if 0 <= cls < len(labels) else str(cls)
        tid = "" if tracks.tracker_id is None else f" #{int(tracks.tracker_id[i])}"
        cv2.rectangle(canvas, (x1, y1), (x2, y2), (0, 200, 255), 2)
        cv2.putText(
            canvas, f"{name}{tid}", (x1, max(12, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
            (0, 200, 255), 1, cv2.LINE_AA,
        )  # fmt: skip
    return canvas


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(buf.tobytes())


class TapFrame(NamedTuple):
    """One annotated frame as readers get it: ``wall_time`` is when the camera's frame was
    decoded (the time events of that frame carry), so a viewer can say how old it is."""

    seq: int  # grows with every new frame, all cameras
    jpeg: bytes
    wall_time: float  # seconds since the epoch


class FrameTap:
    """Latest annotated JPEG per camera, throttled, made only while someone needs it."""

    def __init__(
        self,
        fps: float = 4.0,
        *,
        max_width: int = 640,
        quality: int = 75,
        clips: ClipRecorder | None = None,
        threaded: bool = True,
    ) -> None:
        """``threaded``: draw and encode on the tap's own thread (cv2 releases the GIL), so
        the detector thread only hands over a reference; ``False`` encodes in ``offer``."""
        self.period = 1.0 / fps
        self.max_width = max_width
        self.quality = quality
        self.clips = clips
        self._cond = threading.Condition()
        self._latest: dict[str, TapFrame] = {}
        self._viewers: Counter[str] = Counter()
        self._next_at: dict[str, float] = {}
        self._seq = 0
        self.encoded = 0  # JPEGs made, all cameras (the tap's cost, for metrics and tests)
        self.encode_s = 0.0  # thread CPU spent drawing and encoding them
        self.shed = 0  # due frames replaced by a newer one before the worker got to them
        self._jobs = threading.Condition()
        self._pending: dict[str, tuple[Frame, Detections, tuple[str, ...]]] = {}
        self._busy = self._closed = False
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._work, name="frame-tap", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Encode what is pending, then end the worker."""
        with self._jobs:
            self._closed = True
            self._jobs.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every handed-over frame is encoded (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._jobs:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._jobs.wait(left)
        return True

    # ------------------------------------------------------------ viewers
    def viewers(self, camera_id: str) -> int:
        with self._cond:
            return self._viewers[camera_id]

    @contextmanager
    def watch(self, camera_id: str) -> Iterator[None]:
        """Count a viewer for as long as the block runs (an MJPEG response, a test)."""
        with self._cond:
            self._viewers[camera_id] += 1
        try:
            yield
        finally:
            with self._cond:
                self._viewers[camera_id] -= 1
                if self._viewers[camera_id] <= 0:
                    del self._viewers[camera_id]

    # ------------------------------------------------------------ readers
    def latest(self, camera_id: str) -> TapFrame | None:
        """The newest annotated frame; its ``seq`` grows with every new one."""
        with self._cond:
            return self._latest.get(camera_id)

    def wait_newer(self, camera_id: str, seq: int, timeout: float) -> TapFrame | None:
        """Block until the camera has a frame newer than ``seq``; None on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = self._latest.get(camera_id)
                if got is not None and got[0] > seq:
                    return got
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    got = self._latest.get(camera_id)
                    return got if got is not None and got[0] > seq else None

    # ------------------------------------------------------------ the detector thread
    def offer(
        self, frame: Frame, tracks: Detections, labels: tuple[str, ...], events: list[Event]
    ) -> list[Event]:
        """Called after tracking with the frame's events; returns them, with the clip key
        added where the clip recorder records one. Never raises: a picture for people to
        watch must not cost the events of the frame."""
        try:
            return self._offer(frame, tracks, labels, events)
        except Exception:
            log.exception("frame tap failed", extra={"camera": frame.camera_id})
            return events

    def _offer(
        self, frame: Frame, tracks: Detections, labels: tuple[str, ...], events: list[Event]
    ) -> list[Event]:
        cam = frame.camera_id
        with self._cond:
            watched = self._viewers[cam] > 0
        # 1 ms of slack: frames exactly on the slot must not miss it by a rounding error
        due = frame.wall_time + 1e-3 >= self._next_at.get(cam, float("-inf"))
        if due and (watched or self.clips is not None):
            # keep the average rate at fps: the next slot counts from the previous slot
            prev = self._next_at.get(cam, frame.wall_time)
            self._next_at[cam] = max(prev + self.period, frame.wall_time - self.period / 2)
            if self._thread is None:
                self._encode(frame, tracks, labels)
            else:
                with self._jobs:
                    self.shed += cam in self._pending
                    self._pending[cam] = (frame, tracks, labels)
                    self._jobs.notify_all()
        if self.clips is not None and events:
            events = self.clips.on_events(cam, frame.wall_time, events)
        return events

    # ------------------------------------------------------------ drawing and encoding
    def _encode(self, frame: Frame, tracks: Detections, labels: tuple[str, ...]) -> None:
        t0 = time.thread_time()
        jpeg = encode_jpeg(annotate(frame.image, tracks, labels, self.max_width), self.quality)
        self.encode_s += time.thread_time() - t0
        self.encoded += 1
        with self._cond:
            self._seq += 1
            self._latest[frame.camera_id] = TapFrame(self._seq, jpeg, frame.wall_time)
            self._cond.notify_all()
        if self.clips is not None:
            self.clips.add(frame.camera_id, frame.wall_time, jpeg)

    def _work(self) -> None:
        while True:
            with self._jobs:
                while not self._pending and not self._closed:
                    self._jobs.wait()
                if not self._pending:
                    return
                jobs, self._pending = list(self._pending.values()), {}
                self._busy = True
            for job in jobs:
                try:
                    self._encode(*job)
                except Exception:
                    log.exception("frame tap encoding failed", extra={"camera": job[0].camera_id})
            with self._jobs:
                self._busy = False
                self._jobs.notify_all()

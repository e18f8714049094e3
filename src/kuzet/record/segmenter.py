"""Packets to segments: the continuous, motion and events modes of one camera.

:class:`Segmenter` decides where segments start and end (a keyframe after ``segment_s``;
around the windows that motion or events open, with a GOP ring for pre-roll), writes
them with :class:`SegmentWriter`, commits them to the volume and indexes them. A write
that fails (a full disk) keeps what is whole and asks for space. The connection, the
clock and gaps are :class:`~kuzet.record.camera.CameraRecorder`'s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.record.index import NewSegment, SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.probe import probe
from kuzet.record.ring import GopRing
from kuzet.record.writer import ClosedFile, SegmentWriter
from kuzet.storage.base import StorageError, StorageFull, Volume

log = logging.getLogger(__name__)


def segment_key(camera_id: str, start: float) -> str:
    t = datetime.fromtimestamp(start, UTC)
    return f"{camera_id}/{t:%Y/%m/%d/%H}/{camera_id}_{t:%Y%m%dT%H%M%S.%f}Z.mp4"


def utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


@dataclass(slots=True)
class RecorderStatus:
    camera_id: str
    state: str = "starting"  # starting | recording | waiting | reconnecting | failed | stopped
    reason: str | None = None
    segments: int = 0
    bytes: int = 0
    gaps: int = 0
    write_errors: int = 0
    last_end: datetime | None = None


class Segmenter:
    """Segments of one camera's packets; called from its demux thread only (``signal``
    excepted: any thread)."""

    def __init__(
        self,
        camera_id: str,
        settings: CameraRecordSettings,
        volume: Volume,
        index: SegmentIndex,
        *,
        metrics: RecordMetrics | None = None,
        fsync: bool = True,
        on_full: Callable[[str], object] | None = None,
        log_extra: dict[str, Any] | None = None,
    ) -> None:
        self.camera_id = camera_id
        self.settings = settings
        self.volume = volume
        self.index = index
        self.metrics = metrics
        self.fsync = fsync
        self.on_full = on_full
        self.status = RecorderStatus(camera_id)
        self._lock = threading.Lock()
        self._windows: list[list[float]] = []  # triggered modes: [since, until], merged, sorted
        self._writer: SegmentWriter | None = None
        self._ring = GopRing(settings.pre_s)
        self._full_logged = False
        self._writer_codec: tuple[str, int, int] = ("", 0, 0)
        self._log = log_extra or {"camera_id": camera_id}

    def signal(self, wall: float) -> None:
        """Motion or an event at ``wall``: record [wall - pre_s, wall + post_s] (merged)."""
        s = self.settings
        since, until = wall - s.pre_s, wall + s.post_s
        with self._lock:
            for w in self._windows:
                if since <= w[1] and until >= w[0]:  # overlaps: merge
                    w[0], w[1] = min(w[0], since), max(w[1], until)
                    break
            else:
                self._windows.append([since, until])
                self._windows.sort()

    def _resumed(self, wall: float) -> None:
        """Hook: recording is possible again from ``wall`` (the recorder closes its gap)."""

    # ------------------------------------------------------------ packets -> segments
    def _packet(self, packet: Any, wall: float, stream: Any) -> None:
        key = bool(packet.is_keyframe)
        if self.settings.mode is RecordMode.CONTINUOUS:
            self._continuous(packet, wall, key, stream)
        else:
            self._triggered(packet, wall, key, stream)

    def _continuous(self, packet: Any, wall: float, key: bool, stream: Any) -> None:
        w = self._writer
        if w is not None and key and wall - w.start >= self.settings.segment_s:
            self._close_writer(wall)
            w = None
        if w is None:
            if not key:
                return  # a segment starts on a keyframe
            w = self._open_writer(wall, stream)
            if w is None:
                return
        self._write(packet, wall)

    def _triggered(self, packet: Any, wall: float, key: bool, stream: Any) -> None:
        with self._lock:
            while (
                self._windows
                and self._windows[0][1] < wall
                and (self._writer is None or len(self._windows) > 1)
            ):
                self._windows.pop(0)  # over (a later window may follow at once)
            since, until = self._windows[0] if self._windows else (None, None)
        active = since is not None and until is not None and since <= wall <= until
        w = self._writer
        if w is None:
            self._ring.add(packet, wall, key)
            if not active or since is None:
                return
            backlog = list(self._ring.take(since))
            if not backlog:
                return
            w = self._open_writer(backlog[0][1], stream)
            if w is None:
                return
            for p, t in backlog:
                if self._writer is None:
                    break
                self._write(p, t)
            return
        if key and not active:
            self._close_writer(wall)
            self._ring.add(packet, wall, key)
            return
        if key and wall - w.start >= self.settings.segment_s:
            self._close_writer(wall)
            if self._open_writer(wall, stream) is None:
                return
        self._write(packet, wall)

    def _open_writer(self, wall: float, stream: Any) -> SegmentWriter | None:
        key = segment_key(self.camera_id, wall)
        try:
            self._writer = SegmentWriter(stream, self.volume.staging_path(key), wall,
                                         fsync=self.fsync)  # fmt: skip
        except StorageError as exc:
            self._write_failed(exc, None)
            return None
        self._writer_codec = (stream.codec_context.name, stream.width, stream.height)
        if self.settings.mode is RecordMode.CONTINUOUS:
            self._resumed(wall)  # the first keyframe after a drop: the gap ends here
        if self.metrics is not None:
            self.metrics.recording.labels(self.camera_id).set(1)
        if self.settings.mode is not RecordMode.CONTINUOUS:
            self.status.state = "recording"
        return self._writer

    def _write(self, packet: Any, wall: float) -> None:
        w = self._writer
        assert w is not None
        try:
            w.write(packet, wall)
        except StorageError as exc:
            self._write_failed(exc, w)

    def _write_failed(self, exc: StorageError, writer: SegmentWriter | None) -> None:
        """Disk full or I/O error: keep what is whole, free space, go on with the next
        keyframe. Logged once per episode, counted every time."""
        reason = "disk_full" if isinstance(exc, StorageFull) else "io_error"
        self.status.write_errors += 1
        self.status.reason = str(exc)
        if self.metrics is not None:
            self.metrics.write_errors.labels(self.camera_id, reason).inc()
        if not self._full_logged:
            then = "; the oldest segments will be deleted" if reason == "disk_full" else ""
            log.error("recording write failed (%s): %s%s", reason, exc, then,
                      extra={**self._log, "volume": self.volume.name})  # fmt: skip
            self._full_logged = True
        if writer is not None:
            self._writer = None
            closed = writer.salvage(lambda path: probe(path).duration_s)
            if closed is not None:
                self._commit(closed)
            if self.metrics is not None:
                self.metrics.recording.labels(self.camera_id).set(0)
        if self.on_full is not None and isinstance(exc, StorageFull):
            self.on_full(self.volume.name)

    def _close_writer(self, end: float) -> None:
        w, self._writer = self._writer, None
        if w is None:
            return
        if self.metrics is not None:
            self.metrics.recording.labels(self.camera_id).set(0)
        if self.settings.mode is not RecordMode.CONTINUOUS and self.status.state == "recording":
            self.status.state = "waiting"
        try:
            closed = w.close(end)
        except StorageError as exc:
            self._write_failed(exc, w)
            return
        if closed.packets == 0:
            closed.path.unlink(missing_ok=True)
            return
        self._commit(closed)

    def _commit(self, closed: ClosedFile) -> None:
        key = self.volume.key_of_staged(closed.path)
        try:
            location = self.volume.commit(key, closed.path)
        except StorageError as exc:
            closed.path.unlink(missing_ok=True)
            reason = "storage_full" if isinstance(exc, StorageFull) else "storage_error"
            if self.metrics is not None:
                self.metrics.dropped.labels(self.camera_id, reason).inc()
            log.error("segment lost: %s", exc, extra={**self._log, "key": key})
            if self.on_full is not None and isinstance(exc, StorageFull):
                self.on_full(self.volume.name)
            return
        codec, width, height = self._writer_codec
        self.index.add(NewSegment(
            camera_id=self.camera_id, start=utc(closed.start), end=utc(closed.end),
            bytes=closed.bytes, volume=self.volume.name, key=key, location=location,
            init_size=closed.init_size, codec=codec, width=width, height=height,
        ))  # fmt: skip
        self._full_logged = False
        self.status.segments += 1
        self.status.bytes += closed.bytes
        self.status.last_end = utc(closed.end)
        if self.metrics is not None:
            self.metrics.segment(self.camera_id, closed.bytes)

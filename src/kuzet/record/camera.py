"""One camera's recorder: main stream in, fMP4 segments out, no decoding.

A thread demuxes the camera's main stream with PyAV and hands each packet to a
:class:`SegmentWriter`; a new segment starts at the first keyframe after
``segment_s``. Closed segments are committed to the volume (atomic), then indexed. A
dropped connection closes the segment it was writing (everything muxed so far is kept),
opens a gap row, and reconnects with the sources' backoff; the gap closes at the first
packet of the next session. Motion/events modes keep a GOP ring for pre-roll and record
while :meth:`CameraRecorder.signal` keeps a window open.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av
import av.container

from kuzet.config.record import CameraRecordSettings, RecordMode
from kuzet.record.index import SegmentIndex
from kuzet.record.metrics import RecordMetrics
from kuzet.record.segmenter import Segmenter, utc
from kuzet.record.writer import MP4_CODECS
from kuzet.sources.backoff import ReconnectPolicy, backoff_delay
from kuzet.sources.errors import SourceError, classify
from kuzet.sources.urls import (
    SourceKind,
    UnsupportedURLError,
    ffmpeg_options,
    file_path,
    redact,
    source_kind,
)
from kuzet.storage.base import Volume

log = logging.getLogger(__name__)
PacketListener = Callable[[Any, Any], None]  # (packet or None, input stream)
MAX_DRIFT_S = 2.0  # a live stream's media clock may drift this far from the wall clock


class CameraRecorder(Segmenter):
    """Records one camera on its own thread; no exception escapes it."""

    def __init__(
        self,
        camera_id: str,
        url: str,
        settings: CameraRecordSettings,
        volume: Volume,
        index: SegmentIndex,
        *,
        metrics: RecordMetrics | None = None,
        loop: bool = False,
        realtime: bool = True,
        fsync: bool = True,
        policy: ReconnectPolicy | None = None,
        on_full: Callable[[str], object] | None = None,
        clock: Callable[[], float] = time.time,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 10.0,
    ) -> None:
        super().__init__(
            camera_id,
            settings,
            volume,
            index,
            metrics=metrics,
            fsync=fsync,
            on_full=on_full,
            log_extra={"camera_id": camera_id, "url": redact(url)},
        )
        self.url = url
        self.loop = loop
        self.realtime = realtime
        self.policy = policy or ReconnectPolicy()
        self.clock = clock
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_end: float | None = None  # wall end of the last packet written or seen
        self._gap_id: int | None = None
        self._restart_gap_from: float | None = None
        self._listeners: list[PacketListener] = []

    # ------------------------------------------------------------ control
    def start(self) -> CameraRecorder:
        self._prepare()
        self._thread = threading.Thread(target=self.run, name=f"rec-{self.camera_id}",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the thread to end (it closes and indexes its segment); do not wait."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def add_listener(self, fn: PacketListener) -> Callable[[], None]:
        """Call ``fn(packet, stream)`` from the demux thread for every packet (``None`` first
        at each new session, with its stream), before the recorder uses it: copy what you
        keep, never block. Returns the function that removes it (the live view's tap)."""
        with self._lock:
            self._listeners = [*self._listeners, fn]

        def remove() -> None:
            with self._lock:
                self._listeners = [f for f in self._listeners if f is not fn]

        return remove

    def _tell(self, packet: Any, stream: Any) -> None:
        for fn in self._listeners:
            try:
                fn(packet, stream)
            except Exception:
                log.exception("packet listener failed; removed", extra=self._log)
                with self._lock:
                    self._listeners = [f for f in self._listeners if f is not fn]

    @property
    def recording(self) -> bool:
        return self._writer is not None

    # ------------------------------------------------------------ the thread
    def _prepare(self) -> None:
        """Gaps a previous process left: open ones end now; continuous mode also records
        the time the recorder was not running (from the last indexed segment)."""
        now = self.clock()
        closed = self.index.close_open_gaps(self.camera_id, utc(now))
        if self.settings.mode is RecordMode.CONTINUOUS:
            latest = self.index.latest(self.camera_id)
            if closed:
                self._restart_gap_from = now
            elif latest is not None:
                self._restart_gap_from = latest.end.timestamp()
            if latest is not None:
                self._last_end = latest.end.timestamp()

    def run(self) -> None:
        try:
            self._run()
        except Exception:  # never let a camera's thread die with a traceback only
            log.exception("recorder crashed", extra=self._log)
            self.status.state, self.status.reason = "failed", "internal error (see log)"
        finally:
            self._close_writer(self._last_end or self.clock())
            if self._gap_id is not None:
                self.index.close_gap(self._gap_id, utc(self.clock()))
                self._gap_id = None
            if self.status.state != "failed":
                self.status.state = "stopped"

    def _run(self) -> None:
        if self.settings.mode is RecordMode.OFF:
            self.status.state, self.status.reason = "stopped", "recording off"
            return
        try:
            kind = source_kind(self.url)
        except UnsupportedURLError as exc:
            self.status.state, self.status.reason = "failed", str(exc)
            log.error("cannot record: %s", exc, extra=self._log)
            return
        failures = 0
        while not self._stop.is_set():
            err: SourceError | None
            delivered = 0
            opened = self.clock()  # a live stream's first packet left the camera about now
            try:
                container = self._open(kind)
            except Exception as exc:
                err = classify(exc, kind)
            else:
                try:
                    delivered = self._session(container, kind, opened)
                    err = self._end_of_session(kind, delivered)
                except SourceError as exc:
                    err = exc
                except Exception as exc:
                    err = classify(exc, kind)
                finally:
                    container.close()
            if self._stop.is_set():
                return
            # a session's packets never continue in the next one's segment (a looped file
            # or a reconnected camera restarts its timestamps)
            self._close_writer(self._last_end or self.clock())
            if delivered:
                failures = 0
            if err is None:  # a looped file: next pass
                continue
            if err.permanent or kind is SourceKind.FILE:
                self.status.state = "stopped" if err.finished else "failed"
                self.status.reason = err.reason
                if not err.finished:
                    log.error("cannot record: %s", err.reason, extra=self._log)
                return
            self._open_gap(err.reason)
            failures += 1
            if self.policy.max_attempts is not None and failures > self.policy.max_attempts:
                self.status.state = "failed"
                self.status.reason = f"{err.reason} (gave up after {failures - 1} retries)"
                return
            delay = backoff_delay(self.policy, failures)
            self.status.state, self.status.reason = "reconnecting", err.reason
            log.info("recorder reconnect in %.1f s (%s)", delay, err.reason, extra=self._log)
            self._stop.wait(delay)

    def _open(self, kind: SourceKind) -> av.container.InputContainer:
        target = file_path(self.url) if kind is SourceKind.FILE else self.url
        opts = ffmpeg_options(kind, read_timeout_s=self.read_timeout_s)
        timeout = None if kind is SourceKind.FILE else (self.open_timeout_s, self.read_timeout_s)
        container = av.open(target, mode="r", options=opts, timeout=timeout)
        if not container.streams.video:
            container.close()
            raise SourceError("no video stream", permanent=True)
        codec = container.streams.video[0].codec_context.name
        if codec not in MP4_CODECS:
            container.close()
            raise SourceError(f"codec {codec!r} cannot be stored without re-encoding "
                              f"(supported: {', '.join(sorted(MP4_CODECS))})",
                              permanent=True)  # fmt: skip
        return container

    def _end_of_session(self, kind: SourceKind, delivered: int) -> SourceError | None:
        if kind is not SourceKind.FILE:
            return SourceError("stream ended", permanent=False)
        if delivered == 0:
            return SourceError("no packets in file", permanent=True)
        if self.loop:
            return None
        return SourceError("end of file", permanent=True, finished=True)

    def _session(
        self, container: av.container.InputContainer, kind: SourceKind, opened: float
    ) -> int:
        """Demux one connection; returns how many packets it delivered.

        Wall time of a packet = the session's anchor + its media time. A live stream is
        anchored at the moment we connected, not at the first packet we see: FFmpeg
        probes the stream on open (about a second of packets), which then arrive at once.
        """
        stream = container.streams.video[0]
        tb = float(stream.time_base or Fraction(1, 90000))
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        step = 1.0 / float(rate)
        live = kind is not SourceKind.FILE
        anchor_wall: float | None = None
        anchor_pts = 0.0
        delivered = 0
        self._ring.clear()
        for packet in container.demux(stream):
            if self._stop.is_set():
                break
            ts = packet.pts if packet.pts is not None else packet.dts
            if ts is None or packet.size == 0:
                continue
            media = ts * tb
            now = self.clock()
            if anchor_wall is None:
                if live:
                    start = opened
                elif self.realtime or self._last_end is None:
                    start = now
                else:  # a file as fast as it reads: its own time, continued after a loop
                    start = self._last_end
                anchor_wall = max(start, self._last_end or start)
                anchor_pts = media
            wall = anchor_wall + (media - anchor_pts)
            if live and packet.is_keyframe and abs(wall - now) > MAX_DRIFT_S:
                anchor_wall, anchor_pts = max(now, self._last_end or now), media  # re-anchor
                wall = anchor_wall
            if not live and self.realtime and wall > now and self._stop.wait(wall - now):
                break
            if delivered == 0:
                self._session_started(wall, stream)
                if self._listeners:
                    self._tell(None, stream)
            if self._listeners:
                self._tell(packet, stream)
            delivered += 1
            self._packet(packet, wall, stream)
            self._last_end = wall + step
        return delivered

    def _resumed(self, wall: float) -> None:
        """Recording is possible again from ``wall``: the open gap (or the time the
        process was not running) ends there."""
        if self._gap_id is not None:
            self.index.close_gap(self._gap_id, utc(wall))
            self._gap_id = None
        elif self._restart_gap_from is not None and wall - self._restart_gap_from > 1.0:
            self.index.add_gap(
                self.camera_id, utc(self._restart_gap_from), utc(wall), "recorder not running"
            )
            self._count_gap()
        self._restart_gap_from = None

    def _session_started(self, wall: float, stream: Any) -> None:
        triggered = self.settings.mode is not RecordMode.CONTINUOUS
        if triggered:  # nothing is expected to be recorded: the stream itself is back
            self._resumed(wall)
        if self.status.state in ("recording", "waiting"):
            return  # a looped file's next pass
        self.status.state, self.status.reason = ("waiting" if triggered else "recording"), None
        log.info("recording %s", f"{stream.width}x{stream.height} {stream.codec_context.name}",
                 extra=self._log)  # fmt: skip

    def _open_gap(self, reason: str) -> None:
        if self._gap_id is None:
            start = self._last_end or self.clock()
            self._gap_id = self.index.open_gap(self.camera_id, utc(start), reason)
            self._count_gap()
            log.warning("recording gap: %s", reason, extra=self._log)

    def _count_gap(self) -> None:
        self.status.gaps += 1
        if self.metrics is not None:
            self.metrics.gaps.labels(self.camera_id).inc()

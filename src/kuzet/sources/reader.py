"""One camera's decode loop on PyAV: open, decode, sample, reconnect, never raise."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import av
import av.container
import av.video.frame

from kuzet.core import CameraState, CameraStatus, Frame
from kuzet.sources.backoff import ReconnectPolicy, backoff_delay
from kuzet.sources.errors import SourceError, classify
from kuzet.sources.health import StatusCallback, StatusTracker
from kuzet.sources.timing import RateSampler, Timeline
from kuzet.sources.urls import (
    SourceKind,
    UnsupportedURLError,
    ffmpeg_options,
    file_path,
    redact,
    source_kind,
)

log = logging.getLogger(__name__)


class CameraReader:
    """Decodes one camera and yields :class:`Frame` objects at the analysis rate.

    Frames between analysis instants are *skipped* (chosen by pts, counted in
    :attr:`skipped_frames`); packets that fail to decode are *dropped* (counted in the
    status). No exception escapes :meth:`frames`: failures show up in :attr:`status`.
    Files fail for good on a permanent error; network cameras are retried forever
    (or ``policy.max_attempts`` times) with capped, jittered exponential backoff.
    """

    def __init__(
        self,
        camera_id: str,
        url: str,
        *,
        fps: float,
        loop: bool = False,
        policy: ReconnectPolicy | None = None,
        on_status: StatusCallback | None = None,
        max_width: int | None = None,
        realtime: bool = False,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 10.0,
        options: Mapping[str, str] | None = None,
        threads: int = 0,
    ) -> None:
        self.camera_id = camera_id
        self.url = url
        self.fps = fps
        self.loop = loop
        self.policy = policy or ReconnectPolicy()
        self.max_width = max_width
        self.realtime = realtime
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.threads = threads
        self._extra_options = dict(options or {})
        self._tracker = StatusTracker(camera_id, on_status)
        self._keyframes_only = False
        self._decoded = 0
        self._skipped = 0
        self._session_decoded = 0
        self._log_extra: dict[str, Any] = {"camera_id": camera_id, "url": redact(url)}

    # ------------------------------------------------------------------ public
    @property
    def status(self) -> CameraStatus:
        """A copy of the current status; safe to read from any thread."""
        return self._tracker.snapshot()

    @property
    def decoded_frames(self) -> int:
        """Pictures the decoder produced (analysed + skipped)."""
        return self._decoded

    @property
    def skipped_frames(self) -> int:
        """Decoded frames not analysed because the analysis rate is lower."""
        return self._skipped

    def set_keyframes_only(self, on: bool) -> None:
        """Decode only keyframes (an idle scene) or every frame; takes effect next packet."""
        self._keyframes_only = bool(on)

    def frames(self, stop: threading.Event) -> Iterator[Frame]:
        """Frames until ``stop`` is set, the file ends, or the camera fails for good."""
        try:
            kind = source_kind(self.url)
        except UnsupportedURLError as exc:
            self._tracker.set_state(CameraState.FAILED, str(exc))
            return
        sampler = RateSampler(self.fps)
        timeline = Timeline()
        index = 0
        failures = 0
        had_session = False
        while not stop.is_set():
            delivered = 0
            err: SourceError | None
            try:
                container = self._open(kind)
            except Exception as exc:
                err = classify(exc, kind)
            else:
                try:
                    if had_session and kind is not SourceKind.FILE:
                        self._tracker.reconnected()
                    had_session = True
                    for frame in self._session(container, kind, timeline, sampler, index, stop):
                        index += 1
                        delivered += 1
                        failures = 0
                        yield frame
                    err = self._end_of_session(kind, delivered)
                except GeneratorExit:  # the consumer stopped iterating
                    self._tracker.set_state(CameraState.STOPPED)
                    raise
                except Exception as exc:
                    err = self._stalled(classify(exc, kind), kind)
                finally:
                    container.close()
            if stop.is_set():
                break
            if err is None:  # a looped file starts again
                continue
            if err.permanent or kind is SourceKind.FILE:
                state = CameraState.FINISHED if err.finished else CameraState.FAILED
                self._tracker.set_state(state, err.reason)
                return
            failures += 1
            if self.policy.max_attempts is not None and failures > self.policy.max_attempts:
                self._tracker.set_state(
                    CameraState.FAILED, f"{err.reason} (gave up after {failures - 1} retries)"
                )
                return
            delay = backoff_delay(self.policy, failures)
            self._tracker.set_state(CameraState.RECONNECTING, err.reason)
            log.info(
                "retry in %.1f s",
                delay,
                extra={**self._log_extra, "attempt": failures, "delay_s": round(delay, 2)},
            )
            stop.wait(delay)
        self._tracker.set_state(CameraState.STOPPED)

    # ------------------------------------------------------------------ internals
    def _open(self, kind: SourceKind) -> av.container.InputContainer:
        target = file_path(self.url) if kind is SourceKind.FILE else self.url
        opts = ffmpeg_options(kind, read_timeout_s=self.read_timeout_s, extra=self._extra_options)
        # a read that waits longer than stall_s is a stall: the camera hangs with its
        # connection open (the socket timeout alone would wait read_timeout_s, twice)
        read_s = min(self.read_timeout_s, self.policy.stall_s)
        timeout = None if kind is SourceKind.FILE else (self.open_timeout_s, read_s)
        t0 = time.monotonic()
        try:
            container = av.open(target, mode="r", options=opts, timeout=timeout)
        except av.InvalidDataError:
            # FFmpeg's RTSP client reports a server that never answers as invalid data
            waited = min(self.open_timeout_s, self.read_timeout_s)
            if kind is not SourceKind.FILE and time.monotonic() - t0 >= 0.9 * waited:
                raise SourceError(
                    f"timed out: no answer in {waited:g} s", permanent=False
                ) from None
            raise
        if not container.streams.video:
            container.close()
            raise SourceError("no video stream", permanent=True)
        return container

    def _stalled(self, err: SourceError, kind: SourceKind) -> SourceError:
        """A read timing out after the session decoded frames is a stall."""
        if kind is not SourceKind.FILE and self._session_decoded and err.reason == "timed out":
            return SourceError(f"stalled: no frame for {self.policy.stall_s:g} s", permanent=False)
        return err

    def _end_of_session(self, kind: SourceKind, delivered: int) -> SourceError | None:
        """What the end of a stream means: loop, finish, or reconnect."""
        if kind is not SourceKind.FILE:
            return SourceError("stream ended", permanent=False)
        if delivered == 0 and self._session_decoded == 0:
            return SourceError("no decodable frames", permanent=True)
        if self.loop:
            return None
        return SourceError(
            f"end of file after {self.status.frames} frames", permanent=True, finished=True
        )

    def _session(
        self,
        container: av.container.InputContainer,
        kind: SourceKind,
        timeline: Timeline,
        sampler: RateSampler,
        index: int,
        stop: threading.Event,
    ) -> Iterator[Frame]:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if ctx is None:
            raise SourceError("unsupported codec", permanent=True)
        ctx.thread_type = "AUTO"
        ctx.thread_count = self.threads
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        step = 1.0 / float(rate)
        time_base = float(stream.time_base or Fraction(1, 90000))
        timeline.new_session(step)
        self._session_decoded = 0
        keyframes_only: bool | None = None
        online = False
        last_progress = time.monotonic()
        t0_wall: float | None = None
        t0_pts = 0.0
        fallback_pts = 0.0
        for packet in container.demux(stream):
            if stop.is_set():
                return
            want = self._keyframes_only
            if want != keyframes_only:
                ctx.skip_frame = "NONKEY" if want else "DEFAULT"
                keyframes_only = want
                self._tracker.keyframes_only(want)
            try:
                decoded = packet.decode()
            except av.FFmpegError as exc:  # one bad packet: count it, keep going
                self._tracker.dropped()
                log.debug("decode error: %s", exc, extra=self._log_extra)
                decoded = []
            for vf in decoded:
                if not isinstance(vf, av.video.frame.VideoFrame):
                    continue
                last_progress = time.monotonic()
                self._decoded += 1
                self._session_decoded += 1
                raw = vf.pts * time_base if vf.pts is not None else fallback_pts
                fallback_pts = raw + step
                pts = timeline.map(raw)
                if not sampler.accept(pts):
                    self._skipped += 1
                    continue
                image = self._to_bgr(vf)
                if not online:
                    self._tracker.set_state(CameraState.ONLINE)
                    online = True
                if self.realtime and kind is SourceKind.FILE:
                    now = time.monotonic()
                    if t0_wall is None:
                        t0_wall, t0_pts = now, pts
                    ahead = (pts - t0_pts) - (now - t0_wall)
                    if ahead > 0 and stop.wait(ahead):
                        return
                wall = time.time()
                self._tracker.frame(wall)
                yield Frame(
                    camera_id=self.camera_id,
                    index=index,
                    pts=pts,
                    wall_time=wall,
                    image=image,
                    keyframe=bool(vf.key_frame),
                )
                index += 1
                last_progress = time.monotonic()
            if time.monotonic() - last_progress > self.policy.stall_s:
                raise SourceError(
                    f"stalled: no frame for {self.policy.stall_s:g} s", permanent=False
                )

    def _to_bgr(self, vf: av.video.frame.VideoFrame) -> Any:
        """BGR ndarray, downscaled in the same swscale pass when ``max_width`` is set."""
        if self.max_width and vf.width > self.max_width:
            height = max(2, round(vf.height * self.max_width / vf.width / 2) * 2)
            return vf.to_ndarray(width=self.max_width, height=height, format="bgr24")
        return vf.to_ndarray(format="bgr24")

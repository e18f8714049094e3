"""Runs many cameras on one node: a reader thread per camera, one batched detector loop.

Readers never wait for the detector: a full detection queue sheds the frame and counts it
as dropped, so one slow stage degrades the analysis rate instead of piling up latency.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.core import CameraStatus, Event, Frame
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.motion import DetectSchedule, MotionGate
from kuzet.pipeline.camera import CameraPipeline
from kuzet.pipeline.probe import Probe
from kuzet.pipeline.tap import FrameTap
from kuzet.pipeline.violation_frames import ViolationFrames
from kuzet.sources import CameraReader
from kuzet.tracking import TrackerSettings
from kuzet.vision import Detector

log = logging.getLogger(__name__)
EventSink = Callable[[Event], None]


@dataclass(slots=True)
class _Camera:
    cfg: CameraConfig
    reader: CameraReader
    pipeline: CameraPipeline
    dropped: int = 0
    thread: threading.Thread | None = field(default=None)


class Node:
    """Composes the stages for the cameras of a site; the only place that knows them all."""

    def __init__(
        self,
        site: SiteConfig,
        detector: Detector,
        publish: EventSink,
        *,
        put_blob: PutBlob | None = None,
        realtime: bool = True,
        probe: Probe | None = None,
        tap: FrameTap | None = None,
        enrichers_for: Callable[[CameraConfig], list[Enricher]] | None = None,
        media_origin: float | None = None,
        violation_frames: ViolationFrames | None = None,
    ) -> None:
        """``enrichers_for`` gives each camera its extra stages (face matching, attributes).
        ``media_origin`` (a recording's start, Unix time) makes each frame's wall time
        ``media_origin + pts``: events and schedules follow the video's clock.
        ``violation_frames`` keeps full-resolution pictures before/at/after violations."""
        self.site = site
        self.detector = detector
        self.publish = publish
        self.realtime = realtime
        self.probe = probe or Probe()
        self.tap = tap  # live view and event clips: sees each analysed frame with its tracks
        self.media_origin = media_origin
        self.violation_frames = violation_frames
        self._stop = threading.Event()
        cams = [c for c in site.cameras if c.enabled]
        depth = max(4, site.detector.max_batch * 2 * max(1, len(cams)))
        # (camera, frame); frame None marks the end of a finite source
        self._queue: queue.Queue[tuple[_Camera, Frame | None]] = queue.Queue(maxsize=depth)
        self._cameras = [
            _Camera(
                cfg=c,
                reader=CameraReader(
                    c.id,
                    c.analysis_url,
                    fps=c.fps or site.analysis.fps,
                    loop=c.loop,
                    realtime=realtime,
                ),
                pipeline=CameraPipeline(
                    c,
                    detector.labels,
                    put_blob,
                    tracker=TrackerSettings(fps=c.fps or site.analysis.fps),
                    snapshot_quality=site.analysis.snapshot_quality,
                    enrichers=enrichers_for(c) if enrichers_for is not None else (),
                ),
            )
            for c in cams
        ]
        self._detect_thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        for cam in self._cameras:
            cam.thread = threading.Thread(
                target=self._read_loop, args=(cam,), name=f"cam-{cam.cfg.id}", daemon=True
            )
            cam.thread.start()
        self._detect_thread = threading.Thread(
            target=self._detect_loop, name="detector", daemon=True
        )
        self._detect_thread.start()
        log.info("node started", extra={"cameras": len(self._cameras)})

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for cam in self._cameras:
            if cam.thread is not None:
                cam.thread.join(timeout)
        if self._detect_thread is not None:
            self._detect_thread.join(timeout)
        log.info("node stopped")

    def wait(self, timeout: float | None = None) -> bool:
        """True once every camera thread ended (finite files) or the node was stopped."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for cam in self._cameras:
            if cam.thread is None:
                continue
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            cam.thread.join(left)
            if cam.thread.is_alive():
                return False
        # let the detector finish what the readers queued
        while self._queue.unfinished_tasks and not self._stop.is_set():
            time.sleep(0.01)
        return True

    def statuses(self) -> list[CameraStatus]:
        out = []
        for cam in self._cameras:
            st = cam.reader.status
            st.dropped_frames += cam.dropped
            out.append(st)
        return out

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    # ------------------------------------------------------------ stages
    def _read_loop(self, cam: _Camera) -> None:
        gate = MotionGate.from_config(self.site.analysis.motion)
        schedule = DetectSchedule(self.site.analysis.motion)
        gated = self.site.analysis.motion.enabled and not cam.pipeline.needs_every_frame
        idle = False
        try:
            for frame in cam.reader.frames(self._stop):
                if self.media_origin is not None:
                    frame.wall_time = self.media_origin + frame.pts
                moving = gate.update(frame.image).moving if gated else True
                if moving and gated:
                    self.probe.motion(cam.cfg.id, frame.wall_time)
                decision = schedule.decide(moving, frame.pts)
                if decision.idle != idle:
                    idle = decision.idle
                    cam.reader.set_keyframes_only(idle)
                    log.info(
                        "camera idle" if idle else "camera active", extra={"camera": cam.cfg.id}
                    )
                self.probe.frame(cam.cfg.id, decision.detect)
                if not decision.detect:
                    continue
                if not self.realtime:
                    self._queue.put((cam, frame))  # offline: never shed, wait for the detector
                    continue
                try:
                    self._queue.put_nowait((cam, frame))
                except queue.Full:
                    cam.dropped += 1
                    self.probe.dropped(cam.cfg.id)
        except Exception:
            log.exception("camera loop crashed", extra={"camera": cam.cfg.id})
        if not self._stop.is_set():
            self._queue.put((cam, None))  # the source ended: let its rules close episodes

    def _detect_loop(self) -> None:
        max_batch = self.site.detector.max_batch
        while not self._stop.is_set():
            try:
                batch = [self._queue.get(timeout=0.1)]
            except queue.Empty:
                continue
            while len(batch) < max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._run_batch(batch)
            except Exception:
                log.exception("detector batch failed", extra={"batch": len(batch)})
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _run_batch(self, batch: list[tuple[_Camera, Frame | None]]) -> None:
        frames = [f for _, f in batch if f is not None]
        t0 = time.perf_counter()
        results = iter(self.detector.detect([f.image for f in frames]) if frames else [])
        if frames:
            self.probe.detector(time.perf_counter() - t0, len(frames))
        for cam, frame in batch:  # in queue order: per camera, media-time order
            if frame is None:
                for ev in cam.pipeline.finish():
                    self.publish(ev)
                if self.violation_frames is not None:
                    self.violation_frames.finish(cam.cfg.id)
                continue
            events = cam.pipeline.process(frame, next(results))
            if self.violation_frames is not None:
                events = self.violation_frames.offer(frame, events)
            if self.tap is not None:
                tracks = cam.pipeline.last_tracks
                events = self.tap.offer(frame, tracks, self.detector.labels, events)
            now = time.time()
            self.probe.analysed(cam.cfg.id, now - frame.wall_time)
            for ev in events:
                self.publish(ev)
                self.probe.event(ev, now - frame.wall_time)

"""Prometheus metrics of one Kuzet process, on a registry the instance owns.

No metric touches prometheus_client's global default registry, so two apps (or two
tests) in one process never clash. Per-camera label children are cached in a
:class:`CameraMetrics` handle, so the per-frame calls are a dict hit and an add.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import Enum as EnumMetric

from kuzet.core.camera import CameraState, CameraStatus

NAMESPACE = "kuzet"

# 5 ms .. 2 s: a CPU NanoDet batch sits around 20-200 ms, a GPU one near 5 ms.
DETECTOR_LATENCY_BUCKETS = (
    0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0,
)  # fmt: skip
BATCH_SIZE_BUCKETS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
# Decode to event published: detector time plus queueing; seconds are normal, not ms.
FRAME_TO_EVENT_BUCKETS = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip

CAMERA_STATES = [s.value for s in CameraState]


@dataclass(slots=True)
class CameraMetrics:
    """Cached label children of one camera: what a capture loop calls per frame."""

    camera_id: str
    _fps: Gauge
    _frames: Counter
    _dropped: Counter
    _skipped: Counter
    _reconnects: Counter
    _state: EnumMetric

    def frame(self, n: int = 1) -> None:
        """A frame was decoded."""
        self._frames.inc(n)

    def dropped(self, n: int = 1) -> None:
        """A frame was lost (queue full, decode error)."""
        self._dropped.inc(n)

    def skipped(self, n: int = 1) -> None:
        """A frame was deliberately not analysed (fps limit, motion gate)."""
        self._skipped.inc(n)

    def reconnect(self) -> None:
        self._reconnects.inc()

    def set_fps(self, fps: float) -> None:
        self._fps.set(fps)

    def set_state(self, state: CameraState | str) -> None:
        self._state.state(state.value if isinstance(state, CameraState) else str(state))


class Metrics:
    """Every metric Kuzet exports, with typed methods for the pipeline to call."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r, ns = self.registry, NAMESPACE
        cam = ["camera_id"]

        def counter(name: str, doc: str, labels: list[str] | None = None) -> Counter:
            return Counter(name, doc, labels or [], namespace=ns, registry=r)

        def gauge(name: str, doc: str, labels: list[str] | None = None) -> Gauge:
            return Gauge(name, doc, labels or [], namespace=ns, registry=r)

        def histogram(name: str, doc: str, buckets: tuple[float, ...]) -> Histogram:
            return Histogram(name, doc, namespace=ns, registry=r, buckets=buckets)

        # cameras
        self.camera_fps = gauge("camera_fps", "Decoded frames per second", cam)
        self.frames_total = counter("frames", "Frames decoded", cam)
        self.dropped_frames_total = counter(
            "dropped_frames", "Frames lost (queue full, decode error)", cam
        )
        self.skipped_frames_total = counter(
            "skipped_frames", "Frames not analysed on purpose (fps limit, motion gate)", cam
        )
        self.reconnects_total = counter("reconnects", "Source reconnect attempts", cam)
        self.camera_state = EnumMetric(
            "camera_state", "Camera connection state", cam, states=CAMERA_STATES,
            namespace=ns, registry=r,
        )  # fmt: skip
        # detector
        self.detector_latency = histogram(
            "detector_latency_seconds", "Detector call wall time per batch",
            DETECTOR_LATENCY_BUCKETS,
        )  # fmt: skip
        self.detector_batch = histogram(
            "detector_batch_size", "Frames per detector call", BATCH_SIZE_BUCKETS
        )
        # queues and events
        self.queue_depth = gauge("queue_depth", "Items waiting in an internal queue", ["queue"])
        self.events_published_total = counter(
            "events_published", "Events published on the bus", ["type"]
        )
        self.events_stored_total = counter("events_stored", "Events written to the store")
        self.frame_to_event = histogram(
            "frame_to_event_seconds", "Frame decode to event publish latency",
            FRAME_TO_EVENT_BUCKETS,
        )  # fmt: skip
        # live API
        self.ws_clients = gauge("ws_clients", "Connected live-event WebSocket clients")
        self.ws_dropped_total = counter(
            "ws_dropped", "Live events dropped for slow WebSocket clients"
        )
        self._cameras: dict[str, CameraMetrics] = {}
        self._published: dict[str, Counter] = {}
        self._queues: dict[str, Gauge] = {}

    # ------------------------------------------------------------ cameras
    def camera(self, camera_id: str) -> CameraMetrics:
        """Handle with cached label children; keep it in the capture loop."""
        handle = self._cameras.get(camera_id)
        if handle is None:
            handle = CameraMetrics(
                camera_id,
                self.camera_fps.labels(camera_id),
                self.frames_total.labels(camera_id),
                self.dropped_frames_total.labels(camera_id),
                self.skipped_frames_total.labels(camera_id),
                self.reconnects_total.labels(camera_id),
                self.camera_state.labels(camera_id),
            )
            self._cameras[camera_id] = handle
        return handle

    def frame(self, camera_id: str, n: int = 1) -> None:
        self.camera(camera_id).frame(n)

    def dropped_frames(self, camera_id: str, n: int = 1) -> None:
        self.camera(camera_id).dropped(n)

    def skipped_frames(self, camera_id: str, n: int = 1) -> None:
        self.camera(camera_id).skipped(n)

    def reconnect(self, camera_id: str) -> None:
        self.camera(camera_id).reconnect()

    def set_camera_fps(self, camera_id: str, fps: float) -> None:
        self.camera(camera_id).set_fps(fps)

    def set_camera_state(self, camera_id: str, state: CameraState | str) -> None:
        self.camera(camera_id).set_state(state)

    def observe_status(self, statuses: Iterable[CameraStatus]) -> None:
        """Refresh the gauges (fps, state) from status snapshots; counters are untouched."""
        for st in statuses:
            handle = self.camera(st.camera_id)
            handle.set_fps(st.fps)
            handle.set_state(st.state)

    def remove_camera(self, camera_id: str) -> None:
        """Drop a deleted camera's series so dashboards don't show it forever."""
        if self._cameras.pop(camera_id, None) is None:
            return
        for metric in (
            self.camera_fps, self.frames_total, self.dropped_frames_total,
            self.skipped_frames_total, self.reconnects_total, self.camera_state,
        ):  # fmt: skip
            with contextlib.suppress(KeyError):
                metric.remove(camera_id)

    # ------------------------------------------------------------ detector
    def observe_detector(self, seconds: float, batch: int) -> None:
        """One detector call: its wall time and how many frames it carried."""
        self.detector_latency.observe(seconds)
        self.detector_batch.observe(batch)

    # ------------------------------------------------------------ queues and events
    def set_queue_depth(self, queue: str, depth: int) -> None:
        gauge = self._queues.get(queue)
        if gauge is None:
            gauge = self._queues[queue] = self.queue_depth.labels(queue)
        gauge.set(depth)

    def event_published(self, event_type: str, n: int = 1) -> None:
        counter = self._published.get(event_type)
        if counter is None:
            counter = self._published[event_type] = self.events_published_total.labels(event_type)
        counter.inc(n)

    def events_stored(self, n: int) -> None:
        self.events_stored_total.inc(n)

    def observe_frame_to_event(self, seconds: float) -> None:
        self.frame_to_event.observe(seconds)

    # ------------------------------------------------------------ live API
    def set_ws_clients(self, n: int) -> None:
        self.ws_clients.set(n)

    def ws_dropped(self, n: int = 1) -> None:
        self.ws_dropped_total.inc(n)

    # ------------------------------------------------------------ exposition
    def render(self) -> tuple[bytes, str]:
        """Prometheus text exposition and its content type, for ``GET /metrics``."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_BLOB_GAUGES = {
    "written": "Blobs (snapshots, clips, pictures) written straight to S3 since start",
    "spooled": "Blobs spooled locally because S3 could not take them, since start",
    "dropped": "Blobs dropped because S3 was down and the spool was full, since start",
    "spool_count": "Blobs waiting in the local spool for their upload",
}


def watch_blobs(registry: CollectorRegistry, stats: Callable[[], dict[str, Any]]) -> None:
    """``kuzet_blobs_*`` read from the blob store's ``stats()`` at each scrape (0 where a
    store does not count it: local files are written or raise)."""

    def reader(name: str) -> Callable[[], float]:
        return lambda: float(stats().get(name) or 0)

    for name, doc in _BLOB_GAUGES.items():
        gauge = Gauge(f"blobs_{name}", doc, namespace=NAMESPACE, registry=registry)
        gauge.set_function(reader(name))

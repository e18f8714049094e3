"""The site file's drones inside ``kuzet serve``: one thread per drone.

Each drone thread reads the drone's video (``kuzet.sources``), takes its pose from the
telemetry, and publishes ``drone_detection`` events with map positions onto the bus. The
telemetry is, per the site file: a ``.tlog`` file (a recorded flight replayed with its
video, timed by media time), a live MAVLink connection, or JSON over MQTT (both timed by
decode time). Paths go into :class:`DroneTracks` for ``/api/drones``. Each drone also gets
a camera entry with its id (category, district): who may see the camera sees the drone.

The drones share one detector of their own (not the camera node's: the node's detector
thread owns its instance), used under a lock.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kuzet.config.drones import DroneConfig
from kuzet.core import CameraInfo, Detections, Event
from kuzet.drones.flight import FlightAnalyzer
from kuzet.drones.live import LiveTelemetry
from kuzet.drones.mavlink import MavlinkFeed, read_mavlink
from kuzet.drones.mqtt_json import MqttTelemetryFeed
from kuzet.drones.telemetry import Telemetry, TelemetryError
from kuzet.drones.tracks import DroneTracks
from kuzet.sources.reader import CameraReader
from kuzet.vision.detector import Detector

log = logging.getLogger(__name__)


def camera_entry(d: DroneConfig) -> CameraInfo:
    """The registry entry that gives a drone its scope (no fixed place on the map)."""
    return CameraInfo(id=d.id, name=d.name or d.id, category=d.category, district=d.district,
                      main_url=d.url)  # fmt: skip


class _LockedDetector:
    def __init__(self, inner: Detector, lock: threading.Lock) -> None:
        self.inner = inner
        self.labels = inner.labels
        self._lock = lock

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        with self._lock:
            return self.inner.detect(images)


class DroneFleet:
    def __init__(
        self,
        drones: list[DroneConfig],
        detector: Callable[[], Detector],
        publish: Callable[[Event], None],
        *,
        fps: float = 5.0,
        realtime: bool = True,
    ) -> None:
        self.drones = drones
        self._make_detector = detector
        self.publish = publish
        self.fps = fps
        self.realtime = realtime
        self.tracks = DroneTracks()
        self.analyzers: dict[str, FlightAnalyzer] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._feeds: list[MavlinkFeed | MqttTelemetryFeed] = []
        self._lock = threading.Lock()
        self._detector: Detector | None = None

    def start(self) -> DroneFleet:
        if self.drones:
            self._detector = _LockedDetector(self._make_detector(), self._lock)
        for d in self.drones:
            t = threading.Thread(target=self._run, args=(d,), name=f"drone-{d.id}", daemon=True)
            self._threads.append(t)
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        for f in self._feeds:
            f.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Until every drone's video has ended (recorded flights; tests)."""
        for t in self._threads:
            t.join(timeout)

    def _telemetry(self, d: DroneConfig) -> Telemetry | LiveTelemetry:
        cfg = d.telemetry
        if cfg.type == "mavlink" and Path(cfg.url).is_file():
            tel = read_mavlink(cfg.url)
            self.tracks.add_telemetry(d.id, tel, name=d.name, flight=Path(cfg.url).name)
            return tel
        feed: MavlinkFeed | MqttTelemetryFeed = (
            MavlinkFeed(d.id, cfg.url) if cfg.type == "mavlink" else MqttTelemetryFeed(d.id, cfg)
        )
        feed.start()
        self._feeds.append(feed)
        return feed.live

    def _run(self, d: DroneConfig) -> None:
        extra = {"drone_id": d.id}
        try:
            tel = self._telemetry(d)
        except (TelemetryError, OSError) as exc:
            log.error("drone %s not started: %s", d.id, exc, extra=extra)
            return
        assert self._detector is not None
        analyzer = self.analyzers[d.id] = FlightAnalyzer(d, tel, self._detector, fps=self.fps)
        reader = CameraReader(d.id, d.url, fps=self.fps, realtime=self.realtime)
        for frame in reader.frames(self._stop):
            for event in analyzer.feed(frame):
                self.publish(event)
            if isinstance(tel, LiveTelemetry) and frame.index % max(1, round(self.fps)) == 0:
                with contextlib.suppress(TelemetryError):  # a live path, about once a second
                    self.tracks.add(d.id, tel.telemetry().track(), name=d.name, flight="live")
        res = analyzer.result
        log.info(
            "drone %s video ended: %d frames, %d events, %d without telemetry",
            d.id, res.frames, len(res.events), res.frames_without_telemetry, extra=extra,
        )  # fmt: skip

"""One flight: frames + telemetry -> detections placed on the map, and the drone's path.

A drone is a moving camera: its video is read by :mod:`kuzet.sources` like any camera's,
each frame's time (``video_start + pts + time_offset_s``) is looked up in the telemetry,
and each tracked object's foot point (bottom centre of its box) is projected onto the
flat ground. One ``drone_detection`` event per track, raised when the tracker confirms
it, carries the map position and says how it was obtained (``projection: flat_ground``).
Frames without telemetry close enough are skipped and counted, never guessed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kuzet.config.drones import DroneConfig
from kuzet.core import Detections, Event, Frame, event_id
from kuzet.drones.live import LiveTelemetry
from kuzet.drones.projection import PROJECTION, View, project
from kuzet.drones.telemetry import Pose, Telemetry, TelemetryError
from kuzet.sources.reader import CameraReader
from kuzet.tracking import ByteTracker, TrackerSettings
from kuzet.vision.detector import Detector

log = logging.getLogger(__name__)

EVENT_TYPE = "drone_detection"


@dataclass
class FlightResult:
    """What a flight gave: events, the path flown, and what could not be placed."""

    drone_id: str
    events: list[Event] = field(default_factory=list)
    track: list[tuple[float, float, float, float]] = field(default_factory=list)
    frames: int = 0
    frames_without_telemetry: int = 0
    telemetry_errors: list[str] = field(default_factory=list)
    off_ground: int = 0  # tracks seen above the horizon / beyond max_range_m at least once


class FlightAnalyzer:
    """Stateful per flight: feed frames in order, collect events.

    A recorded flight: ``telemetry`` is the whole log, frames are timed by their media
    time (``video_start + pts``). A live flight (``live``): ``telemetry`` is a
    :class:`LiveTelemetry` read at each frame, frames are timed by when they were decoded
    (``time_offset_s`` takes off the stream's latency).
    """

    def __init__(
        self,
        drone: DroneConfig,
        telemetry: Telemetry | LiveTelemetry,
        detector: Detector,
        *,
        fps: float = 5.0,
        min_score: float = 0.4,
    ) -> None:
        self.drone = drone
        self.telemetry = telemetry
        self.detector = detector
        self.min_score = min_score
        self.live = isinstance(telemetry, LiveTelemetry)
        self._tracker = ByteTracker(TrackerSettings(fps=fps))
        self._seen: set[int] = set()  # tracks already reported
        self._off: set[int] = set()  # tracks seen where no ground point exists
        self._t0 = drone.time_offset_s
        track: list[tuple[float, float, float, float]] = []
        if isinstance(telemetry, Telemetry):
            start = drone.video_start.timestamp() if drone.video_start else telemetry.start
            self._t0 += start
            track = telemetry.track()
        self.result = FlightResult(drone.id, track=track)

    def frame_time(self, frame: Frame) -> float:
        """The frame's time on the telemetry's clock (UNIX seconds)."""
        return self._t0 + (frame.wall_time if self.live else frame.pts)

    def _pose(self, t: float) -> Pose:
        tel = self.telemetry
        now = tel.telemetry() if isinstance(tel, LiveTelemetry) else tel
        return now.pose_at(t, self.drone.max_gap_s)

    def feed(self, frame: Frame) -> list[Event]:
        res = self.result
        res.frames += 1
        t = self.frame_time(frame)
        try:
            pose = self._pose(t)
        except TelemetryError as exc:
            res.frames_without_telemetry += 1
            if len(res.telemetry_errors) < 20:
                res.telemetry_errors.append(f"frame {frame.index} (pts {frame.pts:.2f}): {exc}")
            log.warning("drone frame without telemetry: %s", exc, extra={"drone_id": self.drone.id})
            self._tracker.update(Detections.empty())  # time passes for the tracks
            return []
        dets = self.detector.detect([frame.image])[0]
        labels = self.detector.labels
        tracked = self._tracker.update(dets)
        if tracked.tracker_id is None or len(tracked) == 0:
            return []
        view = View(pose, frame.width, frame.height, self.drone.camera, self.drone.ground_alt_m)
        feet = tracked.anchor("bottom_center")
        points = project(view, feet, self.drone.max_range_m)
        out: list[Event] = []
        ts = datetime.fromtimestamp(t, UTC)
        for k in range(len(tracked)):
            tid = int(tracked.tracker_id[k])
            name = labels[int(tracked.class_id[k])]
            score = float(tracked.confidence[k])
            if tid in self._seen or name not in self.drone.classes or score < self.min_score:
                continue
            gp = points[k]
            if gp is None:  # above the horizon or too far: maybe placed in a later frame
                if tid not in self._off:
                    self._off.add(tid)
                    res.off_ground += 1
                continue
            self._seen.add(tid)
            x1, y1, x2, y2 = (float(v) for v in tracked.xyxy[k])
            out.append(
                Event(
                    id=event_id(self.drone.id, EVENT_TYPE, tid, f"{frame.pts:.3f}"),
                    type=EVENT_TYPE,
                    camera_id=self.drone.id,
                    ts=ts,
                    pts=frame.pts,
                    track_id=tid,
                    class_name=name,
                    score=round(score, 4),
                    box=(x1, y1, x2, y2),
                    attributes={
                        "drone": True,
                        "lat": round(gp.lat, 7),
                        "lon": round(gp.lon, 7),
                        "projection": PROJECTION,
                        "range_m": round(gp.range_m, 2),
                        "foot_px": [round(float(feet[k, 0]), 1), round(float(feet[k, 1]), 1)],
                        "drone_lat": round(pose.lat, 7),
                        "drone_lon": round(pose.lon, 7),
                        "drone_agl_m": round(view.agl, 2),
                        "drone_yaw_deg": round(pose.yaw_deg, 2),
                        "category": self.drone.category,
                    },
                )
            )
        res.events.extend(out)
        return out


def analyze_frames(analyzer: FlightAnalyzer, frames: Iterable[Frame]) -> FlightResult:
    for frame in frames:
        analyzer.feed(frame)
    return analyzer.result


def analyze_flight(
    drone: DroneConfig,
    telemetry: Telemetry,
    detector: Detector,
    *,
    fps: float = 5.0,
    max_seconds: float | None = None,
) -> FlightResult:
    """Read the drone's video (file, RTSP, HTTP) and place its detections on the map."""
    reader = CameraReader(drone.id, drone.url, fps=fps)
    analyzer = FlightAnalyzer(drone, telemetry, detector, fps=fps)
    stop = threading.Event()
    for frame in reader.frames(stop):
        if max_seconds is not None and frame.pts > max_seconds:
            stop.set()
            break
        analyzer.feed(frame)
    status = reader.status
    if analyzer.result.frames == 0:
        raise RuntimeError(f"drone {drone.id}: no frames from {status.reason or drone.url}")
    return analyzer.result

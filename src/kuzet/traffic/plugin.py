"""Traffic analytics as an enricher plugin (entry point ``kuzet.enrichers: traffic``).

Why an enricher and not a rule family: a rule raises an event per episode of one
track; traffic figures are periodic aggregates over every track of a camera. An
enricher sees each analysed frame with all its tracks, is switched on per site by its
plugin, and emits one ``traffic_stats`` event per camera and minute (all its lanes),
which the bus carries to the store (kept and searchable like any event) and to the
``traffic`` consumer that writes the per-lane rows the API charts (docs/traffic.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine

from kuzet.config.models import CameraConfig, SiteConfig
from kuzet.config.traffic_analytics import TrafficCameraConfig, TrafficConfig
from kuzet.core.detections import Detections
from kuzet.core.enrich import Enricher, PutBlob
from kuzet.core.event import Event, event_id
from kuzet.core.frame import Frame
from kuzet.core.labels import COCO_CLASSES
from kuzet.rules.geometry import apply_homography, homography
from kuzet.traffic.lanes import BIN_S, ClosedBin, Lane, LaneAggregator

EVENT_TYPE = "traffic_stats"


def segment_of(camera: str, approach: str, segment: str | None) -> str:
    return segment or f"{camera}/{approach}"


def build_aggregator(
    cam: CameraConfig, tcam: TrafficCameraConfig, cfg: TrafficConfig
) -> LaneAggregator:
    """The camera's lanes from its scene's zones, through its calibration if it has one."""
    scene = next(s for s in cam.rules if s.name == tcam.scene)
    zones = {z.name: np.asarray(z.points, np.float64) for z in scene.zones}
    h = None
    if scene.calibration is not None:
        cal = scene.calibration
        h = homography(np.array(cal.image_points), np.array(cal.world_points))
    lanes = []
    for a in tcam.approaches:
        for ln in a.lanes:
            head = None
            if ln.head is not None and h is not None:
                head = apply_homography(h, np.array([ln.head], np.float64))[0]
            seg = segment_of(cam.id, a.name, a.segment)
            lanes.append(Lane(a.name, ln.name, seg, zones[ln.zone], head))
    return LaneAggregator(lanes, cfg, h)


def stats_event(camera_id: str, closed: ClosedBin) -> Event:
    start = datetime.fromtimestamp(closed.start, UTC)
    lanes = [
        {"approach": lane.approach, "lane": lane.name, "segment": lane.segment, **b.sums()}
        for lane, b in closed.lanes
    ]
    return Event(
        id=event_id(camera_id, EVENT_TYPE, int(closed.start), closed.partial),
        type=EVENT_TYPE,
        camera_id=camera_id,
        ts=datetime.fromtimestamp(closed.start + BIN_S, UTC),
        attributes={
            "bin_start": start.isoformat(),
            "bin_s": BIN_S,
            "partial": closed.partial,
            "lanes": lanes,
        },
    )


class TrafficEnricher:
    """One camera: frames in, one ``traffic_stats`` event per finished minute out."""

    needs_every_frame = False  # still frames change nothing; their time is held (max_gap_s)

    def __init__(self, camera_id: str, agg: LaneAggregator, labels: tuple[str, ...]) -> None:
        self.camera_id, self.agg, self.labels = camera_id, agg, labels

    def enrich(self, frame: Frame, tracks: Detections) -> list[Event]:
        if tracks.tracker_id is None:
            tids = np.empty(0, np.int64)
            tracks = tracks[np.zeros(len(tracks), bool)]
        else:
            tids = tracks.tracker_id
        n = len(self.labels)
        classes = [self.labels[c] if 0 <= c < n else str(c) for c in tracks.class_id.tolist()]
        closed = self.agg.update(frame.wall_time, tids, classes, tracks.anchor("bottom_center"))
        return [stats_event(self.camera_id, c) for c in closed]

    def finish(self) -> list[Event]:
        return [stats_event(self.camera_id, c) for c in self.agg.finish()]


class TrafficPlugin:
    def setup(self, site: SiteConfig, engine: Engine) -> TrafficConfig | None:
        return site.traffic if site.traffic.enabled and site.traffic.cameras else None

    def enricher(self, state: Any, cam: CameraConfig, put_blob: PutBlob | None) -> Enricher | None:
        cfg: TrafficConfig = state
        tcam = next((c for c in cfg.cameras if c.camera == cam.id), None)
        if tcam is None:
            return None
        return TrafficEnricher(cam.id, build_aggregator(cam, tcam, cfg), COCO_CLASSES)

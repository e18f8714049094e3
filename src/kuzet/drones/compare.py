"""Two whole flights over one area -> the changes between them.

Frames are sampled from each flight's video (one every ``every_s`` seconds) and placed by
its telemetry; each frame of the second flight is paired with the frame of the first
looking at the nearest ground, compared (:func:`kuzet.drones.change.detect_changes`), and
the same change seen from several overlapping frames is reported once (the first sighting
within ``merge_m`` metres wins).
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from kuzet.config.drones import DroneConfig
from kuzet.drones.change import ChangeResult, ChangeSettings, Pass, detect_changes, pair_passes
from kuzet.drones.projection import View, latlon_to_offset
from kuzet.drones.telemetry import Telemetry, TelemetryGap
from kuzet.sources.reader import CameraReader

log = logging.getLogger(__name__)


def passes_from_flight(
    drone: DroneConfig, url: str, telemetry: Telemetry, *, every_s: float = 1.0,
    max_passes: int = 500,
) -> list[Pass]:  # fmt: skip
    """Frames of one flight's video with the view each was taken from (frames without
    telemetry are left out and logged)."""
    t0 = (drone.video_start.timestamp() if drone.video_start else telemetry.start) + (
        drone.time_offset_s
    )
    stop = threading.Event()
    out: list[Pass] = []
    skipped = 0
    for frame in CameraReader(drone.id, url, fps=1.0 / every_s).frames(stop):
        try:
            pose = telemetry.pose_at(t0 + frame.pts, drone.max_gap_s)
        except TelemetryGap:
            skipped += 1
            continue
        out.append(
            Pass(
                frame.image, View(pose, frame.width, frame.height, drone.camera, drone.ground_alt_m)
            )
        )
        if len(out) >= max_passes:
            stop.set()
            break
    if skipped:
        log.warning("%d frames of %s have no telemetry", skipped, url, extra={"drone_id": drone.id})
    return out


def compare_flights(
    before: list[Pass], after: list[Pass], settings: ChangeSettings | None = None, *,
    max_pair_distance_m: float = 20.0, merge_m: float = 3.0,
) -> list[ChangeResult]:  # fmt: skip
    """One result per compared pair, each change kept only at its first sighting."""
    results: list[ChangeResult] = []
    kept: list[tuple[float, float]] = []
    for b, a in pair_passes(before, after, max_pair_distance_m):
        res = detect_changes(b, a, settings)
        fresh = []
        for c in res.changes:
            if kept:
                lat = np.array([k[0] for k in kept])
                lon = np.array([k[1] for k in kept])
                n, e = latlon_to_offset(c.lat, c.lon, lat, lon)
                if float(np.min(np.hypot(n, e))) < merge_m:
                    continue
            kept.append((c.lat, c.lon))
            fresh.append(c)
        res.changes = fresh
        results.append(res)
    return results

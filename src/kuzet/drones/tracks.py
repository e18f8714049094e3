"""Where each drone has flown: the path shown on the operations map.

Kept in memory per drone (the newest ``max_points``), fed from a recorded flight's
telemetry or a live feed; positions are WGS84 degrees and metres above the take-off
point. A restart forgets the path (the flight's events, with their positions, are in
the store); the ``.tlog`` rebuilds it.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from kuzet.drones.telemetry import Telemetry

Point = tuple[float, float, float, float]  # t (UNIX s), lat, lon, alt (m)


@dataclass
class DroneTrack:
    drone_id: str
    name: str
    flight: str
    points: deque[Point] = field(default_factory=deque)


class DroneTracks:
    """Thread-safe book of drone paths (written by feeds, read by the API)."""

    def __init__(self, max_points: int = 20_000) -> None:
        self.max_points = max_points
        self._lock = threading.Lock()
        self._tracks: dict[str, DroneTrack] = {}

    def add(self, drone_id: str, points: list[Point], *, name: str = "", flight: str = "") -> None:
        with self._lock:
            tr = self._tracks.get(drone_id)
            if tr is None or (flight and tr.flight != flight):
                tr = self._tracks[drone_id] = DroneTrack(
                    drone_id, name or drone_id, flight, deque(maxlen=self.max_points)
                )
            last = tr.points[-1][0] if tr.points else float("-inf")
            tr.points.extend(p for p in points if p[0] > last)

    def add_telemetry(
        self,
        drone_id: str,
        tel: Telemetry,
        *,
        name: str = "",
        flight: str = "",
        step_s: float = 1.0,
    ) -> None:
        self.add(drone_id, tel.track(step_s), name=name, flight=flight)

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._tracks)

    def summary(self, drone_id: str) -> dict[str, Any] | None:
        with self._lock:
            tr = self._tracks.get(drone_id)
            if tr is None:
                return None
            last = tr.points[-1] if tr.points else None
            return {
                "id": tr.drone_id, "name": tr.name, "flight": tr.flight,
                "points": len(tr.points),
                "last": None if last is None else
                {"t": last[0], "lat": last[1], "lon": last[2], "alt_m": last[3]},
            }  # fmt: skip

    def geojson(self, drone_id: str, since: float | None = None) -> dict[str, Any] | None:
        """A GeoJSON Feature: the path as a LineString ([lon, lat, alt]) and its times."""
        with self._lock:
            tr = self._tracks.get(drone_id)
            if tr is None:
                return None
            pts = [p for p in tr.points if since is None or p[0] >= since]
            return {
                "type": "Feature",
                "geometry": {"type": "LineString",
                             "coordinates": [[p[2], p[1], p[3]] for p in pts]},
                "properties": {"drone_id": tr.drone_id, "name": tr.name, "flight": tr.flight,
                               "times": [p[0] for p in pts]},
            }  # fmt: skip

"""Telemetry arriving while the drone flies (MAVLink stream, MQTT JSON), kept for lookups.

Feeds append samples from their own threads; the analysis thread takes a
:class:`~kuzet.drones.telemetry.Telemetry` snapshot when it needs a pose. Only the last
``keep_s`` seconds are kept, so a day-long flight does not grow without bound. Samples
arriving out of order (a late MQTT retry) are dropped and counted rather than breaking
the time series.
"""

from __future__ import annotations

import threading
from collections import deque

from kuzet.drones.telemetry import Series, Telemetry

Row = tuple[float, dict[str, float]]


class LiveTelemetry:
    def __init__(self, source: str, keep_s: float = 600.0) -> None:
        self.source = source
        self.keep_s = keep_s
        self._lock = threading.Lock()
        self._series: dict[str, deque[Row]] = {
            "position": deque(),
            "attitude": deque(),
            "gimbal": deque(),
        }
        self.gimbal_yaw_absolute = False
        self.out_of_order = 0
        self.rejected = 0
        self.last_error: str | None = None

    def append(self, kind: str, t: float, values: dict[str, float]) -> None:
        with self._lock:
            rows = self._series[kind]
            if rows and t < rows[-1][0]:
                self.out_of_order += 1
                return
            rows.append((t, values))
            while rows and rows[0][0] < t - self.keep_s:
                rows.popleft()

    def reject(self, reason: str) -> None:
        with self._lock:
            self.rejected += 1
            self.last_error = reason

    def telemetry(self) -> Telemetry:
        """A consistent copy (raises TelemetryError while position or attitude is missing)."""
        with self._lock:
            rows = {k: list(v) for k, v in self._series.items()}
        return Telemetry(
            self.source,
            Series.build("position", rows["position"]),
            Series.build("attitude", rows["attitude"]),
            Series.build("gimbal attitude", rows["gimbal"]) if rows["gimbal"] else None,
            gimbal_yaw_absolute=self.gimbal_yaw_absolute,
        )

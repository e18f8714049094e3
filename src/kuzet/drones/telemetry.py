"""A drone's telemetry as time series, and the camera pose at any frame time.

Position, attitude and gimbal arrive as separate messages at their own rates (MAVLink
GLOBAL_POSITION_INT, ATTITUDE, GIMBAL_DEVICE_ATTITUDE_STATUS / MOUNT_ORIENTATION, or one
JSON object over MQTT). Each series is kept on its own and interpolated at the frame's
time, so a 10 Hz attitude is not thinned to a 4 Hz position. A frame whose time falls in
a gap wider than ``max_gap_s`` (or outside the flight) gets no pose: a clear
:class:`TelemetryGap` instead of a guessed position.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class TelemetryError(ValueError):
    """Telemetry that cannot place a frame: the message names the source, message and field."""


class TelemetryGap(TelemetryError):
    """No telemetry close enough to a frame's time."""


@dataclass(frozen=True, slots=True)
class Pose:
    """Where the drone was and how its camera pointed at one instant (degrees, metres).

    ``alt_m`` is height above the home point (MAVLink ``relative_alt``); ``alt_amsl_m``
    above mean sea level. Gimbal angles are ``None`` when the telemetry has no gimbal:
    then the configured fixed mount applies. ``gimbal_yaw_deg`` is relative to the
    airframe's heading unless ``gimbal_yaw_absolute``.
    """

    t: float
    lat: float
    lon: float
    alt_m: float
    alt_amsl_m: float | None
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    gimbal_pitch_deg: float | None = None
    gimbal_yaw_deg: float | None = None
    gimbal_roll_deg: float | None = None
    gimbal_yaw_absolute: bool = False


@dataclass(slots=True)
class Series:
    """One telemetry stream: sorted times and named value columns."""

    name: str
    t: np.ndarray
    cols: dict[str, np.ndarray]

    @classmethod
    def build(cls, name: str, rows: Sequence[tuple[float, dict[str, float]]]) -> Series:
        t = np.array([r[0] for r in rows], dtype=np.float64)
        if len(t) > 1 and np.any(np.diff(t) < 0):
            i = int(np.argmax(np.diff(t) < 0)) + 1
            raise TelemetryError(
                f"{name}: sample {i} goes back in time ({t[i]:.3f} after {t[i - 1]:.3f})"
            )
        keys = rows[0][1].keys() if rows else ()
        cols = {k: np.array([r[1][k] for r in rows], dtype=np.float64) for k in keys}
        return cls(name, t, cols)

    def __len__(self) -> int:
        return len(self.t)

    def bracket(self, t: float, max_gap_s: float, source: str) -> tuple[int, int, float]:
        """Indices of the samples around ``t`` and the weight of the second one."""
        n = len(self.t)
        if n == 0:
            raise TelemetryGap(f"{source}: no {self.name} samples")
        if t < self.t[0] - max_gap_s or t > self.t[-1] + max_gap_s:
            raise TelemetryGap(
                f"{source}: time {t:.3f} is outside the {self.name} samples "
                f"({self.t[0]:.3f} .. {self.t[-1]:.3f})"
            )
        j = int(np.searchsorted(self.t, t))
        if j == 0:
            return 0, 0, 0.0
        if j >= n:
            return n - 1, n - 1, 0.0
        i = j - 1
        gap = float(self.t[j] - self.t[i])
        if gap > max_gap_s:
            raise TelemetryGap(
                f"{source}: {self.name} gap of {gap:.1f} s around time {t:.3f} "
                f"(samples at {self.t[i]:.3f} and {self.t[j]:.3f}; max_gap_s {max_gap_s:g})"
            )
        w = 0.0 if gap == 0 else float((t - self.t[i]) / gap)
        return i, j, w

    def value(self, key: str, i: int, j: int, w: float, *, angle: bool = False) -> float:
        a, b = float(self.cols[key][i]), float(self.cols[key][j])
        if angle:  # shortest way round, so 359° -> 1° passes through 0°, not 180°
            d = (b - a + 180.0) % 360.0 - 180.0
            return (a + w * d + 180.0) % 360.0 - 180.0
        return a + w * (b - a)


class Telemetry:
    """Position, attitude and (optional) gimbal series of one flight."""

    def __init__(
        self,
        source: str,
        position: Series,
        attitude: Series,
        gimbal: Series | None = None,
        *,
        gimbal_yaw_absolute: bool = False,
    ) -> None:
        if len(position) == 0:
            raise TelemetryError(
                f"{source}: no position (GLOBAL_POSITION_INT / lat, lon, alt) in the telemetry"
            )
        if len(attitude) == 0:
            raise TelemetryError(
                f"{source}: no attitude (ATTITUDE / yaw, pitch, roll) in the telemetry"
            )
        self.source = source
        self.position = position
        self.attitude = attitude
        self.gimbal = gimbal if gimbal is not None and len(gimbal) else None
        self.gimbal_yaw_absolute = gimbal_yaw_absolute

    @property
    def start(self) -> float:
        return float(self.position.t[0])

    @property
    def end(self) -> float:
        return float(self.position.t[-1])

    def pose_at(self, t: float, max_gap_s: float = 2.0) -> Pose:
        """The interpolated pose at ``t`` (the telemetry's clock, seconds)."""
        p = self.position
        i, j, w = p.bracket(t, max_gap_s, self.source)
        alt_amsl = p.value("alt_amsl", i, j, w) if "alt_amsl" in p.cols else None
        a = self.attitude
        ai, aj, aw = a.bracket(t, max_gap_s, self.source)
        pose = Pose(
            t=t,
            lat=p.value("lat", i, j, w),
            lon=p.value("lon", i, j, w),
            alt_m=p.value("alt", i, j, w),
            alt_amsl_m=None if alt_amsl is None or math.isnan(alt_amsl) else alt_amsl,
            yaw_deg=a.value("yaw", ai, aj, aw, angle=True),
            pitch_deg=a.value("pitch", ai, aj, aw),
            roll_deg=a.value("roll", ai, aj, aw),
        )
        if self.gimbal is None:
            return pose
        g = self.gimbal
        gi, gj, gw = g.bracket(t, max_gap_s, self.source)
        return Pose(
            **{s: getattr(pose, s) for s in Pose.__slots__ if not s.startswith("gimbal")},
            gimbal_pitch_deg=g.value("pitch", gi, gj, gw),
            gimbal_yaw_deg=g.value("yaw", gi, gj, gw, angle=True),
            gimbal_roll_deg=g.value("roll", gi, gj, gw),
            gimbal_yaw_absolute=self.gimbal_yaw_absolute,
        )

    def track(self, step_s: float = 1.0) -> list[tuple[float, float, float, float]]:
        """(t, lat, lon, alt) thinned to one point per ``step_s``: the drone's path for maps."""
        p = self.position
        out: list[tuple[float, float, float, float]] = []
        last = -math.inf
        for k in range(len(p)):
            tk = float(p.t[k])
            if tk - last >= step_s or k == len(p) - 1:
                out.append(
                    (tk, float(p.cols["lat"][k]), float(p.cols["lon"][k]), float(p.cols["alt"][k]))
                )
                last = tk
        return out


def check_position(where: str, lat: float, lon: float, alt: float) -> None:
    """Refuse positions no drone can have (and the 0,0 of a GPS without fix)."""
    for name, v in (("lat", lat), ("lon", lon), ("alt", alt)):
        if not math.isfinite(v):
            raise TelemetryError(f"{where}: field {name!r} is not a finite number ({v!r})")
    if not -90.0 <= lat <= 90.0:
        raise TelemetryError(f"{where}: field 'lat' out of range ({lat})")
    if not -180.0 <= lon <= 180.0:
        raise TelemetryError(f"{where}: field 'lon' out of range ({lon})")
    if lat == 0.0 and lon == 0.0:
        raise TelemetryError(f"{where}: position 0,0 (no GPS fix)")

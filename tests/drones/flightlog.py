"""SYNTHETIC telemetry for tests: a MAVLink .tlog written with pymavlink's own encoder.

No real drone flew: the positions and angles below are made up for the test so that the
expected map positions can be computed by hand. The .tlog layout is the real one (each
message preceded by its 8-byte big-endian receive time in microseconds), so Kuzet reads it
through the same pymavlink path as a ground station's log.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pymavlink.dialects.v20 import common as mavlink


@dataclass
class Sample:
    """One instant of the made-up flight (degrees, metres, UNIX seconds)."""

    t: float
    lat: float
    lon: float
    alt: float  # above home
    yaw: float
    pitch: float = 0.0
    roll: float = 0.0
    gimbal_pitch: float | None = None
    gimbal_yaw: float = 0.0


def _quat(roll: float, pitch: float, yaw: float) -> list[float]:
    r, p, y = (math.radians(v) / 2 for v in (roll, pitch, yaw))
    cr, sr, cp, sp, cy, sy = (
        math.cos(r),
        math.sin(r),
        math.cos(p),
        math.sin(p),
        math.cos(y),
        math.sin(y),
    )
    return [
        cr * cp * cy + sr * sp * sy,
        sr * cp * cy - cr * sp * sy,
        cr * sp * cy + sr * cp * sy,
        cr * cp * sy - sr * sp * cy,
    ]


def write_tlog(
    path: Path,
    samples: Iterable[Sample],
    *,
    position: bool = True,
    attitude: bool = True,
    home_amsl: float = 800.0,
    mutate: Callable[[str, object], None] | None = None,
) -> Path:
    """Write GLOBAL_POSITION_INT, ATTITUDE and (when set) GIMBAL_DEVICE_ATTITUDE_STATUS."""
    mav = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    with path.open("wb") as fh:

        def put(t: float, msg: mavlink.MAVLink_message) -> None:
            if mutate is not None:
                mutate(msg.get_type(), msg)
            fh.write(struct.pack(">Q", round(t * 1e6)) + msg.pack(mav))

        for s in samples:
            boot_ms = round((s.t % 86_400) * 1000)
            if position:
                put(
                    s.t,
                    mavlink.MAVLink_global_position_int_message(
                        boot_ms,
                        round(s.lat * 1e7),
                        round(s.lon * 1e7),
                        round((home_amsl + s.alt) * 1000),
                        round(s.alt * 1000),
                        0,
                        0,
                        0,
                        round((s.yaw % 360) * 100),
                    ),
                )
            if attitude:
                put(
                    s.t + 0.01,
                    mavlink.MAVLink_attitude_message(
                        boot_ms,
                        math.radians(s.roll),
                        math.radians(s.pitch),
                        math.radians(s.yaw),
                        0.0,
                        0.0,
                        0.0,
                    ),
                )
            if s.gimbal_pitch is not None:
                put(
                    s.t + 0.02,
                    mavlink.MAVLink_gimbal_device_attitude_status_message(
                        1,
                        1,
                        boot_ms,
                        0,
                        _quat(0.0, s.gimbal_pitch, s.gimbal_yaw),
                        math.nan,
                        math.nan,
                        math.nan,
                        0,
                    ),
                )
    return path

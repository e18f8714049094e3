"""MAVLink telemetry through pymavlink: a recorded ``.tlog`` or a live connection.

Messages read: GLOBAL_POSITION_INT (lat, lon, relative and AMSL altitude), ATTITUDE
(roll, pitch, yaw of the airframe) and the camera's gimbal: GIMBAL_DEVICE_ATTITUDE_STATUS
(quaternion; yaw in the earth frame when its flags say so) or, from older ArduPilot,
MOUNT_ORIENTATION. Times are the tlog's own receive timestamps (UNIX seconds), the one
clock every message shares.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from kuzet.drones.telemetry import Series, Telemetry, TelemetryError, check_position

_TYPES = [
    "GLOBAL_POSITION_INT",
    "ATTITUDE",
    "GIMBAL_DEVICE_ATTITUDE_STATUS",
    "MOUNT_ORIENTATION",
]
# GIMBAL_DEVICE_FLAGS_YAW_LOCK (16) and GIMBAL_DEVICE_FLAGS_YAW_IN_EARTH_FRAME (2048)
_YAW_EARTH_FLAGS = 16 | 2048


def quaternion_to_euler(q: tuple[float, float, float, float]) -> tuple[float, float, float]:
    """(w, x, y, z) -> (roll, pitch, yaw) in degrees, aerospace Z-Y-X order."""
    w, x, y, z = q
    roll = math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    pitch = math.asin(max(-1.0, min(1.0, 2 * (w * y - z * x))))
    yaw = math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return math.degrees(roll), math.degrees(pitch), math.degrees(yaw)


def read_mavlink(url: str | Path, *, max_messages: int = 5_000_000) -> Telemetry:
    """Read a whole ``.tlog`` (or a stream until it ends) into a :class:`Telemetry`.

    Raises :class:`TelemetryError` naming the file and the message when the log lacks
    position or attitude, or carries impossible values.
    """
    from pymavlink import mavutil

    source = str(url)
    if "://" not in source and ":" not in source.split(os.sep)[0] and not Path(source).is_file():
        raise TelemetryError(f"{source}: no such telemetry file")
    try:
        conn: Any = mavutil.mavlink_connection(source, robust_parsing=True)
    except OSError as exc:
        raise TelemetryError(f"{source}: cannot open telemetry ({exc})") from exc
    pos: list[tuple[float, dict[str, float]]] = []
    att: list[tuple[float, dict[str, float]]] = []
    gim: list[tuple[float, dict[str, float]]] = []
    mount: list[tuple[float, dict[str, float]]] = []
    yaw_absolute = False
    mount_absolute = False
    try:
        for n in range(max_messages):
            msg = conn.recv_match(type=_TYPES, blocking=False)
            if msg is None:
                break
            t = float(msg._timestamp)
            kind = msg.get_type()
            where = f"{source}: message {n + 1} ({kind})"
            if kind == "GLOBAL_POSITION_INT":
                lat, lon = msg.lat / 1e7, msg.lon / 1e7
                alt = msg.relative_alt / 1000.0
                check_position(where, lat, lon, alt)
                pos.append((t, {"lat": lat, "lon": lon, "alt": alt, "alt_amsl": msg.alt / 1000.0}))
            elif kind == "ATTITUDE":
                vals = (msg.roll, msg.pitch, msg.yaw)
                if not all(math.isfinite(v) for v in vals):
                    raise TelemetryError(f"{where}: attitude is not finite {vals}")
                att.append(
                    (t, {"roll": math.degrees(msg.roll), "pitch": math.degrees(msg.pitch),
                         "yaw": math.degrees(msg.yaw)})
                )
            elif kind == "GIMBAL_DEVICE_ATTITUDE_STATUS":
                q = tuple(float(v) for v in msg.q)
                if not all(math.isfinite(v) for v in q) or abs(sum(v * v for v in q) - 1) > 0.05:
                    raise TelemetryError(f"{where}: field 'q' is not a unit quaternion {q}")
                roll, pitch, yaw = quaternion_to_euler((q[0], q[1], q[2], q[3]))
                yaw_absolute = bool(msg.flags & _YAW_EARTH_FLAGS)
                gim.append((t, {"roll": roll, "pitch": pitch, "yaw": yaw}))
            else:  # MOUNT_ORIENTATION: degrees, yaw relative to the airframe
                mount_absolute = bool(getattr(msg, "yaw_absolute", 0)) and not math.isnan(
                    msg.yaw_absolute
                )
                yaw = msg.yaw_absolute if mount_absolute else msg.yaw
                mount.append((t, {"roll": msg.roll, "pitch": msg.pitch, "yaw": yaw}))
    finally:
        conn.close()
    gimbal_rows, absolute = (gim, yaw_absolute) if gim else (mount, mount_absolute)
    return Telemetry(
        source,
        Series.build("position (GLOBAL_POSITION_INT)", pos),
        Series.build("attitude (ATTITUDE)", att),
        Series.build("gimbal attitude", gimbal_rows) if gimbal_rows else None,
        gimbal_yaw_absolute=absolute,
    )

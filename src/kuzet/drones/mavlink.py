"""MAVLink telemetry through pymavlink: a recorded ``.tlog`` or a live connection.

Messages read: GLOBAL_POSITION_INT (lat, lon, relative and AMSL altitude), ATTITUDE
(roll, pitch, yaw of the airframe) and the camera's gimbal: GIMBAL_DEVICE_ATTITUDE_STATUS
(quaternion; yaw in the earth frame when its flags say so) or, from older ArduPilot,
MOUNT_ORIENTATION. Times are the tlog's own receive timestamps (UNIX seconds), the one
clock every message shares.
"""

from __future__ import annotations

import logging
import math
import threading
from pathlib import Path
from typing import Any

from kuzet.drones.live import LiveTelemetry
from kuzet.drones.telemetry import Series, Telemetry, TelemetryError, check_position

log = logging.getLogger(__name__)

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


def parse_message(msg: Any, where: str) -> tuple[str, float, dict[str, float], bool] | None:
    """One pymavlink message -> (series, time, values, yaw in the earth frame)."""
    t = float(msg._timestamp)
    kind = msg.get_type()
    if kind == "GLOBAL_POSITION_INT":
        lat, lon = msg.lat / 1e7, msg.lon / 1e7
        alt = msg.relative_alt / 1000.0
        check_position(where, lat, lon, alt)
        return (
            "position",
            t,
            {"lat": lat, "lon": lon, "alt": alt, "alt_amsl": msg.alt / 1000.0},
            False,
        )
    if kind == "ATTITUDE":
        vals = (msg.roll, msg.pitch, msg.yaw)
        if not all(math.isfinite(v) for v in vals):
            raise TelemetryError(f"{where}: attitude is not finite {vals}")
        roll, pitch, yaw = (math.degrees(v) for v in vals)
        return "attitude", t, {"roll": roll, "pitch": pitch, "yaw": yaw}, False
    if kind == "GIMBAL_DEVICE_ATTITUDE_STATUS":
        q = tuple(float(v) for v in msg.q)
        if not all(math.isfinite(v) for v in q) or abs(sum(v * v for v in q) - 1) > 0.05:
            raise TelemetryError(f"{where}: field 'q' is not a unit quaternion {q}")
        roll, pitch, yaw = quaternion_to_euler((q[0], q[1], q[2], q[3]))
        return (
            "gimbal",
            t,
            {"roll": roll, "pitch": pitch, "yaw": yaw},
            bool(msg.flags & _YAW_EARTH_FLAGS),
        )
    if kind == "MOUNT_ORIENTATION":  # degrees, yaw relative to the airframe
        absolute = math.isfinite(getattr(msg, "yaw_absolute", math.nan)) and msg.yaw_absolute != 0
        yaw = msg.yaw_absolute if absolute else msg.yaw
        return "mount", t, {"roll": msg.roll, "pitch": msg.pitch, "yaw": yaw}, absolute
    return None


def _connect(source: str) -> Any:
    from pymavlink import mavutil

    try:
        return mavutil.mavlink_connection(source, robust_parsing=True)
    except OSError as exc:
        raise TelemetryError(f"{source}: cannot open telemetry ({exc})") from exc


def read_mavlink(url: str | Path, *, max_messages: int = 5_000_000) -> Telemetry:
    """Read a whole ``.tlog`` into a :class:`Telemetry`.

    Raises :class:`TelemetryError` naming the file and the message when the log lacks
    position or attitude, or carries impossible values.
    """
    source = str(url)
    if not Path(source).is_file():
        raise TelemetryError(f"{source}: no such telemetry file")
    conn = _connect(source)
    rows: dict[str, list[tuple[float, dict[str, float]]]] = {
        "position": [],
        "attitude": [],
        "gimbal": [],
        "mount": [],
    }
    absolute = {"gimbal": False, "mount": False}
    try:
        for n in range(max_messages):
            msg = conn.recv_match(type=_TYPES, blocking=False)
            if msg is None:
                break
            got = parse_message(msg, f"{source}: message {n + 1} ({msg.get_type()})")
            if got is not None:
                kind, t, values, earth = got
                rows[kind].append((t, values))
                if kind in absolute:
                    absolute[kind] = earth
    finally:
        conn.close()
    gimbal = "gimbal" if rows["gimbal"] else "mount"
    return Telemetry(
        source,
        Series.build("position (GLOBAL_POSITION_INT)", rows["position"]),
        Series.build("attitude (ATTITUDE)", rows["attitude"]),
        Series.build("gimbal attitude", rows[gimbal]) if rows[gimbal] else None,
        gimbal_yaw_absolute=absolute[gimbal],
    )


class MavlinkFeed:
    """A live MAVLink connection (``udpin:0.0.0.0:14550``, ``tcp:host:5760``, a serial
    port) read on its own thread into a :class:`LiveTelemetry`; bad messages are counted
    and logged, never fatal."""

    def __init__(self, drone_id: str, url: str, live: LiveTelemetry | None = None) -> None:
        self.drone_id = drone_id
        self.url = url
        self.live = live or LiveTelemetry(f"mavlink {url}")
        self.messages = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: Any = None

    def start(self) -> None:
        self._conn = _connect(self.url)
        self._thread = threading.Thread(
            target=self._run, name=f"mavlink-{self.drone_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._conn is not None:
            self._conn.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            msg = self._conn.recv_match(type=_TYPES, blocking=True, timeout=0.2)
            if msg is None:
                continue
            self.messages += 1
            where = f"drone {self.drone_id} {self.url} message {self.messages} ({msg.get_type()})"
            try:
                got = parse_message(msg, where)
            except TelemetryError as exc:
                self.live.reject(str(exc))
                log.warning("drone telemetry rejected: %s", exc, extra={"drone_id": self.drone_id})
                continue
            if got is None:
                continue
            kind, t, values, earth = got
            if kind in ("gimbal", "mount"):
                self.live.gimbal_yaw_absolute = earth
                kind = "gimbal"
            self.live.append(kind, t, values)

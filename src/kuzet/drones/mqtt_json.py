"""Drone telemetry as JSON over MQTT (DJI-style bridges, FlytBase, home-made relays).

One object per message, e.g. ``{"ts": 1796000000.25, "lat": 43.2389, "lon": 76.8897,
"alt": 30.0, "yaw": 45.0, "pitch": 0.0, "roll": 0.0, "gimbal_pitch": -45.0}``. Payload
keys can be renamed in the site file (``telemetry.fields``). Required: ``ts`` (UNIX
seconds or ISO-8601), ``lat``, ``lon``, ``alt`` (metres above the take-off point), ``yaw``
(degrees from north); ``pitch``/``roll`` default to 0 (a level airframe), gimbal angles
are optional (without them the fixed mount of the camera config applies; ``gimbal_yaw``
is relative to the heading unless ``gimbal_yaw_absolute`` is true). A bad message is
rejected with a reason naming the field, counted, and never stops the feed.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime
from typing import Any

import paho.mqtt.client as mqtt

from kuzet.config.drones import MqttTelemetryConfig
from kuzet.drones.live import LiveTelemetry
from kuzet.drones.telemetry import TelemetryError, check_position

log = logging.getLogger(__name__)

REQUIRED = ("ts", "lat", "lon", "alt", "yaw")
OPTIONAL = ("pitch", "roll", "gimbal_pitch", "gimbal_yaw", "gimbal_roll", "gimbal_yaw_absolute")


def _number(obj: dict[str, Any], key: str, name: str, where: str) -> float:
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise TelemetryError(f"{where}: field {name!r} (key {key!r}) is not a finite number: {v!r}")
    return float(v)


def parse_sample(payload: bytes | str, fields: dict[str, str], where: str) -> dict[str, Any]:
    """One JSON message -> named values; :class:`TelemetryError` names what is wrong."""
    try:
        obj = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TelemetryError(f"{where}: not JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise TelemetryError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    out: dict[str, Any] = {}
    for name in REQUIRED + OPTIONAL:
        key = fields.get(name, name)
        if key not in obj or obj[key] is None:
            if name in REQUIRED:
                raise TelemetryError(f"{where}: field {name!r} (key {key!r}) missing")
            continue
        if name == "ts" and isinstance(obj[key], str):
            try:
                out["ts"] = datetime.fromisoformat(obj[key]).timestamp()
            except ValueError as exc:
                raise TelemetryError(f"{where}: field 'ts' is not ISO-8601: {obj[key]!r}") from exc
        elif name == "gimbal_yaw_absolute":
            out[name] = bool(obj[key])
        else:
            out[name] = _number(obj, key, name, where)
    check_position(where, out["lat"], out["lon"], out["alt"])
    return out


def feed(live: LiveTelemetry, s: dict[str, Any]) -> None:
    """Append one parsed message to the live series."""
    t = s["ts"]
    live.append(
        "position", t, {"lat": s["lat"], "lon": s["lon"], "alt": s["alt"], "alt_amsl": math.nan}
    )
    live.append(
        "attitude", t, {"yaw": s["yaw"], "pitch": s.get("pitch", 0.0), "roll": s.get("roll", 0.0)}
    )
    if "gimbal_pitch" in s:
        live.gimbal_yaw_absolute = bool(s.get("gimbal_yaw_absolute", False))
        live.append(
            "gimbal",
            t,
            {
                "pitch": s["gimbal_pitch"],
                "yaw": s.get("gimbal_yaw", 0.0),
                "roll": s.get("gimbal_roll", 0.0),
            },
        )


class MqttTelemetryFeed:
    """Subscribes to the drone's telemetry topic and keeps a :class:`LiveTelemetry`."""

    def __init__(
        self, drone_id: str, cfg: MqttTelemetryConfig, live: LiveTelemetry | None = None
    ) -> None:
        self.drone_id = drone_id
        self.cfg = cfg
        self.live = live or LiveTelemetry(f"mqtt {cfg.topic}")
        self.messages = 0
        self._client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"kuzet-drone-{drone_id}"
        )
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message

    def start(self) -> None:
        """Connect in the background: a broker that is down now is retried (and the
        subscription renewed on every reconnect), never fatal to the drone."""
        self._client.reconnect_delay_set(1, 30)
        self._client.connect_async(self.cfg.host, self.cfg.port, keepalive=30)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        client.subscribe(
            self.cfg.topic, qos=0
        )  # telemetry: the newest sample matters, not old ones

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self.messages += 1
        where = f"drone {self.drone_id} topic {msg.topic} message {self.messages}"
        try:
            feed(self.live, parse_sample(bytes(msg.payload), self.cfg.fields, where))
        except TelemetryError as exc:
            self.live.reject(str(exc))
            log.warning("drone telemetry rejected: %s", exc, extra={"drone_id": self.drone_id})

"""Live telemetry: JSON over a real MQTT broker (mosquitto) and a MAVLink UDP stream.

The messages are SYNTHETIC (made up in the test); the broker and pymavlink are real.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt
import pytest
from pymavlink import mavutil
from tests.support.mqtt import Mosquitto, mqtt_broker  # noqa: F401  (the fixture)

from kuzet.config.drones import MqttTelemetryConfig
from kuzet.drones import TelemetryError
from kuzet.drones.mavlink import MavlinkFeed
from kuzet.drones.mqtt_json import MqttTelemetryFeed, parse_sample

T0 = 1_796_000_000.0


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def msg(t: float, **kw: object) -> dict[str, object]:
    return {"ts": t, "lat": 43.2389, "lon": 76.8897, "alt": 30.0, "yaw": 45.0, **kw}


def test_parse_names_missing_and_bad_fields() -> None:
    with pytest.raises(TelemetryError, match=r"m1: field 'lat' \(key 'lat'\) missing"):
        parse_sample(json.dumps({"ts": T0, "lon": 1, "alt": 1, "yaw": 0}), {}, "m1")
    with pytest.raises(
        TelemetryError, match=r"field 'alt' \(key 'height'\) is not a finite number"
    ):
        parse_sample(json.dumps(msg(T0) | {"height": "high"}), {"alt": "height"}, "m2")
    with pytest.raises(TelemetryError, match="not JSON"):
        parse_sample(b"{oops", {}, "m3")
    with pytest.raises(TelemetryError, match="'ts' is not ISO-8601"):
        parse_sample(json.dumps(msg("yesterday")), {}, "m4")
    ok = parse_sample(json.dumps(msg("2026-12-06T08:00:00+00:00", gimbal_pitch=-45)), {}, "m5")
    assert ok["ts"] == pytest.approx(1796544000.0) and ok["gimbal_pitch"] == -45.0


def test_mqtt_json_feed_through_a_real_broker(mqtt_broker: Mosquitto) -> None:  # noqa: F811
    cfg = MqttTelemetryConfig(
        host=mqtt_broker.host,
        port=mqtt_broker.port,
        topic="drones/d1/telemetry",
        fields={"yaw": "heading"},
    )
    feed = MqttTelemetryFeed("d1", cfg)
    feed.start()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    pub.connect(mqtt_broker.host, mqtt_broker.port)
    pub.loop_start()
    try:
        wait_for(lambda: feed._client.is_connected())
        time.sleep(0.2)  # let the subscription settle
        for i in range(6):
            m = msg(T0 + i * 0.5, gimbal_pitch=-45.0, alt=30.0 + i)
            m["heading"] = m.pop("yaw")
            pub.publish(cfg.topic, json.dumps(m), qos=1).wait_for_publish(5)
        pub.publish(cfg.topic, json.dumps({"ts": T0 + 4, "lat": 43.0}), qos=1).wait_for_publish(5)
        wait_for(lambda: feed.messages >= 7)
    finally:
        pub.loop_stop()
        pub.disconnect()
        feed.stop()
    assert feed.live.rejected == 1
    assert "field 'lon' (key 'lon') missing" in (feed.live.last_error or "")
    pose = feed.live.telemetry().pose_at(T0 + 1.25)
    assert pose.alt_m == pytest.approx(32.5) and pose.yaw_deg == pytest.approx(45.0)
    assert pose.gimbal_pitch_deg == pytest.approx(-45.0)


def test_mavlink_udp_stream() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    feed = MavlinkFeed("d2", f"udpin:127.0.0.1:{port}")
    feed.start()
    out = mavutil.mavlink_connection(f"udpout:127.0.0.1:{port}", source_system=1)
    try:
        for i in range(5):
            out.mav.global_position_int_send(
                i * 200, 432389000, 768897000, 830000, 30000 + i * 1000, 0, 0, 0, 4500
            )
            out.mav.attitude_send(i * 200, 0.0, 0.0, 0.7853981, 0.0, 0.0, 0.0)
            time.sleep(0.05)
        wait_for(lambda: feed.messages >= 10)
    finally:
        feed.stop()
        out.close()
    tel = feed.live.telemetry()
    pose = tel.pose_at(tel.end)
    assert pose.alt_m == pytest.approx(34.0) and pose.yaw_deg == pytest.approx(45.0, abs=1e-3)
    assert pose.lat == pytest.approx(43.2389)

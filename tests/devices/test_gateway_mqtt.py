"""The gateway against a real mosquitto: malformed payloads counted, nothing lost across
broker and gateway restarts (QoS 1, persistent session, idempotent ids), silence alarmed."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from kuzet.config.devices import SignalFeedConfig
from kuzet.core.event import Event
from kuzet.rules.signals import SignalBoard

from .conftest import Device, Rig, wait_for


def test_malformed_payloads_are_rejected_with_a_reason_and_counted(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kuzet.devices.gateway")
    rig.start_gateway()
    dev = Device(rig.broker)
    try:
        bad = [
            ("sos-1", b"not json {", "not_json"),
            ("sos-1", b"[1, 2]", "not_object"),
            ("ghost", b'{"type": "press", "id": "g1"}', "unknown_device"),
            ("sos-1", b'{"type": "explode", "id": "x1"}', "unknown_event"),
            ("sos-1", b'{"id": "x2"}', "no_event"),
            ("sos-1", b'{"type": "press", "id": "x3", "battery": "full"}', "bad_battery"),
            ("sos-1", b'{"type": "press", "id": "x4", "ts": "yesterday"}', "bad_timestamp"),
            ("sos-1", b'{"type": "press", "pad": "' + b"x" * 70_000 + b'"}', "too_large"),
        ]
        for device_id, body, _ in bad:
            dev.send(device_id, body)
        dev.send("sos-1", {"type": "press", "id": "ok-1", "ts": "2026-12-06T07:00:00Z"})
        m = rig.metrics
        wait_for(lambda: m.value("device_messages", source="mqtt") == len(bad) + 1, what="all")
        wait_for(lambda: len(rig.stored()) == 1, what="the good message stored")
    finally:
        dev.close()
    for _, _, reason in bad:
        assert m.value("device_rejected", source="mqtt", reason=reason) == 1, reason
    logged = [r for r in caplog.records if r.getMessage() == "device message rejected"]
    assert sorted(r.reason for r in logged) == sorted(r for _, _, r in bad)
    # the gateway kept going: the good message after eight bad ones is an event, per contract
    (ev,) = rig.stored()
    assert (ev.type, ev.camera_id, ev.phase) == ("sos", "sos-1", "instant")
    a = ev.attributes
    assert a["device"] is True and a["device_id"] == "sos-1" and a["device_kind"] == "sos_button"
    assert (a["lat"], a["lon"], a["source"], a["message_id"]) == (43.24, 76.95, "mqtt", "ok-1")
    assert a["device_name"] == "Abay ave. SOS" and a["linked_cameras"] == []
    assert ev.ts.isoformat() == "2026-12-06T07:00:00+00:00"


def test_broker_and_gateway_restarts_lose_nothing_and_store_nothing_twice(rig: Rig) -> None:
    """20 presses: 5 live, 5 while the gateway is down, 5 after a broker restart (gateway
    still down), 5 (without message ids) while the broker restarts under a running gateway;
    plus a device's retry of an earlier message. Stored: each of the 20 exactly once."""
    sent: list[str] = []

    def presses() -> list[Event]:  # (sos-1 beats every 0.6 s: its offline alarms are stored too)
        return [e for e in rig.stored() if e.type == "sos"]

    def press(dev: Device, n: int, with_id: bool = True) -> None:
        body = {"type": "press", "ts": 1_796_000_000 + n}
        if with_id:
            body["id"] = f"m{n}"
        dev.send("sos-1", body)
        sent.append(f"m{n}")

    rig.start_gateway()
    dev = Device(rig.broker)
    try:
        for n in range(5):
            press(dev, n)
        wait_for(lambda: len(presses()) == 5, what="5 live presses")

        rig.stop_gateway()  # the gateway is down: the broker queues for its session
        for n in range(5, 10):
            press(dev, n)
        rig.broker.stop()  # clean stop: the broker saves the queue
        rig.broker.start()
        for n in range(10, 15):
            press(dev, n)  # the device's client reconnects (its send retries until it has)
        press(dev, 3)  # a device that did not see its PUBACK sends m3 again
        sent.pop()
        rig.start_gateway()
        wait_for(lambda: len(presses()) == 15, what="presses queued while down")

        restart = threading.Thread(target=lambda: (rig.broker.stop(), time.sleep(1.0),
                                                   rig.broker.start()))  # fmt: skip
        restart.start()
        time.sleep(0.3)
        for n in range(15, 20):
            press(dev, n, with_id=False)  # id from payload sha256 + device time
        restart.join()
        wait_for(lambda: len(presses()) == 20, timeout=20, what="all 20 stored")
        dev.send("sos-1", {"type": "press", "ts": 1_796_000_000 + 17})  # m17 again, no id
        wait_for(lambda: rig.metrics.value("device_messages", source="mqtt") >= 22, what="dups")
        time.sleep(0.3)  # a wrong second copy would have reached the store by now
    finally:
        dev.close()
    stored = presses()
    assert len(stored) == 20 and len({e.id for e in stored}) == 20
    times = sorted(int(e.ts.timestamp()) - 1_796_000_000 for e in stored)
    assert times == list(range(20))
    ids = sorted(e.attributes["message_id"] for e in stored if e.attributes["message_id"])
    assert ids == sorted(f"m{n}" for n in range(15))


def test_a_silent_device_raises_device_offline_and_online_when_heard(rig: Rig) -> None:
    rig.start_gateway()
    dev = Device(rig.broker)
    try:
        dev.send("sos-1", {"type": "ping", "battery": 80})  # a heartbeat: no event
        time.sleep(0.2)
        assert [e.type for e in rig.published] == []
        # sos-1 expects a heartbeat every 0.6 s; fire-1 has none configured
        wait_for(lambda: any(e.type == "device_offline" for e in rig.published), what="offline")
        (off,) = rig.published
        assert (off.camera_id, off.attributes["source"]) == ("sos-1", "health")
        assert off.attributes["silent_s"] > 0.6 and "last_seen" in off.attributes
        wait_for(lambda: rig.registry.get("sos-1").online is False, what="health written")
        assert rig.metrics.registry.get_sample_value("kuzet_devices_offline") == 1
        assert rig.registry.get("sos-1").battery == 80
        time.sleep(0.5)
        assert [e.type for e in rig.published] == ["device_offline"]  # raised once
        dev.send("sos-1", {"type": "ping"})
        wait_for(lambda: len(rig.published) == 2, what="online again")
    finally:
        dev.close()
    on = rig.published[1]
    assert on.type == "device_online" and on.attributes["offline_event"] == off.id
    wait_for(lambda: {e.id for e in rig.stored()} == {off.id, on.id}, what="both stored")
    assert rig.store.get_device("fire-1").online is None  # never checked, never alarmed


def test_traffic_signal_states_from_mqtt_feed_the_signal_board(rig: Rig) -> None:
    board = SignalBoard()
    rig.put_signal = board.put
    assert rig.cfg.mqtt is not None
    rig.cfg.mqtt.signals.append(
        SignalFeedConfig(topic="city/signals/junction-7", camera_id="traffic-1", signal="main")
    )
    rig.start_gateway()
    dev = Device(rig.broker)
    try:
        for body in (b'{"state": "green", "ts": 1796000000}', b'{"state": "purple"}',
                     b'{"state": "red", "ts": 1796000030}'):  # fmt: skip
            info = dev.c.publish("city/signals/junction-7", body, qos=1)
            info.wait_for_publish(5)
        wait_for(lambda: board.state_at("traffic-1", "main", 1_796_000_031) is not None
                 and board.state_at("traffic-1", "main", 1_796_000_031).state == "red",
                 what="red on the board")  # fmt: skip
    finally:
        dev.close()
    green = board.state_at("traffic-1", "main", 1_796_000_010)
    assert green is not None and green.state == "green" and green.since == 1_796_000_000
    assert (
        rig.metrics.value("device_rejected", source="mqtt_signal", reason="bad_signal_state") == 1
    )

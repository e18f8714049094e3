"""The test broker is a real mosquitto: QoS 1 messages for a persistent session that was
offline survive a broker restart (what the device gateway's "nothing lost" rests on)."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import paho.mqtt.client as mqtt
from tests.support.mqtt import Mosquitto, require_mosquitto


def _client(broker: Mosquitto, client_id: str) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    c.connect(broker.host, broker.port)
    return c


def test_qos1_for_an_offline_session_survives_a_restart(tmp_path: Path) -> None:
    require_mosquitto()
    broker = Mosquitto(tmp_path / "broker").start()
    try:
        got: queue.Queue[bytes] = queue.Queue()
        subscribed = threading.Event()
        sub = _client(broker, "kuzet-test-sub")
        sub.on_subscribe = lambda *a: subscribed.set()
        sub.on_message = lambda c, u, msg: got.put(msg.payload)
        sub.loop_start()
        sub.subscribe("devices/+/events", qos=1)
        assert subscribed.wait(5)
        sub.disconnect()  # the session stays: clean_session=False
        sub.loop_stop()

        pub = _client(broker, "kuzet-test-pub")
        pub.loop_start()
        info = pub.publish("devices/sos-1/events", b'{"press": 1}', qos=1)
        info.wait_for_publish(5)
        pub.disconnect()
        pub.loop_stop()

        broker.stop()
        broker.start()

        sub = _client(broker, "kuzet-test-sub")
        sub.on_message = lambda c, u, msg: got.put(msg.payload)
        sub.loop_start()
        try:
            assert got.get(timeout=10) == b'{"press": 1}'
        finally:
            sub.disconnect()
            sub.loop_stop()
    finally:
        broker.stop()

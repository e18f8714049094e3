"""A gateway over a real store and the in-process bus, fed by a real mosquitto.

What is stored is what the store's sink took off the bus's durable ``store`` group, as in
``kuzet serve``; ``published`` is every device event the gateway put on the bus.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from tests.support.mqtt import Mosquitto, require_mosquitto

from kuzet.config.devices import (
    DeviceConfig,
    DeviceGatewayConfig,
    DeviceKind,
    MqttInputConfig,
    PayloadMapping,
)
from kuzet.core.event import Event
from kuzet.core.records import EventQuery
from kuzet.devices.gateway import DeviceGateway
from kuzet.devices.metrics import DeviceMetrics
from kuzet.devices.mqtt_input import MqttInput, PutSignal
from kuzet.devices.registry import DeviceRegistry
from kuzet.events import MemoryBus
from kuzet.schema import open_store
from kuzet.store import Store
from kuzet.store.sink import EventSink

TOPIC = "city/devices/+/events"
MAPPING = PayloadMapping(
    topic=TOPIC, device_id="topic:2", event="type", message_id="id", timestamp="ts",
    battery="battery", events={"press": "sos", "alarm": "fire_alarm", "ping": "heartbeat",
                               "cover_open": "device_tamper"},
)  # fmt: skip
DEVICES = [
    DeviceConfig(id="sos-1", kind=DeviceKind.SOS_BUTTON, name="Abay ave. SOS", latitude=43.24,
                 longitude=76.95, category="public_safety", heartbeat_s=0.6),
    DeviceConfig(id="fire-1", kind=DeviceKind.FIRE_PANEL, category="school"),
]  # fmt: skip


def wait_for(cond: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        time.sleep(0.02)


@dataclass
class Rig:
    root: Path
    broker: Mosquitto
    store: Store
    bus: MemoryBus
    registry: DeviceRegistry
    metrics: DeviceMetrics
    cfg: DeviceGatewayConfig
    put_signal: PutSignal | None = None
    published: list[Event] = field(default_factory=list)
    gateway: DeviceGateway | None = None
    mqtt_in: MqttInput | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def publish_to_bus(self, ev: Event) -> None:
        self.bus.publish(ev)
        with self._lock:
            self.published.append(ev)

    def start_gateway(self) -> DeviceGateway:
        """A gateway (a new process's, as after a restart) with its persistent session."""
        self.gateway = DeviceGateway(self.registry, self.publish_to_bus, self.cfg,
                                     metrics=self.metrics).start()  # fmt: skip
        assert self.cfg.mqtt is not None
        self.mqtt_in = MqttInput(self.gateway, self.cfg.mqtt, put_signal=self.put_signal)
        self.mqtt_in.start()
        assert self.mqtt_in.client.wait_ready(10), "gateway did not subscribe"
        return self.gateway

    def stop_gateway(self) -> None:
        if self.mqtt_in is not None:
            self.mqtt_in.stop()
            self.mqtt_in = None
        if self.gateway is not None:
            self.gateway.stop()
            self.gateway = None

    def stored(self) -> list[Event]:
        items, _ = self.store.query_events(EventQuery(limit=1000))
        return items


class Device:
    """A simulated device: its own MQTT client (persistent session, QoS 1)."""

    def __init__(self, broker: Mosquitto, client_id: str = "device-sim") -> None:
        self.broker = broker
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                             clean_session=False)  # fmt: skip
        self.c.reconnect_delay_set(1, 2)
        self.c.connect(broker.host, broker.port)
        self.c.loop_start()

    def send(self, device_id: str, payload: dict[str, Any] | bytes, timeout: float = 5.0) -> None:
        """QoS 1, waits for the broker's PUBACK; retried (same bytes) until it comes."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        deadline = time.monotonic() + 20
        while True:
            info = self.c.publish(f"city/devices/{device_id}/events", body, qos=1)
            try:
                info.wait_for_publish(timeout)
                if info.is_published():
                    return
            except (RuntimeError, ValueError):
                time.sleep(0.2)  # not connected yet: a real device retries the same message
            if time.monotonic() > deadline:
                raise AssertionError("the device could not publish")

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    require_mosquitto()
    broker = Mosquitto(tmp_path / "mosquitto").start()
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    registry = DeviceRegistry(store)
    registry.sync(DEVICES)
    bus = MemoryBus(durable_groups=["store"])
    sink = EventSink(bus.subscribe("store"), store, batch_wait_ms=10)
    sink.start()
    cfg = DeviceGatewayConfig(
        mqtt=MqttInputConfig(host=broker.host, port=broker.port, client_id="kuzet-gw-test",
                             mappings=[MAPPING]),
        check_every_s=0.1,
    )  # fmt: skip
    r = Rig(tmp_path, broker, store, bus, registry, DeviceMetrics(), cfg)
    try:
        yield r
    finally:
        r.stop_gateway()
        sink.stop(drain=True)
        bus.close()
        broker.stop()
        store.close()

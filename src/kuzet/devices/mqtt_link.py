"""A small MQTT client for device outputs: publish commands (QoS 1, waiting for the
broker's PUBACK) and hear acknowledgements on the devices' ack topics.

paho-mqtt 2.x with its own network thread; subscriptions are renewed on every
(re)connect. The gateway (``kuzet.devices.mqtt``) has the full client; this one is kept
to what outputs need, in one module, so the two fold together at merge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
OnMessage = Callable[[str, bytes], None]


class MqttLink:
    def __init__(
        self, host: str, port: int = 1883, *, client_id: str = "kuzet-respond",
        username: str | None = None, password: str | None = None, keepalive: int = 30,
    ) -> None:  # fmt: skip
        self._c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                              clean_session=True)  # fmt: skip
        if username:
            self._c.username_pw_set(username, password)
        self._host, self._port, self._keepalive = host, port, keepalive
        self._topics: set[str] = set()
        self._handlers: list[OnMessage] = []
        self._lock = threading.Lock()
        self.connected = threading.Event()
        self._c.on_connect = self._on_connect
        self._c.on_disconnect = self._on_disconnect
        self._c.on_message = self._on_message
        self._c.reconnect_delay_set(1, 5)

    def start(self, timeout: float = 5.0) -> MqttLink:
        self._c.connect_async(self._host, self._port, self._keepalive)
        self._c.loop_start()
        if not self.connected.wait(timeout):
            log.warning("devices: MQTT broker %s:%d not reachable yet", self._host, self._port)
        return self

    def stop(self) -> None:
        self._c.disconnect()
        self._c.loop_stop()

    def on_message(self, fn: OnMessage) -> None:
        self._handlers.append(fn)

    def subscribe(self, topics: Iterable[str]) -> None:
        new = []
        with self._lock:
            for t in topics:
                if t and t not in self._topics:
                    self._topics.add(t)
                    new.append(t)
        if new and self.connected.is_set():
            self._c.subscribe([(t, 1) for t in new])

    def publish(self, topic: str, payload: bytes, timeout: float = 5.0) -> bool:
        """QoS 1; True once the broker has it (PUBACK), False when it could not be sent."""
        try:
            info = self._c.publish(topic, payload, qos=1)
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            log.warning("devices: publish to %s failed: %s", topic, exc)
            return False
        return bool(info.is_published())

    def _on_connect(self, c: mqtt.Client, _u: object, _f: object, rc: object, _p: object) -> None:
        if getattr(rc, "is_failure", False):
            log.warning("devices: MQTT connect refused: %s", rc)
            return
        with self._lock:
            topics = sorted(self._topics)
        if topics:
            c.subscribe([(t, 1) for t in topics])
        self.connected.set()

    def _on_disconnect(self, *_a: object) -> None:
        self.connected.clear()

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        for fn in list(self._handlers):
            try:
                fn(msg.topic, bytes(msg.payload))
            except Exception:
                log.exception("devices: handling a message on %s failed", msg.topic)

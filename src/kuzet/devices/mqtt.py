"""One MQTT connection over paho-mqtt 2: QoS 1, a persistent session, reconnects.

Messages are acknowledged (PUBACK) only after the handler returned, so one the process
could not hand on is redelivered by the broker; with a persistent session (clean session
off, a fixed client id) the broker also keeps what arrives while the client is away.
Shared by the device gateway (input) and device commands (output).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
Handler = Callable[[str, bytes], None]
QOS = 1


class MqttClient:
    def __init__(
        self,
        host: str,
        port: int,
        client_id: str,
        *,
        persistent: bool = True,
        username: str | None = None,
        password: str | None = None,
        keepalive_s: int = 30,
        on_message: Handler | None = None,
    ) -> None:
        self.host, self.port, self.keepalive_s = host, port, keepalive_s
        self._handler = on_message
        self._filters: list[str] = []
        self._connected = threading.Event()
        self._ready = threading.Event()  # connected and subscribed
        self._lock = threading.Lock()
        self._c = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=not persistent,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if username is not None:
            self._c.username_pw_set(username, password)
        self._c.reconnect_delay_set(min_delay=1, max_delay=5)
        self._c.on_connect = self._on_connect
        self._c.on_disconnect = self._on_disconnect
        self._c.on_message = self._on_message
        self._c.on_subscribe = lambda *_: self._ready.set()

    # ------------------------------------------------------------ paho callbacks
    def _on_connect(
        self, c: mqtt.Client, _u: object, flags: mqtt.ConnectFlags, rc: object, _p: object
    ) -> None:
        if getattr(rc, "is_failure", False):
            log.warning("mqtt connect refused", extra={"reason": str(rc), "host": self.host})
            return
        with self._lock:
            filters = list(self._filters)
        if filters:  # again on every connect: harmless when the session kept them
            c.subscribe([(f, QOS) for f in filters])
        else:
            self._ready.set()
        self._connected.set()
        log.info(
            "mqtt connected",
            extra={"host": self.host, "port": self.port, "session": flags.session_present},
        )

    def _on_disconnect(
        self, _c: mqtt.Client, _u: object, _f: object, rc: object, _p: object
    ) -> None:
        self._connected.clear()
        self._ready.clear()
        log.info("mqtt disconnected", extra={"reason": str(rc), "host": self.host})

    def _on_message(self, c: mqtt.Client, _u: object, m: mqtt.MQTTMessage) -> None:
        try:
            if self._handler is not None:
                self._handler(m.topic, bytes(m.payload))
        except Exception:  # not acked: the broker sends it again after a reconnect
            log.exception("mqtt message not handled", extra={"topic": m.topic})
            return
        c.ack(m.mid, m.qos)

    # ------------------------------------------------------------ use
    def subscribe(self, topic_filter: str) -> None:
        with self._lock:
            self._filters.append(topic_filter)
        if self._connected.is_set():
            self._c.subscribe(topic_filter, qos=QOS)

    def start(self, wait_s: float | None = None) -> MqttClient:
        """Connect in the background (retrying while the broker is away)."""
        self._c.connect_async(self.host, self.port, keepalive=self.keepalive_s)
        self._c.loop_start()
        if wait_s is not None and not self._connected.wait(wait_s):
            log.warning("mqtt broker not reached yet", extra={"host": self.host})
        return self

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def wait_ready(self, timeout: float) -> bool:
        """Connected and its subscriptions acknowledged by the broker."""
        return self._ready.wait(timeout)

    def publish(
        self, topic: str, payload: bytes | str, *, retain: bool = False, timeout: float = 5.0
    ) -> bool:
        """QoS 1; True once the broker acknowledged it within ``timeout``."""
        info = self._c.publish(topic, payload, qos=QOS, retain=retain)
        try:
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError):  # not connected / queue full
            return False
        return info.is_published()

    def stop(self) -> None:
        """Disconnect; a persistent session stays on the broker and queues for us."""
        self._c.disconnect()
        self._c.loop_stop()
        self._connected.clear()
        self._ready.clear()


def matches(topic_filter: str, topic: str) -> bool:
    return bool(mqtt.topic_matches_sub(topic_filter, topic))

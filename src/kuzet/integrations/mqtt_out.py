"""Frigate-style MQTT topics so Home-Assistant-type consumers work (prefix ``kuzet``):

* ``kuzet/available``: ``online`` / ``offline``, retained; ``offline`` is also the Last
  Will, so a consumer tells "Kuzet says nothing happens" from "Kuzet is gone";
* ``kuzet/events``: every event, ``{"type": "new"|"end", "before": null, "after": {...}}``,
  not retained (a retained detection would be told as new to tomorrow's subscriber);
* ``kuzet/<camera>/<event type>``: the latest such event of that camera, retained (a
  state: a sensor shows it on connect, like Frigate's per-camera topics);
* ``kuzet/<camera>/<event type>/snapshot``: its JPEG, retained, when ``snapshots: true``;
* ``kuzet/incidents``: incident changes ``{"type": "new"|"update"|"end", "after": {...}}``,
  not retained.

QoS 1 by default; paho keeps unacknowledged messages and resends after a reconnect.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from kuzet.config.integrations import MqttOutConfig
from kuzet.core import Event
from kuzet.incidents.model import Change
from kuzet.integrations.payloads import (
    event_change,
    event_json,
    event_matches,
    incident_change,
    incident_matches,
)

log = logging.getLogger(__name__)


def _topic_part(s: str) -> str:
    """MQTT wildcards and separators are not allowed inside one level."""
    return s.replace("/", "_").replace("+", "_").replace("#", "_") or "_"


def _dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


class MqttPublisher:
    def __init__(
        self, cfg: MqttOutConfig, read_blob: Callable[[str], bytes | None] | None = None
    ) -> None:
        self.cfg = cfg
        self._read_blob = read_blob  # snapshots (blob keys) -> JPEG bytes
        self.prefix = cfg.topic_prefix.rstrip("/")
        self.available = f"{self.prefix}/available"
        c = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=cfg.client_id, clean_session=True
        )
        if cfg.username:
            c.username_pw_set(
                cfg.username, cfg.password.get_secret_value() if cfg.password else None
            )
        c.will_set(self.available, "offline", qos=1, retain=True)
        c.reconnect_delay_set(1, 30)
        c.on_connect = self._on_connect
        self._client = c
        self._connected = threading.Event()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("mqtt connect refused: %s", reason)
            return
        client.publish(self.available, "online", qos=1, retain=True)
        self._connected.set()

    def start(self, timeout: float = 2.0) -> None:
        self._client.connect_async(self.cfg.host, self.cfg.port, keepalive=30)
        self._client.loop_start()
        if not self._connected.wait(timeout):
            log.warning(
                "mqtt broker %s:%s not reached yet; retrying in the background",
                self.cfg.host,
                self.cfg.port,
            )

    def stop(self) -> None:
        """A clean stop says ``offline`` itself (a crash leaves it to the Last Will)."""
        if self._connected.is_set():
            self._client.publish(self.available, "offline", qos=1, retain=True).wait_for_publish(5)
        self._client.disconnect()
        self._client.loop_stop()

    def publish(
        self, topic: str, payload: bytes | str, *, retain: bool = False
    ) -> mqtt.MQTTMessageInfo:
        return self._client.publish(topic, payload, qos=self.cfg.qos, retain=retain)

    def on_event(self, e: Event) -> None:
        if not event_matches(self.cfg.events, e):
            return
        after = event_json(e, self.cfg.events.sensitive)
        self.publish(
            f"{self.prefix}/events",
            _dumps({"type": event_change(e), "before": None, "after": after}),
        )
        topic = f"{self.prefix}/{_topic_part(e.camera_id)}/{_topic_part(e.type)}"
        self.publish(topic, _dumps(after), retain=True)
        if self.cfg.snapshots and e.snapshot and self._read_blob is not None:
            jpeg = self._read_blob(e.snapshot)
            if jpeg:
                self.publish(f"{topic}/snapshot", jpeg, retain=True)

    def on_incident(self, ch: Change) -> None:
        if not incident_matches(self.cfg.incidents, ch.incident):
            return
        doc = {"type": incident_change(ch.incident), "after": ch.incident.model_dump(mode="json")}
        self.publish(f"{self.prefix}/incidents", _dumps(doc))

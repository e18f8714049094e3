"""Frigate-style topics on the real broker (Debian mosquitto, tests/support/mqtt.py), seen
by subscribers as a Home-Assistant-type consumer sees them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from tests.support.mqtt import Mosquitto, mqtt_broker  # noqa: F401 (fixture)

from kuzet.config.integrations import EventFilter, IncidentFilter, MqttOutConfig
from kuzet.core import Event
from kuzet.incidents.model import Change, State
from kuzet.integrations.mqtt_out import MqttPublisher

from .test_cap import incident

T0 = datetime(2026, 12, 6, 7, 30, tzinfo=UTC)


class Sub:
    """A consumer: subscribes to ``kuzet/#`` and keeps (topic, payload, retained)."""

    def __init__(self, broker: Mosquitto, client_id: str) -> None:
        self.got: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        ready = threading.Event()
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        c.on_connect = lambda cl, *_: cl.subscribe("kuzet/#", qos=1)
        c.on_subscribe = lambda *_: ready.set()
        c.on_message = self._on
        c.connect(broker.host, broker.port)
        c.loop_start()
        assert ready.wait(5), "subscriber did not subscribe"
        self.c = c

    def _on(self, _c: Any, _u: Any, m: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.got.append((m.topic, m.payload, bool(m.retain)))

    def wait(
        self, pred: Callable[[list[tuple[str, bytes, bool]]], bool], timeout: float = 5
    ) -> list[tuple[str, bytes, bool]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if pred(self.got):
                    return list(self.got)
            time.sleep(0.02)
        raise AssertionError(f"not seen within {timeout} s: {self.got}")

    def topics(self) -> list[str]:
        with self._lock:
            return [t for t, _, _ in self.got]

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def cfg(broker: Mosquitto, **kw: Any) -> MqttOutConfig:
    return MqttOutConfig(enabled=True, host=broker.host, port=broker.port,
                         events=EventFilter(types=["intrusion", "sos"]),
                         incidents=IncidentFilter(max_priority=2), **kw)  # fmt: skip


def has(
    topic: str, payload: bytes | None = None
) -> Callable[[list[tuple[str, bytes, bool]]], bool]:
    return lambda got: any(t == topic and (payload is None or p == payload) for t, p, _ in got)


def test_events_incidents_and_availability_topics(mqtt_broker: Mosquitto) -> None:  # noqa: F811
    live = Sub(mqtt_broker, "ha-live")
    pub = MqttPublisher(cfg(mqtt_broker))
    pub.start()
    try:
        live.wait(has("kuzet/available", b"online"))
        start = Event(id="ev-1", type="intrusion", camera_id="yard/3", ts=T0, phase="start",
                      class_name="person", score=0.8)  # fmt: skip
        pub.on_event(start)
        pub.on_event(Event(id="ev-2", type="line_crossing", camera_id="yard/3", ts=T0))  # filtered
        pub.on_event(start.model_copy(update={"id": "ev-3", "phase": "end"}))
        pub.on_incident(Change(incident(priority=1, version=1)))
        pub.on_incident(Change(incident(priority=3, id="inc-low")))  # filtered: priority 3
        pub.on_incident(Change(incident(state=State.RESOLVED, version=4)))
        got = live.wait(lambda g: sum(t == "kuzet/incidents" for t, _, _ in g) == 2)
        events = [json.loads(p) for t, p, _ in got if t == "kuzet/events"]
        assert [(e["type"], e["after"]["id"], e["before"]) for e in events] == [
            ("new", "ev-1", None), ("end", "ev-3", None),
        ]  # fmt: skip
        assert events[0]["after"]["camera_id"] == "yard/3"
        # the camera's state topic: '/' in an id never makes a new topic level
        state = [json.loads(p) for t, p, _ in got if t == "kuzet/yard_3/intrusion"]
        assert [s["id"] for s in state] == ["ev-1", "ev-3"]
        incs = [json.loads(p) for t, p, _ in got if t == "kuzet/incidents"]
        assert [(i["type"], i["after"]["id"], i["after"]["state"]) for i in incs] == [
            ("new", "inc-42", "new"), ("end", "inc-42", "resolved"),
        ]  # fmt: skip
        assert not any("line_crossing" in t for t in live.topics())

        # a consumer that connects later gets the retained state, never old events
        late = Sub(mqtt_broker, "ha-late")
        got_late = late.wait(
            lambda g: has("kuzet/yard_3/intrusion")(g) and has("kuzet/available")(g)
        )
        time.sleep(0.2)  # anything else retained would have arrived with these
        assert {(t, r) for t, _, r in late.got} == {
            ("kuzet/available", True), ("kuzet/yard_3/intrusion", True),
        }  # fmt: skip
        assert (
            json.loads(dict((t, p) for t, p, _ in got_late)["kuzet/yard_3/intrusion"])["id"]
            == "ev-3"
        )
        late.close()
    finally:
        pub.stop()
    live.wait(has("kuzet/available", b"offline"))
    live.close()


def test_snapshots_only_when_asked(mqtt_broker: Mosquitto) -> None:  # noqa: F811
    jpeg = b"\xff\xd8\xff\xe0a-jpeg\xff\xd9"
    live = Sub(mqtt_broker, "ha-snap")
    ev = Event(id="ev-9", type="sos", camera_id="gate", ts=T0, snapshot="snapshots/gate/9.jpg")
    for snapshots in (False, True):
        pub = MqttPublisher(cfg(mqtt_broker, snapshots=snapshots), {ev.snapshot: jpeg}.get)
        pub.start()
        pub.on_event(ev)
        pub.stop()
    got = live.wait(lambda g: sum(t == "kuzet/gate/sos" for t, _, _ in g) == 2)
    time.sleep(0.2)
    snaps = [p for t, p, _ in live.got if t == "kuzet/gate/sos/snapshot"]
    assert snaps == [jpeg], [t for t, _, _ in got]  # once: from the publisher that was asked
    live.close()


def test_last_will_says_offline_when_kuzet_dies(mqtt_broker: Mosquitto) -> None:  # noqa: F811
    live = Sub(mqtt_broker, "ha-will")
    pub = MqttPublisher(cfg(mqtt_broker, client_id="kuzet-crash"))
    pub.start()
    live.wait(has("kuzet/available", b"online"))
    # a crash: the network loop stops and the socket drops without a DISCONNECT
    pub._client.loop_stop()
    sock = pub._client.socket()
    assert sock is not None
    sock.close()
    live.wait(has("kuzet/available", b"offline"), timeout=10)
    live.close()

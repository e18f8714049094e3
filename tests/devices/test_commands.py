"""A siren command through a real MQTT broker (Debian mosquitto) to a fake siren: it needs
the permission, two steps (ask, confirm), is audited at each step, reaches the device's
command topic only once confirmed, completes on the device's acknowledgement and times out,
visibly, when the device stays silent. The fake siren is a plain paho client (labelled so)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from tests.devices.respond_support import DEVICES, City, device_event, make_city
from tests.incidents.conftest import wait_for
from tests.support.mqtt import Mosquitto, mqtt_broker, require_mosquitto

from kuzet.access.model import Role
from kuzet.devices.mqtt_link import MqttLink
from kuzet.devices.settings import ResponseSettings

__all__ = ["mqtt_broker"]  # the fixture
SIREN = DEVICES[2]


class FakeSiren:
    """A siren on the broker: hears its command topic; answers on its ack topic when
    ``answer`` is set (``ok`` is what it says)."""

    def __init__(self, broker: Mosquitto) -> None:
        self.got: queue.Queue[dict[str, Any]] = queue.Queue()
        self.answer, self.ok = True, True
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fake-siren-1")
        self.c.on_message = self._on_message
        self.subscribed = threading.Event()  # a command sent before the SUBACK would be lost
        self.c.on_connect = lambda c, *_: c.subscribe(SIREN.command_topic or "", qos=1)
        self.c.on_subscribe = lambda *_: self.subscribed.set()
        self.c.connect(broker.host, broker.port)
        self.c.loop_start()

    def _on_message(self, c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        cmd = json.loads(msg.payload)
        self.got.put(cmd)
        if self.answer:
            body = {"command_id": cmd["command_id"], "ok": self.ok}
            c.publish(SIREN.ack_topic or "", json.dumps(body), qos=1)

    def close(self) -> None:
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def city(tmp_path: Path, mqtt_broker: Mosquitto) -> Iterator[City]:
    require_mosquitto()
    link = MqttLink(mqtt_broker.host, mqtt_broker.port).start()
    settings = ResponseSettings(ack_timeout_s=0.6)
    try:
        yield from make_city(tmp_path, link=link, settings=settings)
    finally:
        link.stop()


@pytest.fixture
def siren(mqtt_broker: Mosquitto) -> Iterator[FakeSiren]:
    s = FakeSiren(mqtt_broker)
    wait_for(s.subscribed.is_set, what="the fake siren subscribed on the broker")
    yield s
    s.close()


def _ask(city: City, who: str, **body: Any) -> Any:
    body = {"action": "siren_on", "duration_s": 30, "reason": "crowd at the square", **body}
    return city.client.post(f"/api/devices/{SIREN.id}/commands", headers=city.h(who), json=body)


def _state(city: City, who: str, cid: str) -> str:
    r = city.client.get(f"/api/device-commands/{cid}", headers=city.h(who))
    assert r.status_code == 200, r.text
    return str(r.json()["state"])


def test_siren_needs_the_permission_and_the_right_agency(city: City, siren: FakeSiren) -> None:
    city.user("analyst", "city-police", role=Role.ANALYST)
    city.user("edu-op", "education")
    r = _ask(city, "analyst")
    assert r.status_code == 403 and r.json()["error"] == "permission_denied"
    r = _ask(city, "edu-op")  # an operator, but not of the siren's agency
    assert r.status_code == 404
    city.user("police-op", "city-police")
    r = _ask(city, "police-op", action="door_release")
    assert r.status_code == 422 and r.json()["error"] == "action_not_supported"
    assert siren.got.empty()


def test_confirmed_siren_command_completes_on_the_ack(city: City, siren: FakeSiren) -> None:
    city.user("police-op", "city-police")
    asked = _ask(city, "police-op")
    assert asked.status_code == 201, asked.text
    cmd, token = asked.json()["command"], asked.json()["confirm_token"]
    assert cmd["state"] == "awaiting_confirmation"
    # step 1 sends nothing; a wrong token sends nothing either
    url = f"/api/device-commands/{cmd['id']}/confirm"
    bad = city.client.post(url, headers=city.h("police-op"), json={"confirm_token": "x" * 20})
    assert bad.status_code == 403
    with pytest.raises(queue.Empty):
        siren.got.get(timeout=0.3)
    # another operator of the same agency cannot confirm someone else's command
    city.user("police-op2", "city-police")
    other = city.client.post(url, headers=city.h("police-op2"), json={"confirm_token": token})
    assert other.status_code == 404
    sent = city.client.post(url, headers=city.h("police-op"), json={"confirm_token": token})
    assert sent.status_code == 200 and sent.json()["state"] == "sent", sent.text
    got = siren.got.get(timeout=5)
    assert (got["command_id"], got["action"], got["duration_s"]) == (cmd["id"], "siren_on", 30)
    wait_for(lambda: _state(city, "police-op", cmd["id"]) == "acknowledged", what="the ack")
    again = city.client.post(url, headers=city.h("police-op"), json={"confirm_token": token})
    assert again.status_code == 409 and again.json()["error"] == "command_not_pending"
    audit = [(r["action"], r["actor"]) for r in city.svc.audit.rows()
             if r["action"].startswith("device.command")]  # fmt: skip
    assert audit == [("device.command.request", "police-op"),
                     ("device.command.send", "police-op"),
                     ("device.command.ack", "device:siren-1")]  # fmt: skip


def test_a_silent_siren_times_out_visibly(city: City, siren: FakeSiren) -> None:
    city.user("police-op", "city-police")
    siren.answer = False
    asked = _ask(city, "police-op").json()
    cid = asked["command"]["id"]
    r = city.client.post(f"/api/device-commands/{cid}/confirm", headers=city.h("police-op"),
                         json={"confirm_token": asked["confirm_token"]})  # fmt: skip
    assert r.json()["state"] == "sent"
    assert siren.got.get(timeout=5)["command_id"] == cid  # it arrived, nobody answered
    wait_for(lambda: _state(city, "police-op", cid) == "timed_out", what="the timeout")
    rows = [r for r in city.svc.audit.rows() if r["action"] == "device.command.timeout"]
    assert len(rows) == 1 and rows[0]["outcome"] == "error"
    # an answer after the timeout is noted, and does not turn it into a success
    siren.c.publish(SIREN.ack_topic or "", json.dumps({"command_id": cid, "ok": True}), qos=1)
    wait_for(
        lambda: city.client.get(f"/api/device-commands/{cid}", headers=city.h("police-op")).json()[
            "result"
        ],
        what="the late ack noted",
    )
    assert _state(city, "police-op", cid) == "timed_out"
    log = city.client.get(f"/api/devices/{SIREN.id}/commands", headers=city.h("police-op"))
    assert [c["state"] for c in log.json()] == ["timed_out"]


def test_a_refusal_on_the_bus_fails_the_command(city: City, siren: FakeSiren) -> None:
    """The gateway's path: the device's answer as a ``device_ack`` event on the bus."""
    city.user("police-op", "city-police")
    siren.answer = False
    asked = _ask(city, "police-op", action="siren_off").json()
    cid = asked["command"]["id"]
    city.client.post(f"/api/device-commands/{cid}/confirm", headers=city.h("police-op"),
                     json={"confirm_token": asked["confirm_token"]})  # fmt: skip
    assert siren.got.get(timeout=5)["action"] == "siren_off"
    city.bus.publish(device_event(SIREN, "device_ack", f"ack-{cid}", command_id=cid, ok=False))
    wait_for(lambda: _state(city, "police-op", cid) == "failed", what="the refusal")

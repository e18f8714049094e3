"""Devices in the operations centre, as an operator uses them: device icons with their state
on the map; an SOS press (put on the bus as the gateway will) becomes an alert in the queue,
its card shows the linked cameras' pictures and the cameras go on the wall; a siren on the
map is given a command through the dialog (a value and a reason typed, then an explicit
confirmation), sent through a real mosquitto to a fake siren (a paho client, labelled so):
"done" when it answers, "no answer" when it stays silent."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from tests.devices.respond_support import DEVICES, Feeder, device_event, make_parts
from tests.support.mqtt import Mosquitto, mqtt_broker, require_mosquitto

from kuzet.access.model import Role
from kuzet.devices.mqtt_link import MqttLink
from kuzet.devices.settings import ResponseSettings
from kuzet.vision.blazeface import default_detector

from .conftest import Server, login, person, shot, until

__all__ = ["mqtt_broker"]
pytestmark = pytest.mark.slow
SOS, SIREN = DEVICES[0], DEVICES[2]


def _siren(
    broker: Mosquitto, answer: list[bool]
) -> tuple[mqtt.Client, queue.Queue[dict[str, Any]]]:
    got: queue.Queue[dict[str, Any]] = queue.Queue()
    ready = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fake-siren-ui")

    def on_message(cl: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        cmd = json.loads(msg.payload)
        got.put(cmd)
        if answer[0]:
            cl.publish(SIREN.ack_topic or "", json.dumps({"command_id": cmd["command_id"]}), qos=1)

    c.on_message = on_message
    c.on_connect = lambda cl, *_: cl.subscribe(SIREN.command_topic or "", qos=1)
    c.on_subscribe = lambda *_: ready.set()
    c.connect(broker.host, broker.port)
    c.loop_start()
    assert ready.wait(10), "the fake siren did not subscribe"
    return c, got


def test_sos_alert_cameras_and_a_confirmed_siren(
    browser: Any, tmp_path: Path, mqtt_broker: Mosquitto
) -> None:
    require_mosquitto()
    link = MqttLink(mqtt_broker.host, mqtt_broker.port).start()
    parts = make_parts(tmp_path, link=link, settings=ResponseSettings(ack_timeout_s=2.0),
                       faces=default_detector)  # fmt: skip
    secret = person(parts.svc, "olga", "city-police", Role.OPERATOR)
    answer = [True]
    siren, got = _siren(mqtt_broker, answer)
    try:
        with Server(parts.app) as server, Feeder(parts.tap, ["cam-a", "cam-b"]):
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            login(page, server.url, "olga", secret, lang="en")
            # devices on the map, with their state (nothing heard yet)
            page.wait_for_selector(".dev[data-device='sos-1'][data-state='unknown']")
            page.wait_for_selector(".dev[data-device='siren-1']")
            assert page.locator(".dev[data-device='door-1']").count() == 0  # education's

            parts.bus.publish(device_event(SOS, "sos", "press-ui-1"))
            row = "#queue li.unacked"
            page.wait_for_selector(row)
            assert page.inner_text(f"{row} .title") == "SOS button · SOS Abai square"
            page.click(row)
            for cam in ("cam-a", "cam-b"):
                img = f"section.dev-alarm li[data-camera='{cam}'] img"
                page.wait_for_selector(img)
                until(page, f'document.querySelector("{img}").naturalWidth > 0', 15)
            assert "linked" in page.inner_text("section.dev-alarm li[data-camera='cam-a']")
            page.wait_for_selector(".dev[data-device='sos-1'][data-state='alarm']")
            shot(page, tmp_path, "d1-sos-alert-cameras", docs=True)
            # the alarm's cameras went on the wall by themselves
            page.click("nav button[data-tab=wall]")
            page.wait_for_selector("#wall figure[data-camera='cam-a']")
            page.wait_for_selector("#wall figure[data-camera='cam-b']")

            # the siren by the square: a command typed, confirmed, acknowledged
            page.click("nav button[data-tab=map]")
            page.click(".dev[data-device='siren-1']")
            page.click(".dev-pop button[data-command='siren_on']")
            page.wait_for_selector("dialog.dev-cmd[open]")
            page.fill("dialog.dev-cmd input[name=duration_s]", "45")
            page.click("dialog.dev-cmd .dev-next")  # no reason yet: refused in the page
            assert "reason" in page.inner_text("dialog.dev-cmd .dev-msg")
            page.click("dialog.dev-cmd input[name=reason]")
            page.keyboard.type("Crowd at the SOS button, disperse")
            page.click("dialog.dev-cmd .dev-next")
            page.wait_for_selector("dialog.dev-cmd .dev-confirm")
            assert "Siren on (45 s)" in page.inner_text("dialog.dev-cmd .dev-msg")
            assert got.empty()  # nothing is sent before the confirmation
            page.click("dialog.dev-cmd .dev-confirm")
            cmd = got.get(timeout=10)
            assert (cmd["action"], cmd["duration_s"]) == ("siren_on", 45)
            page.wait_for_selector("dialog.dev-cmd[data-state='acknowledged']")
            assert "Done" in page.inner_text("dialog.dev-cmd .dev-msg")
            shot(page, tmp_path, "d2-siren-acknowledged", docs=True)
            page.click("dialog.dev-cmd .dev-cancel")

            # the same siren stays silent: the operator is told
            answer[0] = False
            page.click(".dev[data-device='siren-1']")
            page.click(".dev-pop button[data-command='siren_off']")
            page.fill("dialog.dev-cmd input[name=reason]", "Crowd gone")
            page.keyboard.press("Enter")
            page.click("dialog.dev-cmd .dev-confirm")
            assert got.get(timeout=10)["action"] == "siren_off"
            page.wait_for_selector("dialog.dev-cmd[data-state='timed_out']", timeout=15_000)
            assert "No answer from the device within 2 s" in page.inner_text(
                "dialog.dev-cmd .dev-msg"
            )
            shot(page, tmp_path, "d3-siren-no-answer", docs=True)
    finally:
        siren.loop_stop()
        siren.disconnect()
        parts.close()
        link.stop()
    audit = [r["action"] for r in parts.svc.audit.rows() if r["action"].startswith("device.")]
    assert audit.count("device.command.send") == 2 and "device.command.timeout" in audit

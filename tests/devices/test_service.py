"""What ``kuzet serve`` runs: with devices and MQTT in the site file the service starts the
gateway and a press reaches the store and the operations centre; without, nothing runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import select
from tests.incidents.conftest import wait_for
from tests.support.mqtt import Mosquitto, require_mosquitto

from kuzet.config.models import SiteConfig
from kuzet.incidents.tables import IncidentRow
from kuzet.service import Service


def _site(tmp_path: Path, **more: Any) -> SiteConfig:
    store = {"url": f"sqlite:///{tmp_path / 'kuzet.db'}"}
    return SiteConfig.model_validate({"data_dir": str(tmp_path), "store": store, **more})


def test_the_service_runs_the_gateway_when_configured(tmp_path: Path) -> None:
    require_mosquitto()
    mqtt_broker = Mosquitto(tmp_path / "mosquitto").start()
    try:
        _press_through_the_service(tmp_path, mqtt_broker)
    finally:
        mqtt_broker.stop()


def _press_through_the_service(tmp_path: Path, mqtt_broker: Mosquitto) -> None:
    site = _site(
        tmp_path,
        cameras=[{"id": "cam-1", "main_url": str(tmp_path / "none.mp4"), "enabled": False}],
        devices=[{"id": "sos-1", "kind": "sos_button", "category": "public_safety",
                  "linked_cameras": ["cam-1"]}],
        device_gateway={"mqtt": {"host": mqtt_broker.host, "port": mqtt_broker.port,
                                 "mappings": [{"topic": "sos/+", "device_id": "topic:1",
                                               "event_default": "sos", "event": None}]}},
    )  # fmt: skip
    svc = Service(site, detector=object())  # type: ignore[arg-type]
    assert svc.devices is not None and svc.devices.mqtt is not None
    svc.start()
    try:
        assert svc.devices.mqtt.client.wait_ready(10)
        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="button")
        pub.connect(mqtt_broker.host, mqtt_broker.port)
        pub.loop_start()
        pub.publish("sos/sos-1", json.dumps({"id": "p-1"}), qos=1).wait_for_publish(5)
        pub.disconnect()
        pub.loop_stop()
        with svc.access.engine.connect() as c:
            got = wait_for(lambda: c.execute(select(IncidentRow.type)).all(), timeout=10,
                           what="an incident")  # fmt: skip
        assert [r[0] for r in got] == ["sos"]
        r = svc.app.state.kuzet.store.list_devices()
        assert [d.id for d in r] == ["sos-1"]
        assert b"kuzet_device_events_total" in svc.metrics.render()[0]
        # the operations centre's response is wired: the press's incident gets its linked
        # camera (not analysed here: no live picture), audited
        audit = svc.access.audit
        (rec,) = wait_for(lambda: audit.rows(action="device.alarm.cameras"), timeout=10,
                          what="the alarm's cameras")  # fmt: skip
        assert rec["detail"]["cameras"] == ["cam-1"] and rec["detail"]["device"] == "sos-1"
    finally:
        svc.stop()


def test_no_gateway_without_devices_or_mqtt(tmp_path: Path) -> None:
    svc = Service(_site(tmp_path), detector=object())  # type: ignore[arg-type]
    try:
        assert svc.devices is None and svc.app.state.kuzet.device_webhook is None
    finally:
        svc.store.close()

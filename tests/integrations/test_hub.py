"""The wiring: bus events and the incident engine's changes reach the webhook targets
their filters in the site file choose (JSON events, CAP 1.2 incidents)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from tests.access.conftest import cheap_config

from kuzet.access.service import AccessService
from kuzet.config.integrations import IntegrationsConfig
from kuzet.config.ops import OpsConfig
from kuzet.core import Event
from kuzet.core.records import CameraInfo
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.integrations import cap
from kuzet.integrations.deadletters import DeadLetters
from kuzet.integrations.hub import Integrations
from kuzet.schema import open_store

from .receiver import Receiver

SECRET = "another-secret-for-tests"


@pytest.fixture
def rx() -> Iterator[Receiver]:
    r = Receiver(SECRET.encode())
    yield r
    r.close()


def wait(pred, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("not within time")


def test_filters_choose_what_each_target_gets(tmp_path: Path, rx: Receiver) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    svc = AccessService(store.engine, cheap_config())
    svc.seed_agencies()
    store.upsert_camera(CameraInfo(id="school-1", name="School 12", category="school",
                                   district="Bostandyk", latitude=43.2, longitude=76.9,
                                   main_url="file:a.mp4"))  # fmt: skip
    bus = MemoryBus()
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig()), bus, store)
    cfg = IntegrationsConfig.model_validate({
        "webhooks": [
            {"name": "events-sos", "url": rx.url + "/events", "secret": SECRET,
             "events": {"types": ["sos"]}},
            {"name": "dispatch-112", "url": rx.url + "/cap", "secret": SECRET, "cap": True,
             "incidents": {"types": ["intrusion"], "states": ["new"]}},
        ],
        "cap": {"sender": "kuzet@almaty.example"},
    })  # fmt: skip
    hub = Integrations(cfg, DeadLetters(store.engine), bus=bus, incidents=engine)
    engine.start()
    hub.start()
    try:
        now = datetime.now(UTC)
        bus.publish(Event(id="e-sos", type="sos", camera_id="school-1", ts=now))
        bus.publish(Event(id="e-int", type="intrusion", camera_id="school-1", ts=now,
                          class_name="person", score=0.9))  # fmt: skip
        wait(lambda: len(rx.got) >= 2)
        time.sleep(0.3)  # anything filtered out would have come by now
        assert hub.webhooks.drain(5)
    finally:
        hub.stop()
        engine.stop()
        bus.close()
        store.close()
    assert rx.refused == []
    kinds = sorted(r.headers["X-Kuzet-Kind"] for r in rx.got)
    # the sos event to its target; the intrusion incident (new) as CAP; the sos incident
    # and the intrusion event to nobody
    assert kinds == ["cap", "event"], kinds
    ev = next(r for r in rx.got if r.headers["X-Kuzet-Kind"] == "event")
    body = json.loads(ev.body)
    assert (body["kind"], body["type"], body["event"]["id"]) == ("event", "new", "e-sos")
    xml = next(r for r in rx.got if r.headers["X-Kuzet-Kind"] == "cap")
    assert xml.headers["Content-Type"] == cap.CONTENT_TYPE
    cap.validate(xml.body)
    root = etree.fromstring(xml.body)
    ns = {"c": cap.NS}
    assert root.findtext("c:msgType", namespaces=ns) == "Alert"
    assert root.findtext("c:info/c:event", namespaces=ns) == "intrusion"
    assert root.findtext("c:info/c:area/c:areaDesc", namespaces=ns) == "School 12, Bostandyk"


def test_each_cap_target_gets_the_opening_alert_first(tmp_path: Path, rx: Receiver) -> None:
    """The engine may tell an incident first at version 2 (two events in one batch); the
    change that opened it is the Alert. A change another process makes later (an API
    replica's step on an incident the city's incident engine opened) is an Update there,
    though that process never sent the Alert."""
    from kuzet.incidents.model import Change

    from .test_cap import incident

    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    cfg = IntegrationsConfig.model_validate({
        "webhooks": [{"name": n, "url": rx.url, "secret": SECRET, "cap": True, "incidents": {}}
                     for n in ("a", "b")],
    })  # fmt: skip
    hub, elsewhere = (Integrations(cfg, DeadLetters(store.engine)) for _ in range(2))
    hub.start()
    elsewhere.start()
    try:
        hub.on_changes([Change(incident(version=2), created=True)])
        assert hub.webhooks.drain(5)
        hub.on_changes([Change(incident(version=3))])
        assert hub.webhooks.drain(5)
        elsewhere.on_changes([Change(incident(version=4))])
        assert elsewhere.webhooks.drain(5)
    finally:
        hub.stop()
        elsewhere.stop()
        store.close()
    ns = {"c": cap.NS}
    got = [etree.fromstring(r.body) for r in rx.got]
    types = [(x.findtext("c:msgType", namespaces=ns), x.findtext("c:identifier", namespaces=ns))
             for x in got]  # fmt: skip
    assert sorted(types[:2]) == [("Alert", "kuzet-inc-42")] * 2  # one per target
    assert types[2:] == [("Update", "kuzet-inc-42-v3")] * 2 + [("Update", "kuzet-inc-42-v4")] * 2

"""An operations centre with devices, for the response tests.

The devices are the site file's (``DeviceConfig``) in the real registry over the store.
Device events are put on the bus as the gateway will: ``Event`` with ``camera_id`` = the
device id and the contract's attributes (``device_event``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.incidents.conftest import cheap_access, enrol

from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.assets import ensure
from kuzet.config.devices import DeviceConfig
from kuzet.config.ops import OpsConfig
from kuzet.core.detections import Detections
from kuzet.core.event import Event, event_id
from kuzet.core.frame import Frame
from kuzet.core.records import CameraInfo
from kuzet.devices.mqtt_link import MqttLink
from kuzet.devices.registry import DeviceRegistry
from kuzet.devices.respond import DeviceResponse
from kuzet.devices.settings import ResponseSettings
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.pipeline.tap import FrameTap
from kuzet.record import EvidenceHolds
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore, Store

CAMERAS = [
    CameraInfo(id="cam-a", name="Abai square north", category="public_safety", district="Medeu",
               latitude=43.2380, longitude=76.9450, main_url="file:a.mp4"),
    CameraInfo(id="cam-b", name="Abai square south", category="public_safety", district="Medeu",
               latitude=43.2372, longitude=76.9452, main_url="file:b.mp4"),
    CameraInfo(id="cam-c", name="Market gate", category="public_safety", district="Almaly",
               latitude=43.2601, longitude=76.9302, main_url="file:c.mp4"),
    CameraInfo(id="cam-d", name="Market hall", category="public_safety", district="Almaly",
               latitude=43.2609, longitude=76.9302, main_url="file:d.mp4"),
    CameraInfo(id="cam-far", name="Airport road", category="public_safety", district="Turksib",
               latitude=43.3500, longitude=77.0100, main_url="file:e.mp4"),
]  # fmt: skip
DEVICES = [
    DeviceConfig(id="sos-1", kind="sos_button", name="SOS Abai square", latitude=43.2376,
                 longitude=76.9451, agency="city-police",
                 district="Medeu", linked_cameras=["cam-a", "cam-b"]),
    # no linked cameras: the nearest (cam-c 2 m... cam-d ~90 m) within 500 m are taken
    DeviceConfig(id="fire-1", kind="fire_panel", name="Fire panel, Green Market", latitude=43.26012,
                 longitude=76.93022, agency="emergency", district="Almaly"),
    DeviceConfig(id="siren-1", kind="siren", name="Siren Abai square", latitude=43.2386,
                 longitude=76.9472, agency="city-police",
                 district="Medeu", command_topic="city/siren-1/cmd", ack_topic="city/siren-1/ack"),
    DeviceConfig(id="door-1", kind="door", name="School 25 gate", latitude=43.2205,
                 longitude=76.9089, agency="education",
                 category="school", district="Bostandyk", command_topic="city/door-1/cmd",
                 ack_topic="city/door-1/ack"),
]  # fmt: skip


def device_event(dev: DeviceConfig, type: str, message_id: str, **attrs: Any) -> Event:
    """A device event as the gateway puts it on the bus (the team's contract)."""
    return Event(
        id=event_id(dev.id, type, message_id), type=type, camera_id=dev.id,
        ts=datetime.now(UTC), phase="instant",
        attributes={"device": True, "device_id": dev.id, "device_kind": dev.kind.value,
                    "device_name": dev.name, "linked_cameras": list(dev.linked_cameras),
                    "lat": dev.latitude, "lon": dev.longitude, "source": "mqtt",
                    "message_id": message_id,
                    "raw": {"id": dev.id, "msg": message_id, "event": type}, **attrs},
    )  # fmt: skip


class Feeder:
    """Plays a real picture (bus.jpg) into the frame tap for some cameras at 5 fps, as the
    detector thread does after tracking: the tap encodes only while someone watches."""

    def __init__(self, tap: FrameTap, cameras: Sequence[str]) -> None:
        self.tap, self.cameras = tap, list(cameras)
        self.image = cv2.imread(str(ensure("bus.jpg", quiet=True)))
        assert self.image is not None
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Feeder:
        self._t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._t.join(2.0)

    def _run(self) -> None:
        i = 0
        while not self._stop.wait(0.2):
            i += 1
            for cam in self.cameras:
                frame = Frame(cam, i, i * 0.2, time.time(), np.ascontiguousarray(self.image))
                self.tap.offer(frame, Detections.empty(), (), [])


@dataclass
class City:
    svc: AccessService
    store: Store
    bus: MemoryBus
    app: FastAPI
    client: TestClient
    devices: DeviceResponse
    tap: FrameTap
    holds: EvidenceHolds
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, name: str, agency: str, **kw: Any) -> dict[str, str]:
        self.tokens[name], _ = enrol(self.svc, name, agency, **kw)
        return self.h(name)

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def incidents(self, who: str) -> list[dict[str, Any]]:
        r = self.client.get("/api/ops/incidents", headers=self.h(who))
        assert r.status_code == 200, r.text
        out: list[dict[str, Any]] = r.json()
        return out


@dataclass
class Parts:
    store: Store
    svc: AccessService
    bus: MemoryBus
    app: FastAPI
    devices: DeviceResponse
    engine: OpsEngine
    tap: FrameTap
    holds: EvidenceHolds

    def close(self) -> None:
        self.devices.stop()
        self.engine.stop()
        self.tap.close()
        self.bus.close()
        self.store.close()


def make_parts(
    tmp_path: Path, *, link: MqttLink | None = None, settings: ResponseSettings | None = None,
    faces: Any = None,
) -> Parts:  # fmt: skip
    """A store, access, bus, incident engine, frame tap, holds and the device response,
    started, and the app over them (served by the caller: TestClient or uvicorn)."""
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_access())
    svc.seed_agencies()
    for cam in CAMERAS:
        store.upsert_camera(cam)
    bus = MemoryBus()
    blobs = LocalBlobStore(tmp_path / "blobs")
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig(sla_check_s=0.2)), bus, store)
    tap = FrameTap(4.0)
    holds = EvidenceHolds(store.engine, svc.audit)
    registry = DeviceRegistry(store)
    registry.sync(DEVICES)
    devices = DeviceResponse(
        ops=engine, bus=bus, registry=registry, store=store, blobs=blobs,
        frames=tap, holds=holds, link=link, settings=settings,
    )  # fmt: skip
    engine.start()
    devices.start()
    app = create_app(store=store, blobs=blobs, bus=bus, access=svc, faces=faces,
                     incidents=engine, frames=tap, devices=devices)  # fmt: skip
    return Parts(store, svc, bus, app, devices, engine, tap, holds)


def make_city(
    tmp_path: Path, *, link: MqttLink | None = None, settings: ResponseSettings | None = None
) -> Iterator[City]:
    p = make_parts(tmp_path, link=link, settings=settings)
    try:
        with TestClient(p.app, base_url="http://testserver") as client:
            yield City(p.svc, p.store, p.bus, p.app, client, p.devices, p.tap, p.holds)
    finally:
        p.close()

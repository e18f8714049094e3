"""A site's plate data over a real SQLite store, the in-process bus with the durable
groups the service declares, the incident engine and the real app; ``plate_read``
events built per the READ/DATA contract (TRAFFIC-TEAM.md)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.incidents.conftest import CAMERAS, cheap_access, enrol

from kuzet.access.model import DataClass, Role, Scope
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.ops import OpsConfig
from kuzet.config.platedata import PlateDataConfig
from kuzet.core.event import Event, event_id
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.platedata.services import PlateData
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore, Store
from kuzet.store.sink import EventSink

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def plate_read(
    plate: str,
    camera: str = "traffic-1",
    track: int = 1,
    ts: datetime = T0,
    *,
    snapshot: str | None = None,
    crop: str | None = None,
    display: str | None = None,
) -> Event:
    """A ``plate_read`` event as READ emits it (id from camera, type, track, start pts)."""
    pts = (ts - T0).total_seconds()
    return Event(
        id=event_id(camera, "plate_read", track, pts),
        type="plate_read", camera_id=camera, track_id=track, ts=ts, pts=pts,
        box=(10.0, 20.0, 200.0, 180.0), class_name="car", score=0.91, snapshot=snapshot,
        attributes={
            "plate": plate, "plate_display": display or plate, "plate_format": "kz_2012_private",
            "plate_country": "KZ", "plate_confidence": 0.91, "plate_reads": 7, "plate_votes": 6,
            "plate_crop": crop, "vehicle_class": "car",
        },
    )  # fmt: skip


@dataclass
class Site:
    store: Store
    access: AccessService
    bus: MemoryBus
    plates: PlateData
    ops: OpsEngine
    app: FastAPI
    client: TestClient
    blobs: LocalBlobStore
    sink: EventSink
    tokens: dict[str, str] = field(default_factory=dict)

    def user(
        self,
        name: str,
        agency: str,
        role: Role = Role.INVESTIGATOR,
        *,
        clearances: frozenset[DataClass] | None = None,
        scope: Scope | None = None,
    ) -> dict[str, str]:
        self.tokens[name], _ = enrol(
            self.access, name, agency, role, scope=scope, clearances=clearances
        )
        return self.h(name)

    def h(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def audit(self, action: str) -> list[dict[str, Any]]:
        return self.access.audit.rows(action=action)


def make_site(tmp_path: Path, cfg: PlateDataConfig | None = None) -> Site:
    store = open_store(f"sqlite:///{tmp_path / 'kuzet.db'}")
    access = AccessService(store.engine, cheap_access())
    access.seed_agencies()
    for cam in CAMERAS:
        store.upsert_camera(cam)
    # as kuzet.service.Service declares them: nothing published before a consumer is lost
    bus = MemoryBus(durable_groups=["store", "ops", "plates"], ack_wait=0.5)
    plates = PlateData(store.engine, bus, cfg or PlateDataConfig(match_refresh_s=0.05))
    ops = OpsEngine(IncidentBook(access.engine, access.audit, OpsConfig()), bus, store)
    blobs = LocalBlobStore(tmp_path / "blobs")
    app = create_app(store=store, blobs=blobs, bus=bus, access=access, incidents=ops,
                     plates=plates)  # fmt: skip
    sink = EventSink(bus.subscribe("store"), store, batch_size=50, batch_wait_ms=20)
    return Site(store, access, bus, plates, ops, app, TestClient(app), blobs, sink)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = make_site(tmp_path)
    s.sink.start()
    s.plates.start()
    s.ops.start()
    with s.client:
        yield s
    s.sink.stop(drain=False)
    s.plates.stop()
    s.ops.stop()
    s.bus.close()
    s.store.close()


def hours(n: float) -> timedelta:
    return timedelta(hours=n)

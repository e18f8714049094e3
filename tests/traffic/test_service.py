"""The service runs the ``traffic`` consumer on a durable group made with the bus: what is
published before it starts is not lost; plate reads become trips, sealed-key hashed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.access.conftest import cheap_config

from kuzet.config.models import CameraConfig, SiteConfig, StoreConfig
from kuzet.config.traffic_analytics import TrafficConfig
from kuzet.core.event import Event, event_id
from kuzet.service import Service
from kuzet.traffic.tables import TrafficKeyRow, TrafficOdRow


class _NoDetector:
    labels = ("car",)

    def detect(self, images: list[object]) -> list[object]:  # pragma: no cover - no frames
        return []


def _read(camera: str, ts: float) -> Event:
    return Event(
        id=event_id(camera, "plate_read", 1, ts), type="plate_read", camera_id=camera,
        ts=datetime.fromtimestamp(ts, UTC), attributes={"plate": "123ABC02"},
    )  # fmt: skip


def _wait(cond: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_service_consumes_the_traffic_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUZET_AUDIT_KEY", "k" * 40)
    cams = [CameraConfig(id=c, main_url=f"rtsp://{c}/main", enabled=False) for c in ("a", "b")]
    site = SiteConfig(
        data_dir=tmp_path / "var", store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}"),
        access=cheap_config(), cameras=cams, traffic=TrafficConfig(enabled=True),
    )  # fmt: skip
    svc = Service(site, detector=_NoDetector(), realtime=False)  # type: ignore[arg-type]
    assert svc.traffic is not None
    now = time.time()
    svc.bus.publish(_read("a", now - 120))  # before the consumer runs: kept by its group
    svc.start()
    try:
        svc.bus.publish(_read("b", now - 30))

        def trips() -> int:
            with Session(svc.store.engine) as s:
                return int(s.scalar(select(func.coalesce(func.sum(TrafficOdRow.trips), 0))) or 0)

        _wait(lambda: trips() == 1, "one trip a -> b")
        with Session(svc.store.engine) as s:
            row = s.scalars(select(TrafficOdRow)).one()
            assert (row.origin, row.destination) == ("a", "b")
            assert row.travel_s_sum == pytest.approx(90.0, abs=0.01)
            assert s.scalars(select(TrafficKeyRow)).one().key_id  # sealed with the access ring
    finally:
        svc.stop()

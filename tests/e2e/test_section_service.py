"""Section control in the running service: plate reads on the bus -> the 'section' group ->
an average_speed violation in the store; no consumer group when no section is set."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kuzet.config import CameraConfig, SiteConfig, StoreConfig
from kuzet.config.section import SectionConfig
from kuzet.core import Event, event_id
from kuzet.service import Service

pytestmark = pytest.mark.slow
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def read(camera: str, at_s: float) -> Event:
    return Event(
        id=event_id(camera, "plate_read", 1, at_s), type="plate_read", camera_id=camera,
        ts=T0 + timedelta(seconds=at_s), track_id=1, class_name="car",
        attributes={"plate": "123ABC02", "plate_display": "123 ABC 02", "vehicle_class": "car"},
    )  # fmt: skip


def _site(tmp_path: Path, sections: list[SectionConfig]) -> SiteConfig:
    return SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        cameras=[CameraConfig(id=c, main_url=str(tmp_path / "none.mp4")) for c in ("a", "b")],
        sections=sections,
    )


def test_plate_reads_become_an_average_speed_violation_in_the_store(tmp_path: Path) -> None:
    sec = SectionConfig(name="s1", from_camera="a", to_camera="b", distance_m=1000,
                        limit_kmh=60)  # fmt: skip
    svc = Service(_site(tmp_path, [sec]), realtime=False).start()
    try:
        svc.bus.publish(read("a", 0.0))
        svc.bus.publish(read("b", 45.0))  # 1000 m in 45 s = 80 km/h
        want = event_id("s1", "average_speed", read("a", 0.0).id, read("b", 45.0).id)
        deadline = time.monotonic() + 20
        got = None
        while time.monotonic() < deadline and got is None:
            got = svc.store.get_event(want)
            time.sleep(0.2)
        assert got is not None and got.type == "average_speed"
        assert got.attributes["speed_kmh"] == 80.0 and got.attributes["violation"] is True
    finally:
        svc.stop()


def test_no_section_group_without_sections(tmp_path: Path) -> None:
    svc = Service(_site(tmp_path, []), realtime=False)
    try:
        assert svc.sections is None
        assert "section" not in svc.bus.stats()  # type: ignore[attr-defined]
    finally:
        svc.stop()

"""What ``kuzet serve`` runs with a drone in the site file: a recorded flight (REAL
vtest.avi footage, SYNTHETIC pymavlink telemetry) -> placed events in the store, the
drone's camera entry (its scope) and its path for ``/api/drones``."""

from __future__ import annotations

from pathlib import Path

from tests.drones.flightlog import Sample, write_tlog
from tests.incidents.conftest import wait_for

from kuzet.config.models import NanoDetConfig, SiteConfig
from kuzet.core import EventQuery
from kuzet.service import Service
from kuzet.vision import create_detector

T0 = 1_796_000_000.0


def test_service_flies_a_recorded_flight(tmp_path: Path, vtest_clip: Path) -> None:
    tlog = write_tlog(
        tmp_path / "f.tlog",
        [Sample(t=T0 + i * 0.25, lat=43.2389, lon=76.8897, alt=30.0, yaw=45.0, gimbal_pitch=-45.0)
         for i in range(50)],
    )  # fmt: skip
    site = SiteConfig.model_validate({
        "data_dir": str(tmp_path), "store": {"url": f"sqlite:///{tmp_path / 'kuzet.db'}"},
        "analysis": {"fps": 5},
        "drones": [{"id": "drone-1", "name": "M30", "url": str(vtest_clip),
                    "telemetry": {"type": "mavlink", "url": str(tlog)},
                    "camera": {"hfov_deg": 60}, "district": "Medeu"}],
    })  # fmt: skip
    svc = Service(site, detector=create_detector(NanoDetConfig(threads=1)), realtime=False)
    cam = svc.store.get_camera("drone-1")
    assert cam is not None and cam.district == "Medeu" and cam.latitude is None
    svc.start()
    try:
        svc.drones.wait(60)
        res = svc.drones.analyzers["drone-1"].result
        assert res.frames >= 45 and res.events
        q = EventQuery(camera_id=["drone-1"], type=["drone_detection"], limit=1000)
        stored = wait_for(
            lambda: len(svc.store.query_events(q)[0]) == len(res.events), 10, "stored events"
        )
        assert stored
        for e in svc.store.query_events(q)[0]:
            assert e.attributes["projection"] == "flat_ground"
            assert abs(e.attributes["lat"] - 43.2389) < 0.002
        track = svc.app.state.kuzet.drones.geojson("drone-1")
        assert (
            track is not None and len(track["geometry"]["coordinates"]) == 14
        )  # 0..12 s + the last sample (12.25 s)
    finally:
        svc.stop()

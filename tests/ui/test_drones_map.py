"""A drone's path on the operations map (SYNTHETIC telemetry written with pymavlink): the
line and the named marker appear, and a camera under the path stays clickable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.drones.flightlog import Sample, write_tlog
from tests.incidents.conftest import make_ops, stop_ops

from kuzet.config.ops import OpsConfig
from kuzet.core.records import CameraInfo
from kuzet.drones.mavlink import read_mavlink
from kuzet.drones.tracks import DroneTracks

from .conftest import Server, login, person, shot, until

pytestmark = pytest.mark.slow

T0 = 1_796_000_000.0
CAMS = [
    CameraInfo(id="park-1", name="Central park", category="public_safety", district="Medeu",
               latitude=43.2390, longitude=76.8890, main_url="file:c.mp4"),
    # the drone shares the camera id space (its scope); no fixed place on the map
    CameraInfo(id="drone-1", name="DJI M30 #1", category="public_safety", district="Medeu",
               main_url="file:drone.mp4"),
]  # fmt: skip


def test_drone_path_is_drawn_and_cameras_stay_clickable(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMS)
    samples = [
        Sample(t=T0 + i, lat=43.238 + i * 2e-4, lon=76.888 + i * 2e-4, alt=30.0 + i, yaw=45.0)
        for i in range(11)
    ]
    tracks = DroneTracks()
    tracks.add_telemetry(
        "drone-1",
        read_mavlink(write_tlog(tmp_path / "f.tlog", samples)),
        name="DJI M30 #1",
        flight="f1",
    )
    app.state.kuzet.drones = tracks
    secret = person(svc, "duty", "situation-centre")
    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            login(page, server.url, "duty", secret, lang="ru")
            until(page, "window.kuzetMap && window.kuzetMap.dronePath('drone-1') === 11")
            label = until(page, "document.querySelector('.drone-label')?.innerText")
            assert label == "DJI M30 #1 · 40 m"
            pt = page.evaluate("window.kuzetMap.dronePoint('drone-1')")
            box = page.locator("#map").bounding_box()
            assert box is not None
            assert box["x"] < pt["x"] < box["x"] + box["width"]
            assert box["y"] < pt["y"] < box["y"] + box["height"]
            assert page.locator(".leaflet-overlay-pane path").count() >= 1
            # the park camera lies under the path: its icon still opens its card
            cam = until(page, "window.kuzetMap.cameraPoint('park-1')")
            page.mouse.click(cam["x"], cam["y"])
            page.wait_for_selector("#detail [data-camera='park-1']")
            shot(page, tmp_path, "drones-map")
    finally:
        stop_ops(app)
        bus.close()
        store.close()

"""5,000 cameras on the map and 100 events a second over the WebSocket: everything still
arrives and the page still works (the queue counts every incident, the map clusters the
cameras, a click opens an incident's card). How fast it stays is measured by
bench/ui_responsiveness.py, not asserted here: a busy machine must not fail the suite.
(Synthetic load: logic, not vision.)"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.incidents.conftest import make_ops, stop_ops

from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo

from .conftest import Server, login, person, shot, until

pytestmark = pytest.mark.slow

CAMERAS, RATE, SECONDS = 5000, 100.0, 4.0
CATEGORIES = ["public_safety", "traffic", "school", "safe_yard", "infrastructure", "hospital"]
DISTRICTS = ["Almaly", "Auezov", "Bostandyk", "Medeu", "Alatau", "Zhetysu", "Turksib"]


def _cams(n: int) -> list[CameraInfo]:
    rnd = random.Random(7)
    return [
        CameraInfo(id=f"c{i:05d}", name=f"Camera {i}", category=rnd.choice(CATEGORIES),
                   district=rnd.choice(DISTRICTS), latitude=43.17 + rnd.random() * 0.17,
                   longitude=76.78 + rnd.random() * 0.24, main_url="file:none.mp4",
                   direction_deg=rnd.random() * 360)
        for i in range(n)
    ]  # fmt: skip


def test_map_and_queue_take_a_flood(browser: Any, tmp_path: Path) -> None:
    cams = _cams(CAMERAS)
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(group_window_s=0), cams)
    secret = person(svc, "duty", "situation-centre")  # the platform sees the whole city
    sent = [0]

    def publish() -> None:  # RATE * SECONDS events, paced at RATE (a busy machine: slower)
        rnd, t0 = random.Random(1), time.monotonic()
        while sent[0] < RATE * SECONDS:
            if (wait := t0 + sent[0] / RATE - time.monotonic()) > 0:
                time.sleep(wait)
            cam = rnd.choice(cams)
            bus.publish(Event(id=f"e{sent[0]}", type=rnd.choice(["zone_presence", "fight"]),
                              camera_id=cam.id, ts=datetime.now(UTC), phase="start",
                              score=round(rnd.random(), 2)))  # fmt: skip
            sent[0] += 1

    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            login(page, server.url, "duty", secret, lang="en")
            until(page, "Number(document.querySelector('#map')?.dataset.cameras) > 0")
            clusters = page.evaluate("window.kuzetMap.clusterPoints()")
            assert clusters and sum(c["n"] for c in clusters) <= CAMERAS
            assert max(c["n"] for c in clusters) > 1  # thousands of pins become clusters
            pub = threading.Thread(target=publish, daemon=True)
            pub.start()
            while pub.is_alive():  # real input while the flood goes on
                page.click("nav button[data-tab=wall]")
                page.click("nav button[data-tab=map]")
                page.wait_for_timeout(300)
            pub.join()
            until(page, f"document.querySelector('#queue-count').textContent === '({sent[0]})'", 30)
            assert page.locator("#queue li[data-id]").count() == 200  # the DOM holds the top rows
            # the map redraws its rings at most ten times a second in a flood: it catches up
            until(page, f"document.querySelector('#map').dataset.incidents === '{sent[0]}'", 10)
            row = page.locator("#queue li[data-id]").first
            inc_id = row.get_attribute("data-id")
            row.click()
            page.wait_for_selector(f"#detail [data-incident='{inc_id}']", timeout=10_000)
            shot(page, tmp_path, "07-5000-cameras-100-per-s", docs=True)
    finally:
        stop_ops(app)
        bus.close()
        store.close()

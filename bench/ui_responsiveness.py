"""The operations centre under load: thousands of cameras on the map and a flood of
events, while the operator clicks. Measured in the page: animation-frame intervals (fps)
and how late a 50 ms timer fires (a stand-in for input delay), plus the click round trip
through Playwright (which includes the automation protocol, not only the page).

    .venv/bin/python bench/ui_responsiveness.py [--cameras 5000] [--rate 100] [--seconds 10]

Synthetic load (logic, not vision): random cameras over Almaty, each event a new incident
routed to the situation centre's operator, published on the in-process bus. Server,
browser and publisher share this machine. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from _ui_common import ARGS, CHROMIUM, Server, cheap_access, pct, person, sign_in
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event
from kuzet.core.records import CameraInfo
from kuzet.events import MemoryBus
from kuzet.incidents.book import IncidentBook
from kuzet.incidents.engine import OpsEngine
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore

CATEGORIES = ["public_safety", "traffic", "school", "safe_yard", "infrastructure", "hospital"]
DISTRICTS = ["Almaly", "Auezov", "Bostandyk", "Medeu", "Alatau", "Zhetysu", "Turksib"]
PROBE = """
window.__probe = {frames: [], lag: []};
(function () {
  let last = performance.now();
  function frame(t) {
    window.__probe.frames.push(t - last); last = t; requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  function tick() {
    const due = performance.now() + 50;
    setTimeout(() => {
      window.__probe.lag.push(performance.now() - due); setTimeout(tick, 50);
    }, 50);
  }
  tick();
})();
"""


def cameras(n: int) -> list[CameraInfo]:
    rnd = random.Random(7)
    return [CameraInfo(id=f"c{i:05d}", name=f"Camera {i}", category=rnd.choice(CATEGORIES),
                       district=rnd.choice(DISTRICTS), latitude=43.17 + rnd.random() * 0.17,
                       longitude=76.78 + rnd.random() * 0.24, main_url="file:none.mp4",
                       direction_deg=rnd.random() * 360)
            for i in range(n)]  # fmt: skip


def run(n_cams: int, rate: float, seconds: float) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="kuzet-ui-load-"))
    store = open_store(f"sqlite:///{tmp / 'kuzet.db'}")
    svc = AccessService(store.engine, cheap_access())
    svc.seed_agencies()
    cams = cameras(n_cams)
    for cam in cams:
        store.upsert_camera(cam)
    bus = MemoryBus()
    engine = OpsEngine(IncidentBook(svc.engine, svc.audit, OpsConfig(group_window_s=0)), bus, store)
    engine.start()
    app = create_app(store=store, blobs=LocalBlobStore(tmp / "blobs"), bus=bus, access=svc,
                     faces=None, incidents=engine)  # fmt: skip
    secret = person(svc, "duty", "situation-centre")  # sees the whole city
    stop, sent = threading.Event(), [0]

    def publish() -> None:
        rnd, t0 = random.Random(1), time.monotonic()
        while not stop.is_set():
            if (wait := t0 + sent[0] / rate - time.monotonic()) > 0:
                time.sleep(wait)
            cam = rnd.choice(cams)
            bus.publish(Event(id=f"e{sent[0]}", type=rnd.choice(["zone_presence", "fight"]),
                              camera_id=cam.id, ts=datetime.now(UTC), phase="start",
                              score=round(rnd.random(), 2)))  # fmt: skip
            sent[0] += 1

    try:
        with Server(app) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            sign_in(page, server.url, "duty", secret)
            page.wait_for_selector("#map[data-cameras]")
            page.wait_for_timeout(1500)
            pub = threading.Thread(target=publish, daemon=True)
            pub.start()
            page.wait_for_timeout(1000)
            page.evaluate(PROBE)
            clicks: list[float] = []
            end = time.monotonic() + seconds
            while time.monotonic() < end:  # real input while the flood goes on
                t0 = time.perf_counter()
                page.mouse.wheel(0, 0)
                page.click("nav button[data-tab=map]")
                clicks.append(time.perf_counter() - t0)
                page.wait_for_timeout(400)
            probe = page.evaluate("window.__probe")
            queue = page.inner_text("#queue-count")
            stop.set()
            pub.join(timeout=2)
            browser.close()
    finally:
        stop.set()
        engine.stop()
        bus.close()
        store.close()
    frames, lag = probe["frames"][1:], probe["lag"]
    return {
        "bench": "ui_responsiveness", "machine": f"{platform.machine()} {platform.system()}",
        "cameras": n_cams, "events_per_s": rate, "events_sent": sent[0], "queue": queue,
        "frame_ms_p50": round(pct(frames, 0.5), 1), "frame_ms_p95": round(pct(frames, 0.95), 1),
        "frame_ms_max": round(max(frames), 1), "fps": round(1000 * len(frames) / sum(frames), 1),
        "timer_lag_ms_p95": round(pct(lag, 0.95), 1), "timer_lag_ms_max": round(max(lag), 1),
        "click_roundtrip_ms_p95": round(1000 * pct(clicks, 0.95), 1),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cameras", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=100.0, help="events per second")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--quick", action="store_true", help="500 cameras, 20 events/s, 3 s")
    a = ap.parse_args()
    if a.quick:
        a.cameras, a.rate, a.seconds = min(a.cameras, 500), min(a.rate, 20.0), min(a.seconds, 3.0)
    print(json.dumps(run(a.cameras, a.rate, a.seconds)))


if __name__ == "__main__":
    main()

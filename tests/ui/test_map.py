"""The map is usable with the mouse: a click on a camera's icon opens that camera's card
(the outline underneath takes no pointer events), hovering names the camera, a cluster
zooms in, the camera list finds a camera by name; with a PMTiles basemap in the site file
the basemap is drawn from our own server by byte ranges and the cameras stay clickable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.incidents.basemap_file import make_basemap
from tests.incidents.conftest import ev, make_ops, stop_ops

from kuzet.config.ops import OpsConfig
from kuzet.core.records import CameraInfo

from .conftest import Hold, Server, login, person, shot, until
from .test_browser_flow import outside_requests

pytestmark = pytest.mark.slow

CAMS = [
    CameraInfo(id="school-1", name="School 25 gate", category="school", district="Bostandyk",
               latitude=43.2205, longitude=76.9089, main_url="file:a.mp4",
               direction_deg=45, fov_deg=70),
    CameraInfo(id="traffic-1", name="Al-Farabi / Dostyk", category="traffic", district="Medeu",
               latitude=43.2183, longitude=76.9172, main_url="file:b.mp4", direction_deg=200),
    CameraInfo(id="park-1", name="Central park", category="public_safety", district="Medeu",
               latitude=43.262, longitude=76.965, main_url="file:c.mp4"),
]  # fmt: skip


def tile_pixels(page: Any) -> int:
    """How many basemap tile canvases have drawn something other than one flat colour."""
    return int(
        page.evaluate("""[...document.querySelectorAll('.leaflet-kuzet-base-pane canvas')]
      .filter(c => { if (!c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < d.length; i += 4 * 97)
          if (d[i] !== d[0] || d[i+1] !== d[1]) return true;
        return false; }).length""")
    )


def run_map(browser: Any, tmp_path: Path, cfg: OpsConfig, basemap: bool) -> None:
    store, svc, bus, app = make_ops(tmp_path, cfg, CAMS)
    secret = person(svc, "duty", "situation-centre")  # the platform: every camera
    try:
        with Server(app) as server:
            ctx = browser.new_context(viewport={"width": 1440, "height": 860})
            outside = outside_requests(ctx, server)
            ranges: list[int] = []
            ctx.on(
                "response",
                lambda r: ranges.append(r.status) if "basemap.pmtiles" in r.url else None,
            )
            page = ctx.new_page()
            login(page, server.url, "duty", secret, lang="ru")
            kind = "pmtiles" if basemap else "schematic"
            page.wait_for_selector(f"#map[data-basemap={kind}]")

            # Zoomed out the two central cameras share one cluster: a click zooms in.
            until(page, "window.kuzetMap && window.kuzetMap.cameraPoint('park-1')")
            assert page.evaluate("window.kuzetMap.cameraPoint('school-1')") is None
            page.fill(".cam-search", "farabi")  # the list finds it; a click centres the map on it
            page.click(".cam-rows li[data-camera='traffic-1']")
            page.wait_for_selector("#detail [data-camera='traffic-1']")
            pt = until(page, "window.kuzetMap.cameraPoint('school-1')", 10)  # now drawn on its own

            page.mouse.move(pt["x"], pt["y"])
            until(page, "!document.querySelector('.map-tip').hidden")
            assert page.inner_text(".map-tip").startswith("School 25 gate")
            page.mouse.click(pt["x"], pt["y"])
            page.wait_for_selector("#detail [data-camera='school-1']")
            assert page.inner_text("#d-camera-name") == "School 25 gate"
            if basemap:
                until(
                    page, "document.querySelectorAll('.leaflet-kuzet-base-pane canvas').length > 0"
                )
                page.wait_for_timeout(1500)
                assert tile_pixels(page) > 0
                assert 206 in ranges and all(s in (200, 206) for s in ranges), ranges
                assert (
                    page.inner_text(".leaflet-control-attribution")
                    == "© OpenStreetMap contributors"
                )
            shot(page, tmp_path, f"15-map-{kind}", docs=True)
            assert outside == [], outside
            ctx.close()
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_cameras_are_clickable_on_the_outline_map(browser: Any, tmp_path: Path) -> None:
    run_map(browser, tmp_path, OpsConfig(), basemap=False)


def test_cameras_are_clickable_on_a_pmtiles_basemap(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "almaty.pmtiles"
    make_basemap(path, range(9, 14))
    cfg = OpsConfig(basemap=path, basemap_attribution="© OpenStreetMap contributors")
    run_map(browser, tmp_path, cfg, basemap=True)


def test_a_cluster_click_zooms_in(browser: Any, tmp_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMS)
    secret = person(svc, "duty", "situation-centre")
    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            login(page, server.url, "duty", secret, lang="ru")
            until(page, "window.kuzetMap && window.kuzetMap.cameraPoint('park-1')")
            for _ in range(3):  # a cluster's click zooms in by two steps, until it splits
                if page.evaluate("window.kuzetMap.cameraPoint('school-1')"):
                    break
                c = page.evaluate("window.kuzetMap.clusterPoints()")[0]
                assert c["n"] == 2
                page.mouse.click(c["x"], c["y"])
                page.wait_for_timeout(600)
            assert page.evaluate("window.kuzetMap.cameraPoint('school-1')")
            assert page.evaluate("window.kuzetMap.cameraPoint('traffic-1')")
    finally:
        stop_ops(app)
        bus.close()
        store.close()


def test_a_slow_camera_card_keeps_its_events_out_of_the_next_one(
    browser: Any, tmp_path: Path
) -> None:
    """An operator opens one camera's card, then another before the first one's recent
    events came back: the card shown lists its own camera's events, not the first one's
    (the late answer used to fill the card then on screen)."""
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMS)
    school, traffic = ev("school-1"), ev("traffic-1")
    store.insert_events([school, traffic])
    secret = person(svc, "duty", "situation-centre")
    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            login(page, server.url, "duty", secret, lang="en")
            held = Hold(page, lambda u: "/api/events?" in u and "camera_id=school-1" in u)
            page.fill(".cam-search", "School")
            page.click(".cam-rows li[data-camera='school-1']")
            held.wait()
            page.fill(".cam-search", "Farabi")
            page.click(".cam-rows li[data-camera='traffic-1']")
            page.wait_for_selector(f"#d-events li[data-event='{traffic.id}']")
            held.release()
            assert page.query_selector("#detail [data-camera='traffic-1']") is not None
            assert page.locator(f"#d-events li[data-event='{school.id}']").count() == 0
            assert page.locator(f"#d-events li[data-event='{traffic.id}']").count() == 1
    finally:
        stop_ops(app)
        bus.close()
        store.close()

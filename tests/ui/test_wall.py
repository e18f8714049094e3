"""The camera wall as an operator fills it: cameras added from their cards (found in the
camera list), layouts of 1, 4, 9 and 16 tiles, each tile with its camera's state and the
time of the newest frame it shows, a tile full screen on double-click, and a named view
saved on the server that comes back after a reload (real vtest frames as snapshots)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.incidents.conftest import make_ops, stop_ops

from kuzet.access.model import Role
from kuzet.config.ops import OpsConfig
from kuzet.core.event import Event

from .conftest import Server, footage, login, person, shot, until
from .test_map import CAMS

pytestmark = pytest.mark.slow
TIME = r"/\d\d:\d\d:\d\d/"


def add_from_list(page: Any, name: str, cam: str) -> None:
    page.click("nav button[data-tab=map]")
    page.fill(".cam-search", name)
    page.click(f".cam-rows li[data-camera='{cam}']")
    page.wait_for_selector(f"#detail [data-camera='{cam}']")
    page.click("#d-wall")
    page.wait_for_selector("#d-wall[disabled]")


def test_wall_layouts_tiles_and_saved_views(browser: Any, tmp_path: Path, vtest_path: Path) -> None:
    store, svc, bus, app = make_ops(tmp_path, OpsConfig(), CAMS)
    jpg, _ = footage(vtest_path, frames=5)
    # the park's picture is an event of three hours ago: its tile must say so (the part's
    # X-Frame-Time), not the time the bytes arrived
    now = datetime.now(UTC).replace(microsecond=0)
    taken = {c.id: now - timedelta(hours=3, minutes=7, seconds=5) if c.id == "park-1" else now
             for c in CAMS}  # fmt: skip
    events = [Event(id=f"snap-{c.id}", type="zone_presence", camera_id=c.id, ts=taken[c.id],
                    phase="start", rule="yard", snapshot=f"snapshots/snap-{c.id}.jpg")
              for c in CAMS]  # fmt: skip
    for e in events:
        app.state.kuzet.blobs.put(e.snapshot, jpg)
    store.insert_events(events)
    # an investigator: cleared to see faces, so frames need no blurring in this API-only run
    secret = person(svc, "ivan", "situation-centre", Role.INVESTIGATOR)
    try:
        with Server(app) as server:
            page = browser.new_context(viewport={"width": 1440, "height": 860}).new_page()
            login(page, server.url, "ivan", secret, lang="ru")
            add_from_list(page, "School", "school-1")
            add_from_list(page, "park", "park-1")
            page.click("nav button[data-tab=wall]")
            page.wait_for_selector("#wall[data-layout='4']")
            assert page.locator("#wall figure").count() == 4
            assert page.locator("#wall figure[data-camera]").count() == 2
            for cam in ("school-1", "park-1"):
                tile = f"#wall figure[data-camera='{cam}']"
                until(page, f'document.querySelector("{tile} img").naturalWidth > 0', 15)
                until(page, f'{TIME}.test(document.querySelector("{tile} .frame").textContent)')
                assert page.get_attribute(f"{tile} .dot", "class") == "dot st-unknown"
            almaty = taken["park-1"].astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M:%S")
            assert almaty in page.inner_text("#wall figure[data-camera='park-1'] .frame")
            assert "Пусто" in page.inner_text("#wall figure.empty")
            shot(page, tmp_path, "16-wall-four-tiles", docs=True)

            for n in (9, 16, 1):
                page.click(f".wall-bar button[data-layout='{n}']")
                page.wait_for_selector(f"#wall[data-layout='{n}']")
                assert page.locator("#wall figure").count() == n
            assert page.get_attribute("#wall figure", "data-camera") == "school-1"
            page.click(".wall-bar button[data-layout='4']")

            page.dblclick("#wall figure[data-camera='park-1'] img")
            page.wait_for_selector("#wall figure.full[data-camera='park-1']")
            page.keyboard.press("Escape")
            page.wait_for_selector("#wall figure.full", state="detached")

            page.fill("#wall-view-name", "Ночная смена")
            page.click("#wall-save")
            page.wait_for_selector("#wall-msg:has-text('сохранён')")
            page.reload()  # the session survives (refresh cookie); the view is on the server
            page.wait_for_selector("#app:not([hidden])", timeout=10_000)
            page.click("nav button[data-tab=wall]")
            until(page, "document.querySelector('#wall-views').value === 'Ночная смена'")
            cams = page.eval_on_selector_all(
                "#wall figure[data-camera]", "fs => fs.map(f => f.dataset.camera)"
            )
            assert cams == ["school-1", "park-1"]
            page.click("nav button[data-tab=map]")
            until(page, "document.querySelector('#wall').dataset.streams === '0'")  # streams closed
    finally:
        stop_ops(app)
        bus.close()
        store.close()

"""Traffic in the browser: an analyst opens the Traffic tab, picks a road segment and
15-minute bins, presses Show, and sees vehicles and speed with the next hour's forecast
beside them, and the latest figures in a table.

DATA: SYNTHETIC — three days of 15-minute figures from kuzet.traffic.synthetic written
as lane rows (no recorded traffic counts ship in any package)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from kuzet.access.model import Role
from kuzet.access.service import AccessService
from kuzet.api import create_app
from kuzet.config.access import AccessConfig, Argon2Config, PasswordPolicy
from kuzet.core.records import CameraInfo
from kuzet.events.memory import MemoryBus
from kuzet.schema import open_store
from kuzet.store import LocalBlobStore
from kuzet.traffic.synthetic import generate
from kuzet.traffic.tables import TrafficBinRow

from .conftest import Server, login, person, shot, until

pytestmark = pytest.mark.slow
VIEW = {"width": 1440, "height": 900}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[AccessService, Server, Any, int]]:
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    store.upsert_camera(
        CameraInfo(id="cam-abay", name="Abay / Dostyk", main_url="rtsp://cam-abay/main")
    )
    cheap = PasswordPolicy(argon2=Argon2Config(time_cost=1, memory_kib=8, parallelism=1))
    access = AccessService(store.engine, AccessConfig(passwords=cheap))
    access.seed_agencies()
    s = generate("abay-north", days=3, seed=5)
    end = int(time.time()) // 900 * 900
    first = end - len(s.counts) * 900
    with Session(store.engine) as db, db.begin():
        for i, (n, v) in enumerate(zip(s.counts, s.speed_kmh, strict=True)):
            db.add(TrafficBinRow(
                event_id=f"synthetic-{i}", lane="n1", camera_id="cam-abay", approach="north",
                segment="abay-north", bin_start=first + 900 * i, bin_s=900, partial=False,
                count=int(n), counts={"car": int(n)}, speed_n=max(1, int(n)),
                speed_sum_kmh=float(v) * max(1, int(n)), observed_s=900.0,
                occupied_s=min(900.0, 4.0 * n), queue_veh_s=0.0, queue_max_veh=int(n // 40),
                queue_max_m=None,
            ))  # fmt: skip
    app = create_app(store=store, blobs=LocalBlobStore(tmp_path), bus=MemoryBus(), access=access)
    with Server(app) as server:
        yield access, server, s, end
    store.close()


def test_analyst_sees_counts_and_speed_with_the_forecast(
    browser: Any, site: tuple[AccessService, Server, Any, int], tmp_path: Path
) -> None:
    access, server, series, end = site
    secret = person(access, "dana", "situation-centre", Role.OPERATOR)
    page = browser.new_context(viewport=VIEW).new_page()
    login(page, server.url, "dana", secret, lang="en")

    page.click("#tabs button[data-tab=traffic]")
    page.wait_for_selector("#tr-segment option", state="attached")
    page.select_option("#tr-segment", "abay-north")
    page.select_option("#tr-bin", "900")
    page.click("#tr-show")
    until(page, "document.querySelector('#tr-out')?.dataset.state === 'done'", timeout=30)
    for metric in ("count", "speed"):
        svg = f"svg[data-metric={metric}]"
        assert page.get_attribute(f"{svg} polyline.measured", "data-n") == "96"  # last 24 h
        assert page.get_attribute(f"{svg} polyline.forecast", "data-n") == "4"  # next hour
    assert page.locator("#tr-no-forecast").count() == 0
    assert "mfles" in page.inner_text("#tr-out")

    # the table: the latest quarter first, with what was stored for it
    latest = page.locator("#tr-latest tbody tr").first
    assert latest.get_attribute("data-start") == str(end - 900)
    assert latest.locator("td.count").inner_text() == str(int(series.counts[-1]))
    assert latest.locator("td.speed").inner_text() == f"{series.speed_kmh[-1]:g}"
    shot(page, tmp_path, "traffic", docs=True)

"""The service wires it all: the plugin writes rows while cameras run, the API finds them
(real footage: the first 10 s of vtest.avi), and stopping writes what was buffered."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import City, cheap_config

from kuzet.access.model import Role
from kuzet.config import CameraConfig, SiteConfig, StoreConfig
from kuzet.config.faces import FacesConfig
from kuzet.service import Service

pytestmark = pytest.mark.slow


def test_service_indexes_tracks_and_serves_the_search(tmp_path: Path, vtest_clip: Path) -> None:
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        access=cheap_config(),
        faces=FacesConfig(clothing_colours=True),
        cameras=[CameraConfig(id="yard", main_url=str(vtest_clip))],
    )
    svc = Service(site, realtime=False)
    assert svc.archive_index is not None and "archive" in svc.enrichment.enabled
    since = datetime.now(UTC) - timedelta(minutes=1)
    with TestClient(svc.app, base_url="https://testserver") as client:
        city = City(svc.access, svc.store, svc.blobs, svc.bus, svc.app, client)  # type: ignore[arg-type]
        city.user("oper", "situation-centre", Role.OPERATOR)
        svc.start()
        try:
            assert svc.node.wait(120)  # the 10 s file ends: its open tracks become rows
            writer = svc.enrichment.state("archive").writer
            deadline = time.monotonic() + 10
            while writer.rows_written + writer.waiting == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            writer.flush()  # the service flushes every 30 s; the test does not wait for it
            params = {"since": since.isoformat(), "until": (datetime.now(UTC)).isoformat(),
                      "class_name": "person"}  # fmt: skip
            r = client.get("/api/archive/tracks", headers=city.h("oper"), params=params)
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            assert len(items) >= 4  # ~7 people walk in the first 10 s of vtest.avi
            assert all(i["camera_id"] == "yard" and i["frame_w"] == 768 for i in items)
            assert sum("upper_colour" in i["attributes"] for i in items) >= len(items) // 2
            assert all(i["snapshot_url"] for i in items)
        finally:
            svc.stop()
    assert not svc.enrichment.state("archive").writer._thread  # stopped by the service

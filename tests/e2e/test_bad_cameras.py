"""Broken cameras next to a good one: each shows a clear status in the API, the good one
keeps producing events, and nothing crashes."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from kuzet.config import (
    CameraConfig,
    IntrusionRuleConfig,
    SceneRuleSetConfig,
    SiteConfig,
    StoreConfig,
)
from kuzet.service import Service

from .conftest import integration_key

pytestmark = pytest.mark.slow


def test_bad_cameras_do_not_disturb_the_good_one(tmp_path: Path, vtest_clip: Path) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(np.random.default_rng(1).integers(0, 256, 100_000, np.uint8).tobytes())
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(vtest_clip.read_bytes()[:5000])
    rule = [SceneRuleSetConfig(rules=[IntrusionRuleConfig(name="people")])]
    cams = {
        "good": str(vtest_clip),
        "corrupt": str(corrupt),
        "truncated": str(truncated),
        "missing": str(tmp_path / "nope.mp4"),
        "refused": "rtsp://127.0.0.1:9/stream",
        "scheme": "ftp://127.0.0.1/cam",
    }
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        cameras=[CameraConfig(id=k, main_url=v, rules=rule) for k, v in cams.items()],
    )
    svc = Service(site).start()
    client = TestClient(svc.app, headers={"X-API-Key": integration_key(svc.access)})
    client.__enter__()  # runs the app's lifespan (live event hub), as uvicorn does
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = {c["id"]: c["status"] for c in client.get("/api/cameras").json()}
            events = client.get("/api/events", params={"camera_id": "good"}).json()["items"]
            settled = all(status[k]["state"] != "starting" for k in cams)
            if settled and events:
                break
            time.sleep(0.3)
        assert events, "the good camera produced no events"
        assert status["good"]["state"] in ("online", "finished")
        for bad in ("corrupt", "missing", "scheme"):
            assert status[bad]["state"] == "failed", (bad, status[bad])
            assert status[bad]["reason"], bad
        assert status["refused"]["state"] == "reconnecting"
        assert "refused" in status["refused"]["reason"]
        # a file cut after a few KB has no decodable picture: failed or finished, never stuck
        assert status["truncated"]["state"] in ("failed", "finished")
        health = client.get("/healthz")
        assert health.status_code == 200, health.json()
    finally:
        client.__exit__(None, None, None)
        svc.stop()

"""A real RTSP camera goes away and comes back: the service reconnects, the API shows the
outage while it lasts, and events resume afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rtsp import RtspServer, gstreamer_missing, make_h264_clip
from services import require_service

from kuzet.config import (
    CameraConfig,
    IntrusionRuleConfig,
    SceneRuleSetConfig,
    SiteConfig,
    StoreConfig,
)
from kuzet.service import Service

from .conftest import integration_key

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]


def wait_for(pred: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def rtsp_camera(tmp_path: Path) -> RtspServer:
    why = gstreamer_missing()
    if why:
        require_service("rtsp", why)
    return RtspServer(make_h264_clip(tmp_path / "cam.ts", seconds=12))


def test_outage_is_visible_and_events_resume(tmp_path: Path, rtsp_camera: RtspServer) -> None:
    server = rtsp_camera.start()
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        cameras=[
            CameraConfig(
                id="gate-1",
                category="school",
                main_url=server.url,
                rules=[
                    SceneRuleSetConfig(
                        rules=[IntrusionRuleConfig(name="people", classes=["person"])]
                    )
                ],
            )
        ],
    )
    svc = Service(site).start()
    client = TestClient(svc.app, headers={"X-API-Key": integration_key(svc.access)})
    client.__enter__()  # runs the app's lifespan (live event hub), as uvicorn does

    def cam() -> dict:  # type: ignore[type-arg]
        return client.get("/api/cameras/gate-1").json()

    def events() -> list[dict]:  # type: ignore[type-arg]
        return client.get("/api/events", params={"limit": 1000}).json()["items"]

    try:
        wait_for(lambda: cam()["status"]["state"] == "online", 30, "camera online")
        wait_for(lambda: len(events()) >= 1, 60, "first events")
        server.stop()
        down = wait_for(
            lambda: (s := cam()["status"])["state"] == "reconnecting" and s, 30, "outage in API"
        )
        assert down["reason"]  # the operator sees why
        health = client.get("/healthz").json()
        assert health["cameras"]["online"] == 0
        time.sleep(2)  # a real outage lasts a while
        restarted_at = time.time()
        server.start()
        back = wait_for(lambda: (s := cam()["status"])["state"] == "online" and s, 60, "reconnect")
        assert back["reconnects"] >= 1
        snap = wait_for(
            lambda: [e for e in events() if _ts(e["ts"]) > restarted_at and e["snapshot"]],
            60,
            "events after the reconnect",
        )
        ev = snap[0]  # type: ignore[index]
        img = client.get(f"/api/events/{ev['id']}/snapshot")
        assert img.status_code == 200 and img.content[:2] == b"\xff\xd8"
        metrics = client.get("/metrics").text
        assert 'kuzet_camera_fps{camera_id="gate-1"}' in metrics
    finally:
        client.__exit__(None, None, None)
        svc.stop()
        server.stop()


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()

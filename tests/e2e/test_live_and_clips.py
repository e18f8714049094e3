"""The running service on real footage: the camera wall's MJPEG carries live annotated
frames from the frame tap, and an event gets a downloadable MP4 clip around it (faces
blurred for the integration account, which has no biometric clearance)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
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
from kuzet.config.models import AnalysisConfig, ClipConfig
from kuzet.media.mp4 import mp4_frames
from kuzet.service import Service

from .conftest import integration_key

pytestmark = pytest.mark.slow


@pytest.fixture
def running(tmp_path: Path, vtest_clip: Path) -> Iterator[tuple[Service, TestClient]]:
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        analysis=AnalysisConfig(clips=ClipConfig(pre_s=4.0, post_s=3.0)),
        cameras=[CameraConfig(id="yard", main_url=str(vtest_clip), loop=True,
                              rules=[SceneRuleSetConfig(rules=[IntrusionRuleConfig(
                                  name="people", classes=["person"])])])],
    )  # fmt: skip
    svc = Service(site)
    key = integration_key(svc.access)
    with TestClient(svc.app, headers={"X-API-Key": key}) as client:
        svc.start()
        try:
            yield svc, client
        finally:
            svc.stop()


def parts(body: bytes) -> list[bytes]:
    out = []
    for chunk in body.split(b"--kuzetframe\r\n")[1:]:
        head, _, rest = chunk.partition(b"\r\n\r\n")
        n = int(next(h for h in head.split(b"\r\n") if h.startswith(b"Content-Length"))[15:])
        out.append(rest[:n])
    return out


def test_live_mjpeg_and_event_clip(running: tuple[Service, TestClient]) -> None:
    svc, client = running
    r = client.get("/api/ops/cameras/yard/live.mjpeg", params={"frames": 6})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("multipart/x-mixed-replace")
    jpegs = parts(r.content)
    assert len(jpegs) == 6 and all(j[:2] == b"\xff\xd8" for j in jpegs)
    img = cv2.imdecode(np.frombuffer(jpegs[-1], np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[:2] == (
        480,
        640,
    )  # a tap frame (downscaled), not a 768-wide snapshot
    assert len(set(jpegs)) >= 5  # it moves
    # each part says when its frame was decoded (X-Frame-Time), moving on with the frames
    stamps = [datetime.fromisoformat(v.decode()) for v in
              re.findall(rb"X-Frame-Time: (\S+)\r\n", r.content)]  # fmt: skip
    assert len(stamps) == 6 and stamps == sorted(stamps) and len(set(stamps)) >= 5
    assert abs((stamps[-1] - datetime.now(UTC)).total_seconds()) < 60
    assert svc.tap.encoded >= 5 and svc.tap.viewers("yard") == 0  # the viewer was let go

    deadline, clip, clip_url = time.monotonic() + 60, None, ""
    while clip is None and time.monotonic() < deadline:
        items = client.get("/api/events", params={"camera_id": "yard"}).json()["items"]
        ev = next((e for e in items if e["attributes"].get("clip")), None)
        if ev is not None:
            got = client.get(f"/api/events/{ev['id']}/clip")
            if got.status_code == 200:
                clip, clip_url = got, f"/api/events/{ev['id']}/clip"
                break
            assert got.status_code == 404, got.text  # still recording its post-roll
        time.sleep(0.5)
    assert clip is not None, "no clip within 60 s"
    assert clip.headers["content-type"] == "video/mp4" and clip.content[4:8] == b"ftyp"
    times = [t for t, _ in mp4_frames(clip.content)]
    span = times[-1] - times[0]
    assert 2.0 <= span <= 7.5, span  # post-roll 3 s plus up to 4 s of pre-roll
    assert svc.clips is not None and svc.clips.written
    # the blurred copy was made once and kept beside the original
    stored = [p.name for p in (svc.site.data_dir / "clips").rglob("*.mp4")]
    assert any(n.endswith(".anon.mp4") for n in stored), stored
    part = client.get(clip_url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == clip.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(clip.content)}"
    missing = client.get("/api/events/nope/clip")
    assert missing.status_code == 404

"""Issue 14 end to end, every stage real: a video (the real bus.jpg with a SYNTHETIC KZ plate
pasted on the bus, panned across frames) -> NanoDet -> ByteTrack -> the plate enricher
(PP-OCR) -> one ``plate_read`` on the bus -> the ``plates`` consumer stores it and matches
the stolen-car list -> a ``plate_match`` incident owned by the city police -> found by the
plate search of a city-police investigator, and by nobody without plates clearance."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.incidents.conftest import enrol

from kuzet.access.model import Role
from kuzet.assets import ensure
from kuzet.config import CameraConfig, SiteConfig, StoreConfig
from kuzet.media.mp4 import encode_mp4
from kuzet.plates.grammar import FORMATS
from kuzet.plates.synth import paste, plate_quad, render_plate
from kuzet.service import Service

pytestmark = pytest.mark.slow
BUS_BOX = (20.0, 214.0, 790.0, 751.0)  # where NanoDet finds the bus in bus.jpg


def _clip(path: Path, text: str) -> Path:
    img = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    fmt = next(f for f in FORMATS if f.name == "kz_2012_private")
    plate = render_plate(text, fmt)
    q = plate_quad(BUS_BOX, width_frac=0.22, aspect=plate.shape[1] / plate.shape[0],
                   centre=(0.68, 0.86), tilt_deg=3)  # fmt: skip
    scene = paste(img, plate, q)
    # 12 frames at 5 fps, panning 4 px a frame (even sizes for H.264)
    frames = [(k / 5, np.ascontiguousarray(scene[:1080, 4 * k : 4 * k + 760])) for k in range(12)]
    path.write_bytes(encode_mp4(frames, crf=18))
    return path


def _wait(what: str, fn: Any, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if got := fn():
            return got
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _login(svc: Service, name: str, agency: str, role: Role) -> dict[str, str]:
    token, _ = enrol(svc.access, name, agency, role)  # with TOTP, as a person signs in
    return {"Authorization": f"Bearer {token}"}


def test_a_stolen_car_read_on_video_is_a_city_police_incident(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "road.mp4", "123ABC02")
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        cameras=[CameraConfig(id="traffic-1", main_url=str(clip), category="traffic")],
        plates={"enabled": True},
    )
    svc = Service(site, realtime=False)
    assert svc.plates is not None
    lst = svc.plates.lists.create("city-police", "Stolen cars", created_by="test")
    svc.plates.lists.put(lst.id, "123 ABC 02", reason="stolen 2026-12-01", added_by="test")
    svc.start()
    try:
        client = TestClient(svc.app)
        police = _login(svc, "investigator", "city-police", Role.INVESTIGATOR)
        operator = _login(svc, "operator", "city-police", Role.OPERATOR)  # no plates clearance

        def incidents(h: dict[str, str]) -> list[dict[str, Any]]:
            r = client.get("/api/ops/incidents", headers=h)
            assert r.status_code == 200, r.text
            return [i for i in r.json() if i["type"] == "plate_match"]

        (inc,) = _wait("the plate_match incident", lambda: incidents(police))
        assert inc["agency_id"] == "city-police" and inc["camera_id"] == "traffic-1"
        assert incidents(operator) == []

        r = client.get("/api/plates/reads", headers=police,
                       params={"q": "123*02", "reason": "case 77"})  # fmt: skip
        assert r.status_code == 200, r.text
        rows = r.json()["reads"]
        assert [row["plate"] for row in rows] == ["123ABC02"], rows
        r = client.get("/api/plates/reads", headers=operator,
                       params={"q": "123*02", "reason": "case 77"})  # fmt: skip
        assert r.status_code == 403, r.text
    finally:
        svc.stop()

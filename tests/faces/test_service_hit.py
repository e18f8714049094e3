"""The running service with faces enabled: an enrolled face walking past a school camera
gives exactly one ``watchlist_hit``. The police investigator sees it (hits API and
events API); the education department's operator sees the camera's other events but
neither the hit nor the lists. Person boxes are scripted (the detector is not under
test); frames, tracker, face finder, quality, dlib, FAISS, bus, store and API are real."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.access.conftest import City, cheap_config
from tests.faces.test_e2e_hit import _clip

from kuzet.access.model import Role
from kuzet.assets import ensure
from kuzet.config import SiteConfig, StoreConfig
from kuzet.config.faces import FacesConfig
from kuzet.config.models import AnalysisConfig, CameraConfig
from kuzet.core import COCO_CLASSES, Detections
from kuzet.crypto import KeyRing
from kuzet.faces.records import PersonRecord
from kuzet.service import Service

pytestmark = pytest.mark.slow


class PastedPerson:
    """Finds which clip frame it was given (frames are unique) and returns its box."""

    labels = COCO_CLASSES

    def __init__(self, clip: list[tuple[np.ndarray, tuple[int, int, int, int]]]) -> None:
        self.small = [img[::8, ::8].astype(np.int16) for img, _ in clip]
        self.boxes = [box for _, box in clip]

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        out = []
        for img in images:
            diff = [np.abs(s - img[::8, ::8]).mean() for s in self.small]
            box = self.boxes[int(np.argmin(diff))]
            out.append(Detections(np.array([box], np.float32), np.array([0.9], np.float32),
                                  np.array([0], np.int32)))  # fmt: skip
        return out


def test_enrolled_face_gives_one_hit_seen_by_police_not_by_education(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = _clip(tmp_path, "obama2.jpg", width=220)  # 42 px between the eyes (docs/faces.md)
    monkeypatch.setenv("KUZET_FACE_KEYS", KeyRing.generate("k1"))
    site = SiteConfig(
        data_dir=tmp_path / "var",
        store=StoreConfig(url=f"sqlite:///{tmp_path / 'k.db'}", batch_wait_ms=10),
        access=cheap_config(),
        analysis=AnalysisConfig(motion={"enabled": False}),  # type: ignore[arg-type]
        faces=FacesConfig(enabled=True, clothing_colours=True, gender=True),
        cameras=[
            CameraConfig(
                id="school-gate",
                category="school",
                main_url=str(tmp_path / "obama2.jpg.mp4"),
                fps=10,
            )
        ],  # type: ignore[arg-type]
    )
    svc = Service(site, detector=PastedPerson(clip), realtime=False)
    assert svc.faces is not None
    wl = svc.faces.lists.create("city-police", "Wanted")
    photo = ensure("obama.jpg").read_bytes()
    assert svc.faces.lists.upsert(wl.id, PersonRecord("case-1", "Suspect", [photo]))[0] == "created"
    client = TestClient(svc.app)
    city = City(svc.access, svc.store, svc.blobs, svc.bus, svc.app, client)
    city.user("police_inv", "city-police", Role.INVESTIGATOR)
    city.user("edu_op", "education", Role.OPERATOR)
    svc.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            cam = client.get("/api/cameras/school-gate", headers=city.h("police_inv")).json()
            if cam["status"]["state"] == "finished":
                break
            time.sleep(0.3)
        time.sleep(1.5)  # the sink commits the tail
        police, edu = city.h("police_inv"), city.h("edu_op")
        hits = client.get("/api/faces/hits", headers=police).json()["items"]
        assert len(hits) == 1 and hits[0]["watchlist_id"] == wl.id and hits[0]["score"] >= 0.963
        evs = client.get("/api/events", headers=police, params={"type": "watchlist_hit"}).json()
        assert [e["id"] for e in evs["items"]] == [hits[0]["event_id"]]
        # gender from the face, for the cleared investigator (age was removed, issue 13)
        q = {"type": "person_attributes"}
        (attrs,) = [e["attributes"] for e in client.get("/api/events", headers=police, params=q)
                    .json()["items"]]  # fmt: skip
        assert attrs["gender"] == "male" and "age_band" not in attrs, attrs
        # education: the camera is theirs and they see its events, but not the hit, and
        # not what was inferred from the face
        items = client.get("/api/events", headers=edu).json()["items"]
        seen = {e["type"] for e in items}
        assert "person_attributes" in seen and "watchlist_hit" not in seen
        (edu_attrs,) = [e["attributes"] for e in items if e["type"] == "person_attributes"]
        assert "upper_colour" in edu_attrs
        assert not {"gender", "age_band", "age_estimate"} & set(edu_attrs)
        assert client.get("/api/faces/hits", headers=edu).status_code == 403
        assert client.get("/api/watchlists", headers=edu).status_code == 403
        got = client.get(f"/api/events/{hits[0]['event_id']}", headers=edu)
        assert got.status_code == 404
    finally:
        svc.stop()

"""Gender and age band (FaceRes via Kuzet's converter) on the real face photos of the
asset catalog. Truth: public figures and the t1.jpg cast, gender known; ages by eye at
the time of each photo, approximate (see docs/faces.md)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from kuzet.assets import ensure
from kuzet.attributes.clothing import ClothingColours
from kuzet.attributes.demographics import (
    FaceDemographics,
    PersonGender,
    age_band,
    decode_age,
    face_crop,
)
from kuzet.config.faces import FacesConfig
from kuzet.core import Detections, Frame
from kuzet.faces.detector import FaceFinder

# faces left to right in each photo
GENDER = {
    "obama.jpg": ["male"], "obama2.jpg": ["male"], "obama3.jpg": ["male"],
    "biden.jpg": ["male"], "zidane.jpg": ["male", "male"],
    "t1.jpg": ["female", "female", "male", "male", "male", "female"],
}  # fmt: skip


def _read(name: str) -> np.ndarray:
    img = cv2.imread(str(ensure(name, quiet=True)))
    assert img is not None
    return img


def test_age_decoding_and_bands() -> None:
    p = np.zeros(100, np.float32)
    p[40], p[41], p[39] = 0.6, 0.3, 0.1
    assert decode_age(p) == pytest.approx(43.0)  # 40 nudged toward 41 by 10 x 0.3
    assert [age_band(a) for a in (5, 18, 29.9, 44, 59, 75)] == [
        "0-17", "18-29", "18-29", "30-44", "45-59", "60+",
    ]  # fmt: skip
    img = np.full((50, 80, 3), 200, np.uint8)
    crop = face_crop(img, (60, 10, 80, 40))  # runs off the right edge: zero padded
    assert crop.shape == (224, 224, 3) and crop[:, -1].max() == 0 and crop[112, 60].min() == 200


@pytest.mark.slow
def test_gender_on_real_faces_and_age_order() -> None:
    finder, demo = FaceFinder(), FaceDemographics()
    got: dict[str, list[tuple[str | None, float]]] = {}
    for name in GENDER:
        img = _read(name)
        boxes = sorted(finder.find(img)[:, :4].tolist(), key=lambda b: b[0])
        got[name] = [(d.gender, d.age) for d in (demo.estimate(img, b) for b in boxes)]
    assert {k: [g for g, _ in v] for k, v in got.items()} == GENDER  # 12 of 12
    # ages are approximate: Biden (about 65-70 here) reads older than Obama (about 47-50) ...
    assert got["biden.jpg"][0][1] > max(got[f][0][1] for f in ("obama.jpg", "obama2.jpg"))
    # ... and the t1.jpg cast (about 30) between 18 and 44
    assert all(18 <= a < 45 for _, a in got["t1.jpg"])


def test_enricher_adds_gender_from_the_face_in_the_person_box() -> None:
    img = _read("t1.jpg")
    faces = sorted(FaceFinder().find(img)[:, :4].tolist(), key=lambda b: b[0])
    boxes = []
    for fx1, fy1, fx2, _ in (faces[0], faces[2]):  # a woman and a man (GENDER["t1.jpg"])
        fw = fx2 - fx1
        boxes.append((fx1 - 0.5 * fw, fy1 - 0.3 * fw, fx2 + 0.5 * fw, fy1 + 4 * fw))
    enr = ClothingColours("cam", every_n=1, looks=2, min_height=60, gender=PersonGender())
    tracks = Detections(np.array(boxes), np.array([0.9, 0.9]), np.array([0, 0]), np.array([1, 2]))
    events = []
    for i in range(2):
        events += enr.enrich(Frame("cam", i, i / 10, 1.7e9 + i / 10, img), tracks)
    got = {e.track_id: e.attributes["gender"] for e in events}
    assert got == {1: "female", 2: "male"}
    assert all(e.attributes["gender_confidence"] > 0.5 for e in events)
    assert "age_band" not in events[0].attributes  # measured too unreliable to emit


def test_gender_needs_faces_enabled() -> None:
    with pytest.raises(ValidationError, match=r"faces\.gender needs"):
        FacesConfig(gender=True, clothing_colours=True)
    assert FacesConfig(gender=True, clothing_colours=True, enabled=True).gender

"""Gender (FaceRes) and age band (FaceRes-deep), both via Kuzet's converter, on the real
face photos of the asset catalog. Truth: tests/faces/data/demographics.json (public
figures with ages from public records at the time of each photo, and the t1.jpg cast)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from kuzet.assets import ensure
from kuzet.attributes.clothing import ClothingColours
from kuzet.attributes.demographics import (
    FaceDemographics,
    PersonFace,
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
def test_gender_on_real_faces() -> None:
    finder, demo = FaceFinder(), FaceDemographics(age=False)
    got: dict[str, list[str | None]] = {}
    for name in GENDER:
        img = _read(name)
        boxes = sorted(finder.find(img)[:, :4].tolist(), key=lambda b: b[0])
        found = [demo.estimate(img, b) for b in boxes]
        assert all(d.age is None and d.age_band is None for d in found)  # age not asked
        got[name] = [d.gender for d in found]
    assert got == GENDER  # 12 of 12


TRUTH = json.loads((Path(__file__).parent / "data/demographics.json").read_text())["faces"]


@pytest.mark.slow
def test_age_band_on_faces_of_known_age() -> None:
    """FaceRes-deep puts 5 of the 8 faces of known age in the right band (docs/faces.md);
    its miss is Obama, read in his late thirties at 47-55 (all three photos)."""
    finder, demo = FaceFinder(), FaceDemographics(gender=False)
    right, ages = [], {}
    for f in (f for f in TRUTH if f["age"] is not None):
        img = _read(f["image"])
        boxes = finder.find(img)[:, :4]
        centres = (boxes[:, :2] + boxes[:, 2:]) / 2
        box = boxes[np.argmin(np.linalg.norm(centres - np.array(f["near"]), axis=1))]
        d = demo.estimate(img, box)
        assert d.gender is None and d.age is not None
        ages[f["who"].split(" (")[0]] = d.age
        right.append(d.age_band == age_band(f["age"][0]))
    assert sum(right) >= 5, ages
    # the two oldest read as the oldest, the youngest as the youngest
    assert min(ages["Joe Biden"], ages["Grace Hopper"]) > max(
        v for k, v in ages.items() if k not in ("Joe Biden", "Grace Hopper")
    )
    assert ages["Lionel Messi"] == min(ages.values())


def test_enricher_adds_gender_from_the_face_in_the_person_box() -> None:
    img = _read("t1.jpg")
    faces = sorted(FaceFinder().find(img)[:, :4].tolist(), key=lambda b: b[0])
    boxes = []
    for fx1, fy1, fx2, _ in (faces[0], faces[2]):  # a woman and a man (GENDER["t1.jpg"])
        fw = fx2 - fx1
        boxes.append((fx1 - 0.5 * fw, fy1 - 0.3 * fw, fx2 + 0.5 * fw, fy1 + 4 * fw))
    enr = ClothingColours("cam", every_n=1, looks=2, min_height=60, face=PersonFace())
    tracks = Detections(np.array(boxes), np.array([0.9, 0.9]), np.array([0, 0]), np.array([1, 2]))
    events = []
    for i in range(2):
        events += enr.enrich(Frame("cam", i, i / 10, 1.7e9 + i / 10, img), tracks)
    got = {e.track_id: e.attributes["gender"] for e in events}
    assert got == {1: "female", 2: "male"}
    assert all(e.attributes["gender_confidence"] > 0.5 for e in events)
    assert all("age_band" not in e.attributes for e in events)  # age removed (issue 13)
    only_gender = ClothingColours("cam", every_n=1, looks=1, min_height=60, face=PersonFace())
    attrs = only_gender.enrich(Frame("cam", 0, 0, 1.7e9, img), tracks)[0].attributes
    assert "gender" in attrs and "age_band" not in attrs


def test_gender_and_age_need_faces_enabled() -> None:
    with pytest.raises(ValidationError, match=r"faces\.gender needs"):
        FacesConfig(gender=True, clothing_colours=True)
    with pytest.raises(ValidationError, match=r"faces\.age was removed"):
        FacesConfig(age=True, clothing_colours=True, enabled=True)
    with pytest.raises(ValueError, match="gender, age or both"):
        FaceDemographics(gender=False, age=False)

"""Alignment from landmarks: head roll is undone, on a real face turned by known angles."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest

from kuzet.assets import ensure
from kuzet.config.faces import FacesConfig
from kuzet.faces.align import ARCFACE_112, DetectedFace, align, roll_degrees, similarity
from kuzet.faces.detector import FaceFinder
from kuzet.faces.embedders import Embedder, create_embedder
from kuzet.faces.landmarks import DlibLandmarker


def test_similarity_recovers_a_known_transform() -> None:
    """Logic check on synthetic points: rotation 20 deg, scale 2.5, shift (30, -7)."""
    a, s = np.radians(20), 2.5
    rot = s * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    src = (ARCFACE_112 - 56) @ rot.T + [300, 200]
    m = similarity(src.astype(np.float32), ARCFACE_112)
    np.testing.assert_allclose(src @ m[:, :2].T + m[:, 2], ARCFACE_112, atol=1e-3)
    m2 = similarity(src[:2].astype(np.float32), ARCFACE_112[:2])  # two points: exact
    np.testing.assert_allclose(src @ m2[:, :2].T + m2[:, 2], ARCFACE_112, atol=1e-3)


def _rotate(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)  # counter-clockwise on screen
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


@cache
def _finder() -> FaceFinder:
    return FaceFinder()


@cache
def _landmarker() -> DlibLandmarker:
    return DlibLandmarker()


def _face(bgr: np.ndarray) -> DetectedFace:
    f = max(_finder().find_faces(bgr), key=lambda f: f.box[2] - f.box[0])
    return _landmarker().refine(bgr, f)


@cache
def _embedder(kind: str) -> Embedder:
    return create_embedder(FacesConfig.model_validate({"embedder": {"type": kind}}).embedder)


def _box_crop(bgr: np.ndarray, face: DetectedFace) -> np.ndarray:
    x1, y1, x2, y2 = (int(v) for v in face.box)
    return cv2.resize(bgr[y1:y2, x1:x2], (112, 112))


@pytest.mark.parametrize("deg", [-30, -15, 15, 30])
def test_roll_is_corrected_by_alignment(deg: float) -> None:
    """obama.jpg turned in the image plane: the roll read from the landmarks is the turn,
    the aligned crops agree with the upright one (the box crops do not), and the
    embeddings stay closer to the upright face than to another person's."""
    bgr = cv2.imread(str(ensure("obama.jpg", quiet=True)))
    up, turned = bgr, _rotate(bgr, deg)
    f_up, f_turn = _face(up), _face(turned)
    raw = max(_finder().find_faces(turned), key=lambda f: f.box[2] - f.box[0])
    assert abs(roll_degrees(raw) + deg) < 4  # BlazeFace's eyes: a CCW turn reads negative
    assert abs(roll_degrees(f_turn) + deg) < 3  # dlib's
    assert abs(roll_degrees(f_up)) < 3
    c_up, c_turn = (align(i, f).astype(np.float32) for i, f in ((up, f_up), (turned, f_turn)))
    aligned = float(np.abs(c_turn - c_up).mean())
    boxed = float(np.abs(_box_crop(turned, f_turn) - _box_crop(up, f_up).astype(np.float32)).mean())
    assert aligned < 12, aligned  # measured 6.9-9.7 grey levels
    assert boxed > 2.5 * aligned, (boxed, aligned)  # measured 33-42
    biden = cv2.imread(str(ensure("biden.jpg", quiet=True)))
    for kind, floor in (("mobileface", 0.9), ("faceres", 0.9)):
        e = _embedder(kind)
        same = float(e.embed(turned, f_turn) @ e.embed(up, f_up))
        other = float(e.embed(biden, _face(biden)) @ e.embed(up, f_up))
        assert same > floor and same > other + 0.3, (kind, same, other)

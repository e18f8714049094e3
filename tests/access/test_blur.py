"""Faces blurred on real photos; snapshots for roles without biometric clearance."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from services import require_service

from kuzet.access.blur import blur_jpeg, blur_regions
from kuzet.access.model import Role
from kuzet.assets import AssetError, ensure

from .conftest import City

# Faces in zidane.jpg (1280x720), located by eye: Zidane, then Ancelotti.
ZIDANE_FACES = [(530, 281, 663, 414), (908, 129, 1062, 283)]


@pytest.fixture(scope="module")
def detector():  # type: ignore[no-untyped-def]
    try:
        from kuzet.vision.blazeface import default_detector

        return default_detector()
    except AssetError as exc:  # pragma: no cover - offline machine without the npm package
        require_service("blazeface model", str(exc))


def _iou(a: np.ndarray, b: tuple[int, int, int, int]) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return float(inter / (area(a) + area(b) - inter))


def test_detector_finds_the_faces_in_a_real_photo(detector) -> None:  # type: ignore[no-untyped-def]
    img = cv2.imread(str(ensure("zidane.jpg", quiet=True)))
    boxes = sorted(detector.detect(img).tolist())
    assert len(boxes) == 2
    for box, want in zip(boxes, ZIDANE_FACES, strict=True):
        assert _iou(np.array(box), want) > 0.5, (box, want)
    bus = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    assert len(detector.detect(bus)) >= 2  # the people getting off the bus
    assert len(detector.detect(np.full((480, 640, 3), 127, np.uint8))) == 0


def test_blur_changes_faces_and_keeps_the_rest(detector) -> None:  # type: ignore[no-untyped-def]
    data = ensure("zidane.jpg", quiet=True).read_bytes()
    out, n = blur_jpeg(data, detector)
    assert n == 2
    a = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).astype(np.float32)
    b = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_COLOR).astype(np.float32)
    for x1, y1, x2, y2 in ZIDANE_FACES:  # detail (high frequencies) is gone from faces
        face_a, face_b = a[y1:y2, x1:x2], b[y1:y2, x1:x2]
        lap = lambda im: cv2.Laplacian(im, cv2.CV_32F).var()  # noqa: E731
        assert lap(face_b) < 0.1 * lap(face_a)
    corner = (slice(600, 720), slice(0, 300))  # far from both faces: untouched (JPEG noise)
    assert np.abs(a[corner] - b[corner]).mean() < 3.0


def test_blur_regions_clips_at_the_border() -> None:
    img = np.random.default_rng(0).integers(0, 255, (50, 60, 3), np.uint8)
    out = blur_regions(img, np.array([[-10, -10, 20, 20], [55, 45, 80, 90]], np.float32))
    assert out.shape == img.shape and not np.array_equal(out[:10, :10], img[:10, :10])


def test_snapshot_is_blurred_without_biometric_clearance(city: City, detector) -> None:  # type: ignore[no-untyped-def]
    photo = ensure("zidane.jpg", quiet=True).read_bytes()
    key = "snapshots/2025/01/01/street-1/ev.jpg"
    city.blobs.put(key, photo)
    city.app.state.kuzet.faces = lambda: detector
    city.user("opr", "city-police", Role.OPERATOR)
    city.user("invx", "city-police", Role.INVESTIGATOR)
    url = "/api/events/ev-street-1-4/snapshot"
    seen = city.client.get(url, headers=city.h("invx"))
    assert seen.status_code == 200 and seen.content == photo  # cleared: the original
    blurred = city.client.get(url, headers=city.h("opr"))
    assert blurred.status_code == 200 and blurred.content != photo
    assert blurred.headers["cache-control"].startswith("private")
    img = cv2.imdecode(np.frombuffer(blurred.content, np.uint8), cv2.IMREAD_COLOR)
    assert len(detector.detect(img)) == 0  # nothing recognisable is left


def test_no_detector_means_no_picture(city: City) -> None:
    def broken():  # type: ignore[no-untyped-def]
        raise AssetError("model missing")

    city.app.state.kuzet.faces = broken
    city.user("opr", "city-police", Role.OPERATOR)
    r = city.client.get("/api/events/ev-street-1-4/snapshot", headers=city.h("opr"))
    assert r.status_code == 503 and r.json()["error"] == "anonymisation_unavailable"

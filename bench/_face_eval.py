"""The face evaluation set shared by bench/face_embedders.py and bench/face_search.py.

Every real face photo the registries' packages ship that Kuzet could find (assets in
``kuzet.assets``, fetched by the package clients, sha256-checked):

- ``t1.jpg``, ``tom_hanks.png`` (insightface 2.1 wheel)
- ``bus.jpg``, ``zidane.jpg`` (ultralytics 8.4.190 wheel)
- ``obama.jpg``, ``obama2.jpg``, ``obama3.jpg``, ``biden.jpg`` (face_recognition 1.3.0
  sdist; its ``32bit.png`` is obama2.jpg again and ``obama_partial_face*.jpg`` are crops
  of obama.jpg, so they are left out: they are not new photos)
- ``grace_hopper.jpg`` (matplotlib 3.11.2 wheel). Left out: ``messi5.jpg`` (Debian
  opencv-doc): Messi's face has 11.5 px between the eyes, under the live gate, and the
  finder's other box there is a blurred spectator, not clearly a face
- ``faceapi_sample1..6.jpg`` (npm @vladmandic/face-api 1.7.15, ``package/demo/``: six
  group photos of adults)

Identities: one per face, except Obama (three different photos, the only real genuine
pairs). Faces are found by Kuzet's own finder and landmarked by dlib; each face's
identity is its photo and its rank from the left. The split is by identity and fixed:
tuning photos and reporting photos share no person, and every threshold is chosen on
the tuning part only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import cv2
import numpy as np

from kuzet.assets import ensure

TUNING = ("faceapi_sample1.jpg", "faceapi_sample3.jpg", "faceapi_sample5.jpg", "t1.jpg", "bus.jpg")
REPORTING = (
    "faceapi_sample2.jpg", "faceapi_sample4.jpg", "faceapi_sample6.jpg", "zidane.jpg",
    "obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "grace_hopper.jpg",
    "tom_hanks.png",
)  # fmt: skip
SAME_PERSON = {"obama.jpg": "obama", "obama2.jpg": "obama", "obama3.jpg": "obama"}
MIN_EYE_PX = 12.0  # the live quality gate's size: smaller faces are not matched at all


@dataclass(frozen=True)
class EvalFace:
    """One real face: where it is and who it is (``box``, dlib's 5 landmarks)."""

    photo: str
    identity: str
    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    variant: str = "original"  # or the augmentation applied
    image: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0, 3), np.uint8))


class Embedder(Protocol):
    """The shape EMB's ``kuzet.faces.embedders`` exposes (VISION-TEAM.md)."""

    name: str
    dim: int

    def embed(self, bgr: np.ndarray, face: EvalFace) -> np.ndarray: ...


@cache
def _landmarker() -> Callable[[np.ndarray, tuple[float, ...]], np.ndarray]:
    import dlib

    shape = dlib.shape_predictor(str(ensure("shape_predictor_5_face_landmarks.dat", quiet=True)))

    def run(bgr: np.ndarray, box: tuple[float, ...]) -> np.ndarray:
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        rect = dlib.rectangle(*(int(v) for v in box[:4]))
        return np.array([[p.x, p.y] for p in shape(rgb, rect).parts()], np.float32)

    return run


def eye_px(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[0:2].mean(0) - landmarks[2:4].mean(0)))


def find_faces(bgr: np.ndarray) -> list[tuple[tuple[float, float, float, float], np.ndarray]]:
    """Boxes and landmarks of the faces big enough to match, left to right."""
    from kuzet.faces.detector import default_finder

    out = []
    for b in default_finder().find(bgr):
        box = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        pts = _landmarker()(bgr, box)
        if eye_px(pts) >= MIN_EYE_PX:
            out.append((box, pts))
    return sorted(out, key=lambda f: f[0][0])


def load(photos: tuple[str, ...]) -> list[EvalFace]:
    faces = []
    for photo in photos:
        img = cv2.imread(str(ensure(photo, quiet=True)))
        found = find_faces(img)
        for i, (box, pts) in enumerate(found):
            who = SAME_PERSON.get(photo) or (photo if len(found) == 1 else f"{photo}#{i}")
            faces.append(EvalFace(photo, who, box, pts, image=img))
    return faces


def _around(face: EvalFace, grow: float = 1.2) -> tuple[np.ndarray, tuple[int, int]]:
    """The face with ``grow`` box-widths of context on each side (augmentations act here)."""
    x1, y1, x2, y2 = face.box
    m = (x2 - x1) * grow
    h, w = face.image.shape[:2]
    a, b = int(max(0, x1 - m)), int(max(0, y1 - m))
    c, d = int(min(w, x2 + m)), int(min(h, y2 + m))
    return face.image[b:d, a:c], (a, b)


def _jpeg(img: np.ndarray, q: int) -> np.ndarray:
    _ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def rotate(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


AUGMENTATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "half size": lambda im: cv2.resize(im, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
    "blur": lambda im: cv2.GaussianBlur(im, (0, 0), 1.5),
    "jpeg q30": lambda im: _jpeg(im, 30),
    "60% light": lambda im: (im.astype(np.float32) * 0.6).astype(np.uint8),
    "mirror": lambda im: im[:, ::-1].copy(),
    "roll +15": lambda im: rotate(im, 15),
    "roll -15": lambda im: rotate(im, -15),
}


def augmented(face: EvalFace, names: tuple[str, ...] | None = None) -> Iterator[EvalFace]:
    """Augmented copies of ``face``, found again by the finder in the changed picture
    (a copy where the face is lost is skipped: the live path would lose it too)."""
    region, _ = _around(face)
    for name in names or tuple(AUGMENTATIONS):
        img = np.ascontiguousarray(AUGMENTATIONS[name](region))
        found = find_faces(img)
        if not found:
            continue
        centre = np.array(img.shape[1::-1], np.float32) / 2
        box, pts = min(found, key=lambda f: float(np.linalg.norm(f[1][4] - centre)))
        yield EvalFace(face.photo, face.identity, box, pts, name, img)


def pairs(labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of different identities, and of the same identity."""
    ii, jj = np.triu_indices(len(labels), 1)
    lab = np.asarray(labels)
    same = lab[ii] == lab[jj]
    return np.stack([ii[~same], jj[~same]], 1), np.stack([ii[same], jj[same]], 1)


def threshold_at(impostor: np.ndarray, fmr: float) -> float:
    """The lowest threshold whose share of impostor scores *at or above* it is <= fmr."""
    s = np.sort(np.asarray(impostor, np.float64))[::-1]
    k = int(np.floor(fmr * len(s)))  # how many impostor scores may pass
    if k >= len(s):
        return float(s[-1])
    return float(np.nextafter(s[k], np.inf))

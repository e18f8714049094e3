"""Face templates: dlib's 128-d ResNet on 5-point aligned chips, L2-normalised.

dlib ships its weights in a registry package (``face-recognition-models``) and its
binary wheel (``dlib-bin``) installs in seconds. On the real same-person pairs we have
it separates genuine from impostor pairs cleanly (docs/faces.md). Templates are unit
vectors, so cosine similarity = inner product, which is what the index searches.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.faces.detector import FaceFinder, default_finder
from kuzet.faces.quality import Quality, QualityPolicy, assess

DIM = 128


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]
    landmarks: np.ndarray  # [5, 2]
    quality: Quality
    template: np.ndarray | None  # [128] float32 unit vector; None when quality failed

    def crop(self, bgr: np.ndarray, margin: float = 0.3) -> np.ndarray:
        x1, y1, x2, y2 = self.box
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        h, w = bgr.shape[:2]
        return bgr[
            int(max(0, y1 - my)) : int(min(h, y2 + my)), int(max(0, x1 - mx)) : int(min(w, x2 + mx))
        ].copy()


class FaceEmbedder:
    def __init__(self, finder: FaceFinder | None = None) -> None:
        import dlib

        self._dlib = dlib
        self.finder = finder or default_finder()
        self._shape = dlib.shape_predictor(
            str(ensure("shape_predictor_5_face_landmarks.dat", quiet=True))
        )
        self._net = dlib.face_recognition_model_v1(
            str(ensure("dlib_face_recognition_resnet_model_v1.dat", quiet=True))
        )
        self._lock = threading.Lock()  # dlib models are not documented as thread-safe

    def faces(self, bgr: np.ndarray, policy: QualityPolicy | None = None) -> list[Face]:
        """Every face in ``bgr`` with its quality; templates only for usable ones."""
        return [self.analyze(bgr, tuple(b), policy) for b in self.finder.find(bgr)]

    def analyze(
        self, bgr: np.ndarray, box: tuple[float, ...], policy: QualityPolicy | None = None
    ) -> Face:
        policy = policy or QualityPolicy()
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        x1, y1, x2, y2 = (float(v) for v in box[:4])
        rect = self._dlib.rectangle(int(x1), int(y1), int(x2), int(y2))
        with self._lock:
            shape = self._shape(rgb, rect)
            pts = np.array([[p.x, p.y] for p in shape.parts()], np.float32)
            quality = assess(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), pts, policy)
            template = None
            if quality.ok:
                vec = np.asarray(self._net.compute_face_descriptor(rgb, shape), np.float32)
                template = vec / max(float(np.linalg.norm(vec)), 1e-9)
        return Face((x1, y1, x2, y2), pts, quality, template)

    def best(self, bgr: np.ndarray, policy: QualityPolicy | None = None) -> Face | None:
        """The largest usable face, else the largest face (its quality says why not)."""
        faces = self.faces(bgr, policy)
        if not faces:
            return None
        faces.sort(key=lambda f: (f.quality.ok, f.quality.eye_px), reverse=True)
        return faces[0]


@cache
def default_embedder() -> FaceEmbedder:
    return FaceEmbedder()

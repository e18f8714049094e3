"""Face templates for the live pipeline: box -> dlib 5 points -> quality -> template.

The template model is any :mod:`kuzet.faces.embedders` embedder (dlib's 128-d ResNet
by default, chosen in ``faces.embedder``); landmarks and the quality gate always come
from dlib's 5-point predictor, which also aligns the ONNX embedders (its points are
steadier than BlazeFace's, tests/faces/test_align.py). Templates are unit vectors, so
cosine similarity = inner product, which is what the index searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from kuzet.config.faces import EmbedderConfig
from kuzet.faces.align import DetectedFace
from kuzet.faces.detector import FaceFinder, default_finder
from kuzet.faces.embedders import Embedder, create_embedder
from kuzet.faces.landmarks import DlibLandmarker
from kuzet.faces.quality import Quality, QualityPolicy, assess

DIM = 128  # dlib's; other embedders say theirs (``FaceEmbedder.dim``)


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]
    landmarks: np.ndarray  # [5, 2]
    quality: Quality
    template: np.ndarray | None  # [dim] float32 unit vector; None when quality failed

    def crop(self, bgr: np.ndarray, margin: float = 0.3) -> np.ndarray:
        x1, y1, x2, y2 = self.box
        mx, my = (x2 - x1) * margin, (y2 - y1) * margin
        h, w = bgr.shape[:2]
        return bgr[
            int(max(0, y1 - my)) : int(min(h, y2 + my)), int(max(0, x1 - mx)) : int(min(w, x2 + mx))
        ].copy()


class FaceEmbedder:
    def __init__(self, finder: FaceFinder | None = None, model: Embedder | None = None) -> None:
        self.finder = finder or default_finder()
        self.model = model or create_embedder(None)
        lm = getattr(self.model, "landmarker", None)  # shared with the model when it has one
        self._landmarks = lm if isinstance(lm, DlibLandmarker) else DlibLandmarker()

    @property
    def name(self) -> str:
        """Stored with every template: a gallery only searches its own embedder's."""
        return self.model.name

    @property
    def dim(self) -> int:
        return self.model.dim

    def faces(self, bgr: np.ndarray, policy: QualityPolicy | None = None) -> list[Face]:
        """Every face in ``bgr`` with its quality; templates only for usable ones."""
        return [self.analyze(bgr, tuple(b), policy) for b in self.finder.find(bgr)]

    def analyze(
        self, bgr: np.ndarray, box: tuple[float, ...], policy: QualityPolicy | None = None
    ) -> Face:
        policy = policy or QualityPolicy()
        x1, y1, x2, y2 = (float(v) for v in box[:4])
        pts = self._landmarks.points(bgr, (x1, y1, x2, y2))
        quality = assess(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), pts, policy)
        template = None
        if quality.ok:
            face = DetectedFace((x1, y1, x2, y2), pts, "dlib5")
            template = np.asarray(self.model.embed(bgr, face), np.float32)
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


@cache
def _embedder_for(cfg_json: str) -> FaceEmbedder:
    from pydantic import TypeAdapter

    cfg: EmbedderConfig = TypeAdapter(EmbedderConfig).validate_json(cfg_json)
    return FaceEmbedder(model=create_embedder(cfg))


def embedder_for(cfg: EmbedderConfig | None) -> FaceEmbedder:
    """One shared :class:`FaceEmbedder` per embedder config (models load once)."""
    if cfg is None or (cfg.type == "dlib" and cfg.threshold is None):
        return default_embedder()
    return _embedder_for(cfg.model_dump_json())

"""Photo bytes -> template, behind one small interface so enrolment can be tested at
scale with a stand-in (``tests/support/hash_embedder.py``, never shipped) and run with
dlib in production."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import cv2
import numpy as np

from kuzet.config.faces import EmbedderConfig, OnnxArcFaceEmbedderConfig
from kuzet.faces.quality import QualityPolicy

if TYPE_CHECKING:
    from kuzet.faces.embedder import FaceEmbedder


@dataclass(frozen=True)
class Enrolment:
    template: np.ndarray | None
    quality: dict[str, Any]
    reason: str | None  # why the photo is unusable; None when it is fine


class PhotoEmbedder(Protocol):
    @property
    def name(self) -> str:
        """The template model (stored with each template)."""
        ...

    @property
    def dim(self) -> int: ...

    def enrol(self, photo: bytes) -> Enrolment: ...


class DlibPhotoEmbedder:
    """The real one: decode, find the largest face, check quality, embed (with the
    site's ``faces.embedder``; dlib when none is given)."""

    def __init__(
        self, policy: QualityPolicy | None = None, embedder: EmbedderConfig | None = None
    ) -> None:
        self.policy = policy or QualityPolicy()
        self.config = embedder
        self.name: str = embedder.type if embedder is not None else "dlib"
        if isinstance(embedder, OnnxArcFaceEmbedderConfig):
            self.name = embedder.name
        self._dim: int | None = 128 if self.name == "dlib" else None

    @property
    def dim(self) -> int:
        """Loads the model the first time for embedders other than dlib."""
        if self._dim is None:
            self._dim = self._embedder().dim
        return self._dim

    def _embedder(self) -> FaceEmbedder:
        from kuzet.faces.embedder import embedder_for  # loaded on first use: rekey needs none

        return embedder_for(self.config)

    def enrol(self, photo: bytes) -> Enrolment:
        img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            return Enrolment(None, {}, "not a readable image")
        faces = self._embedder().faces(img, self.policy)
        if not faces:
            return Enrolment(None, {}, "no face found")
        usable = [f for f in faces if f.quality.ok]
        if len(usable) > 1:
            usable.sort(key=lambda f: f.quality.eye_px, reverse=True)
            if usable[1].quality.eye_px > 0.6 * usable[0].quality.eye_px:
                return Enrolment(None, {}, f"{len(usable)} faces of similar size: whose?")
        best = usable[0] if usable else max(faces, key=lambda f: f.quality.eye_px)
        return Enrolment(best.template, best.quality.as_dict(), best.quality.reason)

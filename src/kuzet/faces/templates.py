"""Photo bytes -> template, behind one small interface so enrolment can be tested at
scale with a stand-in and run with dlib in production."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from kuzet.faces.quality import QualityPolicy


@dataclass(frozen=True)
class Enrolment:
    template: np.ndarray | None
    quality: dict[str, Any]
    reason: str | None  # why the photo is unusable; None when it is fine


class PhotoEmbedder(Protocol):
    def enrol(self, photo: bytes) -> Enrolment: ...


class DlibPhotoEmbedder:
    """The real one: decode, find the largest face, check quality, embed."""

    def __init__(self, policy: QualityPolicy | None = None) -> None:
        from kuzet.faces.embedder import default_embedder

        self._emb = default_embedder()
        self.policy = policy or QualityPolicy()

    def enrol(self, photo: bytes) -> Enrolment:
        img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            return Enrolment(None, {}, "not a readable image")
        faces = self._emb.faces(img, self.policy)
        if not faces:
            return Enrolment(None, {}, "no face found")
        usable = [f for f in faces if f.quality.ok]
        if len(usable) > 1:
            usable.sort(key=lambda f: f.quality.eye_px, reverse=True)
            if usable[1].quality.eye_px > 0.6 * usable[0].quality.eye_px:
                return Enrolment(None, {}, f"{len(usable)} faces of similar size: whose?")
        best = usable[0] if usable else max(faces, key=lambda f: f.quality.eye_px)
        return Enrolment(best.template, best.quality.as_dict(), best.quality.reason)


class HashPhotoEmbedder:
    """Synthetic: a unit vector seeded by the photo bytes (scale tests and benchmarks
    only). Photos starting with ``b"BAD"`` are refused, to exercise rejection paths."""

    def enrol(self, photo: bytes) -> Enrolment:
        if photo.startswith(b"BAD"):
            return Enrolment(None, {}, "no face found")
        seed = int.from_bytes(hashlib.sha256(photo).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(128).astype(np.float32)
        return Enrolment(v / np.linalg.norm(v), {"synthetic": True}, None)

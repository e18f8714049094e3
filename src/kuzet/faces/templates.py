"""Photo bytes -> template, behind one small interface so enrolment can be tested at
scale with a stand-in (``tests/support/hash_embedder.py``, never shipped) and run with
dlib in production."""

from __future__ import annotations

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

    name = "dlib"  # the measured impostor scores its thresholds are set from

    def __init__(self, policy: QualityPolicy | None = None) -> None:
        self.policy = policy or QualityPolicy()

    def enrol(self, photo: bytes) -> Enrolment:
        from kuzet.faces.embedder import default_embedder  # loaded on first use: rekey needs none

        img = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            return Enrolment(None, {}, "not a readable image")
        faces = default_embedder().faces(img, self.policy)
        if not faces:
            return Enrolment(None, {}, "no face found")
        usable = [f for f in faces if f.quality.ok]
        if len(usable) > 1:
            usable.sort(key=lambda f: f.quality.eye_px, reverse=True)
            if usable[1].quality.eye_px > 0.6 * usable[0].quality.eye_px:
                return Enrolment(None, {}, f"{len(usable)} faces of similar size: whose?")
        best = usable[0] if usable else max(faces, key=lambda f: f.quality.eye_px)
        return Enrolment(best.template, best.quality.as_dict(), best.quality.reason)

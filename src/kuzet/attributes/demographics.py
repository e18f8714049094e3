"""Gender and approximate age of a face, from two models of the human-models package
converted by Kuzet's own TF.js -> ONNX converter (like BlazeFace).

Chosen by measurement on the real faces of the asset catalog (docs/faces.md,
``bench/demographics.py``): FaceRes gives the gender (14 of 15; both models call the
one old woman, in uniform, male), FaceRes-deep the age (band right for 5 of the 8 faces
of known age, 5.3 years off on average; FaceRes 3 of 8, 9.5 years; the SSR-Net ``age``
model and ``gear`` were worse). Both read the same 224 px RGB crop in 0..255
(0..1 gives a constant); gender from the box grown 1.4x, age from the box itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

SIZE = 224
# upper bound (exclusive) in years -> band name
AGE_BANDS = ((18, "0-17"), (30, "18-29"), (45, "30-44"), (60, "45-59"), (200, "60+"))


def model_path(name: str = "faceres") -> Path:
    """A converted ONNX model (converted once from the verified TF.js assets, cached)."""
    from kuzet.vision.models import pull

    return pull(name, quiet=True)


def age_band(age: float) -> str:
    return next(name for top, name in AGE_BANDS if age < top)


def decode_age(probs: np.ndarray) -> float:
    """Expected-ish age from the 100-way softmax (one class per year), as Human does:
    the arg-max nudged toward its stronger neighbour."""
    k = int(np.argmax(probs))
    lo = float(probs[k - 1]) if k > 0 else 0.0
    hi = float(probs[k + 1]) if k < len(probs) - 1 else 0.0
    return float(k - 10 * lo if lo > hi else k + 10 * hi)


@dataclass(frozen=True, slots=True)
class Demographics:
    gender: str | None  # "male" / "female"; None when the model is unsure or not asked
    gender_confidence: float  # 0 (coin toss) .. 1
    age: float | None  # years, approximate; None when not asked
    age_band: str | None

    def as_attributes(self) -> dict[str, object]:
        return {
            "gender": self.gender, "gender_confidence": round(self.gender_confidence, 3),
            "age_band": self.age_band,
            "age_estimate": None if self.age is None else round(self.age, 1),
        }  # fmt: skip


def face_crop(
    bgr: np.ndarray, box: tuple[float, ...] | np.ndarray, grow: float = 1.4
) -> np.ndarray:
    """Square crop around ``box`` grown ``grow`` times, zero-padded at the image edge."""
    x1, y1, x2, y2 = (float(v) for v in list(box)[:4])
    cx, cy, half = (x1 + x2) / 2, (y1 + y2) / 2, max(x2 - x1, y2 - y1) * grow / 2
    a, b, c, d = (round(v) for v in (cx - half, cy - half, cx + half, cy + half))
    h, w = bgr.shape[:2]
    padded = cv2.copyMakeBorder(
        bgr, max(0, -b), max(0, d - h), max(0, -a), max(0, c - w), cv2.BORDER_CONSTANT
    )
    ox, oy = max(0, -a), max(0, -b)
    return cv2.resize(padded[b + oy : d + oy, a + ox : c + ox], (SIZE, SIZE))


def _session(name: str) -> tuple[Any, str, list[str]]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model_path(name)), providers=["CPUExecutionProvider"])
    return sess, sess.get_inputs()[0].name, [o.name for o in sess.get_outputs()]


class FaceDemographics:
    """``gender`` and ``age`` pick the models loaded (each ~5-10 ms a face on one core)."""

    GENDER_GROW, AGE_GROW = 1.4, 1.0

    def __init__(
        self, min_gender_confidence: float = 0.2, *, gender: bool = True, age: bool = True
    ) -> None:
        if not (gender or age):
            raise ValueError("ask for gender, age or both")
        self.min_gender_confidence = min_gender_confidence
        self._gender = _session("faceres") if gender else None
        self._age = _session("faceres-deep") if age else None

    @staticmethod
    def _run(model: tuple[Any, str, list[str]], crop: np.ndarray) -> dict[str, np.ndarray]:
        sess, inp, outs = model
        x = crop[:, :, ::-1].astype(np.float32)[None]
        return dict(zip(outs, sess.run(None, {inp: x}), strict=True))

    def estimate(self, bgr: np.ndarray, box: tuple[float, ...] | np.ndarray) -> Demographics:
        gender, conf, age = None, 0.0, None
        if self._gender is not None:
            out = self._run(self._gender, face_crop(bgr, box, self.GENDER_GROW))
            p_male = float(out["gender_pred/Sigmoid"].ravel()[0])
            conf = abs(p_male - 0.5) * 2
            if conf >= self.min_gender_confidence:
                gender = "male" if p_male > 0.5 else "female"
        if self._age is not None:
            out = self._run(self._age, face_crop(bgr, box, self.AGE_GROW))
            age = decode_age(out["age_pred/Softmax"][0])
        return Demographics(gender, conf, age, None if age is None else age_band(age))


@cache
def default_demographics(gender: bool = True, age: bool = True) -> FaceDemographics:
    return FaceDemographics(gender=gender, age=age)


class PersonFace:
    """Gender of a person box from its largest face in the head region (upper half), for
    :class:`kuzet.attributes.clothing.ClothingColours`; None when no face of
    ``min_face_px`` is there. No age: removed from the product (issue 13, docs/faces.md),
    ``FaceDemographics(age=True)`` stays for ``bench/demographics.py`` only."""

    age = False

    def __init__(self, *, gender: bool = True, min_face_px: float = 24.0) -> None:
        from kuzet.faces.detector import default_finder

        self.gender = gender
        self.finder, self.demo, self.min_face_px = (
            default_finder(),
            default_demographics(gender, False),
            min_face_px,
        )

    def __call__(self, image: np.ndarray, box: np.ndarray) -> Demographics | None:
        x1, y1, x2, y2 = (float(v) for v in box[:4])
        w, h = x2 - x1, y2 - y1
        hx1, hy1 = int(max(0, x1 - 0.1 * w)), int(max(0, y1 - 0.1 * h))
        hx2, hy2 = int(min(image.shape[1], x2 + 0.1 * w)), int(min(image.shape[0], y1 + 0.5 * h))
        region = image[hy1:hy2, hx1:hx2]
        if region.size == 0:
            return None
        faces = self.finder.find(region)
        if len(faces) == 0:
            return None
        big = faces[np.argmax((faces[:, 2] - faces[:, 0]) * (faces[:, 3] - faces[:, 1]))]
        if big[2] - big[0] < self.min_face_px:
            return None  # too small to tell
        return self.demo.estimate(image, big[:4] + np.array([hx1, hy1, hx1, hy1], np.float32))

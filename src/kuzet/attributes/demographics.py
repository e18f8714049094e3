"""Gender and approximate age of a face: FaceRes (human-models package) converted by
Kuzet's own TF.js -> ONNX converter, like BlazeFace.

FaceRes is the one model in the package that gives both from one 224 px face crop.
Measured on the 12 real faces of the asset catalog (docs/faces.md): gender 12/12; age
underestimates older faces by 10-25 years, so the age band is reported as approximate.
The input is the face box grown 1.4x, square, RGB in 0..255 (0..1 gives a constant).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

SIZE = 224
# upper bound (exclusive) in years -> band name
AGE_BANDS = ((18, "0-17"), (30, "18-29"), (45, "30-44"), (60, "45-59"), (200, "60+"))


def model_path() -> Path:
    """The converted ONNX model (converted once from the verified TF.js assets, cached)."""
    from kuzet.vision.models import pull

    return pull("faceres", quiet=True)


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
    gender: str | None  # "male" / "female"; None when the model is unsure
    gender_confidence: float  # 0 (coin toss) .. 1
    age: float  # years, approximate
    age_band: str

    def as_attributes(self) -> dict[str, object]:
        return {
            "gender": self.gender, "gender_confidence": round(self.gender_confidence, 3),
            "age_band": self.age_band, "age_estimate": round(self.age, 1),
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


class FaceDemographics:
    def __init__(self, min_gender_confidence: float = 0.2) -> None:
        import onnxruntime as ort

        self.min_gender_confidence = min_gender_confidence
        self._sess = ort.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])
        self._input = self._sess.get_inputs()[0].name
        self._outputs = [o.name for o in self._sess.get_outputs()]

    def estimate(self, bgr: np.ndarray, box: tuple[float, ...] | np.ndarray) -> Demographics:
        x = face_crop(bgr, box)[:, :, ::-1].astype(np.float32)[None]
        out = dict(zip(self._outputs, self._sess.run(None, {self._input: x}), strict=True))
        p_male = float(out["gender_pred/Sigmoid"].ravel()[0])
        conf = abs(p_male - 0.5) * 2
        gender = None if conf < self.min_gender_confidence else "male" if p_male > 0.5 else "female"
        age = decode_age(out["age_pred/Softmax"][0])
        return Demographics(gender, conf, age, age_band(age))


@cache
def default_demographics() -> FaceDemographics:
    return FaceDemographics()


class PersonGender:
    """Gender of a person box from its largest face in the head region (upper half),
    for :class:`kuzet.attributes.clothing.ClothingColours`. Age is not reported: its
    band was wrong for 5 of the 6 faces over 40 measured (docs/faces.md)."""

    def __init__(self, min_face_px: float = 24.0) -> None:
        from kuzet.faces.detector import default_finder

        self.finder, self.demo, self.min_face_px = (
            default_finder(),
            default_demographics(),
            min_face_px,
        )

    def __call__(self, image: np.ndarray, box: np.ndarray) -> tuple[str, float] | None:
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
        d = self.demo.estimate(image, big[:4] + np.array([hx1, hy1, hx1, hy1], np.float32))
        return None if d.gender is None else (d.gender, d.gender_confidence)

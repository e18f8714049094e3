"""Is a face good enough to enrol or to match? Size, sharpness and head turn.

Thresholds are deliberately simple and measurable: pixels between the eyes, variance
of the Laplacian on a 112 px normalised crop, and the nose's offset from the eyes'
midpoint relative to the eye distance (0 frontal, ~0.5 in profile).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class QualityPolicy:
    min_eye_px: float = 18.0  # ~45 px face width; dlib's templates degrade below
    min_sharpness: float = 20.0
    max_yaw: float = 0.35

    @classmethod
    def live(cls) -> QualityPolicy:
        """Cameras: accept smaller faces than enrolment photos, the best one is kept anyway."""
        return cls(min_eye_px=12.0, min_sharpness=12.0, max_yaw=0.4)


@dataclass(frozen=True)
class Quality:
    eye_px: float
    sharpness: float
    yaw: float
    reason: str | None  # None: usable

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def score(self) -> float:
        """0..1, higher is better; ranks the faces of one track."""
        size = min(1.0, self.eye_px / 40.0)
        sharp = min(1.0, self.sharpness / 150.0)
        front = max(0.0, 1.0 - abs(self.yaw) / 0.5)
        return float(size * (0.5 + 0.5 * sharp) * front)

    def as_dict(self) -> dict[str, float | str | None]:
        return {
            "eye_px": round(self.eye_px, 1),
            "sharpness": round(self.sharpness, 1),
            "yaw": round(self.yaw, 3),
            "score": round(self.score, 3),
            "reason": self.reason,
        }


def sharpness(gray_face: np.ndarray) -> float:
    small = cv2.resize(gray_face, (112, 112), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def assess(gray: np.ndarray, landmarks: np.ndarray, policy: QualityPolicy) -> Quality:
    """``landmarks``: dlib's 5 points (right eye 2, left eye 2, nose) in ``gray`` pixels."""
    eye_r, eye_l, nose = landmarks[0:2].mean(0), landmarks[2:4].mean(0), landmarks[4]
    eye_px = float(np.linalg.norm(eye_l - eye_r))
    mid = (eye_l + eye_r) / 2
    yaw = float((nose[0] - mid[0]) / max(eye_px, 1.0))
    half = eye_px * 1.2
    x1, y1 = int(max(0, mid[0] - half)), int(max(0, mid[1] - half * 0.8))
    x2, y2 = int(min(gray.shape[1], mid[0] + half)), int(min(gray.shape[0], mid[1] + half * 1.6))
    crop = gray[y1:y2, x1:x2]
    sharp = sharpness(crop) if crop.size else 0.0
    reason = None
    if eye_px < policy.min_eye_px:
        reason = f"face too small ({eye_px:.0f} px between the eyes, need {policy.min_eye_px:.0f})"
    elif abs(yaw) > policy.max_yaw:
        reason = f"face turned away (yaw {yaw:+.2f}, limit {policy.max_yaw:.2f})"
    elif sharp < policy.min_sharpness:
        reason = f"face blurred (sharpness {sharp:.0f}, need {policy.min_sharpness:.0f})"
    return Quality(eye_px, sharp, yaw, reason)

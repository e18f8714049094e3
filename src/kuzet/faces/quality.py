"""Is a face good enough to enrol or to match? Size, sharpness and head pose.

Thresholds are deliberately simple and measurable: pixels between the eyes, variance
of the Laplacian on a 112 px normalised crop, and the head pose from dlib's five
landmarks, measured as three separate angles:

- **roll** (head tilted sideways, degrees): the angle of the line between the eyes.
  Never a reason to refuse: the embedders align the face (roll corrected) first.
- **yaw** (turned left/right): in the roll-corrected frame, the nose's sideways offset
  from the eyes' midpoint over the eye distance (0 frontal, ~0.5 in profile).
- **pitch** (nodding up/down): in the same frame, the nose's drop below the eye line
  over the eye distance, minus its median on frontal faces (``PITCH_REF``).

The former gate measured yaw along the image's x axis, so a tilted frontal face read
as turned away (issue 13: yaw -0.57 on a face whose roll-corrected yaw is 0.10).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# nose drop below the eye line / eye distance on frontal faces: the median over the
# tuning faces of bench/_face_eval.py (scripts in docs/faces.md, "Quality gate")
PITCH_REF = 0.81
PITCH_LIMIT = (
    0.4  # not measured against true angles: no pose truth ships; frontal faces read -0.24..+0.32
)


@dataclass(frozen=True)
class QualityPolicy:
    min_eye_px: float = 18.0  # ~45 px face width; dlib's templates degrade below
    min_sharpness: float = 20.0
    max_yaw: float = 0.35
    max_pitch: float = PITCH_LIMIT

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
    pitch: float = 0.0
    roll: float = 0.0  # degrees; reported, corrected by alignment, never refused

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
            "pitch": round(self.pitch, 3),
            "roll": round(self.roll, 1),
            "score": round(self.score, 3),
            "reason": self.reason,
        }


def sharpness(gray_face: np.ndarray) -> float:
    small = cv2.resize(gray_face, (112, 112), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def pose(landmarks: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll in degrees) from dlib's 5 points (two eyes x 2 corners, nose)."""
    a, b, nose = landmarks[0:2].mean(0), landmarks[2:4].mean(0), landmarks[4]
    left, right = (a, b) if a[0] <= b[0] else (b, a)  # as seen in the image
    d = right - left
    eye = max(float(np.hypot(d[0], d[1])), 1.0)
    roll = float(np.arctan2(d[1], d[0]))
    c, s = np.cos(-roll), np.sin(-roll)
    v = nose - (left + right) / 2
    x, y = c * v[0] - s * v[1], s * v[0] + c * v[1]  # the nose in the eye-level frame
    return float(x / eye), float(y / eye - PITCH_REF), float(np.degrees(roll))


def assess(gray: np.ndarray, landmarks: np.ndarray, policy: QualityPolicy) -> Quality:
    """``landmarks``: dlib's 5 points (an eye's 2 corners, the other's, nose) in pixels."""
    eye_r, eye_l = landmarks[0:2].mean(0), landmarks[2:4].mean(0)
    eye_px = float(np.linalg.norm(eye_l - eye_r))
    mid = (eye_l + eye_r) / 2
    yaw, pitch, roll = pose(landmarks)
    half = eye_px * 1.2
    x1, y1 = int(max(0, mid[0] - half)), int(max(0, mid[1] - half * 0.8))
    x2, y2 = int(min(gray.shape[1], mid[0] + half)), int(min(gray.shape[0], mid[1] + half * 1.6))
    crop = gray[y1:y2, x1:x2]
    sharp = sharpness(crop) if crop.size else 0.0
    reason = None
    if eye_px < policy.min_eye_px:
        reason = f"face too small ({eye_px:.0f} px between the eyes, need {policy.min_eye_px:.0f})"
    elif abs(yaw) > policy.max_yaw:
        reason = (
            f"face turned sideways (yaw {yaw:+.2f}, limit {policy.max_yaw:.2f}; "
            f"pitch {pitch:+.2f}, roll {roll:+.0f} deg corrected)"
        )
    elif abs(pitch) > policy.max_pitch:
        reason = (
            f"face tilted {'down' if pitch > 0 else 'up'} (pitch {pitch:+.2f}, limit "
            f"{policy.max_pitch:.2f}; yaw {yaw:+.2f}, roll {roll:+.0f} deg corrected)"
        )
    elif sharp < policy.min_sharpness:
        reason = f"face blurred (sharpness {sharp:.0f}, need {policy.min_sharpness:.0f})"
    return Quality(eye_px, sharp, yaw, reason, pitch, roll)

"""Face alignment: a similarity transform from a detector's landmarks onto ArcFace's
112x112 five-point template, so head roll is undone before a face is embedded.

Every face embedder here was trained on faces warped this way (InsightFace's template);
a crop of the box alone leaves roll, scale and position to the network. A similarity
(rotation, one scale, shift: 4 degrees of freedom) keeps the face's proportions, so it
also works from three or four points (BlazeFace: eyes, nose tip, mouth centre; dlib's
5-point model: eye corners and the base of the nose).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

# InsightFace's ArcFace template, 112x112: image-left eye, image-right eye, nose tip,
# image-left mouth corner, image-right mouth corner.
ARCFACE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    np.float32,
)

Scheme = Literal["arcface5", "blazeface", "dlib5"]


@dataclass(frozen=True)
class DetectedFace:
    """A detector's face: box (x1, y1, x2, y2 pixels) and landmarks in ``scheme`` order.

    ``blazeface``: [6, 2] MediaPipe order (image-left eye, image-right eye, nose tip,
    mouth centre, two ear tragions); ``dlib5``: [5, 2] dlib's 5-point model (image-right
    eye's two corners, image-left eye's two corners, base of the nose); ``arcface5``:
    [5, 2] in the template's order.
    """

    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    scheme: Scheme = "blazeface"
    score: float = 1.0


def template_points(landmarks: np.ndarray, scheme: Scheme) -> tuple[np.ndarray, np.ndarray]:
    """(points in the image, the same points on the 112 px template) for ``scheme``."""
    pts = np.asarray(landmarks, np.float32).reshape(-1, 2)
    t = ARCFACE_112
    if scheme == "arcface5":
        return pts[:5], t
    if scheme == "blazeface":
        mouth = t[3:5].mean(axis=0)
        return pts[:4], np.stack([t[0], t[1], t[2], mouth])
    if scheme == "dlib5":
        eyes = np.stack([pts[2:4].mean(axis=0), pts[0:2].mean(axis=0)])
        # dlib's point 4 is the base of the nose (subnasale), not the template's nose tip:
        # the two eye centres fix the similarity exactly.
        return eyes, t[:2]
    raise ValueError(f"unknown landmark scheme {scheme!r}")


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity ``[2, 3]`` taking ``src`` points onto ``dst``.

    ``cv2.estimateAffinePartial2D`` is robust by default; with a threshold no point can
    exceed, every point is an inlier and the refinement gives the least-squares fit.
    """
    if len(src) == 2:  # exactly determined: solve it directly (OpenCV wants >= 2 anyway)
        s = (src[1] - src[0]).astype(np.float64)
        d = (dst[1] - dst[0]).astype(np.float64)
        zs, zd = complex(s[0], s[1]), complex(d[0], d[1])
        if abs(zs) < 1e-6:
            raise ValueError("landmarks coincide: no alignment")
        r = zd / zs
        a, b = r.real, r.imag
        m = np.array([[a, -b, 0.0], [b, a, 0.0]])
        m[:, 2] = dst[0] - m[:, :2] @ src[0]
        return m.astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(
        src.astype(np.float32), dst.astype(np.float32), method=cv2.RANSAC,
        ransacReprojThreshold=1e9, refineIters=20,
    )  # fmt: skip
    if m is None:
        raise ValueError("landmarks are degenerate: no alignment")
    return m.astype(np.float32)


def align(
    bgr: np.ndarray,
    face: DetectedFace,
    size: int = 112,
    scale: float = 1.0,
) -> np.ndarray:
    """The face warped onto the template at ``size`` px (BGR, zero outside the image).

    ``scale`` < 1 shows more context around the same framing (FaceRes was trained on
    looser crops than ArcFace's 112 template); the template is scaled about its centre.
    """
    src, dst = template_points(face.landmarks, face.scheme)
    dst = (dst - 56.0) * scale + 56.0
    m = similarity(src, dst * (size / 112.0))
    return cv2.warpAffine(bgr, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))


def roll_degrees(face: DetectedFace) -> float:
    """Head roll from the eye line (positive: the image-right eye is lower)."""
    src, _ = template_points(face.landmarks, face.scheme)
    d = src[1] - src[0]
    return float(np.degrees(np.arctan2(d[1], d[0])))

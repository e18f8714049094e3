"""Where the plate is inside a vehicle box, and its crop made upright.

Candidates come from PP-OCR text detection on the lower part of the vehicle box (or
from a plate detector, :mod:`.onnx_detector`); text boxes on one line close to each
other are merged first (the recogniser sees ``123 ABC 02`` whole even when the
detector split it at the gaps or at the flag strip). A candidate survives when it is
plate-shaped (width/height within ``aspect``), low enough in the vehicle, tall enough
to read, and has ink on a plain background (grey-level spread ``min_contrast``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kuzet.plates.ocr import TextBox


@dataclass(frozen=True, slots=True)
class FinderSettings:
    search_top: float = 0.4  # search below this fraction of the vehicle box height
    min_aspect: float = 1.8
    max_aspect: float = 9.0
    min_height_px: float = 9.0
    min_contrast: float = 25.0  # std of grey levels in the crop
    min_box_score: float = 0.4


@dataclass(frozen=True, slots=True)
class Candidate:
    quad: np.ndarray  # 4 x 2, frame pixels, tl tr br bl
    score: float
    height: float
    width: float


def order_quad(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl of four points (any order)."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def _size(q: np.ndarray) -> tuple[float, float]:
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(w), float(h)


def merge_line(boxes: list[TextBox]) -> list[TextBox]:
    """Join text boxes of one line whose gap is under one text height (left to right)."""
    items = sorted(boxes, key=lambda b: float(b.quad[:, 0].min()))
    out: list[TextBox] = []
    for b in items:
        if out:
            a = out[-1]
            ay1, ay2 = a.quad[:, 1].min(), a.quad[:, 1].max()
            by1, by2 = b.quad[:, 1].min(), b.quad[:, 1].max()
            overlap = min(ay2, by2) - max(ay1, by1)
            h = max(ay2 - ay1, by2 - by1)
            gap = b.quad[:, 0].min() - a.quad[:, 0].max()
            if overlap > 0.5 * min(ay2 - ay1, by2 - by1) and gap < 1.0 * h:
                pts = np.concatenate([a.quad, b.quad]).astype(np.float32)
                quad = order_quad(cv2.boxPoints(cv2.minAreaRect(pts)))
                out[-1] = TextBox(quad, max(a.score, b.score))
                continue
        out.append(b)
    return out


def rectify(image: np.ndarray, quad: np.ndarray, height: int = 48, pad: float = 0.08) -> np.ndarray:
    """The quad warped to an upright ``height``-pixel crop (perspective and rotation out),
    with a little margin so edge characters are not clipped."""
    q = order_quad(quad)
    w, h = _size(q)
    cx, cy = q.mean(0)
    q = (q - [cx, cy]) * [1 + 2 * pad * h / max(w, 1.0), 1 + 2 * pad] + [cx, cy]
    out_w = max(8, round(height * w / max(h, 1.0)))
    dst = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, height - 1], [0, height - 1]], np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, (out_w, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)  # fmt: skip


def contrast(crop: np.ndarray) -> float:
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    return float(grey.std())


def vehicle_region(
    image: np.ndarray, box: np.ndarray | tuple[float, ...], s: FinderSettings
) -> tuple[int, int, np.ndarray]:
    """The part of the vehicle box searched, with its top-left in frame pixels."""
    x1, y1, x2, y2 = (float(v) for v in box[:4])
    H, W = image.shape[:2]
    rx1, rx2 = int(max(0, x1)), int(min(W, x2))
    ry1, ry2 = int(max(0, y1 + s.search_top * (y2 - y1))), int(min(H, y2))
    return rx1, ry1, image[ry1:ry2, rx1:rx2]


def filter_candidates(
    image: np.ndarray, boxes: list[TextBox], s: FinderSettings
) -> tuple[list[Candidate], str | None]:
    """Plate-shaped candidates (frame coordinates) best first, or the reason there is none:
    ``no_plate_found`` (nothing plate-shaped) or ``too_small`` (plate-shaped but too low
    to read)."""
    out: list[Candidate] = []
    small = False
    for b in merge_line([b for b in boxes if b.score >= s.min_box_score]):
        q = order_quad(b.quad)
        w, h = _size(q)
        if h <= 0 or not s.min_aspect <= w / h <= s.max_aspect:
            continue
        if h < s.min_height_px:
            small = True
            continue
        if contrast(rectify(image, q, height=24)) < s.min_contrast:
            continue
        out.append(Candidate(q, b.score, h, w))
    if not out:
        return [], "too_small" if small else "no_plate_found"
    out.sort(key=lambda c: c.score * min(c.width, 400.0), reverse=True)
    return out, None

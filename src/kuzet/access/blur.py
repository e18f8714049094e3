"""Faces blurred in snapshots for everyone without biometric clearance.

Fails closed: if the detector cannot run, the caller gets an error, never the
unblurred picture.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np


class FaceFinder(Protocol):
    def detect(self, bgr: np.ndarray) -> np.ndarray: ...


class BlurError(RuntimeError):
    """The snapshot could not be anonymised (unreadable image, no detector)."""


def blur_regions(
    img: np.ndarray, boxes: np.ndarray, grow: float = 0.25, blocks: int = 8
) -> np.ndarray:
    """Pixelate each box to ``blocks`` x ``blocks`` cells, then smooth the cells.

    The box is grown (hair and chin identify too). A fixed cell count, not a fixed
    cell size, so a large face keeps no more detail than a small one; at 8 cells the
    detector itself no longer finds a face there.
    """
    out = img.copy()
    h, w = img.shape[:2]
    for x1, y1, x2, y2 in boxes:
        dx, dy = (x2 - x1) * grow, (y2 - y1) * grow
        a, b = max(0, int(x1 - dx)), max(0, int(y1 - dy))
        c, d = min(w, int(x2 + dx) + 1), min(h, int(y2 + dy) + 1)
        if c - a < 2 or d - b < 2:
            continue
        roi = out[b:d, a:c]
        small = cv2.resize(roi, (blocks, blocks), interpolation=cv2.INTER_AREA)
        big = cv2.resize(small, (c - a, d - b), interpolation=cv2.INTER_NEAREST)
        roi[:] = cv2.GaussianBlur(big, (0, 0), max(1.0, (c - a) / blocks / 2))
    return out


def blur_jpeg(data: bytes, finder: FaceFinder, quality: int = 85) -> tuple[bytes, int]:
    """The JPEG with faces blurred, and how many faces were found."""
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise BlurError("snapshot is not a decodable image")
    boxes = finder.detect(img)
    ok, enc = cv2.imencode(".jpg", blur_regions(img, boxes), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise BlurError("re-encoding the blurred snapshot failed")
    return enc.tobytes(), len(boxes)

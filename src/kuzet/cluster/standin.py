"""A cheap detector STAND-IN for cluster tests and load figures, never for vision claims.

Dark blobs on a light floor (thresholded grey frame, connected components) are reported
as ``person``. It is deterministic and costs ~1 ms per frame, so a test on a 2-core
machine can run several shards over real footage; it says nothing about detection quality.
"""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.core import COCO_CLASSES, Detections


class DarkBlobStandIn:
    """Stand-in for :class:`kuzet.vision.Detector` (same protocol)."""

    labels: tuple[str, ...] = tuple(COCO_CLASSES)

    def __init__(self, threshold: int = 70, min_area: int = 40, width: int = 192) -> None:
        self.threshold = threshold
        self.min_area = min_area
        self.width = width

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        return [self._one(im) for im in images]

    def _one(self, image: np.ndarray) -> Detections:
        h, w = image.shape[:2]
        scale = self.width / w
        small = cv2.resize(image, (self.width, max(1, int(h * scale))))
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        mask = (grey < self.threshold).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        boxes = [
            (x / scale, y / scale, (x + bw) / scale, (y + bh) / scale)
            for x, y, bw, bh, area in stats[1:n]
            if area >= self.min_area
        ]
        xyxy = np.array(boxes, np.float32).reshape(-1, 4)
        k = len(boxes)
        return Detections(
            xyxy=xyxy,
            confidence=np.full(k, 0.9, np.float32),
            class_id=np.zeros(k, np.int32),
        )

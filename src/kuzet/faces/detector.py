"""Face finder: BlazeFace (fast, converted by Kuzet's TF.js converter) on the whole
image and on overlapping tiles, merged by NMS.

Chosen by measurement (docs/faces.md): BlazeFace alone found 5 of 6 faces in t1.jpg
in 25 ms; dlib HOG 6 of 6 but 0.5 s and missed a turned face in zidane.jpg; dlib's
MMOD CNN 6 of 6 in 44 s. BlazeFace sees a 256 px square, so small faces vanish; the
tiles give it 2-3x the resolution at 5 extra runs.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from kuzet.faces.align import DetectedFace
from kuzet.vision.blazeface import FaceDetector


def _tiles(h: int, w: int, frac: float = 0.6) -> list[tuple[int, int, int, int]]:
    th, tw = int(h * frac), int(w * frac)
    ys, xs = (0, (h - th) // 2, h - th), (0, (w - tw) // 2, w - tw)
    return [(x, y, x + tw, y + th) for y in ys for x in xs]


class FaceFinder:
    def __init__(self, threshold: float = 0.6, tile_above: int = 480) -> None:
        self._det = FaceDetector(threshold=threshold)
        self.tile_above = tile_above

    def find(self, bgr: np.ndarray) -> np.ndarray:
        """Face boxes ``[N, 4]`` (x1, y1, x2, y2) in pixels of ``bgr``."""
        faces = self.find_faces(bgr)
        if not faces:
            return np.empty((0, 4), np.float32)
        return np.array([f.box for f in faces], np.float32)

    def find_faces(self, bgr: np.ndarray) -> list[DetectedFace]:
        """Faces with BlazeFace's six keypoints (for alignment), in pixels of ``bgr``."""
        h, w = bgr.shape[:2]
        parts = [self._det.detect_keypoints(bgr)]
        if max(h, w) > self.tile_above:
            for x1, y1, x2, y2 in _tiles(h, w):
                b, k, s = self._det.detect_keypoints(bgr[y1:y2, x1:x2])
                off = np.array([x1, y1], np.float32)
                parts.append((b + np.tile(off, 2), k + off, s))
        boxes = np.concatenate([p[0] for p in parts])
        kps = np.concatenate([p[1] for p in parts])
        scores = np.concatenate([p[2] for p in parts])
        order = np.arange(len(boxes))
        if len(boxes) >= 2:
            # NMS over the union; larger boxes first (they come from the full view, less cut)
            area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
            xywh = [
                [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for b in boxes
            ]
            keep = cv2.dnn.NMSBoxes(xywh, (area / area.max()).tolist(), 0.0, 0.3)
            order = np.asarray(keep).reshape(-1)
        return [
            DetectedFace(
                (float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])),
                kps[i],
                "blazeface",
                float(scores[i]),
            )
            for i in order
        ]


@cache
def default_finder() -> FaceFinder:
    return FaceFinder()

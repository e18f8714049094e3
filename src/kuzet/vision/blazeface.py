"""Offline face detector: BlazeFace (back-camera, 256 px) converted by Kuzet's own
TF.js -> ONNX converter from the same npm package as NanoDet.

OpenCV 5 removed the Caffe importer, so the res10 SSD cannot be loaded any more;
BlazeFace is smaller, runs on ONNX Runtime like the detectors, and finds the small
faces of CCTV footage.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

SIZE = 256
_STRIDES, _PER_CELL = (16, 32), (2, 6)


def model_path() -> Path:
    """The converted ONNX model (converted once from the verified TF.js assets, cached)."""
    from kuzet.vision.models import pull

    return pull("blazeface-back", quiet=True)


def _anchors() -> np.ndarray:
    pts: list[tuple[float, float]] = []
    for stride, k in zip(_STRIDES, _PER_CELL, strict=True):
        g = SIZE // stride
        for y in range(g):
            for x in range(g):
                pts += [(stride * (x + 0.5), stride * (y + 0.5))] * k
    return np.asarray(pts, np.float32)


class FaceDetector:
    def __init__(self, threshold: float = 0.6) -> None:
        import onnxruntime as ort

        self.threshold = threshold
        self._sess = ort.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])
        self._input = self._sess.get_inputs()[0].name
        self._anchors = _anchors()

    def detect(self, bgr: np.ndarray) -> np.ndarray:
        """Face boxes ``[N, 4]`` (x1, y1, x2, y2, pixels) in ``bgr``."""
        return self.detect_keypoints(bgr)[0]

    def detect_keypoints(self, bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boxes ``[N, 4]``, keypoints ``[N, 6, 2]`` (MediaPipe order: image-left eye,
        image-right eye, nose tip, mouth centre, two ear tragions) and scores ``[N]``."""
        h, w = bgr.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.uint8)  # pad, not stretch: faces keep shape
        square[:h, :w] = bgr
        x = cv2.resize(square, (SIZE, SIZE))[:, :, ::-1].astype(np.float32) / 127.5 - 1.0
        outs = dict(zip([o.name for o in self._sess.get_outputs()],
                        self._sess.run(None, {self._input: x[None]}), strict=True))  # fmt: skip
        raw = np.concatenate(
            [np.concatenate([outs["Identity"][0], outs["Identity_2"][0]], 1),
             np.concatenate([outs["Identity_1"][0], outs["Identity_3"][0]], 1)], 0,
        )  # fmt: skip
        scores = 1.0 / (1.0 + np.exp(-np.clip(raw[:, 0], -80, 80)))
        idx = np.flatnonzero(scores >= self.threshold)
        if idx.size == 0:
            return np.empty((0, 4), np.float32), np.empty((0, 6, 2), np.float32), np.empty(0)
        centre = raw[idx, 1:3] + self._anchors[idx]
        half = raw[idx, 3:5] / 2
        boxes = np.concatenate([centre - half, centre + half], 1) * (side / SIZE)
        kps = (raw[idx, 5:17].reshape(-1, 6, 2) + self._anchors[idx, None]) * (side / SIZE)
        xywh = [[float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for b in boxes]
        keep = np.asarray(cv2.dnn.NMSBoxes(xywh, scores[idx].tolist(), self.threshold, 0.3))
        keep = keep.reshape(-1)
        return (
            boxes[keep].astype(np.float32),
            kps[keep].astype(np.float32),
            scores[idx][keep].astype(np.float32),
        )


@cache
def default_detector() -> FaceDetector:
    return FaceDetector()

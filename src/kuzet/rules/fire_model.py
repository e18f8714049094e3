"""The pluggable model slot of fire/smoke: any ONNX detector with a YOLOv8-style head.

Output ``[1, 4 + C, N]`` (cx, cy, w, h, class scores) on a square letterbox-free
resize; ``labels`` name the C classes (e.g. ``[fire, smoke]``). onnxruntime is imported
only when a model is configured.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kuzet.rules.fire import Region


class OnnxFireModel:
    def __init__(self, path: str | Path, labels: list[str], score: float = 0.35) -> None:
        import onnxruntime as ort

        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        size = inp.shape[2]
        self.size = int(size) if isinstance(size, int) else 640
        self.labels, self.score = labels, score

    def detect(self, image: np.ndarray) -> dict[str, list[Region]]:
        h, w = image.shape[:2]
        x = cv2.resize(image, (self.size, self.size))[:, :, ::-1].astype(np.float32) / 255.0
        out = self.session.run(None, {self.input_name: x.transpose(2, 0, 1)[None]})[0]
        return decode_v8(np.asarray(out)[0], self.labels, self.score, w / self.size, h / self.size)


def decode_v8(
    pred: np.ndarray, labels: list[str], score: float, sx: float, sy: float
) -> dict[str, list[Region]]:
    """[4 + C, N] -> regions per label, boxes in frame pixels (NMS by OpenCV)."""
    boxes, scores = pred[:4].T, pred[4:].T
    out: dict[str, list[Region]] = {name: [] for name in labels}
    for c, name in enumerate(labels):
        keep = scores[:, c] >= score
        if not keep.any():
            continue
        b, s = boxes[keep], scores[keep, c]
        xywh = np.stack(
            [
                (b[:, 0] - b[:, 2] / 2) * sx,
                (b[:, 1] - b[:, 3] / 2) * sy,
                b[:, 2] * sx,
                b[:, 3] * sy,
            ],
            axis=1,
        )
        idx = cv2.dnn.NMSBoxes(xywh.tolist(), s.tolist(), score, 0.5)
        for i in np.asarray(idx).reshape(-1).tolist():
            x, y, bw, bh = xywh[i].tolist()
            out[name].append(Region((x, y, x + bw, y + bh), bw * bh, float(s[i])))
    return out

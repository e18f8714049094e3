"""A plate detector the user brings, as an ONNX file with YOLO-style outputs.

No plate detector ships offline in any package (docs/plates.md), so this is a slot:
input ``1x3xSxS`` RGB scaled to 0..1 (the vehicle region stretched to S); output
``[1, 4+C, N]`` (``layout = "yolov8"``: ``cx, cy, w, h`` then C class scores) or
``[1, N, 5+C]`` (``"yolov5"``: ``cx, cy, w, h, objectness`` then class scores, score =
objectness x best class), in input pixels. Boxes over
``threshold`` survive a greedy NMS and come back as text-box quads in the region's pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from kuzet.plates.ocr import TextBox


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order, keep = list(np.argsort(-scores)), []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        rest = []
        for j in order:
            x1, y1 = np.maximum(boxes[i, :2], boxes[j, :2])
            x2, y2 = np.minimum(boxes[i, 2:], boxes[j, 2:])
            inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
            a = np.prod(boxes[i, 2:] - boxes[i, :2]) + np.prod(boxes[j, 2:] - boxes[j, :2])
            if inter / max(a - inter, 1e-9) < iou:
                rest.append(j)
        order = rest
    return keep


class OnnxPlateDetector:
    def __init__(
        self,
        path: Path,
        *,
        threshold: float = 0.4,
        iou: float = 0.5,
        layout: Literal["yolov8", "yolov5"] = "yolov8",
    ) -> None:
        import onnxruntime as ort

        if not path.is_file():
            raise FileNotFoundError(f"plates.detector.path: no ONNX file at {path}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        inp = self.session.get_inputs()[0]
        size = inp.shape[-1]
        self.size = int(size) if isinstance(size, int) else 320
        self.input = inp.name
        self.threshold, self.iou, self.layout = threshold, iou, layout

    def detect(self, region: np.ndarray) -> list[TextBox]:
        h, w = region.shape[:2]
        if h == 0 or w == 0:
            return []
        x = cv2.resize(region, (self.size, self.size))[:, :, ::-1]
        x = np.ascontiguousarray(x.transpose(2, 0, 1)[None], np.float32) / 255.0
        out = np.asarray(self.session.run(None, {self.input: x})[0])
        out = out.reshape(out.shape[-2], out.shape[-1]) if out.ndim == 3 else out
        if self.layout == "yolov8":
            out = out.T  # [4+C, N] (YOLOv8 export) -> rows
        if out.shape[1] < 5:
            raise ValueError(f"plate detector output has {out.shape[1]} columns, needs >= 5")
        if self.layout == "yolov5" and out.shape[1] > 5:
            scores = out[:, 4] * out[:, 5:].max(1)
        else:
            scores = out[:, 4:].max(1)
        keep = scores >= self.threshold
        rows, scores = out[keep], scores[keep]
        if not len(rows):
            return []
        sx, sy = w / self.size, h / self.size
        xyxy = np.stack(
            [
                (rows[:, 0] - rows[:, 2] / 2) * sx,
                (rows[:, 1] - rows[:, 3] / 2) * sy,
                (rows[:, 0] + rows[:, 2] / 2) * sx,
                (rows[:, 1] + rows[:, 3] / 2) * sy,
            ],
            1,
        )
        return [
            TextBox(
                np.array([[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]], np.float32),
                float(scores[i]),
            )
            for i in nms(xyxy, scores, self.iou)
            for b in [xyxy[i]]
        ]

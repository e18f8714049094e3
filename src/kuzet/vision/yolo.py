"""A user's YOLO ONNX: v5 layout ``[B, N, 5+C]`` (objectness) or v8/v11 ``[B, 4+C, N]``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from kuzet.config.models import DEFAULT_CLASS_GROUPS, YoloConfig
from kuzet.core import COCO_CLASSES, Detections
from kuzet.vision.detector import DETECTORS, PostProcess, chunks, detector_options, fit, to_nchw
from kuzet.vision.runtime import Device, Precision, RuntimeName, make_session

Layout = Literal["v5", "v8"]


def detect_layout(shape: tuple[int, ...] | list[int], num_classes: int | None) -> Layout:
    """Tell the layouts apart by the output shape: C from the labels, else COCO's 80 if it
    fits, else boxes outnumber channels (N > 4+C)."""
    a, b = int(shape[-2]), int(shape[-1])
    if num_classes is None and (b == 85) != (a == 84):  # no labels: COCO-80 when it fits
        return "v5" if b == 85 else "v8"
    if num_classes is not None:
        if b == 5 + num_classes:
            return "v5"
        if a == 4 + num_classes:
            return "v8"
        raise ValueError(
            f"YOLO output {list(shape)} fits neither v5 [N,{5 + num_classes}] "
            f"nor v8 [{4 + num_classes},N]"
        )
    return "v8" if a < b else "v5"


def decode(
    out: np.ndarray, layout: Layout, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's raw output -> (xyxy in network pixels, score, class) above ``threshold``."""
    rows = out.T if layout == "v8" else out
    cls_scores = rows[:, 4:] if layout == "v8" else rows[:, 5:] * rows[:, 4:5]
    cls = cls_scores.argmax(axis=1)
    score = cls_scores[np.arange(len(rows)), cls]
    keep = score > threshold
    cxcywh = rows[keep, :4]
    xyxy = np.concatenate(
        [cxcywh[:, :2] - cxcywh[:, 2:] / 2, cxcywh[:, :2] + cxcywh[:, 2:] / 2], axis=1
    )
    return xyxy.astype(np.float32), score[keep].astype(np.float32), cls[keep].astype(np.int32)


class YoloDetector:
    """Letterboxed RGB 0..1 input (the Ultralytics convention), best class per box, NMS."""

    def __init__(
        self,
        model: str | Path,
        *,
        labels: tuple[str, ...] | None = None,
        layout: Literal["auto", "v5", "v8"] = "auto",
        input_size: int | None = None,
        score_threshold: float = 0.25,
        iou_threshold: float = 0.45,
        threads: int = 0,
        providers: list[str] | str = "auto",
        max_batch: int = 4,
        runtime: RuntimeName = "onnxruntime",
        precision: Precision = "fp32",
        device: Device = "cpu",
        class_groups: Sequence[Sequence[str]] | None = DEFAULT_CLASS_GROUPS,
        cross_iou: float = 0.7,
    ) -> None:
        self.session = make_session(
            model, providers, threads, runtime=runtime, precision=precision, device=device
        )
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        h, w = inp.shape[2], inp.shape[3]
        fixed = isinstance(h, int) and isinstance(w, int)
        self.size = (int(w), int(h)) if fixed else (input_size or 640, input_size or 640)
        self.max_batch = (
            max_batch if not isinstance(inp.shape[0], int) else max(1, int(inp.shape[0]))
        )
        out_shape = self.session.get_outputs()[0].shape
        n_cls = len(labels) if labels else None
        self.layout: Layout = detect_layout(out_shape, n_cls) if layout == "auto" else layout
        c = int(out_shape[-1]) - 5 if self.layout == "v5" else int(out_shape[-2]) - 4
        self.labels = labels or (
            COCO_CLASSES if c == len(COCO_CLASSES) else tuple(f"class{i}" for i in range(c))
        )
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold
        self.post = PostProcess(self.labels, iou_threshold, class_groups, cross_iou)

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        results: list[Detections] = []
        for group in chunks(images, self.max_batch):
            fitted = [fit(im, self.size, letterbox=True) for im in group]
            (out,) = self.session.run(
                [self.session.get_outputs()[0].name],
                {self.input_name: to_nchw([f[0] for f in fitted])},
            )
            for b, (im, (_, lb)) in enumerate(zip(group, fitted, strict=True)):
                xyxy, score, cls = decode(out[b], self.layout, self.score_threshold)
                keep = self.post.keep(xyxy, score, cls)
                h, w = im.shape[:2]
                results.append(Detections(lb.to_frame(xyxy[keep], w, h), score[keep], cls[keep]))
        return results


@DETECTORS.register("yolo")
def _create(cfg: YoloConfig) -> YoloDetector:
    return YoloDetector(
        cfg.model,
        labels=tuple(cfg.labels) if cfg.labels else None,
        layout=cfg.layout,
        input_size=cfg.input_size,
        **detector_options(cfg),
    )

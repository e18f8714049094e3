"""NanoDet (COCO-80) on ONNX Runtime: letterbox, one call per batch, DFL decode, NMS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kuzet.config.models import DEFAULT_CLASS_GROUPS, NanoDetConfig
from kuzet.core import COCO_CLASSES, Detections
from kuzet.vision.detector import DETECTORS, PostProcess, chunks, detector_options, fit, to_nchw
from kuzet.vision.quantize import CALIBRATION_ID, calibration_frames
from kuzet.vision.runtime import Device, Precision, RuntimeName, make_session

STRIDES = (8, 16, 32)
REG_BINS = 11  # distribution focal loss: 11 bins per box side
# NanoDet's own training normalisation (BGR order). Measured on bus.jpg / zidane.jpg it
# scores far better than RGB 0..1 (bus 0.78 vs "train" 0.63, 4 persons vs 2): docs/vision.md.
BGR_MEAN = (103.53, 116.28, 123.675)
BGR_STD = (57.375, 57.12, 58.395)


def _centres(size: int) -> dict[int, np.ndarray]:
    """Centre of every cell, per stride, in network pixels (``(i + 0.5) * stride``).

    The centre, not the top-left corner: measured boxes on bus.jpg line up with it.
    """
    out = {}
    for s in STRIDES:
        n = size // s
        ys, xs = np.mgrid[0:n, 0:n]
        out[s] = (np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32) + 0.5) * s
    return out


def decode(
    scores: list[np.ndarray], boxes: list[np.ndarray], size: int, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode one image's per-stride outputs into (xyxy, score, class) above ``threshold``.

    ``scores[i]``: [cells, C] sigmoid-ed; ``boxes[i]``: [cells, 4*11] per-side bin logits.
    """
    centres = _centres(size)
    bins = np.arange(REG_BINS, dtype=np.float32)
    parts_xyxy, parts_score, parts_cls = [], [], []
    for s, sc, bx in zip(STRIDES, scores, boxes, strict=True):
        cell, cls = np.nonzero(sc > threshold)
        if len(cell) == 0:
            continue
        logits = bx[cell].reshape(-1, 4, REG_BINS)
        e = np.exp(logits - logits.max(axis=2, keepdims=True))
        dist = (e @ bins) / e.sum(axis=2) * s  # l, t, r, b
        c = centres[s][cell]
        parts_xyxy.append(np.concatenate([c - dist[:, :2], c + dist[:, 2:]], axis=1))
        parts_score.append(sc[cell, cls])
        parts_cls.append(cls)
    if not parts_xyxy:
        return np.empty((0, 4), np.float32), np.empty(0, np.float32), np.empty(0, np.int32)
    return np.concatenate(parts_xyxy), np.concatenate(parts_score), np.concatenate(parts_cls)


class NanoDetDetector:
    """The default detector.

    Defaults are the measured best on real photos (docs/vision.md): stretch resize
    (``letterbox=False``) and NanoDet's BGR mean/std (``normalize="nanodet"``);
    ``normalize="rgb01"`` is the RGB 0..1 input other TF.js users feed.
    """

    labels: tuple[str, ...] = COCO_CLASSES

    def __init__(
        self,
        model: str | Path,
        input_size: int = 416,
        *,
        score_threshold: float = 0.35,
        iou_threshold: float = 0.5,
        threads: int = 0,
        providers: list[str] | str = "auto",
        max_batch: int = 4,
        class_groups: Sequence[Sequence[str]] | None = DEFAULT_CLASS_GROUPS,
        cross_iou: float = 0.7,
        letterbox: bool = False,
        normalize: str = "nanodet",
        runtime: RuntimeName = "onnxruntime",
        precision: Precision = "fp32",
        device: Device = "cpu",
    ) -> None:
        if normalize not in ("nanodet", "rgb01"):
            raise ValueError(f"normalize must be 'nanodet' or 'rgb01', not {normalize!r}")
        self._norm: dict[str, object] = (
            {"rgb": False, "mean": BGR_MEAN, "std": BGR_STD}
            if normalize == "nanodet"
            else {"rgb": True}
        )
        self.session = make_session(
            model, providers, threads, runtime=runtime, precision=precision, device=device,
            calibration=lambda: [
                to_nchw([fit(f, (input_size,) * 2, letterbox)[0]], **self._norm)  # type: ignore[arg-type]
                for f in calibration_frames()
            ],
            calibration_id=f"{CALIBRATION_ID}:nanodet:{normalize}:{input_size}:{letterbox}",
        )  # fmt: skip
        self.input_name = self.session.get_inputs()[0].name
        outs = self.session.get_outputs()
        by_cells = sorted(outs, key=lambda o: -int(o.shape[1]))  # stride 8 first
        scores = [o.name for o in by_cells if o.shape[2] != 4 * REG_BINS]
        boxes = [o.name for o in by_cells if o.shape[2] == 4 * REG_BINS]
        if len(scores) != len(STRIDES) or len(boxes) != len(STRIDES):
            raise ValueError(f"{model}: not a NanoDet graph (outputs {[o.shape for o in outs]})")
        self.output_names = scores + boxes
        self.size = input_size
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold
        self.post = PostProcess(COCO_CLASSES, iou_threshold, class_groups, cross_iou)
        self.max_batch = max_batch
        self.letterbox = letterbox

    def detect(self, images: list[np.ndarray]) -> list[Detections]:
        results: list[Detections] = []
        for group in chunks(images, self.max_batch):
            fitted = [fit(im, (self.size, self.size), self.letterbox) for im in group]
            x = to_nchw([f[0] for f in fitted], **self._norm)  # type: ignore[arg-type]
            outs = self.session.run(self.output_names, {self.input_name: x})
            n = len(STRIDES)
            for b, (im, (_, lb)) in enumerate(zip(group, fitted, strict=True)):
                xyxy, score, cls = decode(
                    [o[b] for o in outs[:n]],
                    [o[b] for o in outs[n:]],
                    self.size,
                    self.score_threshold,
                )
                keep = self.post.keep(xyxy, score, cls)
                h, w = im.shape[:2]
                results.append(Detections(lb.to_frame(xyxy[keep], w, h), score[keep], cls[keep]))
        return results


@DETECTORS.register("nanodet")
def _create(cfg: NanoDetConfig) -> NanoDetDetector:
    from kuzet.vision.models import resolve_model

    return NanoDetDetector(
        resolve_model(cfg.model, cfg.input_size),
        cfg.input_size,
        **detector_options(cfg),
    )

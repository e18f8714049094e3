"""The detector interface, its registry, and the pre/post-processing detectors share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from kuzet.config.models import CenterNetConfig, NanoDetConfig, YoloConfig
from kuzet.core import COCO_CLASSES, Detections, Registry


@runtime_checkable
class Detector(Protocol):
    """Boxes for BGR uint8 frames of any size, in each frame's pixels, NMS done per class
    and (by default) across confusable classes."""

    labels: tuple[str, ...]

    def detect(self, images: list[np.ndarray]) -> list[Detections]: ...


DETECTORS: Registry[Detector] = Registry[Detector]("detector")


def create_detector(cfg: NanoDetConfig | CenterNetConfig | YoloConfig) -> Detector:
    """Build the detector the config's ``type`` names (imports register the built-ins)."""
    from kuzet.vision import centernet as _centernet  # noqa: F401
    from kuzet.vision import nanodet as _nanodet  # noqa: F401
    from kuzet.vision import yolo as _yolo  # noqa: F401

    return DETECTORS.create(cfg.type, cfg)


def detector_options(cfg: NanoDetConfig | CenterNetConfig | YoloConfig) -> dict[str, Any]:
    """The settings every detector type takes the same way (thresholds, session, runtime,
    cross-class suppression), as keyword arguments of its constructor."""
    groups = cfg.cross_class_nms.groups if cfg.cross_class_nms.enabled else None
    return {
        "score_threshold": cfg.score_threshold,
        "iou_threshold": cfg.iou_threshold,
        "threads": cfg.threads,
        "providers": cfg.providers,
        "max_batch": cfg.max_batch,
        "runtime": cfg.runtime,
        "precision": cfg.precision,
        "device": cfg.device,
        "class_groups": groups,
        "cross_iou": cfg.cross_class_nms.iou_threshold,
    }


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How a frame was fitted into the network input: ``net = frame * scale + pad``."""

    scale_x: float
    scale_y: float
    pad_x: float
    pad_y: float

    def to_frame(self, xyxy: np.ndarray, width: int, height: int) -> np.ndarray:
        out = (xyxy - np.array([self.pad_x, self.pad_y] * 2, np.float32)) / np.array(
            [self.scale_x, self.scale_y] * 2, np.float32
        )
        np.clip(out[:, 0::2], 0, width, out=out[:, 0::2])
        np.clip(out[:, 1::2], 0, height, out=out[:, 1::2])
        return out


def fit(
    image: np.ndarray, size: tuple[int, int], letterbox: bool, pad_value: int = 114
) -> tuple[np.ndarray, Letterbox]:
    """Resize a BGR frame to ``size`` (w, h): keep aspect and pad (letterbox) or stretch."""
    h, w = image.shape[:2]
    tw, th = size
    if not letterbox:
        out = cv2.resize(image, (tw, th), interpolation=cv2.INTER_LINEAR)
        return out, Letterbox(tw / w, th / h, 0.0, 0.0)
    s = min(tw / w, th / h)
    nw, nh = round(w * s), round(h * s)
    px, py = (tw - nw) // 2, (th - nh) // 2
    out = np.full((th, tw, 3), pad_value, np.uint8)
    out[py : py + nh, px : px + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return out, Letterbox(s, s, float(px), float(py))


def to_nchw(
    batch: list[np.ndarray],
    rgb: bool = True,
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0),
    std: tuple[float, float, float] = (255.0, 255.0, 255.0),
) -> np.ndarray:
    """BGR uint8 HWC frames -> float32 NCHW ``(x - mean) / std`` (channel order of the output)."""
    x = np.stack(batch)
    if rgb:
        x = x[..., ::-1]
    x = x.transpose(0, 3, 1, 2).astype(np.float32)
    x -= np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
    x *= (1 / np.asarray(std, np.float32)).reshape(1, 3, 1, 1)
    return x


def nms_per_class(
    xyxy: np.ndarray, scores: np.ndarray, class_id: np.ndarray, iou: float, max_det: int = 300
) -> np.ndarray:
    """Indices kept by class-aware NMS (OpenCV's batched NMS), best first."""
    if len(scores) == 0:
        return np.empty(0, np.int64)
    wh = xyxy[:, 2:] - xyxy[:, :2]
    boxes = np.concatenate([xyxy[:, :2], wh], axis=1).astype(np.float32)
    nms: Any = cv2.dnn.NMSBoxesBatched  # its stubs want lists; arrays are fine and faster
    kept = nms(boxes, scores.astype(np.float32), class_id.astype(np.int32), 0.0, iou)
    keep = np.asarray(kept, np.int64).reshape(-1)
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return keep[:max_det]


def class_groups(labels: Sequence[str], groups: Sequence[Sequence[str]]) -> np.ndarray:
    """Group index of every class id (-1: in no group), for :func:`suppress_across_classes`.

    A name neither among ``labels`` nor a COCO class is a typo and refused; a COCO name a
    custom model lacks is skipped (the default groups are COCO's)."""
    index = {name: i for i, name in enumerate(labels)}
    out = np.full(len(labels), -1, np.int32)
    for g, names in enumerate(groups):
        for name in names:
            if name in index:
                out[index[name]] = g
            elif name not in COCO_CLASSES:
                raise ValueError(
                    f"cross_class_nms.groups: class {name!r} is not one of the detector's labels"
                )
    return out


def suppress_across_classes(
    xyxy: np.ndarray,
    scores: np.ndarray,
    class_id: np.ndarray,
    group_of: np.ndarray,
    iou: float,
) -> np.ndarray:
    """Indices kept, best first, once boxes of one class group overlapping by more than
    ``iou`` are reduced to the best (class-agnostic NMS inside each group). Boxes of
    classes in no group are all kept."""
    order = np.argsort(-scores, kind="stable")
    if len(order) == 0:
        return order.astype(np.int64)
    group = group_of[class_id]
    grouped = order[group[order] >= 0]
    if len(grouped) < 2:
        return order.astype(np.int64)
    wh = xyxy[grouped, 2:] - xyxy[grouped, :2]
    boxes = np.concatenate([xyxy[grouped, :2], wh], axis=1).astype(np.float32)
    nms: Any = cv2.dnn.NMSBoxesBatched
    kept = nms(boxes, scores[grouped].astype(np.float32), group[grouped].astype(np.int32), 0.0, iou)
    dropped = set(grouped.tolist()) - set(grouped[np.asarray(kept, np.int64).reshape(-1)].tolist())
    return np.array([i for i in order.tolist() if i not in dropped], np.int64)


class PostProcess:
    """Per-class NMS, then (if configured) suppression across confusable classes."""

    def __init__(
        self,
        labels: Sequence[str],
        iou_threshold: float,
        groups: Sequence[Sequence[str]] | None,
        cross_iou: float = 0.7,
        max_det: int = 300,
    ) -> None:
        self.iou_threshold = iou_threshold
        self.group_of = class_groups(labels, groups) if groups else None
        self.cross_iou = cross_iou
        self.max_det = max_det

    def keep(self, xyxy: np.ndarray, scores: np.ndarray, class_id: np.ndarray) -> np.ndarray:
        keep = nms_per_class(xyxy, scores, class_id, self.iou_threshold, self.max_det)
        if self.group_of is not None and len(keep) > 1:
            keep = keep[
                suppress_across_classes(
                    xyxy[keep], scores[keep], class_id[keep], self.group_of, self.cross_iou
                )
            ]
        return keep


def chunks(items: list[np.ndarray], n: int) -> list[list[np.ndarray]]:
    return [items[i : i + n] for i in range(0, len(items), n)]

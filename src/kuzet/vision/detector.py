"""The detector interface, its registry, and the pre/post-processing detectors share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from kuzet.config.models import NanoDetConfig, YoloConfig
from kuzet.core import Detections, Registry


@runtime_checkable
class Detector(Protocol):
    """Boxes for BGR uint8 frames of any size, in each frame's pixels, NMS done per class."""

    labels: tuple[str, ...]

    def detect(self, images: list[np.ndarray]) -> list[Detections]: ...


DETECTORS: Registry[Detector] = Registry[Detector]("detector")


def create_detector(cfg: NanoDetConfig | YoloConfig) -> Detector:
    """Build the detector the config's ``type`` names (imports register the built-ins)."""
    from kuzet.vision import nanodet as _nanodet  # noqa: F401
    from kuzet.vision import yolo as _yolo  # noqa: F401

    return DETECTORS.create(cfg.type, cfg)


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


def chunks(items: list[np.ndarray], n: int) -> list[list[np.ndarray]]:
    return [items[i : i + n] for i in range(0, len(items), n)]

"""Carried bag of a person track: a backpack, handbag or suitcase detection (COCO-80
classes) that overlaps the person's box in the same frame.

Overlap is measured as the share of the *bag's* box inside the person box, not IoU: a
bag is small next to a person, so IoU stays low even for a backpack worn on the back.
A suitcase pulled beside the legs sticks out of the box, hence the modest default.
The best (overlap x confidence) per bag kind over the track decides.
"""

from __future__ import annotations

import numpy as np

from kuzet.core import Detections

# COCO-80 class indices, as NanoDet and the YOLO exports number them
BAG_CLASSES: dict[int, str] = {24: "backpack", 26: "handbag", 28: "suitcase"}


def inside_share(person: np.ndarray, bags: np.ndarray) -> np.ndarray:
    """Share of each bag box ``[N, 4]`` that lies inside the ``person`` box."""
    if len(bags) == 0:
        return np.zeros(0, np.float32)
    x1 = np.maximum(bags[:, 0], person[0])
    y1 = np.maximum(bags[:, 1], person[1])
    x2 = np.minimum(bags[:, 2], person[2])
    y2 = np.minimum(bags[:, 3], person[3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = np.clip(bags[:, 2] - bags[:, 0], 0, None) * np.clip(bags[:, 3] - bags[:, 1], 0, None)
    return (inter / np.maximum(area, 1e-6)).astype(np.float32)


def bag_scores(
    person: np.ndarray,
    dets: Detections,
    classes: dict[int, str] | None = None,
    min_share: float = 0.3,
) -> dict[str, float]:
    """``{kind: overlap x confidence}`` of the bags overlapping ``person`` in one frame."""
    classes = BAG_CLASSES if classes is None else classes
    mask = np.isin(dets.class_id, list(classes))
    if not mask.any():
        return {}
    share = inside_share(np.asarray(person, np.float32), dets.xyxy[mask].astype(np.float32))
    out: dict[str, float] = {}
    for s, conf, k in zip(share, dets.confidence[mask], dets.class_id[mask], strict=True):
        if s >= min_share:
            kind = classes[int(k)]
            out[kind] = max(out.get(kind, 0.0), float(s) * float(conf))
    return out


def best_bag(best: dict[str, float]) -> tuple[str, float]:
    """The track's carried bag (``"none"`` when no bag ever overlapped) and its score."""
    if not best:
        return "none", 0.0
    kind = max(best, key=lambda k: best[k])
    return kind, round(best[kind], 3)

"""Per-frame changes that force a re-encode: faces blurred, a visible watermark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import cv2
import numpy as np

from kuzet.access.blur import FaceFinder, blur_regions
from kuzet.evidence.remux import FrameFn


def blur_faces(finder: FaceFinder) -> FrameFn:
    def fn(img: np.ndarray, _t: datetime) -> np.ndarray:
        return blur_regions(img, finder.detect(img))

    return fn


def watermark(lines: Sequence[str]) -> FrameFn:
    """Text in a dark band at the bottom, with each picture's own UTC time burned in."""

    def fn(img: np.ndarray, t: datetime) -> np.ndarray:
        out = img.copy()
        h, w = out.shape[:2]
        scale = max(0.4, w / 1600)
        thick = max(1, round(scale * 2))
        texts = [*lines, t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"]
        line_h = int(24 * scale) + 6
        top = h - line_h * len(texts) - 6
        band = out[max(0, top) :, :]
        band[:] = (band * 0.45).astype(out.dtype)
        for i, text in enumerate(texts):
            y = top + line_h * (i + 1) - 4
            cv2.putText(
                out,
                text,
                (8, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                scale,
                (255, 255, 255),
                thick,
                cv2.LINE_AA,
            )
        return out

    return fn


def chain(fns: Sequence[FrameFn]) -> FrameFn | None:
    """One filter applying ``fns`` in order (blur first, then the watermark); None if empty."""
    if not fns:
        return None
    steps: list[Callable[[np.ndarray, datetime], np.ndarray]] = list(fns)

    def fn(img: np.ndarray, t: datetime) -> np.ndarray:
        for step in steps:
            img = step(img, t)
        return img

    return fn

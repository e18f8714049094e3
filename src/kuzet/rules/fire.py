"""Classical fire and smoke cues on a small frame; no weights needed.

Fire: flame colour (R > G > B, saturation rising as red falls, after Chen et al. 2004)
whose pixels *flicker* (switch in and out of flame colour within a few frames) and
stay in place. Smoke: low-saturation grey that differs softly from the background,
*blurs* the background's edges and *drifts upwards*. Each frame yields candidate
regions with a score; the rule confirms a region over several frames.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

WIDTH = 320
BG_TAU_S = 10.0
STRUCTURE_MIN = 0.25  # gradient correlation with the background behind a smoke veil


@dataclass(slots=True)
class Region:
    box: tuple[float, float, float, float]  # frame pixels
    area: float  # analysis pixels (width 320)
    score: float


def flame_colour(bgr: np.ndarray) -> np.ndarray:
    b, g, r = (bgr[..., i].astype(np.int16) for i in range(3))
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    sat = (mx - mn) * 255 // np.maximum(mx, 1)
    return (r > 150) & (r >= g) & (g > b) & (r - b > 60) & (sat >= (255 - r) * 60 // 150)


def smoke_colour(bgr: np.ndarray) -> np.ndarray:
    mx = bgr.max(axis=2).astype(np.int16)
    mn = bgr.min(axis=2).astype(np.int16)
    return (mx - mn < 28) & (mx > 70) & (mx < 235)


def _structure(now: np.ndarray, bg: np.ndarray, sel: np.ndarray) -> float:
    """Correlation of gradients now vs background: ~1 behind a veil, ~0 behind a body."""
    gn = np.stack([cv2.Sobel(now, cv2.CV_32F, 1, 0), cv2.Sobel(now, cv2.CV_32F, 0, 1)])[:, sel]
    gb = np.stack([cv2.Sobel(bg, cv2.CV_32F, 1, 0), cv2.Sobel(bg, cv2.CV_32F, 0, 1)])[:, sel]
    den = float(np.sqrt((gn * gn).sum() * (gb * gb).sum()))
    return float((gn * gb).sum()) / den if den > 0 else 0.0


def _edges(grey: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return np.abs(gx) + np.abs(gy)


class FireSmokeCues:
    """Per-camera state: recent flame masks, a slow background, the previous grey frame."""

    def __init__(self, window: int = 6, min_area: float = 150.0) -> None:
        self.window, self.min_area = window, min_area
        self._masks: deque[np.ndarray] = deque(maxlen=window)
        self._bg: np.ndarray | None = None
        self._prev: np.ndarray | None = None
        self._prev_core: np.ndarray | None = None
        self._last = 0.0
        self._pts = -1.0
        self.fire: list[Region] = []
        self.smoke: list[Region] = []

    def update(self, image: np.ndarray, pts: float, exclude: np.ndarray | None) -> None:
        """``exclude``: boolean mask at analysis size where nothing may be reported."""
        if pts == self._pts:
            return
        self._pts = pts
        h, w = image.shape[:2]
        s = w / WIDTH
        small = cv2.resize(image, (WIDTH, max(1, round(h / s))), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
        flame = flame_colour(small)
        if exclude is not None and exclude.shape == flame.shape:
            flame &= ~exclude
        self._masks.append(flame)
        dt = max(pts - self._last, 1e-3)
        self._last = pts
        self.fire = self._fire_regions(flame, s)
        self.smoke = []
        if self._bg is not None and self._prev is not None and self._prev.shape == grey.shape:
            self.smoke = self._smoke_regions(small, grey, s, exclude)
            self._bg += (1 - np.exp(-dt / BG_TAU_S)) * (grey - self._bg)
        else:
            self._bg = grey.copy()
        self._prev = grey

    def _fire_regions(self, flame: np.ndarray, s: float) -> list[Region]:
        if len(self._masks) < 3:
            return []
        stack = np.stack(self._masks)
        changes = (stack[1:] != stack[:-1]).sum(axis=0)
        seen = stack.any(axis=0)
        blob = cv2.dilate(np.asarray(seen, np.uint8), np.ones((5, 5), np.uint8))
        n, lab, stats, _ = cv2.connectedComponentsWithStats(blob, connectivity=8)
        out = []
        for i in range(1, n):
            x, y, bw, bh, _ = (int(v) for v in stats[i])
            sel = (lab == i) & seen
            area_now = float((flame & (lab == i)).sum())
            if area_now < self.min_area:
                continue
            flicker = float((changes[sel] >= 1).mean())
            multi = float((changes[sel] >= 2).mean())
            # flames change shape and size from frame to frame; a cone, a lamp or a coat
            # keeps its area (its edges only shimmer with noise)
            areas = stack[:, y : y + bh, x : x + bw].sum(axis=(1, 2)).astype(np.float64)
            wobble = float(areas.std() / max(areas.mean(), 1.0))
            if flicker >= 0.3 and multi >= 0.1 and wobble >= 0.1:
                score = min(
                    1.0, 0.4 * flicker + 0.3 * min(1.0, multi * 3) + 0.3 * min(1.0, wobble * 3)
                )
                out.append(Region((x * s, y * s, (x + bw) * s, (y + bh) * s), area_now, score))
        return out

    def _smoke_regions(
        self, small: np.ndarray, grey: np.ndarray, s: float, exclude: np.ndarray | None
    ) -> list[Region]:
        assert self._bg is not None
        diff = np.abs(grey - self._bg)
        core = smoke_colour(small) & (diff > 6) & (diff < 90)
        if exclude is not None and exclude.shape == core.shape:
            core &= ~exclude
        core = cv2.morphologyEx(
            np.asarray(core, np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)
        )
        prev_core, self._prev_core = self._prev_core, core
        if prev_core is None:
            return []
        grown = cv2.dilate(core, np.ones((5, 5), np.uint8))
        n, lab, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
        e_now, e_bg = _edges(grey), _edges(self._bg)
        ys = np.arange(core.shape[0], dtype=np.float32)[:, None]
        out = []
        for i in range(1, n):
            x, y, bw, bh, _ = (int(v) for v in stats[i])
            sel = (lab == i) & (core > 0)
            area = float(sel.sum())
            if area < self.min_area:
                continue
            blur = float(e_now[sel].mean() / max(e_bg[sel].mean(), 1e-3))
            if blur > 0.85:
                continue  # smoke softens what is behind it; a grey coat brings edges
            if _structure(grey, self._bg, sel) < STRUCTURE_MIN:
                continue  # ... but keeps its shapes visible; a body hides them
            box = (slice(y, y + bh), slice(x, x + bw))
            now, before = core[box] > 0, prev_core[box] > 0
            if before.sum() < self.min_area / 2:
                continue
            drift = float(
                (ys[box[0]] * now).sum() / now.sum() - (ys[box[0]] * before).sum() / before.sum()
            )
            if not -8.0 < drift < -0.3:
                continue  # smoke drifts upwards, slowly
            score = 0.5 * min(1.0, 1 - blur) * 2 + 0.5 * min(1.0, -drift / 2)
            out.append(Region((x * s, y * s, (x + bw) * s, (y + bh) * s), area, min(score, 1.0)))
        return out

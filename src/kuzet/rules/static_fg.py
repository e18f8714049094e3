"""Static foreground: things that appeared (or vanished) and then stayed still.

Two running-average backgrounds of a small grey frame: a short one (seconds) and a
long one (minutes) that is not updated under foreground. A pixel that differs from
the long background but already matches the short one belongs to something that
arrived and stopped moving -- or to a hole where something stood. Edges tell which:
an object *added* brings edges the long background lacks; a *removed* one took them.
This is the fallback when the detector does not know the object's class.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WIDTH = 320
_Found = tuple[tuple[float, float, float, float], float, str]


@dataclass(slots=True)
class Blob:
    id: int
    box: tuple[float, float, float, float]  # frame pixels
    area: float  # frame pixels
    kind: str  # "added" or "removed"
    first_seen: float
    last_seen: float

    @property
    def foot(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, self.box[3])


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class StaticForeground:
    def __init__(
        self,
        short_s: float = 3.0,
        long_s: float = 600.0,
        threshold: float = 25.0,
        warmup_s: float = 5.0,
    ) -> None:
        self.short_s, self.long_s, self.threshold, self.warmup_s = (
            short_s,
            long_s,
            threshold,
            warmup_s,
        )
        self._short: np.ndarray | None = None
        self._long: np.ndarray | None = None
        self._t0 = self._last = 0.0
        self._scale = 1.0
        self._next_id = 1_000_000_000
        self.blobs: list[Blob] = []
        self.mask: np.ndarray = np.zeros(
            (1, 1), bool
        )  # static pixels of the last frame (small grid)
        self._pts = -1.0

    def update(self, image: np.ndarray, pts: float) -> list[Blob]:
        if pts == self._pts:
            return self.blobs  # several rules share one model per frame
        self._pts = pts
        h, w = image.shape[:2]
        self._scale = w / WIDTH
        small = cv2.resize(
            image, (WIDTH, max(1, round(h / self._scale))), interpolation=cv2.INTER_AREA
        )
        g = cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32)  # colour: a red bag on grey
        if self._short is None or self._long is None or self._short.shape != g.shape:
            self._short, self._long, self._t0, self._last = g.copy(), g.copy(), pts, pts
            self.mask = np.zeros(g.shape[:2], bool)
            return []
        dt = max(pts - self._last, 1e-3)
        self._last = pts
        fg_long = np.abs(g - self._long).max(axis=2) > self.threshold
        fg_short = np.abs(g - self._short).max(axis=2) > self.threshold
        static = (fg_long & ~fg_short).astype(np.uint8)
        static = cv2.morphologyEx(static, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        static = cv2.morphologyEx(static, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
        a_s = 1 - np.exp(-dt / self.short_s)
        self._short += a_s * (g - self._short)
        if pts - self._t0 < self.warmup_s or fg_long.mean() > 0.5:
            self._long += a_s * (g - self._long)  # learning the scene, or the light changed
            static[:] = 0
        else:
            a_l = 1 - np.exp(-dt / self.long_s)
            upd = ~fg_long
            self._long[upd] += a_l * (g[upd] - self._long[upd])
        self.mask = static.astype(bool)
        self.blobs = self._match(self._components(static, g.mean(axis=2)), pts)
        return self.blobs

    def _components(self, static: np.ndarray, g: np.ndarray) -> list[_Found]:
        assert self._long is not None
        n, _, stats, _ = cv2.connectedComponentsWithStats(static, connectivity=8)
        out: list[_Found] = []
        s = self._scale
        long_grey = self._long.mean(axis=2) if n > 1 else self._long
        for i in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if area < 6:
                continue
            roi = (slice(max(y - 1, 0), y + bh + 1), slice(max(x - 1, 0), x + bw + 1))
            kind = "added" if _edges(g[roi]) >= _edges(long_grey[roi]) else "removed"
            out.append(((x * s, y * s, (x + bw) * s, (y + bh) * s), area * s * s, kind))
        return out

    def _match(self, found: list[_Found], pts: float) -> list[Blob]:
        blobs = []
        prev = list(self.blobs)
        for box, area, kind in found:
            best = max(prev, key=lambda b: _iou(b.box, box), default=None)
            if best is not None and _iou(best.box, box) >= 0.3:
                prev.remove(best)
                blobs.append(Blob(best.id, box, area, best.kind, best.first_seen, pts))
            else:
                self._next_id += 1
                blobs.append(Blob(self._next_id, box, area, kind, pts, pts))
        return blobs

    def absorb(self, box: tuple[float, float, float, float]) -> None:
        """Make what is now inside ``box`` part of the long background (an event resolved)."""
        if self._long is None or self._short is None:
            return
        s = self._scale
        x1, y1, x2, y2 = (round(v / s) for v in box)
        self._long[y1 : y2 + 1, x1 : x2 + 1] = self._short[y1 : y2 + 1, x1 : x2 + 1]


def _edges(patch: np.ndarray) -> float:
    if patch.size == 0:
        return 0.0
    gx = cv2.Sobel(patch, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.mean(np.abs(gx) + np.abs(gy)))

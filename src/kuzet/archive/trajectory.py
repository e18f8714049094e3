"""Trajectory simplification that keeps *when* as well as *where*.

Plain Douglas-Peucker (``cv2.approxPolyDP``) measures a point's distance to the chord
in space only and returns points, not their indices: a person who stood still for a
minute and then walked on becomes one straight segment, and the time of a crossing
interpolated along it would be off by that minute. This is Douglas-Peucker with the
*synchronised* Euclidean distance (Meratnia & de By, "Spatiotemporal compression
techniques for moving point objects", EDBT 2004, "top-down time ratio"): a point is
compared with where the chord puts the object *at that point's time*, so stops and
speed changes keep their vertices and every kept vertex keeps its own time.
"""

from __future__ import annotations

import numpy as np


def simplify(t: np.ndarray, x: np.ndarray, y: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the points kept (first and last always), increasing.

    Every dropped point lies within ``tolerance`` pixels of the simplified path at the
    same time (linear interpolation between the kept vertices around it).
    """
    t = np.asarray(t, np.float64)
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    n = len(t)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        span = t[j] - t[i]
        inner = slice(i + 1, j)
        ratio = (t[inner] - t[i]) / span if span > 0 else np.zeros(j - i - 1)
        px = x[i] + ratio * (x[j] - x[i])
        py = y[i] + ratio * (y[j] - y[i])
        d = np.hypot(x[inner] - px, y[inner] - py)
        k = int(np.argmax(d))
        if d[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return np.flatnonzero(keep)

"""Vectorised plane geometry shared by rules."""

from __future__ import annotations

import numpy as np

EDGE_EPS = 1e-6
"""Points closer than this (pixels) to an edge are on it: foot points are not that exact."""


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Boolean mask of points strictly inside or on the boundary of a simple polygon.

    Even-odd ray casting over all points at once; boundary points count as inside so a
    foot exactly on the zone's edge is not flickering in and out.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0 or len(poly) < 3:
        return np.zeros(len(pts), dtype=bool)
    x, y = pts[:, 0:1], pts[:, 1:2]
    x1, y1 = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    straddles = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    inside = np.logical_xor.reduce(straddles & (x < x_cross), axis=1)
    return inside | _on_boundary(pts, x1, y1, x2, y2)


def _on_boundary(
    pts: np.ndarray, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray
) -> np.ndarray:
    px, py = pts[:, 0:1], pts[:, 1:2]
    cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1)
    scale = np.maximum(np.abs(x2 - x1) + np.abs(y2 - y1), 1e-12)
    collinear = np.abs(cross) / scale <= EDGE_EPS
    within = (
        (np.minimum(x1, x2) - EDGE_EPS <= px)
        & (px <= np.maximum(x1, x2) + EDGE_EPS)
        & (np.minimum(y1, y2) - EDGE_EPS <= py)
        & (py <= np.maximum(y1, y2) + EDGE_EPS)
    )
    return np.any(collinear & within, axis=1)

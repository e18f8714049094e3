"""Vectorised plane geometry shared by rules."""

from __future__ import annotations

import cv2
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


class PolygonSet:
    """Many polygons tested against many points in one pass (a scene's zones).

    Edges are stored padded as (polygons x max vertices); only (point, polygon) pairs
    whose bounding boxes overlap are tested, so the cost grows with the pairs that can
    be inside, not with points x all edges.
    """

    def __init__(self, polygons: list[np.ndarray]) -> None:
        polys = [np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in polygons]
        self.count = len(polys)
        vmax = max((len(p) for p in polys), default=0)
        a = np.full((self.count, vmax, 2), np.nan)
        b = np.full((self.count, vmax, 2), np.nan)
        for i, p in enumerate(polys):
            a[i, : len(p)] = p
            b[i, : len(p)] = np.roll(p, -1, axis=0)
        self.x1, self.y1, self.x2, self.y2 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
        dy = self.y2 - self.y1
        with np.errstate(divide="ignore", invalid="ignore"):
            self._slope = np.where(dy != 0, (self.x2 - self.x1) / dy, 0.0)
        self._ylo, self._yhi = np.fmin(self.y1, self.y2), np.fmax(self.y1, self.y2)
        self._xlo, self._xhi = np.fmin(self.x1, self.x2), np.fmax(self.x1, self.x2)
        self._scale = np.maximum(np.abs(self.x2 - self.x1) + np.abs(dy), 1e-12)
        valid = np.array([len(p) >= 3 for p in polys], dtype=bool)
        with np.errstate(invalid="ignore"):
            lo = np.array([p.min(axis=0) if len(p) else (np.inf, np.inf) for p in polys])
            hi = np.array([p.max(axis=0) if len(p) else (-np.inf, -np.inf) for p in polys])
        lo = lo.reshape(-1, 2) - EDGE_EPS
        hi = hi.reshape(-1, 2) + EDGE_EPS
        self._lo = np.where(valid[:, None], lo, np.inf)
        self._hi = np.where(valid[:, None], hi, -np.inf)
        self._box = tuple(np.ascontiguousarray(v) for v in (*self._lo.T, *self._hi.T))
        self._edges = np.ascontiguousarray(
            np.stack(
                [
                    self.x1,
                    self.y1,
                    self.y2,
                    self._slope,
                    self.x2 - self.x1,
                    dy,
                    self._scale,
                    self._xlo - EDGE_EPS,
                    self._xhi + EDGE_EPS,
                    self._ylo - EDGE_EPS,
                    self._yhi + EDGE_EPS,
                ],
            )
        )  # (11, P, V): one gather per candidate pair, unpacked as views

    def contains(self, points: np.ndarray) -> np.ndarray:
        """(N, P) boolean: point n inside or on the boundary of polygon p."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        out = np.zeros((len(pts), self.count), dtype=bool)
        self.fill(pts, out)
        return out

    def fill(self, pts: np.ndarray, out: np.ndarray) -> bool:
        """Set ``out[n, p]`` where float64 (N, 2) point n is in polygon p (else untouched).

        False when no point is even in a polygon's bounding box (nothing was set).

        Per-edge constants are packed in one array so a candidate pair costs one gather;
        the boundary box test only runs when some point lies on an edge's line.
        """
        if self.count == 0 or len(pts) == 0:
            return False
        px, py = pts[:, 0:1], pts[:, 1:2]
        lox, loy, hix, hiy = self._box
        near = (px >= lox) & (px <= hix)
        near &= py >= loy
        near &= py <= hiy
        n, p = near.nonzero()
        if len(n) == 0:
            return False
        qx, qy = px[n], py[n]  # (K, 1) against (K, V) edges of each pair's polygon
        x1, y1, y2, slope, dx, dy, scale, xlo, xhi, ylo, yhi = self._edges[:, p]
        with np.errstate(invalid="ignore"):
            ry = qy - y1
            straddles = (y1 > qy) != (y2 > qy)
            hits = straddles & (qx < x1 + ry * slope)
            inside = np.logical_xor.reduce(hits, axis=1)  # odd number of crossings
            on_line = np.abs(dx * ry - dy * (qx - x1)) / scale <= EDGE_EPS
            if on_line.any():
                on_line &= (xlo <= qx) & (qx <= xhi) & (ylo <= qy) & (qy <= yhi)
                inside |= on_line.any(axis=1)
        out[n, p] = inside
        return True


class LineSet:
    """Segments A-B with an 'in' side: signed distances and positions along them, vectorised.

    ``signed_distance`` is positive on the ``in_point`` side, in pixels; ``along`` is the
    position of the foot of the perpendicular as a fraction of A-B (0 at A, 1 at B).
    """

    def __init__(self, ends: np.ndarray, in_points: np.ndarray) -> None:
        ends = np.asarray(ends, dtype=np.float64).reshape(-1, 2, 2)
        self.count = len(ends)
        self.a = ends[:, 0]
        d = ends[:, 1] - ends[:, 0]
        length = np.hypot(d[:, 0], d[:, 1])
        self.length = length
        self.unit = d / np.maximum(length, 1e-12)[:, None]
        ins = np.asarray(in_points, dtype=np.float64).reshape(-1, 2)
        side = self.unit[:, 0] * (ins[:, 1] - self.a[:, 1]) - self.unit[:, 1] * (
            ins[:, 0] - self.a[:, 0]
        )
        self.sign = np.where(side >= 0, 1.0, -1.0)
        # measure(): rows [dist, along] = (c_ry * ry + c_rx * rx) / div, same rounding as
        # signed_distance / along (a - b == a + -b; x * sign == x / sign for sign = +-1)
        u = self.unit
        self._a2 = np.ascontiguousarray(self.a.T)
        self._c_ry = np.stack([u[:, 0], u[:, 1]])
        self._c_rx = np.stack([-u[:, 1], u[:, 0]])
        self._div = np.stack([self.sign, np.maximum(length, 1e-12)])

    def measure(self, pts: np.ndarray) -> np.ndarray:
        """(N, 2, L) signed distance and along for float64 (N, 2) points, in one pass."""
        r = pts[:, :, None] - self._a2  # (N, 2, L): rx, ry
        rx, ry = r[:, 0:1], r[:, 1:2]
        out: np.ndarray = (self._c_ry * ry + self._c_rx * rx) / self._div
        return out

    def signed_distance(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        rx = p[:, 0:1] - self.a[:, 0]
        ry = p[:, 1:2] - self.a[:, 1]
        return (self.unit[:, 0] * ry - self.unit[:, 1] * rx) * self.sign

    def along(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        rx = p[:, 0:1] - self.a[:, 0]
        ry = p[:, 1:2] - self.a[:, 1]
        return (rx * self.unit[:, 0] + ry * self.unit[:, 1]) / np.maximum(self.length, 1e-12)


def homography(image_points: np.ndarray, world_points: np.ndarray) -> np.ndarray:
    """3x3 matrix mapping image pixels to ground metres (OpenCV; least squares past 4 points)."""
    src = np.asarray(image_points, dtype=np.float64).reshape(-1, 1, 2)
    dst = np.asarray(world_points, dtype=np.float64).reshape(-1, 1, 2)
    h, _ = cv2.findHomography(src, dst, 0)
    if h is None:
        raise ValueError("no homography: the points are degenerate (three on one line?)")
    return np.asarray(h, np.float64)


def apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(N, 2) points through ``h`` (``cv2.perspectiveTransform``), as float64."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    if len(p) == 0:
        return np.empty((0, 2), np.float64)
    return np.asarray(cv2.perspectiveTransform(p, h), np.float64).reshape(-1, 2)

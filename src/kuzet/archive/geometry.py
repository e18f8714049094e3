"""After-the-fact lines and zones over stored trajectories, all rows in one array pass.

Lines follow the live ``line_crossing`` rule (:mod:`kuzet.rules.lines`) with the rules'
own :class:`~kuzet.rules.geometry.LineSet`: a vertex has a *confirmed side* only when it
is ``min_distance`` past the line, a crossing is two consecutive confirmed vertices of
one track on opposite sides whose connecting segment meets A-B (walking round an end of
the line does not count), and its time is interpolated where the path meets the line.
Zones use :class:`~kuzet.rules.geometry.PolygonSet` for the vertices and a segment/edge
test for the paths between them: a simplified path may cross a small zone with no
vertex inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kuzet.config.rules import LineConfig, ZoneConfig
from kuzet.rules.geometry import LineSet, PolygonSet

_ALONG_EPS = 1e-6
_CHUNK = 1 << 20  # segments tested against a zone's edges per block (memory bound)


@dataclass(frozen=True, slots=True)
class Paths:
    """Trajectories of ``n`` rows, flat: vertices of row i are ``offsets[i]:offsets[i+1]``."""

    offsets: np.ndarray  # int64 (n + 1)
    x: np.ndarray  # float64
    y: np.ndarray
    t_ms: np.ndarray  # float64, ms from the row's start

    @property
    def rows(self) -> int:
        return len(self.offsets) - 1

    def row_of_vertex(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows), np.diff(self.offsets))


@dataclass(frozen=True, slots=True)
class Hits:
    """One entry per crossing/entry: the row it belongs to, when (ms from the row's
    start) and, for lines, the direction (+1 in, -1 out; 0 for zones)."""

    row: np.ndarray
    t_ms: np.ndarray
    direction: np.ndarray


def default_in_point(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The 'in' side when none is given: right of A->B as seen on the picture (y down)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = max(float(np.hypot(dx, dy)), 1e-9)
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    return mx - dy / n * 16, my + dx / n * 16


def line_crossings(
    line: LineConfig, paths: Paths, direction: Literal["in", "out", "both"] = "both"
) -> Hits:
    lines = LineSet(np.asarray([line.points], np.float64), np.asarray([line.in_point]))
    pts = np.stack([paths.x, paths.y], axis=1)
    if len(pts) == 0:
        return _empty()
    geo = lines.measure(pts)[:, :, 0]  # (N, 2): signed distance, along
    d, along = geo[:, 0], geo[:, 1]
    margin = line.min_distance
    side = (d >= margin).astype(np.int8) - (d <= -margin).astype(np.int8)
    idx = np.flatnonzero(side)  # only confirmed vertices carry a side
    row = paths.row_of_vertex()[idx]
    s = side[idx]
    flip = (row[1:] == row[:-1]) & (s[1:] != s[:-1])
    i0, i1 = idx[:-1][flip], idx[1:][flip]
    frac = d[i0] / (d[i0] - d[i1])
    hit = along[i0] + (along[i1] - along[i0]) * frac
    on = (hit >= -_ALONG_EPS) & (hit <= 1 + _ALONG_EPS)
    new_side = s[1:][flip]
    if direction != "both":
        on &= new_side == (1 if direction == "in" else -1)
    t = paths.t_ms[i0] + (paths.t_ms[i1] - paths.t_ms[i0]) * frac
    return Hits(row[:-1][flip][on], t[on], new_side[on].astype(np.int8))


def zone_entries(zone: ZoneConfig, paths: Paths, mode: Literal["enter", "inside"]) -> Hits:
    """``inside``: rows that were in the zone at some moment, with the first moment.
    ``enter``: rows that started outside and came in, with the moment they came in."""
    n = paths.rows
    if n == 0 or len(paths.x) == 0:
        return _empty()
    poly = np.asarray(zone.points, np.float64)
    pts = np.stack([paths.x, paths.y], axis=1)
    inside = PolygonSet([poly]).contains(pts)[:, 0]
    row_of = paths.row_of_vertex()
    first = np.full(n, np.inf)
    np.minimum.at(first, row_of[inside], paths.t_ms[inside])
    seg_row, seg_t = _segments_into(poly, paths, row_of)
    np.minimum.at(first, seg_row, seg_t)
    if mode == "enter":
        starts = paths.offsets[:-1]
        has = np.diff(paths.offsets) > 0
        outside_first = np.zeros(n, bool)
        outside_first[has] = ~inside[starts[has]]
        first[~outside_first] = np.inf
    rows = np.flatnonzero(np.isfinite(first))
    return Hits(rows, first[rows], np.zeros(len(rows), np.int8))


def _segments_into(
    poly: np.ndarray, paths: Paths, row_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, time) of every path segment that meets an edge of ``poly`` (where it meets)."""
    same = row_of[1:] == row_of[:-1]
    s0 = np.flatnonzero(same)  # segment k runs from vertex k to k + 1
    lo, hi = poly.min(axis=0), poly.max(axis=0)
    x0, y0, x1, y1 = paths.x[s0], paths.y[s0], paths.x[s0 + 1], paths.y[s0 + 1]
    near = (np.maximum(x0, x1) >= lo[0]) & (np.minimum(x0, x1) <= hi[0])
    near &= (np.maximum(y0, y1) >= lo[1]) & (np.minimum(y0, y1) <= hi[1])
    s0 = s0[near]
    e0, e1 = poly, np.roll(poly, -1, axis=0)
    qx, qy = e0[:, 0], e0[:, 1]
    sx, sy = e1[:, 0] - qx, e1[:, 1] - qy
    rows_out, t_out = [], []
    for k in range(0, len(s0), _CHUNK):
        seg = s0[k : k + _CHUNK]
        px, py = paths.x[seg, None], paths.y[seg, None]
        rx, ry = paths.x[seg + 1, None] - px, paths.y[seg + 1, None] - py
        denom = rx * sy - ry * sx
        with np.errstate(divide="ignore", invalid="ignore"):
            u = ((qx - px) * sy - (qy - py) * sx) / denom  # along the segment
            v = ((qx - px) * ry - (qy - py) * rx) / denom  # along the edge
        meet = (denom != 0) & (u >= 0) & (u <= 1) & (v >= 0) & (v <= 1)
        u = np.where(meet, u, np.inf).min(axis=1)
        ok = np.isfinite(u)
        seg, u = seg[ok], u[ok]
        t0, t1 = paths.t_ms[seg], paths.t_ms[seg + 1]
        rows_out.append(row_of[seg])
        t_out.append(t0 + (t1 - t0) * u)
    if not rows_out:
        return np.empty(0, np.intp), np.empty(0)
    return np.concatenate(rows_out), np.concatenate(t_out)


def _empty() -> Hits:
    return Hits(np.empty(0, np.intp), np.empty(0), np.empty(0, np.int8))

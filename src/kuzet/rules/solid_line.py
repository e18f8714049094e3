"""solid_line: a vehicle crossing a solid road marking (a polyline), either way.

Each (track, rule) keeps the last anchor position that was clear of the marking (at
least the marking's ``min_distance`` from every segment). When the anchor is clear
again, the path from that position to the new one is tested against the polyline: an
odd number of intersections is a crossing. Positions near the line are never used, so
a wheel riding the paint does not count twice, and a bent line (a curve drawn as many
segments) works the same as a straight one. A lost track keeps its position for
``forget_after_s``.
"""

from __future__ import annotations

import numpy as np

from kuzet.config.traffic import SolidLineRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import EPS
from kuzet.rules.family import SceneContext
from kuzet.rules.tracks import Columns, View


def polyline_distance(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """(N,) distance of each point to the nearest segment of the polyline."""
    a, b = poly[:-1], poly[1:]  # (M, 2)
    ab = b - a
    len2 = np.maximum((ab**2).sum(1), 1e-12)
    ap = points[:, None, :] - a[None]  # (N, M, 2)
    t = np.clip((ap * ab[None]).sum(2) / len2, 0.0, 1.0)
    foot = a[None] + t[..., None] * ab[None]
    d: np.ndarray = np.hypot(*(points[:, None, :] - foot).transpose(2, 0, 1)).min(axis=1)
    return d


def crossings(p0: np.ndarray, p1: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """(N,) how many segments of the polyline the path p0 -> p1 crosses (proper crossings)."""
    a, b = poly[:-1][None], poly[1:][None]  # (1, M, 2)
    q0, q1 = p0[:, None, :], p1[:, None, :]

    def orient(o: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.sign(
            (x[..., 0] - o[..., 0]) * (y[..., 1] - o[..., 1])
            - (x[..., 1] - o[..., 1]) * (y[..., 0] - o[..., 0])
        )

    hit = (orient(q0, q1, a) * orient(q0, q1, b) < 0) & (orient(a, b, q0) * orient(a, b, q1) < 0)
    out: np.ndarray = hit.sum(axis=1)
    return out


class SolidLineFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[SolidLineRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        marks = {m.name: m for m in ctx.scene.markings}
        self.poly = [np.asarray(marks[c.marking].points, np.float64) for c in cfgs]
        self.margin = [marks[c.marking].min_distance for c in cfgs]
        self.rule_cols = np.array([ctx.rule_index[c.name] for c in cfgs], np.intp)
        self.cols = Columns()
        self.cols.add("ref", (len(cfgs), 2), np.float64, np.nan)

    def grow(self, cap: int) -> None:
        self.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.cols.reset(rows)

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows) == 0:
            return []
        ref_all = self.cols.a["ref"]
        events: list[Event] = []
        for j, cfg in enumerate(self.cfgs):
            p = view.anchors[cfg.anchor].astype(np.float64)
            clear = polyline_distance(p, self.poly[j]) >= self.margin[j]
            ref = ref_all[rows, j]
            ref[view.gap > cfg.forget_after_s + EPS] = np.nan  # lost too long: no evidence
            known = clear & ~np.isnan(ref[:, 0])
            if known.any():
                odd = np.zeros(len(rows), bool)
                odd[known] = crossings(ref[known], p[known], self.poly[j]) % 2 == 1
                odd &= view.ok[:, self.rule_cols[j]]
                for n in np.flatnonzero(odd).tolist():
                    ev = self._emit(view, n, cfg)
                    if ev is not None:
                        events.append(ev)
            ref_all[rows, j] = np.where(clear[:, None], p, ref)
        return events

    def _emit(self, view: View, n: int, cfg: SolidLineRuleConfig) -> Event | None:
        cls = view.class_name(n)
        return self.ctx.emitter(cfg).emit(
            view.frame,
            "instant",
            track_id=int(view.tids[n]),
            started_pts=view.pts,
            box=view.box(n),
            class_name=cls,
            score=float(view.tracks.confidence[n]),
            attributes={"violation": True, "vehicle_class": cls, "line": cfg.marking},
        )

    def finish(self, view: View) -> list[Event]:
        return []

"""line_crossing: direction-aware counts that do not flicker or stick.

Each (track, rule) keeps a *confirmed side*: the anchor must be ``min_distance``
pixels past the line to change it, so jitter on the line never counts twice. A
crossing is counted when the confirmed side flips and the path between the last
confirmed position and the new one passes through the segment (walking round its end
does not count). A lost track keeps its side for ``forget_after_s``, so a track that
vanishes on the line and comes back on the other side counts once.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from kuzet.config.rules import LineCrossingRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import EPS
from kuzet.rules.family import SceneContext
from kuzet.rules.tracks import Columns, View

_ALONG_EPS = 1e-6


class LineFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[LineCrossingRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self.rule_cols = np.array([ctx.rule_index[c.name] for c in cfgs], np.intp)
        self.line_cols = np.array([ctx.line_index[c.line] for c in cfgs], np.intp)
        lines = [ctx.scene.lines[i] for i in self.line_cols]
        self.margin = np.array([ln.min_distance for ln in lines], np.float64)
        self.forget = np.array([c.forget_after_s for c in cfgs], np.float64)
        self.forget_min = float(self.forget.min())
        self.anchor = [c.anchor for c in cfgs]
        k = len(cfgs)
        self.cols = Columns()
        self.cols.add("side", (k,), np.int8, 0)
        # where (along the segment, 0..1) and how far the anchor last was on the confirmed
        # side: the crossing point is interpolated between that and the new position
        self.cols.add("along", (k,), np.float64, np.nan)
        self.cols.add("dist", (k,), np.float64, np.nan)
        self.counts: dict[int, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"in": 0, "out": 0})
        )

    def grow(self, cap: int) -> None:
        self.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.cols.reset(rows)

    def _gather(self, table: dict[str, np.ndarray], n: int) -> np.ndarray:
        kinds = set(self.anchor)
        if len(kinds) == 1:
            return table[kinds.pop()][:, self.line_cols]
        out = np.empty((n, len(self.cfgs)))
        for kind in kinds:
            ks = [i for i, a in enumerate(self.anchor) if a == kind]
            out[:, ks] = table[kind][:, self.line_cols[ks]]
        return out

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows) == 0:
            return []
        d = self._gather(view.line_dist, len(rows))
        along = self._gather(view.line_along, len(rows))
        a = self.cols.a
        old = a["side"][rows]
        stale = view.gap > self.forget_min + EPS
        if stale.any():  # lost too long: the old side is no evidence any more
            old[(view.gap[:, None] > self.forget + EPS)] = 0
        new = (d >= self.margin).astype(np.int8) - (d <= -self.margin).astype(np.int8)
        flips = (new != 0) & (old != 0) & (new != old)
        events: list[Event] = []
        if flips.any():
            counted = view.eligible[:, self.rule_cols] & view.armed[self.rule_cols]
            old_along, old_dist = a["along"][rows], a["dist"][rows]
            for i, j in np.argwhere(flips).tolist():
                d0, d1 = float(old_dist[i, j]), float(d[i, j])
                hit = float(old_along[i, j]) + (float(along[i, j]) - float(old_along[i, j])) * (
                    d0 / (d0 - d1)
                )
                if counted[i, j] and -_ALONG_EPS <= hit <= 1 + _ALONG_EPS:
                    ev = self._crossing(view, i, j, int(new[i, j]))
                    if ev is not None:
                        events.append(ev)
        confirmed = new != 0
        a["side"][rows] = np.where(confirmed, new, old)
        a["along"][rows] = np.where(confirmed, along, a["along"][rows])
        a["dist"][rows] = np.where(confirmed, d, a["dist"][rows])
        return events

    def _crossing(self, view: View, i: int, j: int, side: int) -> Event | None:
        cfg = self.cfgs[j]
        direction = "in" if side > 0 else "out"
        cls = view.class_name(i)
        per_class = self.counts[j][cls]
        per_class[direction] += 1
        if cfg.directions not in ("both", direction):
            return None
        return self.ctx.emitter(cfg).emit(
            view.frame,
            "instant",
            track_id=int(view.tids[i]),
            started_pts=view.pts,
            box=view.box(i),
            class_name=cls,
            score=float(view.tracks.confidence[i]),
            attributes={
                "line": cfg.line,
                "direction": direction,
                "count_in": per_class["in"],
                "count_out": per_class["out"],
            },
            key=direction,
        )

    def totals(self) -> dict[str, dict[str, dict[str, int]]]:
        """Per rule, per class: crossings in and out so far."""
        return {
            self.cfgs[j].name: {c: dict(v) for c, v in per.items()}
            for j, per in self.counts.items()
        }

    def finish(self, view: View) -> list[Event]:
        return []

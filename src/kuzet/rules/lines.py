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
from kuzet.rules.presence import _as_slice
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
        self._forget_eps, self._forget_min_eps = self.forget + EPS, self.forget_min + EPS
        self._neg_margin = -self.margin
        self._lsel = _as_slice(self.line_cols)
        self.anchor = [c.anchor for c in cfgs]
        self._kinds = sorted(set(self.anchor))
        k = len(cfgs)
        self.cols = Columns()
        self.cols.add("side", (k,), np.int8, 0)
        # where (along the segment, 0..1) and how far the anchor last was on the confirmed
        # side: the crossing point is interpolated between that and the new position
        # [dist, along] per rule, the layout of View.line_geo: one gather and one scatter
        self.cols.add("geo", (2, k), np.float64, np.nan)
        self.counts: dict[int, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"in": 0, "out": 0})
        )

    def grow(self, cap: int) -> None:
        self.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.cols.reset(rows)

    def _gather(self, view: View) -> np.ndarray:
        """(N, 2, K) [signed distance, along] of each rule's line for this frame's tracks."""
        kinds = self._kinds
        if len(kinds) == 1:
            return view.line_geo[kinds[0]][:, :, self._lsel]
        out = np.empty((len(view.rows), 2, len(self.cfgs)))
        for kind in kinds:
            ks = [i for i, a in enumerate(self.anchor) if a == kind]
            out[:, :, ks] = view.line_geo[kind][:, :, self.line_cols[ks]]
        return out

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows) == 0:
            return []
        geo = self._gather(view)
        d = geo[:, 0]  # signed distances (N, K)
        a = self.cols.a
        old = a["side"][rows]
        if view.gap.max() > self._forget_min_eps:  # lost too long: old side is no evidence
            old[(view.gap[:, None] > self._forget_eps)] = 0
        new = (d >= self.margin).view(np.int8) - (d <= self._neg_margin).view(np.int8)
        flips = new * old < 0  # both confirmed, opposite sides
        events: list[Event] = []
        old_geo: np.ndarray | None = None
        if flips.any():
            old_geo = a["geo"][rows]
            fi, fj = flips.nonzero()
            was, now = old_geo[fi, :, fj], geo[fi, :, fj]  # (F, 2): dist, along
            d0, a0 = was[:, 0], was[:, 1]
            hit = a0 + (now[:, 1] - a0) * (d0 / (d0 - now[:, 0]))  # crossing point on A-B
            on_seg = (hit >= -_ALONG_EPS) & (hit <= 1 + _ALONG_EPS)
            if on_seg.any():  # most flips walk round a segment's end: filters only then
                fi, fj = fi[on_seg], fj[on_seg]
                counted = view.ok[fi, self.rule_cols[fj]]
                for i, j in zip(fi[counted].tolist(), fj[counted].tolist(), strict=True):
                    ev = self._crossing(view, i, j, int(new[i, j]))
                    if ev is not None:
                        events.append(ev)
        confirmed = new != 0
        if confirmed.all():  # every anchor clear of its lines: state is this frame's
            a["side"][rows] = new
            a["geo"][rows] = geo
            return events
        if old_geo is None:
            old_geo = a["geo"][rows]
        a["side"][rows] = np.where(confirmed, new, old)
        a["geo"][rows] = np.where(confirmed[:, None], geo, old_geo)
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

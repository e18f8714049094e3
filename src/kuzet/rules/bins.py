"""bin_overflow: static foreground covers too much of the ground around the bins."""

from __future__ import annotations

import cv2
import numpy as np

from kuzet.config.rules import BinOverflowRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.tracks import View

_ROW = np.zeros(1, np.intp)


class BinOverflowFamily:
    """Occupancy = static-foreground pixels / zone pixels, on the shared background model."""

    def __init__(self, ctx: SceneContext, cfgs: list[BinOverflowRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self.rule_cols = np.array([ctx.rule_index[c.name] for c in cfgs], np.intp)
        self.threshold = np.array([c.threshold for c in cfgs])
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.array([c.min_duration_s for c in cfgs]),
            np.array([c.exit_after_s for c in cfgs]),
        )
        self.episodes.cols.grow(1)
        self._masks: list[np.ndarray] = []
        self.last = np.zeros(len(cfgs))

    def grow(self, cap: int) -> None:
        pass

    def reset(self, rows: np.ndarray) -> None:
        pass

    def occupancy(self, view: View) -> np.ndarray:
        self.ctx.static_blobs(view)
        bg = self.ctx.background
        if bg is None or bg.mask.size <= 1:
            return np.zeros(len(self.cfgs))
        mask = bg.mask
        if not self._masks or self._masks[0].shape != mask.shape:
            s = view.frame.width / mask.shape[1]
            self._masks = []
            for c in self.cfgs:
                m = np.zeros(mask.shape, np.uint8)
                cv2.fillPoly(m, [np.round(self.ctx.zone_points(c.zone) / s).astype(np.int32)], 1)
                self._masks.append(m.astype(bool))
        return np.array([mask[m].mean() if m.any() else 0.0 for m in self._masks])

    def update(self, view: View) -> list[Event]:
        if not view.has_image:
            return []
        occ = self.occupancy(view)
        self.last = occ
        cond = ((occ >= self.threshold) & view.armed[self.rule_cols])[None, :]
        start, ended = self.episodes.step(_ROW, cond, view.pts)
        events = [
            self.ctx.emitter(self.cfgs[k]).emit(
                view.frame,
                "start",
                track_id=None,
                started_pts=view.pts,
                score=float(occ[k]),
                attributes={"zone": self.cfgs[k].zone, "occupancy": round(float(occ[k]), 3)},
            )
            for k in np.flatnonzero(start[0]).tolist()
        ]
        events += self._ends(view, ended, "cleared")
        return [e for e in events if e is not None]

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event | None]:
        return [
            self.ctx.emitter(self.cfgs[e.rule]).emit(
                view.frame,
                "end",
                track_id=None,
                started_pts=e.start_pts,
                attributes={
                    "zone": self.cfgs[e.rule].zone,
                    "reason": reason,
                    "duration_s": round(e.last_true - e.start_pts, 3),
                },
            )
            for e in ended
        ]

    def finish(self, view: View) -> list[Event]:
        events = self._ends(view, self.episodes.drain(), "end_of_stream")
        return [e for e in events if e is not None]

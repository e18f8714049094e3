"""crowd: at least ``min_count`` objects in a zone for ``min_duration_s``."""

from __future__ import annotations

import numpy as np

from kuzet.config.rules import CrowdRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.tracks import View

_ROW = np.zeros(1, np.intp)


class CrowdFamily:
    """Counts come from the same in-zone matrix as presence; one episode per rule."""

    def __init__(self, ctx: SceneContext, cfgs: list[CrowdRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self._zones = PresenceFamily(ctx, cfgs)  # type: ignore[arg-type]
        self.min_count = np.array([c.min_count for c in cfgs])
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.array([c.min_duration_s for c in cfgs]),
            np.array([c.exit_after_s for c in cfgs]),
        )
        self.episodes.cols.grow(1)

    def grow(self, cap: int) -> None:
        pass

    def reset(self, rows: np.ndarray) -> None:
        pass

    def update(self, view: View) -> list[Event]:
        counts = self._zones.inside(view).sum(axis=0)
        cond = (counts >= self.min_count)[None, :]
        start, ended = self.episodes.step(_ROW, cond, view.pts)
        events = []
        for k in np.flatnonzero(start[0]).tolist():
            ev = self.ctx.emitter(self.cfgs[k]).emit(
                view.frame,
                "start",
                track_id=None,
                started_pts=view.pts,
                attributes={"zone": self.cfgs[k].zone, "count": int(counts[k])},
            )
            if ev is not None:
                events.append(ev)
        return events + self._ends(view, ended, "dispersed")

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event]:
        events = []
        for e in ended:
            cfg = self.cfgs[e.rule]
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "end",
                track_id=None,
                started_pts=e.start_pts,
                attributes={
                    "zone": cfg.zone,
                    "duration_s": round(e.last_true - e.since, 3),
                    "reason": reason,
                },
            )
            if ev is not None:
                events.append(ev)
        return events

    def finish(self, view: View) -> list[Event]:
        events = self._ends(view, self.episodes.drain(), "end_of_stream")
        return events

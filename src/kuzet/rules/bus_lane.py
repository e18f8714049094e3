"""bus_lane: a vehicle that is not a bus driving in the bus lane during its hours.

The lane is a zone, the hours the rule's ``schedule`` (weekly windows, holidays; always
when omitted). Presence must last ``min_duration_s`` so crossing the lane to turn is not
a violation. Buses are left out by ``classes`` (the default watches car, truck and
motorcycle). One start/end episode per track; the start is the violation event.
"""

from __future__ import annotations

import numpy as np

from kuzet.config.traffic import BusLaneRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.tracks import View


class BusLaneFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[BusLaneRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self._zones = PresenceFamily(ctx, cfgs)  # type: ignore[arg-type]
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.array([c.min_duration_s for c in cfgs]),
            np.array([c.exit_after_s for c in cfgs]),
        )

    def grow(self, cap: int) -> None:
        self.episodes.cols.grow(cap)
        self._zones.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.episodes.cols.reset(rows)
        self._zones.reset(rows)

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows):  # what the track last looked like, for 'end'
            self._zones.last.a["box"][rows] = view.tracks.xyxy
            self._zones.last.a["cls"][rows] = view.tracks.class_id
        cond = self._zones.maybe_inside(view)
        if cond is None:
            return self._ends(view, self.episodes.idle(rows, view.pts), "left")
        start, ended = self.episodes.step(rows, cond, view.pts)
        events: list[Event] = []
        for n, k in np.argwhere(start).tolist() if start.any() else ():
            cfg = self.cfgs[k]
            since = float(self.episodes.cols.a["since"][rows[n], k])
            cls = view.class_name(n)
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "start",
                track_id=int(view.tids[n]),
                started_pts=view.pts,
                box=view.box(n),
                class_name=cls,
                score=float(view.tracks.confidence[n]),
                attributes={
                    "violation": True,
                    "vehicle_class": cls,
                    "zone": cfg.zone,
                    "schedule": cfg.schedule,
                    "in_lane_s": round(view.pts - since, 3),
                },
            )
            if ev is not None:
                events.append(ev)
        return events + self._ends(view, ended, "left")

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event]:
        events = []
        last = self._zones.last.a
        for e in ended:
            cfg = self.cfgs[e.rule]
            c = int(last["cls"][e.row])
            b = last["box"][e.row].tolist()
            cls = view.labels[c] if 0 <= c < len(view.labels) else None
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "end",
                track_id=int(view.row_tid[e.row]),
                started_pts=e.start_pts,
                box=(b[0], b[1], b[2], b[3]),
                class_name=cls,
                attributes={
                    "violation": True,
                    "vehicle_class": cls,
                    "zone": cfg.zone,
                    "in_lane_s": round(e.last_true - e.since, 3),
                    "reason": reason,
                },
            )
            if ev is not None:
                events.append(ev)
        return events

    def finish(self, view: View) -> list[Event]:
        return self._ends(view, self.episodes.drain(), "end_of_stream")

"""intrusion and loitering: a track of the right class inside a zone (for N s).

Both are one debounced presence per (track, rule), updated for all tracks and rules
at once; loitering adds a minimum dwell before 'start'. Dwell is reported on 'end'.
"""

from __future__ import annotations

import numpy as np

from kuzet.config.rules import IntrusionRuleConfig, LoiteringRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.tracks import Columns, View

PresenceConfig = IntrusionRuleConfig | LoiteringRuleConfig


def _as_slice(cols: np.ndarray) -> slice | np.ndarray:
    """A run of consecutive columns as a slice (a view, no copy), else the index array."""
    if len(cols) and cols[0] >= 0 and (np.diff(cols) == 1).all():
        return slice(int(cols[0]), int(cols[-1]) + 1)
    return cols


class PresenceFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[PresenceConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self.rule_cols = np.array([ctx.rule_index[c.name] for c in cfgs], np.intp)
        self.zone_cols = np.array([ctx.zone_col(c.zone) for c in cfgs], np.intp)
        self.anchor = [c.anchor for c in cfgs]
        # per anchor kind: (rule positions, zone columns); one kind (the usual case) and
        # rules contiguous in the scene take slices instead of gathers
        self._by_kind = [
            (ks, self.zone_cols[ks])
            for kind in sorted(set(self.anchor))
            for ks in [np.array([i for i, a in enumerate(self.anchor) if a == kind], np.intp)]
        ]
        self._kinds = sorted(set(self.anchor))
        self._rsel = _as_slice(self.rule_cols)
        self._zsel = _as_slice(self.zone_cols)
        self._whole = bool((self.zone_cols < 0).any())  # a whole-frame rule: always test
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.array([getattr(c, "min_dwell_s", 0.0) for c in cfgs]),
            np.array([c.exit_after_s for c in cfgs]),
        )
        self.last = Columns()  # what the last frame showed of the track, for 'end'
        self.last.add("box", (4,), np.float32, 0.0)
        self.last.add("cls", (), np.int32, -1)

    def grow(self, cap: int) -> None:
        self.episodes.cols.grow(cap)
        self.last.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.episodes.cols.reset(rows)
        self.last.reset(rows)

    def inside(self, view: View) -> np.ndarray:
        """(N, K): track in the rule's zone and eligible for it, schedule armed."""
        cond = self.maybe_inside(view)
        return np.zeros((len(view.rows), len(self.cfgs)), bool) if cond is None else cond

    def maybe_inside(self, view: View) -> np.ndarray | None:
        """``inside``, or None when it is false everywhere (no anchor near any zone)."""
        if len(self._kinds) == 1:
            kind = self._kinds[0]
            if not (self._whole or view.zone_hit.get(kind, True)):  # no anchor near a zone
                return None
            return view.in_zone[kind][:, self._zsel] & view.ok[:, self._rsel]
        cond = np.empty((len(view.rows), len(self.cfgs)), bool)
        for kind, (ks, zc) in zip(self._kinds, self._by_kind, strict=True):
            cond[:, ks] = view.in_zone[kind][:, zc]
        return cond & view.ok[:, self._rsel]

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows):
            self.last.a["box"][rows] = view.tracks.xyxy
            self.last.a["cls"][rows] = view.tracks.class_id
        cond = self.maybe_inside(view)
        if cond is None:
            return self._ends(view, self.episodes.idle(rows, view.pts), "left")
        start, ended = self.episodes.step(rows, cond, view.pts)
        events: list[Event] = []
        for n, k in np.argwhere(start).tolist() if start.any() else ():
            cfg = self.cfgs[k]
            st = self.episodes.cols.a["since"][rows[n], k]
            attrs: dict[str, object] = {"zone": cfg.zone}
            if isinstance(cfg, LoiteringRuleConfig):
                attrs["dwell_s"] = round(view.pts - float(st), 3)
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "start",
                track_id=int(view.tids[n]),
                started_pts=view.pts,
                box=view.box(n),
                class_name=view.class_name(n),
                score=float(view.tracks.confidence[n]),
                attributes=attrs,
            )
            if ev is not None:
                events.append(ev)
        events += self._ends(view, ended, "left")
        return events

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event]:
        events = []
        for e in ended:
            cfg = self.cfgs[e.rule]
            c = int(self.last.a["cls"][e.row])
            box = self.last.a["box"][e.row].tolist()
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "end",
                track_id=int(view.row_tid[e.row]),
                started_pts=e.start_pts,
                box=(box[0], box[1], box[2], box[3]),
                class_name=view.labels[c] if 0 <= c < len(view.labels) else None,
                attributes={
                    "zone": cfg.zone,
                    "dwell_s": round(e.last_true - e.since, 3),
                    "reason": reason,
                },
            )
            if ev is not None:
                events.append(ev)
        return events

    def finish(self, view: View) -> list[Event]:
        events = self._ends(view, self.episodes.drain(), "end_of_stream")
        return events

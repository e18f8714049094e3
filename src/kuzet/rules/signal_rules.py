"""red_light and stop_line: what a vehicle does at a stop line while its signal is red.

Each (track, rule) keeps the confirmed side of the stop line as ``line_crossing`` does
(``min_distance`` past it to change, the crossing point interpolated onto the segment),
with the line's ``in_point`` on the junction side. Crossing towards the junction while
the signal is red (and at least ``grace_s`` after red began) marks the track:

* ``red_light``: a violation at once, or, with a junction ``zone``, once the track
  reaches the zone within ``confirm_s`` (a vehicle that stops just past the line has not
  run the light: that is ``stop_line``);
* ``stop_line``: a violation once the track stands still (``still_radius``) beyond the
  line, in ``zone`` when one is named, for ``min_duration_s`` while the signal stays red.

One event per track and rule (``instant``), carrying the signal's state, source and
since when, read at the crossing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from kuzet.config.traffic import RedLightRuleConfig, StopLineRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import EPS
from kuzet.rules.family import SceneContext
from kuzet.rules.signals import SignalReading
from kuzet.rules.tracks import Columns, View

SignalRuleConfig = RedLightRuleConfig | StopLineRuleConfig
_ALONG_EPS = 1e-6


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


class SignalRuleFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[SignalRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self.rule_cols = np.array([ctx.rule_index[c.name] for c in cfgs], np.intp)
        self.line_cols = np.array([ctx.line_index[c.line] for c in cfgs], np.intp)
        self.zone_cols = np.array([ctx.zone_col(c.zone) for c in cfgs], np.intp)
        self.margin = np.array([ctx.scene.lines[i].min_distance for i in self.line_cols])
        self.forget = np.array([c.forget_after_s for c in cfgs]) + EPS
        self.is_red = np.array([isinstance(c, RedLightRuleConfig) for c in cfgs])
        k = len(cfgs)
        self.cols = Columns()
        self.cols.add("side", (k,), np.int8, 0)
        self.cols.add("geo", (2, k), np.float64, np.nan)  # [dist, along] when last confirmed
        self.cols.add("crossed", (k,), np.float64, np.nan)  # pts of a crossing on red
        self.cols.add("crossed_wall", (k,), np.float64, np.nan)
        self.cols.add("ref", (k, 2), np.float64, np.nan)  # stop_line: where it settled
        self.cols.add("still_since", (k,), np.float64, np.nan)
        self.cols.add("fired", (k,), bool, False)
        self._reading: dict[tuple[int, int], SignalReading] = {}  # at the crossing

    def grow(self, cap: int) -> None:
        self.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.cols.reset(rows)
        gone = set(rows.tolist())
        self._reading = {rk: v for rk, v in self._reading.items() if rk[0] not in gone}

    def update(self, view: View) -> list[Event]:
        rows = view.rows
        if len(rows) == 0:
            return []
        a = self.cols.a
        events: list[Event] = []
        for j, cfg in enumerate(self.cfgs):
            geo = view.line_geo[cfg.anchor][:, :, self.line_cols[j]]  # (N, 2)
            d = geo[:, 0]
            old = a["side"][rows, j].copy()
            old[view.gap > self.forget[j]] = 0  # lost too long: its side is no evidence
            new = (d >= self.margin[j]).astype(np.int8) - (d <= -self.margin[j]).astype(np.int8)
            entered = (old < 0) & (new > 0)
            if entered.any():
                was = a["geo"][rows, :, j]
                d0, a0 = was[:, 0], was[:, 1]
                with np.errstate(divide="ignore", invalid="ignore"):
                    hit = a0 + (geo[:, 1] - a0) * (d0 / (d0 - d))
                entered &= (hit >= -_ALONG_EPS) & (hit <= 1 + _ALONG_EPS)
                entered &= view.ok[:, self.rule_cols[j]]
                for n in np.flatnonzero(entered).tolist():
                    self._crossing(view, n, j)
            conf = new != 0
            a["side"][rows, j] = np.where(conf, new, old)
            a["geo"][rows, :, j] = np.where(conf[:, None], geo, a["geo"][rows, :, j])
            a["crossed"][rows[new < 0], j] = np.nan  # back behind the line (reversing)
            pending = ~np.isnan(a["crossed"][rows, j]) & ~a["fired"][rows, j]
            if pending.any():
                check = self._red_light if self.is_red[j] else self._stop_line
                events += check(view, j, np.flatnonzero(pending), new)
        return events

    def _crossing(self, view: View, n: int, j: int) -> None:
        cfg = self.cfgs[j]
        assert self.ctx.signals is not None
        reading = self.ctx.signals.get(cfg.signal)
        if reading.state != "red":
            return
        wall = view.frame.wall_time
        if cfg.grace_s > 0 and (reading.since is None or wall - reading.since < cfg.grace_s - EPS):
            return  # inside the grace, or red since a time nobody saw: benefit of the doubt
        row = int(view.rows[n])
        a = self.cols.a
        if a["fired"][row, j]:
            return
        a["crossed"][row, j], a["crossed_wall"][row, j] = view.pts, wall
        self._reading[(row, j)] = reading

    def _red_light(self, view: View, j: int, ns: np.ndarray, side: np.ndarray) -> list[Event]:
        cfg = self.cfgs[j]
        assert isinstance(cfg, RedLightRuleConfig)
        a, rows = self.cols.a, view.rows
        out = []
        for n in ns.tolist():
            row = int(rows[n])
            if cfg.zone is not None:
                if view.pts - a["crossed"][row, j] > cfg.confirm_s + EPS:
                    a["crossed"][row, j] = np.nan  # stopped short of the junction
                    continue
                if not view.in_zone[cfg.anchor][n, self.zone_cols[j]]:
                    continue
            ev = self._emit(view, n, j, {})
            if ev is not None:
                out.append(ev)
        return out

    def _stop_line(self, view: View, j: int, ns: np.ndarray, side: np.ndarray) -> list[Event]:
        cfg = self.cfgs[j]
        assert isinstance(cfg, StopLineRuleConfig) and self.ctx.signals is not None
        a, rows = self.cols.a, view.rows
        if self.ctx.signals.get(cfg.signal).state != "red":  # the light changed: it may go
            a["crossed"][rows[ns], j] = np.nan
            return []
        p = view.anchors[cfg.anchor]
        out = []
        for n in ns.tolist():
            row = int(rows[n])
            here = p[n].astype(np.float64)
            ref = a["ref"][row, j]
            if np.isnan(ref[0]) or np.hypot(*(here - ref)) > cfg.still_radius:
                a["ref"][row, j], a["still_since"][row, j] = here, view.pts
                continue
            if side[n] <= 0 or (
                cfg.zone is not None and not view.in_zone[cfg.anchor][n, self.zone_cols[j]]
            ):
                continue
            stopped = view.pts - a["still_since"][row, j]
            if stopped < cfg.min_duration_s - EPS:
                continue
            geo = view.line_geo[cfg.anchor][n, 0, self.line_cols[j]]
            extra: dict[str, object] = {
                "stopped_s": round(float(stopped), 3),
                "overrun_px": round(float(geo), 1),
            }
            ev = self._emit(view, n, j, extra)
            if ev is not None:
                out.append(ev)
        return out

    def _emit(self, view: View, n: int, j: int, extra: dict[str, object]) -> Event | None:
        cfg = self.cfgs[j]
        row = int(view.rows[n])
        self.cols.a["fired"][row, j] = True
        reading = self._reading.pop((row, j))
        cls = view.class_name(n)
        attrs: dict[str, object] = {
            "violation": True,
            "vehicle_class": cls,
            "line": cfg.line,
            "zone": cfg.zone,
            "signal": cfg.signal,
            **reading.attributes(),
            "crossed_at": _iso(float(self.cols.a["crossed_wall"][row, j])),
            **extra,
        }
        return self.ctx.emitter(cfg).emit(
            view.frame,
            "instant",
            track_id=int(view.tids[n]),
            started_pts=float(self.cols.a["crossed"][row, j]),
            box=view.box(n),
            class_name=cls,
            score=float(view.tracks.confidence[n]),
            attributes=attrs,
        )

    def finish(self, view: View) -> list[Event]:
        return []

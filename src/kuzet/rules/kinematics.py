"""stopped_vehicle, illegal_stopping, wrong_way and speeding: rules over each track's motion.

One smoothed velocity per track (pixels/s, and metres/s through the scene's
homography) is shared by all of them; each rule is a debounced condition on it.
``illegal_stopping`` is ``stopped_vehicle`` in a no-stopping zone (and hours, by its
schedule) reported as a violation; speeding carries its uncertainty (speed_error.py).
"""

from __future__ import annotations

import numpy as np

from kuzet.config.traffic import (
    IllegalStoppingRuleConfig,
    SpeedingRuleConfig,
    StoppedVehicleRuleConfig,
    WrongWayRuleConfig,
)
from kuzet.core import Event
from kuzet.rules.episodes import EPS, Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.geometry import apply_homography
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.speed_error import calibration_record, speed_uncertainty
from kuzet.rules.tracks import Columns, View

KinematicsConfig = (
    StoppedVehicleRuleConfig | IllegalStoppingRuleConfig | WrongWayRuleConfig | SpeedingRuleConfig
)
TAU_S = 0.5
"""Time constant of the velocity estimate: long enough to smooth box jitter at 5 fps."""
MAX_GAP_S = 2.0


class KinematicsFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[KinematicsConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self._zones = PresenceFamily(ctx, cfgs)  # type: ignore[arg-type]
        k = len(cfgs)
        self.state = Columns()
        self.state.add("pos", (2,), np.float64, np.nan)
        self.state.add("vel", (2,), np.float64, 0.0)
        self.state.add("wpos", (2,), np.float64, np.nan)
        self.state.add("wvel", (2,), np.float64, 0.0)
        self.state.add("obs", (), np.int64, 0)
        self.state.add("ref", (k, 2), np.float64, np.nan)  # stopped: where it settled
        self.state.add("still_since", (k,), np.float64, np.nan)
        self.state.add("fired", (k,), bool, False)  # speeding: once per track
        self.is_stop = np.array([isinstance(c, StoppedVehicleRuleConfig) for c in cfgs])
        self.is_wrong = np.array([isinstance(c, WrongWayRuleConfig) for c in cfgs])
        self.is_speed = np.array([isinstance(c, SpeedingRuleConfig) for c in cfgs])
        self.is_illegal = np.array([isinstance(c, IllegalStoppingRuleConfig) for c in cfgs])
        self.radius = np.array([getattr(c, "still_radius", 0.0) for c in cfgs])
        self.stop_s = np.array(
            [
                getattr(c, "min_duration_s", 0.0) if s else 0.0
                for c, s in zip(cfgs, self.is_stop, strict=True)
            ]
        )
        lane = np.zeros((k, 2))
        for i, c in enumerate(cfgs):
            if isinstance(c, WrongWayRuleConfig):
                (ax, ay), (bx, by) = c.direction
                lane[i] = np.array([bx - ax, by - ay]) / max(np.hypot(bx - ax, by - ay), 1e-9)
        self.lane = lane
        self.cos_max = np.cos(np.radians([getattr(c, "max_angle", 180.0) for c in cfgs]))
        self.min_speed = np.array([getattr(c, "min_speed", 0.0) for c in cfgs])
        self.limit_ms = np.array([getattr(c, "limit_kmh", np.inf) / 3.6 for c in cfgs])
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.where(self.is_stop, 0.0, [getattr(c, "min_duration_s", 0.0) for c in cfgs]),
            np.where(self.is_speed, 0.0, [c.exit_after_s for c in cfgs]),
        )

    def grow(self, cap: int) -> None:
        self.state.grow(cap)
        self.episodes.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.state.reset(rows)
        self.episodes.cols.reset(rows)

    def _velocity(self, view: View, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, rows = self.state.a, view.rows
        g = view.gap
        ok = np.isfinite(g) & (g > 0) & (g <= MAX_GAP_S)
        alpha = np.where(ok, 1 - np.exp(-np.where(ok, g, 1.0) / TAU_S), 0.0)[:, None]
        first = (a["obs"][rows] == 1)[:, None]  # second sighting: take the raw velocity
        safe_g = np.where(ok, g, 1.0)[:, None]

        def step(pos_key: str, vel_key: str, cur: np.ndarray) -> np.ndarray:
            inst = (cur - a[pos_key][rows]) / safe_g
            v = a[vel_key][rows]
            v = np.where(ok[:, None], np.where(first, inst, v + alpha * (inst - v)), v)
            v = np.nan_to_num(v)
            a[vel_key][rows], a[pos_key][rows] = v, cur
            return v

        vel = step("pos", "vel", p)
        wvel = np.zeros_like(vel)
        if self.ctx.to_world is not None and len(p):
            wvel = step("wpos", "wvel", apply_homography(self.ctx.to_world, p))
        a["obs"][rows] = np.where(ok, a["obs"][rows] + 1, 1)
        return vel, wvel, a["obs"][rows] >= 2

    def update(self, view: View) -> list[Event]:
        rows, pts = view.rows, view.pts
        p = view.anchors["bottom_center"]
        vel, wvel, warm = self._velocity(view, p)
        a = self.state.a
        ref = a["ref"][rows]
        moved = np.hypot(*(p[:, None, :] - ref).transpose(2, 0, 1)) > self.radius
        moved |= np.isnan(ref[..., 0])
        a["ref"][rows] = np.where(moved[..., None], p[:, None, :], ref)
        since = np.where(moved, pts, a["still_since"][rows])
        a["still_since"][rows] = since
        speed = np.hypot(vel[:, 0], vel[:, 1])
        cos = (vel @ self.lane.T) / np.maximum(speed, 1e-9)[:, None]
        wspeed = np.hypot(wvel[:, 0], wvel[:, 1])[:, None]
        cond = (
            (self.is_stop & (pts - since >= self.stop_s - EPS))
            | (
                self.is_wrong
                & warm[:, None]
                & (speed[:, None] >= self.min_speed)
                & (cos < self.cos_max)
            )
            | (self.is_speed & warm[:, None] & (wspeed > self.limit_ms))
        )
        cond &= self._zones.inside(view)
        start, ended = self.episodes.step(rows, cond, pts)
        events: list[Event] = []
        for n, k in np.argwhere(start).tolist():
            cfg = self.cfgs[k]
            attrs: dict[str, object] = {"zone": cfg.zone}
            phase = "start"
            if self.is_speed[k]:
                if a["fired"][rows[n], k]:
                    continue
                measured = self._speed(view, n, k, float(wspeed[n, 0]), p[n], vel[n])
                if measured is None:  # within its uncertainty of the limit: look again
                    self.episodes.cols.a["started"][rows[n], k] = False
                    self.episodes.cols.a["count"][rows[n], k] = 0
                    self.episodes.cols.a["since"][rows[n], k] = np.nan
                    continue
                a["fired"][rows[n], k] = True
                phase = "instant"
                attrs.update(measured)
            elif self.is_wrong[k]:
                attrs["speed_px_s"] = round(float(speed[n]), 1)
            else:
                attrs["stopped_s"] = round(pts - float(since[n, k]), 3)
            if self.is_illegal[k]:
                attrs["schedule"] = cfg.schedule
            if not self.is_stop[k] or self.is_illegal[k]:  # violations (contract)
                attrs["violation"] = True
                attrs["vehicle_class"] = view.class_name(n)
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                phase,
                track_id=int(view.tids[n]),
                started_pts=pts,
                box=view.box(n),
                class_name=view.class_name(n),
                score=float(view.tracks.confidence[n]),
                attributes=attrs,
            )
            if ev is not None:
                events.append(ev)
        return events + self._ends(view, ended, "cleared")

    def _speed(
        self, view: View, n: int, k: int, wspeed: float, foot: np.ndarray, vel: np.ndarray
    ) -> dict[str, object] | None:
        """The speeding event's measurement, or None when ``beyond_uncertainty`` asks for
        more than the speed shows."""
        cfg = self.cfgs[k]
        assert isinstance(cfg, SpeedingRuleConfig)
        cal, h = self.ctx.scene.calibration, self.ctx.to_world
        assert cal is not None and h is not None
        row = int(view.rows[n])
        u = speed_uncertainty(
            wspeed, cal, h, foot.astype(np.float64), vel.astype(np.float64),
            jitter_px=cfg.box_jitter_px, n_obs=int(self.state.a["obs"][row]),
            dt=float(view.gap[n]), tau=TAU_S,
        )  # fmt: skip
        if cfg.beyond_uncertainty and wspeed - u <= cfg.limit_kmh / 3.6:
            return None
        return {
            "speed_kmh": round(wspeed * 3.6, 1),
            "speed_uncertainty_kmh": round(u * 3.6, 1),
            "limit_kmh": cfg.limit_kmh,
            "calibration": calibration_record(cal, h),
        }

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event]:
        events = []
        for e in ended:
            if self.is_speed[e.rule]:
                continue
            cfg = self.cfgs[e.rule]
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "end",
                track_id=int(view.row_tid[e.row]),
                started_pts=e.start_pts,
                attributes={
                    "zone": cfg.zone,
                    "duration_s": round(e.last_true - e.start_pts, 3),
                    "reason": reason,
                    **(
                        {"violation": True}
                        if not self.is_stop[e.rule] or self.is_illegal[e.rule]
                        else {}
                    ),
                },
            )
            if ev is not None:
                events.append(ev)
        return events

    def finish(self, view: View) -> list[Event]:
        events = self._ends(view, self.episodes.drain(), "end_of_stream")
        return events

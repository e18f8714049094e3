"""fire and smoke rules: regions from the classical cues (or an ONNX model), confirmed
in ``confirm_frames`` of the last ``window`` frames, never inside exclusion zones."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from kuzet.config.rules import FireRuleConfig, SmokeRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import KeyedEpisodes, KeyedState
from kuzet.rules.family import SceneContext
from kuzet.rules.fire import FireSmokeCues, Region
from kuzet.rules.fire_model import OnnxFireModel
from kuzet.rules.geometry import points_in_polygon
from kuzet.rules.static_fg import _iou
from kuzet.rules.tracks import View

FireConfig = FireRuleConfig | SmokeRuleConfig


@dataclass(slots=True)
class _Tracked:
    id: int
    box: tuple[float, float, float, float]
    first_area: float
    hits: deque[bool] = field(default_factory=deque)
    region: Region | None = None


class _Confirm:
    """Regions matched frame to frame by overlap; confirmed by their recent hit count."""

    def __init__(self, window: int, need: int) -> None:
        self.window, self.need = window, need
        self.tracked: list[_Tracked] = []
        self._next = 2_000_000_000

    def step(self, regions: list[Region]) -> list[_Tracked]:
        free = list(self.tracked)
        for t in self.tracked:
            t.region = None
        for r in regions:
            best = max(free, key=lambda t: _iou(t.box, r.box), default=None)
            if best is not None and _iou(best.box, r.box) >= 0.2:
                free.remove(best)
            else:
                self._next += 1
                best = _Tracked(self._next, r.box, r.area, deque(maxlen=self.window))
                self.tracked.append(best)
            best.box, best.region = r.box, r
        for t in self.tracked:
            t.hits.append(t.region is not None)
        self.tracked = [t for t in self.tracked if any(t.hits)]
        return [t for t in self.tracked if t.region is not None and sum(t.hits) >= self.need]


class FireFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[FireConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self.cues = FireSmokeCues(
            window=max(c.window for c in cfgs), min_area=min(c.min_area for c in cfgs)
        )
        self.models = {c.name: OnnxFireModel(c.model, c.model_labels) for c in cfgs if c.model}
        self.confirm = [_Confirm(c.window, c.confirm_frames) for c in cfgs]
        self.episodes = [KeyedEpisodes(0.0, c.exit_after_s) for c in cfgs]

    def grow(self, cap: int) -> None:
        pass

    def reset(self, rows: np.ndarray) -> None:
        pass

    def _regions(self, view: View, cfg: FireConfig) -> list[Region]:
        kind = "fire" if isinstance(cfg, FireRuleConfig) else "smoke"
        if cfg.name in self.models:
            return self.models[cfg.name].detect(view.frame.image).get(kind, [])
        self.cues.update(view.frame.image, view.pts, None)
        return [
            r
            for r in (self.cues.fire if kind == "fire" else self.cues.smoke)
            if r.area >= cfg.min_area
        ]

    def _allowed(self, cfg: FireConfig, r: Region) -> bool:
        c = np.array([[(r.box[0] + r.box[2]) / 2, (r.box[1] + r.box[3]) / 2]])
        if cfg.zone is not None and not points_in_polygon(c, self.ctx.zone_points(cfg.zone))[0]:
            return False
        return not any(points_in_polygon(c, self.ctx.zone_points(z))[0] for z in cfg.exclude)

    def update(self, view: View) -> list[Event]:
        if not view.has_image:
            return []
        events: list[Event] = []
        for k, cfg in enumerate(self.cfgs):
            armed = bool(view.armed[self.ctx.rule_index[cfg.name]])
            regions = [r for r in self._regions(view, cfg) if armed and self._allowed(cfg, r)]
            confirmed = self.confirm[k].step(regions)
            by_id = {t.id: t for t in confirmed}
            starts, ends = self.episodes[k].step(
                {t.id: t.region.score for t in confirmed if t.region is not None}, view.pts
            )
            for key in starts:
                t = by_id[key]  # type: ignore[index]
                assert t.region is not None
                ev = self.ctx.emitter(cfg).emit(
                    view.frame,
                    "start",
                    track_id=t.id,
                    started_pts=view.pts,
                    box=t.box,
                    class_name=cfg.type,
                    score=t.region.score,
                    attributes={
                        "zone": cfg.zone,
                        "growth": round(t.region.area / max(t.first_area, 1.0), 2),
                        "method": "onnx" if cfg.name in self.models else "classical",
                    },
                )
                if ev is not None:
                    events.append(ev)
            events += self._ends(view, k, ends, "out")
        return events

    def _ends(
        self, view: View, k: int, ends: list[tuple[object, KeyedState]], reason: str
    ) -> list[Event]:
        cfg = self.cfgs[k]
        out = []
        for key, st in ends:
            ev = self.ctx.emitter(cfg).emit(
                view.frame,
                "end",
                track_id=int(key),  # type: ignore[call-overload]
                started_pts=float(st.start_pts or 0.0),
                class_name=cfg.type,
                score=st.peak,
                attributes={
                    "reason": reason,
                    "duration_s": round(st.last_true - float(st.start_pts or 0.0), 3),
                },
            )
            if ev is not None:
                out.append(ev)
        return out

    def finish(self, view: View) -> list[Event]:
        return [
            e
            for k, ep in enumerate(self.episodes)
            for e in self._ends(view, k, ep.open(), "end_of_stream")
        ]

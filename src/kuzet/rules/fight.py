"""fight: two or more people close together moving violently and erratically.

Dense optical flow (Farneback) between consecutive analysed frames, inside the
union box of each close pair. Score = erratic x fast: *erratic* is the circular
variance of flow directions (1 when limbs move every which way, ~0 when a couple walks
together), *fast* squashes mean flow speed in person heights per second.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from kuzet.config.rules import FightRuleConfig
from kuzet.core import Event
from kuzet.rules.episodes import KeyedEpisodes, KeyedState
from kuzet.rules.family import SceneContext
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.tracks import View

WIDTH = 320
FAST_HEIGHTS_S = 0.6  # mean flow speed (person heights/s) that counts as fully 'fast'
NOISE_PX = 0.3


def violence_score(flow: np.ndarray, height_px: float, dt: float) -> float:
    """Erratic x fast of a flow patch (pixels per frame at the patch's scale)."""
    fx, fy = flow[..., 0].ravel(), flow[..., 1].ravel()
    mag = np.hypot(fx, fy)
    moving = mag > NOISE_PX
    if moving.sum() < 8:
        return 0.0
    fx, fy, mag = fx[moving], fy[moving], mag[moving]
    coherence = np.hypot((fx / mag).mean(), (fy / mag).mean())
    erratic = 1.0 - float(coherence)
    speed = float(mag.mean()) * moving.mean() / max(height_px, 1.0) / max(dt, 1e-3)
    return erratic * float(np.tanh(speed / FAST_HEIGHTS_S))


def _pair(key: object) -> tuple[int, int]:
    assert isinstance(key, tuple)
    return int(key[0]), int(key[1])


class FightFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[FightRuleConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self._zones = PresenceFamily(ctx, cfgs)  # type: ignore[arg-type]
        self.episodes = [KeyedEpisodes(c.min_duration_s, c.exit_after_s) for c in cfgs]
        self._prev: np.ndarray | None = None
        self._prev_pts = 0.0
        self.last_scores: dict[tuple[int, int], float] = {}

    def grow(self, cap: int) -> None:
        pass

    def reset(self, rows: np.ndarray) -> None:
        pass

    def update(self, view: View) -> list[Event]:
        if not view.has_image:
            return []
        img = view.frame.image
        scale = WIDTH / img.shape[1]
        grey = cv2.cvtColor(
            cv2.resize(img, (WIDTH, round(img.shape[0] * scale))), cv2.COLOR_BGR2GRAY
        )
        prev, dt = self._prev, view.pts - self._prev_pts
        self._prev, self._prev_pts = grey, view.pts
        ok = self._zones.inside(view)
        events: list[Event] = []
        flow: Any = None
        for k, cfg in enumerate(self.cfgs):
            scores: dict[object, float] = {}
            pairs = self._pairs(view, ok[:, k], cfg.proximity)
            if pairs and prev is not None and prev.shape == grey.shape:
                if flow is None:  # once per frame, only when some pair is close
                    flow = cv2.calcOpticalFlowFarneback(
                        prev,
                        grey,
                        None,
                        0.5,
                        2,
                        9,
                        2,
                        5,
                        1.1,
                        0,
                    )
                for i, j in pairs:
                    s = self._pair_score(view, flow, i, j, scale, dt)
                    key = (
                        int(min(view.tids[i], view.tids[j])),
                        int(max(view.tids[i], view.tids[j])),
                    )
                    self.last_scores[key] = s
                    if s >= cfg.threshold:
                        scores[key] = s
            starts, ends = self.episodes[k].step(scores, view.pts)
            for started in starts:
                a, b = _pair(started)
                ev = self.ctx.emitter(cfg).emit(
                    view.frame,
                    "start",
                    track_id=a,
                    started_pts=view.pts,
                    class_name="person",
                    score=scores[started],
                    box=self._union(view, a, b),
                    attributes={"tracks": [a, b], "zone": cfg.zone},
                )
                if ev is not None:
                    events.append(ev)
            events += self._ends(view, k, ends, "calmed")
        return events

    def _pairs(self, view: View, ok: np.ndarray, proximity: float) -> list[tuple[int, int]]:
        idx = np.flatnonzero(ok)
        if len(idx) < 2:
            return []
        b = view.tracks.xyxy[idx]
        c = (b[:, :2] + b[:, 2:]) / 2
        h = b[:, 3] - b[:, 1]
        d = np.linalg.norm(c[:, None] - c[None], axis=2)
        close = d < proximity * (h[:, None] + h[None]) / 2
        ii, jj = np.nonzero(np.triu(close, 1))
        return [(int(idx[i]), int(idx[j])) for i, j in zip(ii, jj, strict=True)]

    def _union(self, view: View, a: int, b: int) -> tuple[float, float, float, float] | None:
        sel = np.isin(view.tids, [a, b])
        if not sel.any():
            return None
        x = view.tracks.xyxy[sel]
        return (
            float(x[:, 0].min()),
            float(x[:, 1].min()),
            float(x[:, 2].max()),
            float(x[:, 3].max()),
        )

    def _pair_score(
        self, view: View, flow: np.ndarray, i: int, j: int, scale: float, dt: float
    ) -> float:
        x = view.tracks.xyxy[[i, j]] * scale
        x1, y1 = (max(int(v), 0) for v in x[:, :2].min(axis=0))
        x2, y2 = (int(np.ceil(v)) for v in x[:, 2:].max(axis=0))
        patch = flow[y1:y2, x1:x2]
        if patch.size == 0:
            return 0.0
        return violence_score(patch, float((x[:, 3] - x[:, 1]).mean()), dt)

    def _ends(
        self, view: View, k: int, ends: list[tuple[object, KeyedState]], reason: str
    ) -> list[Event]:
        events = []
        for key, st in ends:
            a, b = _pair(key)
            ev = self.ctx.emitter(self.cfgs[k]).emit(
                view.frame,
                "end",
                track_id=a,
                started_pts=float(st.start_pts or 0.0),
                class_name="person",
                score=st.peak,
                attributes={
                    "tracks": [a, b],
                    "reason": reason,
                    "duration_s": round(st.last_true - float(st.start_pts or 0.0), 3),
                },
            )
            if ev is not None:
                events.append(ev)
        return events

    def finish(self, view: View) -> list[Event]:
        return [
            e
            for k, ep in enumerate(self.episodes)
            for e in self._ends(view, k, ep.open(), "end_of_stream")
        ]

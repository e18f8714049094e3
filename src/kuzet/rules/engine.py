"""The scene engine: all rules of one camera, geometry computed once per frame.

Registered as the rule type ``scene`` so the pipeline calls it like any rule. Per
frame it maps track ids to rows, tests every anchor against every zone and line in
one array pass, applies class/score/size filters and schedules for all rules at once,
then lets each rule family (all rules of one kind) advance its state arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from kuzet.config.rules import SceneRuleSetConfig
from kuzet.core import Detections, Event, Frame
from kuzet.rules.base import RULES
from kuzet.rules.family import Family, SceneContext
from kuzet.rules.geometry import LineSet, PolygonSet
from kuzet.rules.schedule import Schedule
from kuzet.rules.signals import BOARD, SignalBoard
from kuzet.rules.tracks import Anchors, TrackTable, View

FamilyFactory = Callable[[SceneContext, list[Any]], Family]
FAMILIES: dict[str, tuple[str, FamilyFactory]] = {}
"""rule type -> (family key, factory); rule types of one family share its instance."""


def family(key: str, *types: str) -> Callable[[FamilyFactory], FamilyFactory]:
    def deco(factory: FamilyFactory) -> FamilyFactory:
        for t in types:
            FAMILIES[t] = (key, factory)
        return factory

    return deco


@RULES.register("scene")
class SceneEngine:
    def __init__(
        self, camera_id: str, cfg: SceneRuleSetConfig, board: SignalBoard | None = None
    ) -> None:
        """``board``: where controller-fed signal states come from (the process's by default)."""
        from kuzet.rules import families  # noqa: F401  (registers the families)

        self.name = cfg.name
        self.cfg = cfg
        self.ctx = SceneContext(camera_id, cfg, board=BOARD if board is None else board)
        self.zones = PolygonSet([np.asarray(z.points) for z in cfg.zones])
        self.lines = LineSet(
            np.array([ln.points for ln in cfg.lines], np.float64).reshape(-1, 2, 2),
            np.array([ln.in_point for ln in cfg.lines], np.float64).reshape(-1, 2),
        )
        schedules = {s.name: Schedule(s) for s in cfg.schedules}
        self._schedules = [schedules[r.schedule] if r.schedule else None for r in cfg.rules]
        names = sorted({r.schedule for r in cfg.rules if r.schedule})
        self._sched = [schedules[nm] for nm in names]
        self._sched_cols = [
            np.array([k for k, r in enumerate(cfg.rules) if r.schedule == nm], np.intp)
            for nm in names
        ]
        self._always = np.ones(len(cfg.rules), bool)
        self._armed_cache: dict[tuple[bool, ...], np.ndarray] = {}
        self.min_score = np.array([r.min_score for r in cfg.rules], np.float32)
        self.min_w = np.array([r.min_width for r in cfg.rules], np.float32)
        self.min_h = np.array([r.min_height for r in cfg.rules], np.float32)
        # one (score, width, height) filter for every rule: test it per track, not per rule
        filters = {(r.min_score, r.min_width, r.min_height) for r in cfg.rules}
        self._uniform = len(filters) == 1
        self._min_wh = np.array([*self.min_w[:1], *self.min_h[:1]], np.float32)
        self._labels: tuple[str, ...] | None = None
        self._class_table = np.zeros((0, len(cfg.rules)), bool)
        grouped: dict[str, list[Any]] = defaultdict(list)
        factories: dict[str, FamilyFactory] = {}
        for r in cfg.rules:
            key, factory = FAMILIES[r.type]
            grouped[key].append(r)
            factories[key] = factory
        self.families: dict[str, Family] = {
            k: factories[k](self.ctx, v) for k, v in grouped.items()
        }
        forget = [getattr(r, "exit_after_s", 0.0) for r in cfg.rules]
        forget += [getattr(r, "forget_after_s", 0.0) for r in cfg.rules]
        self.table = TrackTable(forget_s=max(forget, default=0.0) + 1.0)
        self.has_image = True
        self._anchor_kinds = sorted({r.anchor for r in cfg.rules})
        self._last_view: View | None = None
        self._cap = -1

    @property
    def settle_s(self) -> float:
        """Media time without any track after which the state is empty: further empty
        frames change nothing (every track forgotten, every episode ended)."""
        return self.table.forget_s + 1.0

    def _classes(self, labels: tuple[str, ...]) -> np.ndarray:
        if labels is not self._labels and labels != self._labels:
            index = {name: i for i, name in enumerate(labels)}
            tab = np.zeros((len(labels) + 1, len(self.cfg.rules)), bool)  # last row: unknown ids
            for k, r in enumerate(self.cfg.rules):
                for c in r.classes:
                    if c in index:
                        tab[index[c], k] = True
            self._labels, self._class_table = labels, tab
        return self._class_table

    def _armed(self, wall_time: float) -> np.ndarray:
        """Schedules per rule; one array per combination of schedule states, reused."""
        if not self._sched:
            return self._always
        key = tuple(s.active(wall_time) for s in self._sched)
        armed = self._armed_cache.get(key)
        if armed is None:
            armed = np.ones(len(self.cfg.rules), bool)
            for on, cols in zip(key, self._sched_cols, strict=True):
                armed[cols] = on
            self._armed_cache[key] = armed
        return armed

    def _eligible(self, tracks: Detections, labels: tuple[str, ...]) -> np.ndarray:
        """(N, rules): class, score and size filters of every rule."""
        xyxy = tracks.xyxy
        tab = self._classes(labels)
        cls = np.minimum(tracks.class_id.view(np.uint32), len(labels))  # unknown -> last row
        wh = xyxy[:, 2:] - xyxy[:, :2]
        if self._uniform:  # (N, 2) bools viewed as one uint16: 0x0101 = width and height ok
            size_ok = (wh >= self._min_wh).view(np.uint16)[:, 0] == 0x0101
            size_ok &= tracks.confidence >= self.min_score[0]
            eligible = tab[cls]
            eligible &= size_ok[:, None]
        else:
            eligible = (
                tab[cls]
                & (tracks.confidence[:, None] >= self.min_score)
                & (wh[:, 0:1] >= self.min_w)
                & (wh[:, 1:2] >= self.min_h)
            )
        return eligible

    def view(self, frame: Frame, tracks: Detections, labels: tuple[str, ...]) -> View:
        if tracks.tracker_id is None:
            tracks = tracks[np.zeros(len(tracks), bool)]
            tracks.tracker_id = np.empty(0, np.int64)
        assert tracks.tracker_id is not None
        tids = tracks.tracker_id
        n = len(tids)
        rows, gap = self.table.rows(tids, frame.pts)
        xyxy = tracks.xyxy
        anchors = Anchors(xyxy)
        in_zone: dict[str, np.ndarray] = {}
        line_dist: dict[str, np.ndarray] = {}
        line_along: dict[str, np.ndarray] = {}
        line_geo: dict[str, np.ndarray] = {}
        zone_hit: dict[str, bool] = {}
        for k in self._anchor_kinds:  # only the anchors some rule reasons about
            pts = anchors.float64(k)
            z = in_zone[k] = np.zeros((n, self.zones.count + 1), bool)
            z[:, -1] = True  # the 'whole frame' column
            zone_hit[k] = self.zones.fill(pts, z)
            m = line_geo[k] = self.lines.measure(pts)
            line_dist[k], line_along[k] = m[:, 0], m[:, 1]
        armed = self._armed(frame.wall_time)
        return View(
            frame,
            tracks,
            labels,
            rows,
            tids,
            anchors,
            in_zone,
            line_dist,
            line_along,
            partial(self._eligible, tracks, labels),
            armed,
            self.table.tid,
            gap,
            self.table.last_seen,
            self.has_image,
            line_geo=line_geo,
            zone_hit=zone_hit,
        )

    def update(self, frame: Frame, tracks: Detections, labels: tuple[str, ...]) -> list[Event]:
        if self.cfg.signals and self.ctx.signals is not None:  # before any rule asks
            self.ctx.signals.observe(frame.image if self.has_image else None, frame.wall_time)
        view = self.view(frame, tracks, labels)
        events: list[Event] = []
        if self.table.cap != self._cap:  # rows were added: families grow their state once
            self._cap = self.table.cap
            for fam in self.families.values():
                fam.grow(self._cap)
        for fam in self.families.values():
            events += fam.update(view)
        gone = self.table.expire(frame.pts)
        if len(gone):
            for fam in self.families.values():
                fam.reset(gone)
        self._last_view = view
        return events

    def finish(self) -> list[Event]:
        """End every open episode (end of a file or a replay): phase 'end', reason end_of_stream."""
        if self._last_view is None:
            return []
        events: list[Event] = []
        for fam in self.families.values():
            events += fam.finish(self._last_view)
        return events

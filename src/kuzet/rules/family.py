"""What the scene engine needs from a rule family, and the context families are built with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from kuzet.config.rules import SceneConfig, _RuleBase
from kuzet.core import Event
from kuzet.rules.emit import Emitter
from kuzet.rules.geometry import homography, points_in_polygon
from kuzet.rules.signals import BOARD, SceneSignals, SignalBoard
from kuzet.rules.static_fg import Blob, StaticForeground
from kuzet.rules.tracks import View


class Family(Protocol):
    """All rules of one kind on one camera, updated together."""

    def grow(self, cap: int) -> None: ...

    def reset(self, rows: np.ndarray) -> None: ...

    def update(self, view: View) -> list[Event]: ...

    def finish(self, view: View) -> list[Event]: ...


@dataclass(slots=True)
class SceneContext:
    """Name lookups shared by families: zone and line columns, emitters, calibration."""

    camera_id: str
    scene: SceneConfig
    zone_index: dict[str, int] = field(default_factory=dict)
    line_index: dict[str, int] = field(default_factory=dict)
    rule_index: dict[str, int] = field(default_factory=dict)
    emitters: dict[str, Emitter] = field(default_factory=dict)
    to_world: np.ndarray | None = None
    background: StaticForeground | None = None
    board: SignalBoard = BOARD
    signals: SceneSignals | None = None

    def __post_init__(self) -> None:
        self.signals = SceneSignals(self.camera_id, list(self.scene.signals), self.board)
        self.zone_index = {z.name: i for i, z in enumerate(self.scene.zones)}
        self.line_index = {ln.name: i for i, ln in enumerate(self.scene.lines)}
        self.rule_index = {r.name: i for i, r in enumerate(self.scene.rules)}
        self.emitters = {r.name: Emitter(self.camera_id, r, r.type) for r in self.scene.rules}
        cal = self.scene.calibration
        if cal is not None:
            self.to_world = homography(np.array(cal.image_points), np.array(cal.world_points))

    def zone_col(self, name: str | None) -> int:
        """Column in ``View.in_zone``; -1 is the always-true 'whole frame' column."""
        return -1 if name is None else self.zone_index[name]

    def zone_points(self, name: str) -> np.ndarray:
        return np.asarray(self.scene.zones[self.zone_index[name]].points, np.float64)

    def emitter(self, cfg: _RuleBase) -> Emitter:
        return self.emitters[cfg.name]

    def static_blobs(self, view: View) -> list[Blob]:
        """Static foreground of this frame, one model per camera shared by all rules."""
        if not view.has_image:
            return []
        if self.background is None:
            self.background = StaticForeground()
        return self.background.update(view.frame.image, view.pts)

    def in_zone(self, name: str | None, point: tuple[float, float]) -> bool:
        if name is None:
            return True
        return bool(points_in_polygon(np.array([point]), self.zone_points(name))[0])

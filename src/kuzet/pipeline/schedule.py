"""When to run the detector and when a camera may drop to keyframes only."""

from __future__ import annotations

from dataclasses import dataclass

from kuzet.config.models import MotionConfig


@dataclass(slots=True)
class Decision:
    detect: bool
    idle: bool


class DetectSchedule:
    """Detect on motion, and at least every ``refresh_s`` (parked cars, people standing still).

    After ``idle_after_s`` without motion the camera is idle: the reader decodes
    keyframes only, which is what makes a quiet camera nearly free.
    """

    def __init__(self, cfg: MotionConfig) -> None:
        self.cfg = cfg
        self._last_detect: float | None = None
        self._last_motion: float | None = None

    def decide(self, pts: float, moving: bool) -> Decision:
        if moving or self._last_motion is None:
            self._last_motion = pts
        due = (
            not self.cfg.enabled
            or moving
            or self._last_detect is None
            or pts - self._last_detect >= self.cfg.refresh_s
        )
        if due:
            self._last_detect = pts
        idle = self.cfg.enabled and pts - self._last_motion >= self.cfg.idle_after_s
        return Decision(detect=due, idle=idle)

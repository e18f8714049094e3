"""When to run the detector and when a camera is idle, from motion and media time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kuzet.config.models import MotionConfig


class Why(StrEnum):
    MOTION = "motion"
    REFRESH = "refresh"  # no motion, but the detector has not run for refresh_s
    DISABLED = "disabled"  # motion gating off: detect every frame
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Decision:
    detect: bool
    why: Why
    idle: bool  # no motion for idle_after_s: the reader may decode keyframes only


class DetectSchedule:
    """Detect on motion, refresh every ``refresh_s`` anyway, go idle after ``idle_after_s``.

    Times are the frames' pts (media seconds), so a replay decides the same way
    whatever the machine's speed. The periodic refresh catches objects that stopped
    moving (a parked car, a person standing) that the background model absorbs.
    """

    def __init__(self, cfg: MotionConfig) -> None:
        self.cfg = cfg
        self._last_detect: float | None = None
        self._last_motion: float | None = None

    def decide(self, moving: bool, now: float) -> Decision:
        if self._last_motion is None or moving:
            self._last_motion = now
        idle = (now - self._last_motion) >= self.cfg.idle_after_s
        if not self.cfg.enabled:
            why = Why.DISABLED
        elif moving:
            why = Why.MOTION
        elif self._last_detect is None or now - self._last_detect >= self.cfg.refresh_s:
            why = Why.REFRESH
        else:
            why = Why.SKIP
        detect = why is not Why.SKIP
        if detect:
            self._last_detect = now
        return Decision(detect=detect, why=why, idle=idle and self.cfg.enabled)
